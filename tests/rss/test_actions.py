"""rss-update, rss-remove, filter-update, filter-remove as the shipped WebUI and other clients send them;
rows in the manual's order and types; everything survives a restart."""

from __future__ import annotations

import json
import threading

import pytest

from tests.rss.support import Route, add_feed, refresh, rss2, wait_until


@pytest.fixture
def feed_url(server, releases):
    server.routes["/rss"] = Route(rss2("Feed Title", [releases.entry("Alpha.S01E01.720p.HDTV.x264")]))
    return server.url("/rss")


def test_feed_row_types_and_order(managers, feed_url):
    manager = managers()
    ident = add_feed(manager, feed_url)
    row = manager.feed_rows()[ident]
    assert [type(v) for v in row] == [int, bool, bool, bool, bool, int, str, int, list]
    assert row[:7] == [ident, True, True, False, False, 0, f"Feed Title|{feed_url}"]
    assert [type(v) for v in row[8][0]] == [str, str, str, int, int, int, int, int, int, int, bool, bool]
    assert '"Alpha.S01E01.720p.HDTV.x264"' in json.dumps(row) and "true" in json.dumps(row)


def test_webui_add_edit_dialog(managers, feed_url):
    """The WebUI: rss-update&feed-id=-1&url=..&alias=..&subscribe=0&smart-filter=0, later name changes."""
    manager = managers()
    ident = manager.update_feed({"feed-id": "-1", "url": feed_url, "alias": "Mine", "subscribe": "0",
                                 "smart-filter": "0"})
    wait_until(lambda: manager.feed_rows()[ident][5] != 1, "the first update")
    assert manager.feed_rows()[ident][2:7] == [False, False, False, 0, f"Mine|{feed_url}"]
    manager.update_feed({"feed-id": str(ident), "alias": ""})  # back to the feed's own title
    assert manager.feed_rows()[ident][2] is True and manager.feed_rows()[ident][6] == f"Feed Title|{feed_url}"
    manager.update_feed({"feed-id": str(ident), "enabled": "0"})
    assert manager.feed_rows()[ident][1] is False


def test_a_bar_in_the_feed_title_does_not_break_the_name_url_field(managers, server, releases):
    server.routes["/rss"] = Route(rss2("ShowRSS | Latest", [releases.entry("Alpha.S01E01")]))
    manager = managers()
    ident = add_feed(manager, server.url("/rss"))
    name, url = manager.feed_rows()[ident][6].split("|")  # as the WebUI reads it
    assert (name, url) == ("ShowRSS \u00a6 Latest", server.url("/rss"))


def test_feedid_and_true_false_spellings(managers, feed_url):
    """docs/reference/utorrent-clients.md#rss-ids: feedid instead of feed-id, enabled=true instead of 1."""
    manager = managers()
    ident = add_feed(manager, feed_url)
    assert manager.update_feed({"feedid": str(ident), "enabled": "false", "subscribe": "true"}) == ident
    assert manager.feed_rows()[ident][1] is False and manager.feed_rows()[ident][3] is True
    manager.update_feed({"feedid": str(ident), "enabled": "true"})
    assert manager.feed_rows()[ident][1] is True


def test_new_url_forgets_the_old_items(managers, server, releases, feed_url):
    server.routes["/other"] = Route(rss2("Other", [releases.entry("Beta.S01E01")]))
    manager = managers()
    ident = add_feed(manager, feed_url)
    manager.update_feed({"feed-id": str(ident), "url": server.url("/other")})
    wait_until(lambda: manager.feed_rows()[ident][5] != 1, "the update of the new URL")
    assert [i[1] for i in manager.feed_rows()[ident][8]] == ["Beta.S01E01"]


@pytest.mark.parametrize(("params", "message"), [
    ({"feed-id": "-1"}, "url= is required"),
    ({"url": "ftp://127.0.0.1/rss"}, "unsupported URL scheme"),
    ({"url": "file:///etc/passwd"}, "unsupported URL scheme"),
    ({"feed-id": "77", "enabled": "1"}, "no RSS feed with id 77"),
    ({"feed-id": "abc"}, "feed-id must be an integer"),
    ({"url": "http://127.0.0.1/x", "subscribe": "perhaps"}, "bad subscribe="),
])
def test_rss_update_errors(managers, params, message):
    manager = managers()
    with pytest.raises(ValueError, match=message):
        manager.update_feed(params)
    assert manager.feed_rows() == {}


