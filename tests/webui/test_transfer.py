"""Adding torrents in the browser and watching real transfers from a real seeder on loopback."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.support.daemon import wait_for
from tests.webui import ui
from tests.webui.swarm import make_torrent

KB = 1024


def test_upload_two_torrents_download_to_100_then_remove_one_with_data(open_ui, ui_daemon, seeder):
    album, album_hash = make_torrent(seeder.data_dir, "album", {"01.flac": 300 * KB, "cover/front.jpg": 40 * KB})
    notes, _ = make_torrent(seeder.data_dir, "notes", {"notes.txt": 50 * KB})
    seeder.seed(album)
    seeder.seed(notes)
    page = open_ui()

    ui.add(page, files=[album, notes], label="music")  # two files in one upload
    expect(ui.row(page, "album")).to_be_visible()
    expect(ui.row(page, "notes")).to_be_visible()
    ui.wait_downloaded(page, "album", seeder, ui_daemon.bind_port)
    ui.wait_downloaded(page, "notes", seeder, ui_daemon.bind_port)

    downloads = ui_daemon.download_dir
    for rel in ("album/01.flac", "album/cover/front.jpg", "notes/notes.txt"):
        assert (downloads / rel).read_bytes() == (seeder.data_dir / rel).read_bytes(), rel
    expect(ui.row(page, "album").locator("td.label")).to_have_text("music")
    expect(page.locator("#labels").get_by_role("button", name="music")).to_contain_text("2")

    ui.select(page, "album")
    expect(page.get_by_role("tabpanel", name="General")).to_contain_text(album_hash)
    ui.toolbar(page, "Remove").click()
    dlg = ui.dialog(page, "Remove torrents")
    dlg.get_by_label("Remove and delete the downloaded data", exact=True).check()
    dlg.get_by_role("button", name="Remove", exact=True).click()

    expect(ui.row(page, "album")).to_have_count(0)
    wait_for(lambda: not (downloads / "album").exists(), timeout=20, what="album data deleted")
    expect(ui.row(page, "notes")).to_be_visible()
    assert (downloads / "notes/notes.txt").exists(), "the other torrent's data must stay"


def test_magnet_link_into_a_sub_folder(open_ui, ui_daemon, seeder):
    torrent, info_hash = make_torrent(seeder.data_dir, "magnet-data", {"payload.bin": 200 * KB})
    seeder.seed(torrent)
    page = open_ui()

    ui.add(page, urls=[f"magnet:?xt=urn:btih:{info_hash}&dn=from+a+magnet"], sub_path="incoming")
    expect(ui.row(page, "from a magnet")).to_be_visible()  # named by dn= until metadata arrives
    ui.select(page, "from a magnet")
    expect(ui.open_tab(page, "Files")).to_contain_text("waiting for the torrent’s metadata")
    ui.wait_downloaded(page, "magnet-data", seeder, ui_daemon.bind_port)
    assert (ui_daemon.download_dir / "incoming/magnet-data/payload.bin").read_bytes() == \
        (seeder.data_dir / "magnet-data/payload.bin").read_bytes()
    expect(page.get_by_role("tabpanel", name="Files")).to_contain_text("payload.bin")


def test_skipped_file_is_not_downloaded(open_ui, ui_daemon, seeder):
    # Sizes are whole pieces (16 KiB), so no piece is shared between the two files.
    torrent, _ = make_torrent(seeder.data_dir, "show", {"big.mkv": 512 * KB, "subs.srt": 32 * KB})
    seeder.seed(torrent)
    page = open_ui()

    ui.add(page, files=[torrent], stopped=True)
    expect(ui.row(page, "show").locator("td.status")).to_have_text("Stopped")
    ui.select(page, "show")
    files = ui.open_tab(page, "Files")
    files.get_by_label("Priority of big.mkv").select_option(label="Skip")
    expect(files.get_by_label("Priority of big.mkv")).to_have_value("0")
    ui.toolbar(page, "Start").click()

    ui.wait_downloaded(page, "show", seeder, ui_daemon.bind_port)
    file_row = lambda name: files.locator("tr", has=page.get_by_label(f"Priority of {name}"))  # noqa: E731
    expect(file_row("subs.srt").locator(".bar")).to_have_text("100.0%")
    expect(file_row("big.mkv").locator(".bar")).to_have_text("0.0%")
    show = ui_daemon.download_dir / "show"
    assert (show / "subs.srt").read_bytes() == (seeder.data_dir / "show/subs.srt").read_bytes()
    assert not (show / "big.mkv").exists(), "a skipped file must not be written"


def test_finished_file_downloads_from_the_files_tab(open_ui, ui_daemon, seeder):
    torrent, _ = make_torrent(seeder.data_dir, "report", {"report.pdf": 48 * KB, "draft.txt": 16 * KB})
    seeder.seed(torrent)
    page = open_ui()
    ui.add(page, files=[torrent])
    ui.wait_downloaded(page, "report", seeder, ui_daemon.bind_port)
    ui.select(page, "report")
    files = ui.open_tab(page, "Files")
    with page.expect_download() as download:
        files.get_by_role("link", name="Download report.pdf").click()  # through /proxy
    assert Path(download.value.path()).read_bytes() == (seeder.data_dir / "report/report.pdf").read_bytes()
    assert download.value.suggested_filename == "report.pdf"
