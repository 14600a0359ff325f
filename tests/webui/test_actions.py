"""Toolbar and status bar actions on torrents that need no transfer: drop to add, label,
properties, queue order, start/pause/stop, quick global limits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.daemon import wait_for
from tests.webui import ui
from tests.webui.swarm import make_torrent

KB = 1024

DROP_JS = """([name, bytes]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/x-bittorrent' }));
  for (const type of ['dragenter', 'dragover', 'drop']) {
    document.body.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}"""


def settings_of(daemon) -> dict:
    return {s[0]: s[2] for s in daemon.api({"action": "getsettings"})["settings"]}


def test_dropped_torrent_file_opens_the_add_dialog(open_ui, tmp_path):
    torrent, _ = make_torrent(tmp_path / "data", "dropped", {"d.bin": 16 * KB})
    page = open_ui()
    page.evaluate(DROP_JS, [torrent.name, list(torrent.read_bytes())])
    dlg = ui.dialog(page, "Add torrents")
    expect(dlg).to_contain_text("dropped.torrent")
    dlg.get_by_label("Add stopped").check()
    dlg.get_by_role("button", name="Add", exact=True).click()
    expect(ui.row(page, "dropped").locator("td.status")).to_have_text("Stopped")


def test_label_properties_queue_and_state(open_ui, ui_daemon, tmp_path):
    alpha, alpha_hash = make_torrent(tmp_path / "data", "alpha", {"a.bin": 16 * KB})
    beta, _ = make_torrent(tmp_path / "data", "beta", {"b.bin": 16 * KB})
    page = open_ui()
    ui.add(page, files=[alpha, beta], stopped=True)
    ui.select(page, "alpha")

    ui.toolbar(page, "Set label").click()
    dlg = ui.dialog(page, "Set label")
    dlg.get_by_label("Label (empty removes it)").fill("isos")
    dlg.get_by_role("button", name="Set label").click()
    expect(ui.row(page, "alpha").locator("td.label")).to_have_text("isos")

    ui.toolbar(page, "Torrent properties").click()
    dlg = ui.dialog(page, "Properties: alpha")
    dlg.get_by_label("Download limit (KiB/s, 0 = none)").fill("-5")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg).to_contain_text("Enter a whole number, 0 or more.")
    dlg.get_by_label("Download limit (KiB/s, 0 = none)").fill("100")
    dlg.get_by_role("button", name="Save").click()
    expect(dlg).to_be_hidden()
    assert ui_daemon.api({"action": "getprops", "hash": alpha_hash})["props"][0]["dlrate"] == 100 * KB
    ui.toolbar(page, "Torrent properties").click()
    expect(dlg.get_by_label("Download limit (KiB/s, 0 = none)")).to_have_value("100")
    dlg.get_by_role("button", name="Cancel").click()

    queue = lambda name: ui.row(page, name).locator("td.queue")  # noqa: E731
    first, second = ("alpha", "beta") if queue("alpha").inner_text() == "1" else ("beta", "alpha")
    ui.select(page, first)
    ui.toolbar(page, "Queue down").click()
    expect(queue(first)).to_have_text("2")
    expect(queue(second)).to_have_text("1")

    status = ui.row(page, "alpha").locator("td.status")
    ui.select(page, "alpha")
    # A started torrent may wait in the queue for a moment; a forced one starts at once.
    steps = (("Start", "^(Queued|Downloading)$"), ("Force start", r"^\[F\] Downloading$"),
             ("Pause", "^Paused$"), ("Stop", "^Stopped$"))
    for button, shown in steps:
        ui.toolbar(page, button).click()
        expect(status).to_have_text(re.compile(shown))


def test_quick_global_upload_limit(open_ui, ui_daemon):
    page = open_ui()
    page.get_by_role("button", name="Upload speed and limit").click()
    dlg = ui.dialog(page, "Global upload limit")
    dlg.get_by_label("Limit").select_option(label="250 KiB/s")
    dlg.get_by_role("button", name="Set").click()
    expect(page.get_by_role("button", name="Upload speed and limit")).to_contain_text("[250 KiB/s]")
    assert settings_of(ui_daemon)["max_ul_rate"] == "250"


@pytest.mark.parametrize("ui_conf", [{"dir_download": "media"}])
def test_download_goes_to_the_chosen_folder(open_ui, ui_daemon, seeder):
    """The folder picked from list-dirs is where the finished download ends up."""
    torrent, _ = make_torrent(seeder.data_dir, "film", {"film.mkv": 64 * KB})
    seeder.seed(torrent)
    media = ui_daemon.workdir / "media"
    page = open_ui()
    ui.toolbar(page, "Add torrent").click()
    dlg = ui.dialog(page, "Add torrents")
    folders = dlg.get_by_label("Save to")
    expect(folders.locator("option")).to_have_count(2)  # the default folder and dir_download
    free_space = re.compile(rf"^[0-9.]+ [KMGT]?B free · {re.escape(str(media))}$")
    expect(folders.locator("option").nth(1)).to_have_text(free_space)
    folders.select_option(index=1)
    dlg.get_by_label("Torrent files").set_input_files(str(torrent))
    dlg.get_by_role("button", name="Add", exact=True).click()
    ui.wait_downloaded(page, "film", seeder, ui_daemon.bind_port)
    wait_for(lambda: (media / "film/film.mkv").exists(), timeout=20, what="film moved to the chosen folder")
    assert (media / "film/film.mkv").read_bytes() == (seeder.data_dir / "film/film.mkv").read_bytes()
    ui.select(page, "film")
    expect(page.get_by_role("tabpanel", name="General")).to_contain_text(str(media))


def test_context_menu_by_mouse_and_keyboard(open_ui, tmp_path):
    torrent, _ = make_torrent(tmp_path / "data", "menu-me", {"m.bin": 16 * KB})
    page = open_ui()
    ui.add(page, files=[torrent], stopped=True)
    status = ui.row(page, "menu-me").locator("td.status")
    menu = page.get_by_role("menu", name="Torrent actions")

    ui.row(page, "menu-me").locator("td.name").click(button="right")
    expect(menu).to_be_visible()
    menu.get_by_role("menuitem", name="Force start").click()
    expect(menu).to_be_hidden()
    expect(status).to_have_text("[F] Downloading")

    page.keyboard.press("Shift+F10")  # focus went back to the row
    expect(menu.get_by_role("menuitem", name="Start", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Stop")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Stopped")
    page.keyboard.press("Shift+F10")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(ui.row(page, "menu-me")).to_be_focused()
