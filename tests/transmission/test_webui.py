"""Debian's Transmission web UI (transmission-common 3.00), unchanged, from tr_webui_dir in
Chromium: it lists a torrent, stops and starts it, with no page errors. Playwright comes from
PyPI, so make test-debian skips this module (marker pypi_client)."""

from __future__ import annotations

import pytest

from tests.support.daemon import ADMIN
from tests.transmission.support import CONF, DEBIAN_WEB, Rpc, content

playwright = pytest.importorskip("playwright.sync_api")  # PyPI's; Debian's stack runs without it
from tests.webui.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (needs playwright)

expect, sync_playwright = playwright.expect, playwright.sync_playwright
pytestmark = [pytest.mark.pypi_client,
              pytest.mark.skipif(not (DEBIAN_WEB / "index.html").is_file(),
                                 reason="transmission-common is not installed (tests/system-packages.txt)")]


@pytest.fixture
def page(make_daemon):
    daemon = make_daemon({**CONF, "tr_webui_dir": str(DEBIAN_WEB), "localhost_authentication": 1}).start()
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(http_credentials={"username": ADMIN[0], "password": ADMIN[1]})
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        # the first RPC request's 409 is the session-id handshake, which Chromium logs as a failed load
        tab.on("console", lambda m: m.type == "error" and "409 (Conflict)" not in m.text
               and problems.append(f"console: {m.text}"))
        tab.on("pageerror", lambda e: problems.append(f"exception: {e}"))
        yield daemon, tab
        context.close()
        browser.close()
    assert problems == [], "errors in Transmission's web UI"


def test_the_web_ui_lists_stops_and_starts_a_torrent(page, tmp_path):
    daemon, tab = page
    rpc = Rpc(daemon)
    torrent, _, _ = content(daemon.download_dir, "webui-shown", {"w.bin": 60_000})
    added = rpc.add(torrent)
    tab.goto(daemon.url + "/transmission/web/")
    row = tab.locator("li.torrent", has=tab.locator(".torrent_name", has_text="webui-shown"))
    expect(row).to_be_visible(timeout=20_000)
    # the row's button: "torrent_pause" while the torrent runs, "torrent_resume" once it stopped
    expect(row.locator(".torrent_pause")).to_have_count(1, timeout=20_000)

    row.locator(".torrent_name").click()
    tab.locator("#toolbar-pause").click()
    expect(row.locator(".torrent_resume")).to_have_count(1, timeout=20_000)
    assert rpc.one(added["id"], "status")["status"] == 0

    tab.locator("#toolbar-start").click()
    expect(row.locator(".torrent_pause")).to_have_count(1, timeout=20_000)
    assert rpc.one(added["id"], "status")["status"] in (3, 4, 5, 6)
    assert "webui-shown" in tab.locator("#torrent_list").inner_text()

