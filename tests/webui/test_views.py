"""Every view of the UI: no console errors, named controls, keyboard use, a 360 px phone screen,
and the list's sorting, search and sidebar counts."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.webui import ui
from tests.webui.conftest import ADMIN, DESKTOP, PHONE
from tests.webui.swarm import make_torrent

KB = 1024


def two_stopped_torrents(page, tmp_path) -> None:
    alpha, _ = make_torrent(tmp_path / "data", "alpha", {"a.bin": 64 * KB})
    beta, _ = make_torrent(tmp_path / "data", "beta", {"b.bin": 16 * KB, "sub/c.bin": 16 * KB})
    ui.add(page, files=[alpha], label="one", stopped=True)
    ui.add(page, files=[beta], label="two", stopped=True)
    expect(page.locator("#torrents tbody tr")).to_have_count(2)


def sidebar_of(page):
    return page.get_by_role("navigation", name="Categories and labels")


def visit(page, open_button, title, close="Cancel"):
    """Opens a dialog, checks its controls are named, closes it."""
    open_button.click()
    dlg = ui.dialog(page, title)
    expect(dlg).to_be_visible()
    assert ui.unnamed_controls(page) == [], title
    dlg.get_by_role("button", name=close, exact=True).click()
    expect(dlg).to_be_hidden()
    return dlg


def test_every_view_has_named_controls_and_no_console_errors(open_ui, tmp_path):
    page = open_ui()
    two_stopped_torrents(page, tmp_path)
    assert ui.unnamed_controls(page) == []
    ui.select(page, "beta")
    for tab in ("General", "Files", "Peers", "Trackers", "Speed"):
        panel = ui.open_tab(page, tab)
        expect(panel).to_be_visible()
        assert ui.unnamed_controls(page) == [], tab
    expect(page.get_by_role("tabpanel", name="Files")).to_be_hidden()

    visit(page, ui.toolbar(page, "Add torrent"), "Add torrents")
    visit(page, ui.toolbar(page, "Remove"), "Remove torrents")
    visit(page, ui.toolbar(page, "Set label"), "Set label")
    visit(page, ui.toolbar(page, "Torrent properties"), "Properties: beta")
    visit(page, page.get_by_role("button", name="Download speed and limit"), "Global download limit")
    visit(page, page.get_by_role("button", name="Transfer history"), "Transfer history", close="Close")

    ui.toolbar(page, "Settings").click()
    settings = ui.dialog(page, "Settings")
    for tab in settings.get_by_role("tab").all():
        tab.click()
        assert ui.unnamed_controls(page) == [], tab.inner_text()
    settings.get_by_role("button", name="Cancel").click()

    ui.toolbar(page, "RSS feeds and filters").click()
    rss = ui.dialog(page, "RSS feeds and filters")
    rss.get_by_role("tab", name="Filters").click()
    expect(rss.get_by_label("Name", exact=True)).to_have_value("New filter")
    assert ui.unnamed_controls(page) == []
    rss.get_by_role("button", name="Close").click()


def test_sorting_search_and_sidebar(open_ui, tmp_path):
    page = open_ui()
    two_stopped_torrents(page, tmp_path)
    names = page.locator("#torrents tbody td.name .n")

    page.get_by_role("columnheader", name="Name").get_by_role("button").click()
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute("aria-sort", "ascending")
    expect(names).to_have_text(["alpha", "beta"])
    page.get_by_role("columnheader", name="Name").get_by_role("button").click()
    expect(names).to_have_text(["beta", "alpha"])

    page.get_by_label("Search torrents").fill("alp")
    expect(names).to_have_text(["alpha"])
    page.get_by_label("Search torrents").fill("")

    sidebar = sidebar_of(page)
    expect(sidebar.get_by_role("button", name="All")).to_contain_text("2")
    expect(sidebar.get_by_role("button", name="Downloading")).to_contain_text("2")
    expect(sidebar.get_by_role("button", name="Completed")).to_contain_text("0")
    sidebar.get_by_role("button", name="two").click()
    expect(names).to_have_text(["beta"])
    sidebar.get_by_role("button", name="Completed").click()
    expect(page.locator("#empty")).to_be_visible()

    sidebar.get_by_role("button", name="Columns…").click()
    columns = ui.dialog(page, "Columns")
    columns.get_by_label("Ratio").uncheck()
    columns.get_by_role("button", name="Show").click()
    expect(page.locator("#torrents th[data-col=ratio]")).to_be_hidden()

    # The layout is kept in the webui.cookie setting: a new page shows the same sort, category
    # and columns.
    page = open_ui()
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute("aria-sort", "descending")
    expect(sidebar_of(page).get_by_role("button", name="Completed")).to_have_attribute("aria-current", "true")
    expect(page.locator("#torrents th[data-col=ratio]")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Seeds")).to_be_visible()


def test_keyboard_only(open_ui, tmp_path):
    page = open_ui()
    two_stopped_torrents(page, tmp_path)
    page.get_by_role("columnheader", name="Name").get_by_role("button").click()
    page.locator("#torrents").focus()
    page.keyboard.press("ArrowDown")
    expect(ui.row(page, "beta")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="General")).to_contain_text("beta")
    page.keyboard.press("ArrowUp")
    expect(ui.row(page, "alpha")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Control+a")
    expect(page.locator("#torrents tbody tr[aria-selected=true]")).to_have_count(2)
    page.keyboard.press("Delete")
    dlg = ui.dialog(page, "Remove torrents")
    expect(dlg).to_contain_text("Remove 2 torrents?")
    page.keyboard.press("Escape")
    expect(dlg).to_be_hidden()
    expect(page.locator("#torrents tbody tr")).to_have_count(2)

    ui.toolbar(page, "Start").focus()
    page.keyboard.press("ArrowRight")
    expect(ui.toolbar(page, "Pause")).to_be_focused()

    page.get_by_role("tab", name="General").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Files")).to_be_focused()
    expect(page.get_by_role("tabpanel", name="Files")).to_be_visible()


def test_phone_screen(open_ui, tmp_path):
    page = open_ui(PHONE)
    two_stopped_torrents(page, tmp_path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    for name in ("Add torrent", "Start", "Stop", "Remove", "Settings"):
        box = ui.toolbar(page, name).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name

    sidebar = page.get_by_role("navigation", name="Categories and labels")
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="Categories and labels").click()
    sidebar.get_by_role("button", name="one").click()
    expect(sidebar).to_be_hidden()
    expect(page.locator("#torrents tbody td.name .n:visible")).to_have_text(["alpha"])

    ui.select(page, "alpha")
    page.get_by_role("tabpanel", name="General").scroll_into_view_if_needed()
    expect(page.get_by_role("tabpanel", name="General")).to_contain_text("alpha")

    ui.toolbar(page, "Add torrent").click()
    dlg = ui.dialog(page, "Add torrents")
    box = dlg.bounding_box()
    assert box["width"] <= PHONE["width"]
    dlg.get_by_role("button", name="Cancel").click()


def test_live_updates_are_cid_deltas(open_ui):
    """After the first full list the page only asks for changes since its last cache id."""
    page = open_ui()
    is_list = lambda r: "list=1" in r.url  # noqa: E731
    with page.expect_response(is_list) as first:
        pass
    with page.expect_response(is_list) as second:
        pass
    previous = first.value.json()
    assert f"cid={previous['torrentc']}" in second.value.url
    delta = second.value.json()
    assert "torrentp" in delta and "torrentm" in delta and "torrents" not in delta


def test_the_first_list_is_asked_for_before_the_settings_with_one_token(browser, ui_daemon):
    """With 100,000 torrents the first list is the page's longest wait: it leaves before the
    settings and the other scripts' requests, and the requests sent together share one token."""
    context = browser.new_context(viewport=DESKTOP, http_credentials={"username": ADMIN[0], "password": ADMIN[1]})
    sent: list[str] = []
    context.on("request", lambda r: sent.append(r.url.split("/gui/", 1)[1]))
    page = context.new_page()
    page.goto(ui_daemon.url + "/gui/")
    page.wait_for_function("window.__uiReady === true")
    calls = [u for u in sent if u.startswith(("?", "token.html"))]
    context.close()
    assert len([u for u in calls if u.startswith("token.html")]) == 1
    assert "list=1&cid=0" in calls[1] and "action=getsettings" in calls[2]


def test_open_page_survives_a_daemon_restart(open_ui, ui_daemon, tmp_path):
    """Tokens die with the daemon: the page gets a new one by itself and keeps working."""
    open_ui.expected = [r"ERR_CONNECTION_REFUSED", r"status of 400", r"ERR_EMPTY_RESPONSE", r"ERR_CONNECTION_RESET"]
    page = open_ui()
    torrent, _ = make_torrent(tmp_path / "data", "survivor", {"s.bin": 16 * KB})
    ui.add(page, files=[torrent], stopped=True)
    ui_daemon.restart()
    ui.select(page, "survivor")
    ui.toolbar(page, "Start").click()  # needs a valid token
    expect(ui.row(page, "survivor").locator("td.status")).to_have_text(re.compile("^(Queued|Downloading)$"))
    expect(page.locator("#sb-conn")).to_have_text("")
