"""RSS in the browser: add a feed, see its items, test a filter, and let the filter add a torrent."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.webui import ui
from tests.webui.swarm import make_torrent

FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test releases</title><link>http://127.0.0.1/</link>
<item><title>Wanted.Show.S01E02.720p</title><link>{base}/wanted.torrent</link></item>
<item><title>Other.Show.S03E04.720p</title><link>{base}/other.torrent</link></item>
</channel></rss>"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server(tmp_path):
    """An HTTP server on loopback serving feed.xml and the two .torrent files it links."""
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_port}"
    for name in ("wanted", "other"):
        torrent, _ = make_torrent(tmp_path / "data", name, {f"{name}.mkv": 32 * 1024})
        (root / f"{name}.torrent").write_bytes(torrent.read_bytes())
    (root / "feed.xml").write_text(FEED.format(base=base))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{base}/feed.xml"
    server.shutdown()
    server.server_close()


def test_feed_and_filter_add_the_matching_torrent(open_ui, feed_server):
    page = open_ui()
    ui.toolbar(page, "RSS feeds and filters").click()
    dlg = ui.dialog(page, "RSS feeds and filters")
    dlg.get_by_label("Feed URL").fill(feed_server)
    dlg.get_by_label("Name (optional)").fill("Shows")
    dlg.get_by_role("button", name="Add feed", exact=True).click()
    dlg.get_by_role("button", name="Shows (2)").click()  # items arrive with the list updates
    expect(dlg.get_by_role("table", name="Feed items")).to_contain_text("Wanted.Show.S01E02.720p")

    dlg.get_by_role("tab", name="Filters").click()
    dlg.get_by_label("Name", exact=True).fill("Wanted show")
    dlg.get_by_label("Filter (e.g. *ubuntu*iso*)").fill("*wanted show*")
    dlg.get_by_label("Label for new torrents").fill("tv")
    dlg.get_by_role("button", name="Test against feed items").click()
    result = dlg.locator("#filter-test")
    expect(result).to_contain_text("Matches 1 of 2 items")
    expect(result.locator("li.match")).to_have_text("✔ Wanted.Show.S01E02.720p")
    dlg.get_by_role("button", name="Save filter").click()
    expect(dlg.get_by_role("button", name="Wanted show")).to_be_visible()

    dlg.get_by_role("tab", name="Feeds").click()
    dlg.get_by_role("button", name="Shows (2)").click()
    dlg.get_by_role("button", name="Update now").click()
    dlg.get_by_role("button", name="Close").click()
    expect(ui.row(page, "wanted")).to_be_visible(timeout=30_000)
    expect(ui.row(page, "wanted").locator("td.label")).to_have_text("tv")
    expect(ui.row(page, "other")).to_have_count(0)
