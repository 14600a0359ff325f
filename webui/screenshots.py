"""Screenshots of the main views at desktop and phone size: `make screenshots`.

Starts a real daemon serving a fresh webui.zip, adds a few torrents (one fully downloaded from a
seeder on loopback), and saves PNGs into docs/screenshots/ (or the folder given as argument).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.support.daemon import ADMIN, Daemon  # noqa: E402
from tests.webui import ui  # noqa: E402
from tests.webui.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, _load_builder  # noqa: E402
from tests.webui.swarm import Seeder, make_torrent  # noqa: E402

KB = 1024
SIZES = {"desktop": DESKTOP, "phone": PHONE}
CREDENTIALS = dict(zip(("username", "password"), ADMIN, strict=True))


def populate(page, daemon: Daemon, seeder: Seeder, data: Path) -> None:
    """A list that looks like real use: finished, stopped and waiting torrents with labels."""
    done, _ = make_torrent(seeder.data_dir, "debian-12-netinst", {"debian-12-netinst.iso": 768 * KB})
    album, _ = make_torrent(seeder.data_dir, "Free Music Archive - Sampler",
                            {f"{n:02d} Track {n}.flac": 128 * KB for n in range(1, 5)} | {"cover.jpg": 48 * KB})
    waiting, _ = make_torrent(data, "ubuntu-24.04-desktop-amd64", {"ubuntu-24.04-desktop-amd64.iso": 256 * KB})
    stopped, _ = make_torrent(data, "Big Buck Bunny 1080p", {"bbb_1080p.mkv": 192 * KB, "bbb.srt": 16 * KB})
    seeder.seed(done)
    seeder.seed(album)
    ui.add(page, files=[done], label="linux")
    ui.add(page, files=[album], label="music")
    ui.add(page, files=[waiting], label="linux")
    ui.add(page, files=[stopped], label="movies", stopped=True)
    ui.wait_downloaded(page, "debian-12-netinst", seeder, daemon.bind_port)
    ui.wait_downloaded(page, "Free Music Archive", seeder, daemon.bind_port)
    daemon.api([("action", "filter-update"), ("filter-id", "-1"), ("name", "Ubuntu releases"),
                ("filter", "*ubuntu*desktop*"), ("label", "linux")])


def shoot(browser, daemon: Daemon, out: Path, size: str) -> None:
    context = browser.new_context(viewport=SIZES[size], http_credentials=CREDENTIALS)
    page = context.new_page()
    page.goto(daemon.url + "/gui/")
    page.wait_for_function("window.__uiReady === true")
    ui.select(page, "Free Music Archive")
    page.screenshot(path=out / f"list-{size}.png", full_page=size == "phone")  # phones scroll the page
    ui.open_tab(page, "Files").scroll_into_view_if_needed()
    page.screenshot(path=out / f"files-{size}.png")
    for button, title, tab, name in [("Add torrent", "Add torrents", None, "add"),
                                     ("Settings", "Settings", "Bandwidth", "settings"),
                                     ("RSS feeds and filters", "RSS feeds and filters", "Filters", "rss")]:
        ui.toolbar(page, button).click()
        dlg = ui.dialog(page, title)
        if tab:
            dlg.get_by_role("tab", name=tab, exact=True).click()
        if name == "rss":
            dlg.get_by_role("button", name="Ubuntu releases").click()
        page.screenshot(path=out / f"{name}-{size}.png")
        page.keyboard.press("Escape")
        dlg.wait_for(state="hidden")
    context.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        _load_builder().build(tmp / "webui.zip")
        daemon = Daemon(tmp / "daemon", {"ut_webui_dir": str(tmp)}).start()
        seeder = Seeder(tmp / "seed")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=DESKTOP, http_credentials=CREDENTIALS)
            page = context.new_page()
            page.goto(daemon.url + "/gui/")
            page.wait_for_function("window.__uiReady === true")
            populate(page, daemon, seeder, tmp / "data")
            context.close()
            for size in SIZES:
                shoot(browser, daemon, out, size)
        finally:
            browser.close()
            seeder.close()
            daemon.stop()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