def test_webui_filter_dialog(managers, feed_url):
    """The WebUI creates an empty filter (filter-id=-1 only), then applies the edited fields."""
    manager = managers()
    feed_id = add_feed(manager, feed_url)
    ident = manager.update_filter({"filter-id": "-1"})
    assert manager.filter_rows()[ident] == [ident, 1, "New Filter", "", "", "", -1, -1, "", 0, 0, 0, -1, "", False,
                                            False]
    assert manager.update_filter({
        "filter-id": str(ident), "name": "Show", "filter": "*show*", "not-filter": "*cam*", "origname": "1",
        "episode-filter": "1", "episode": "1x1-10", "smart-ep-filter": "1", "add-stopped": "1", "prio": "1",
        "save-in": "/tv", "label": "TV", "postpone-mode": "0", "quality": "2048", "feed-id": str(feed_id)}) == ident
    assert manager.filter_rows()[ident] == [ident, 31, "Show", "*show*", "*cam*", "/tv", feed_id, 2048, "TV", 0, 0, 1,
                                            -1, "1x1-10", True, False]
    manager.update_filter({"filter-id": str(ident), "enabled": "0", "prio": "0"})
    assert manager.filter_rows()[ident][1] == 26


@pytest.mark.parametrize(("params", "message"), [
    ({"filter-id": "5"}, "no RSS filter with id 5"),
    ({"feed-id": "9"}, "no RSS feed with id 9"),
    ({"episode": "one"}, "bad episode"),
    ({"quality": "best"}, "bad quality="),
])
def test_filter_update_errors(managers, params, message):
    manager = managers()
    with pytest.raises(ValueError, match=message):
        manager.update_filter(params)
    assert manager.filter_rows() == {}


def test_remove_feed_and_filter(managers, feed_url):
    manager = managers()
    feed_id = add_feed(manager, feed_url)
    filter_id = manager.update_filter({"name": "x"})
    manager.remove_feed(feed_id)
    manager.remove_filter(filter_id)
    assert manager.feed_rows() == {} and manager.filter_rows() == {}
    with pytest.raises(ValueError, match="no RSS feed with id"):
        manager.remove_feed(feed_id)
    with pytest.raises(ValueError, match="no RSS filter with id"):
        manager.remove_filter(filter_id)


def test_ids_are_not_reused(managers, feed_url):
    manager = managers()
    first = add_feed(manager, feed_url)
    manager.remove_feed(first)
    assert add_feed(manager, feed_url) == first + 1


def test_everything_survives_a_restart(managers, server, releases, engine, feed_url):
    manager = managers()
    filter_id = manager.update_filter({"name": "Alpha", "filter": "*alpha*", "smart-ep-filter": "1", "label": "A"})
    feed_id = add_feed(manager, feed_url, alias="Mine")
    assert len(engine.added) == 1
    feeds, filters = manager.feed_rows(), manager.filter_rows()

    restarted = managers()  # stops the first one, starts a new one on the same settings path
    wait_until(lambda: restarted.feed_rows()[feed_id][5] == 0 and len(server.requests_for("/rss")) == 2,
               "the update at start")
    assert restarted.filter_rows() == filters
    assert without_schedule(restarted.feed_rows()) == without_schedule(feeds)
    assert restarted.feed_rows()[feed_id][8][0][11] is True  # IN HISTORY
    assert len(engine.added) == 1  # history: not added again
    # the smart episode history survived too: the same episode from another release is skipped
    server.routes["/rss"] = Route(rss2("Feed Title", [releases.entry("Alpha.S01E01.1080p.WEB-DL")]))
    refresh(restarted, feed_id)
    assert len(engine.added) == 1 and restarted.filter_rows()[filter_id][10] > 0


def without_schedule(rows: dict[int, list]) -> dict[int, list]:
    """Feed rows without DOWNLOAD STATE and NEXT UPDATE, which a restart resets."""
    return {i: r[:5] + r[6:7] + r[8:] for i, r in rows.items()}


def test_add_unknown_url_recognises_a_feed(managers, server, releases, feed_url):
    torrent = releases.entry("Alpha.S01E01")
    manager = managers()
    assert manager.is_feed_url(feed_url)
    assert not manager.is_feed_url(torrent.url)
    assert not manager.is_feed_url("magnet:?xt=urn:btih:" + "a" * 40)
    assert not manager.is_feed_url(server.url("/missing"))


def test_stop_ends_the_poller(managers, feed_url):
    manager = managers()
    add_feed(manager, feed_url)  # the poller now sleeps until the next interval
    manager.stop()
    assert not [t for t in threading.enumerate() if t.name == "rss" and t.is_alive()]
