"""A long list: the table renders only the rows in view, and sorting, searching, scrolling, the
keyboard and select-all still reach every torrent."""

from __future__ import annotations

import hashlib

import libtorrent as lt
import pytest
from playwright.sync_api import expect

from tests.webui import ui
from tests.webui.conftest import PHONE

N = 400
DOM_ROWS_MAX = 120  # a screenful plus the overscan above and below; far below N


@pytest.fixture
def many(ui_daemon) -> list[str]:
    """N torrents of one 16 KiB file each, no data on disk, added through the API."""
    names = [f"item-{i:04d}" for i in range(N)]
    for name in names:
        info = {b"name": name.encode(), b"length": 16384, b"piece length": 16384,
                b"pieces": hashlib.sha1(name.encode()).digest()}
        ui_daemon.add_torrent(lt.bencode({b"info": info}))
    return names


def rendered(page) -> int:
    return page.locator("#torrents tbody tr[data-hash]").count()


def first_name(page):
    return page.locator("#torrents tbody tr[data-hash] td.name .n").first


def test_a_long_list_renders_only_the_rows_in_view(open_ui, many):
    page = open_ui()
    all_count = page.get_by_role("navigation", name="Categories and labels").get_by_role("button", name="All")
    expect(all_count).to_contain_text(str(N))
    assert 0 < rendered(page) <= DOM_ROWS_MAX

    name = page.get_by_role("columnheader", name="Name").get_by_role("button")
    name.click()
    expect(first_name(page)).to_have_text(many[0])
    name.click()
    expect(first_name(page)).to_have_text(many[-1])

    # Scrolled to the bottom, the last torrent (by name, descending) is on screen.
    page.locator("#list-wrap").evaluate("w => { w.scrollTop = w.scrollHeight; }")
    expect(ui.row(page, many[0])).to_be_in_viewport()
    assert rendered(page) <= DOM_ROWS_MAX

    # The keyboard reaches rows that were not rendered: Home goes back to the top.
    ui.row(page, many[0]).locator("td.name").click()
    page.keyboard.press("Home")
    expect(ui.row(page, many[-1])).to_have_attribute("aria-selected", "true")
    expect(ui.row(page, many[-1])).to_be_in_viewport()
    page.keyboard.press("End")
    expect(ui.row(page, many[0])).to_be_focused()

    # Select-all takes every shown torrent, rendered or not.
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    dlg = ui.dialog(page, "Remove torrents")
    expect(dlg).to_contain_text(f"Remove {N} torrents?")
    page.keyboard.press("Escape")

    page.get_by_role("searchbox", name="Search torrents").fill("item-0123")
    expect(page.locator("#torrents tbody tr[data-hash]")).to_have_count(1)
    expect(first_name(page)).to_have_text("item-0123")


def test_a_long_list_on_a_phone_follows_the_page_scroll(open_ui, many):
    page = open_ui(PHONE)
    expect(first_name(page)).to_be_visible()
    assert 0 < rendered(page) <= DOM_ROWS_MAX
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    last = page.locator("#torrents tbody tr[data-hash]").last
    expect(last).to_be_in_viewport()
    assert rendered(page) <= DOM_ROWS_MAX


def test_the_order_follows_a_changed_value_and_keeps_ties_in_list_order(open_ui, ui_daemon, many):
    """The page keeps its sorted list while no torrent's sort value changed: a value that does
    change (a label set by another client) still moves its row, and equal values keep the list's
    order in both directions."""
    page = open_ui()
    expect(page.locator("#categories li .count").first).to_have_text(str(N))
    label = page.get_by_role("columnheader", name="Label").get_by_role("button")
    label.click()
    expect(first_name(page)).to_have_text(many[0])
    label.click()
    expect(page.get_by_role("columnheader", name="Label")).to_have_attribute("aria-sort", "descending")
    expect(first_name(page)).to_have_text(many[0])

    last = next(h for h, row in ui_daemon.torrents().items() if row[2] == many[-1])
    ui_daemon.api([("action", "setprops"), ("hash", last), ("s", "label"), ("v", "zzz")])
    expect(first_name(page)).to_have_text(many[-1])
    page.get_by_role("searchbox", name="Search torrents").fill("item-00")
    expect(first_name(page)).to_have_text(many[0])
