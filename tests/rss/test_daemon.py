"""RSS through the real daemon's /gui/ API, as the shipped WebUI and other clients use it."""

from __future__ import annotations

import pytest

from tests.rss.support import MB, Route, rss2
from tests.support.daemon import wait_for

TORRENT_LABEL, TORRENT_RSS_FEED_URL = 11, 20
FEED_STATE, FEED_URL, FEED_ITEMS = 5, 6, 8
ITEM_IN_HISTORY = 11


def listing(daemon, cid: str | None = None) -> dict:
    return daemon.api({"list": "1", **({"cid": cid} if cid else {})})


def updated(daemon, feed_id: int) -> dict:
    """The list once the feed's update is over."""
    def done():
        reply = listing(daemon)
        rows = [r for r in reply["rssfeeds"] if r[0] == feed_id]
        return reply if rows and rows[0][FEED_STATE] != 1 else None
    return wait_for(done, timeout=20, what=f"the update of feed {feed_id}")


def test_filter_adds_torrents_and_everything_survives_a_restart(make_daemon, server, releases):
    wanted, other = releases.entry("Good.Show.S01E01.720p.HDTV"), releases.entry("Other.Show.S01E01", "magnet-link")
    server.routes["/rss"] = Route(rss2("TV", [wanted, other]))
    daemon = make_daemon().start()
    filter_id = daemon.api({"action": "filter-update", "filter-id": "-1", "name": "TV", "filter": "*good show*",
                            "label": "TV", "add-stopped": "1"})["filter_ident"]
    feed_id = daemon.api({"action": "rss-update", "feed-id": "-1", "url": server.url("/rss"),
                          "alias": "Mine"})["rss_ident"]

    reply = wait_for(lambda: (r := updated(daemon, feed_id)) and r["torrents"] and r, timeout=20, what="the torrent")
    assert [(t[0], t[TORRENT_LABEL], t[TORRENT_RSS_FEED_URL]) for t in reply["torrents"]] == [
        (releases.hash_of[wanted.title].upper(), "TV", server.url("/rss"))]
    feed = reply["rssfeeds"][0]
    assert feed[FEED_URL] == f"Mine|{server.url('/rss')}"
    assert [i[ITEM_IN_HISTORY] for i in feed[FEED_ITEMS]] == [True, False]
    assert [f[0] for f in reply["rssfilters"]] == [filter_id]

    daemon.restart()
    reply = updated(daemon, feed_id)
    assert [f[:3] for f in reply["rssfilters"]] == [[filter_id, 1 + 16, "TV"]]
    assert [i[ITEM_IN_HISTORY] for i in reply["rssfeeds"][0][FEED_ITEMS]] == [True, False]
    assert len(reply["torrents"]) == 1  # not added again


def test_list_deltas_show_feed_and_filter_changes(make_daemon, server, releases):
    server.routes["/rss"] = Route(rss2("TV", [releases.entry("Alpha.S01E01", "magnet-link")]))
    daemon = make_daemon().start()
    feed_id = daemon.api({"action": "rss-update", "url": server.url("/rss")})["rss_ident"]
    cid = updated(daemon, feed_id)["torrentc"]
    filter_id = daemon.api({"action": "filter-update", "name": "F"})["filter_ident"]
    delta = listing(daemon, cid)
    assert [f[0] for f in delta["rssfilterp"]] == [filter_id] and delta["rssfeedp"] == []
    daemon.api({"action": "rss-remove", "feed-id": str(feed_id)})
    daemon.api({"action": "filter-remove", "filter-id": str(filter_id)})
    delta = listing(daemon, delta["torrentc"])
    assert (delta["rssfeedm"], delta["rssfilterm"]) == ([feed_id], [filter_id])


def test_webui_spellings_and_errors(make_daemon, server, releases):
    server.routes["/rss"] = Route(rss2("TV", [releases.entry("Alpha.S01E01", "magnet-link")]))
    daemon = make_daemon().start()
    feed_id = daemon.api({"action": "rss-update", "url": server.url("/rss")})["rss_ident"]
    updated(daemon, feed_id)
    daemon.api({"action": "rss-update", "feedid": str(feed_id), "enabled": "false"})
    assert listing(daemon)["rssfeeds"][0][1] is False
    assert "unsupported URL scheme" in daemon.api({"action": "rss-update", "url": "file:///etc/passwd"})["error"]
    assert "bad episode" in daemon.api({"action": "filter-update", "episode": "one"})["error"]


def test_a_50_mb_feed_leaves_the_daemon_healthy(make_daemon, server):
    def endless(handler):
        handler.send_response(200)
        handler.end_headers()
        try:
            for _ in range(50):
                handler.wfile.write(b" " * MB)
        except OSError:
            pass
    server.routes["/huge"] = Route(endless)
    daemon = make_daemon().start()
    feed_id = daemon.api({"action": "rss-update", "url": server.url("/huge")})["rss_ident"]
    assert updated(daemon, feed_id)["rssfeeds"][0][FEED_STATE] == 2
    assert daemon.api({"action": "getsettings"})["settings"]


def test_add_unknown_url_recognises_a_feed(make_daemon, server, releases):
    server.routes["/rss"] = Route(rss2("TV", [releases.entry("Alpha.S01E01", "magnet-link")]))
    daemon = make_daemon().start()
    daemon.api({"action": "add-unknown-url", "s": server.url("/rss")})
    feeds = wait_for(lambda: listing(daemon)["rssfeeds"], timeout=20, what="the feed")
    assert feeds[0][FEED_URL].endswith(server.url("/rss"))


@pytest.mark.parametrize(("logmask", "logged"), [(0, False), (1 << 14, True)])
def test_feed_errors_are_logged_under_logmask_bit_14(make_daemon, server, logmask, logged):
    """The manual's logmask: bit 14 is "rss error"."""
    daemon = make_daemon({"logmask": logmask}).start()
    feed_id = daemon.api({"action": "rss-update", "url": server.url("/missing")})["rss_ident"]
    updated(daemon, feed_id)
    assert (f"RSS feed {feed_id}: {server.url('/missing')}: HTTP 404" in daemon.log()) == logged
