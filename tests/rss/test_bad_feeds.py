"""Feeds that fail (404, garbage, a 50 MB body) and conditional GET: the poller stays healthy."""

from __future__ import annotations

import pytest

from tests.rss.support import MB, Route, add_feed, refresh, rss2

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

STATE_ERROR = 2


def endless(sent: list[int]):
    """A 50 MB answer without Content-Length; *sent* counts what the client let through."""
    def stream(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            for _ in range(50):
                handler.wfile.write(b" " * MB)
                sent.append(MB)
        except OSError:  # the reader hung up at its cap
            pass
    return stream


BAD = {
    "404": lambda sent: None,
    "garbage": lambda sent: Route(b"\x00\xff this is not a feed <<<>>> \x89PNG"),
    "html": lambda sent: Route(b"<html><body><p>Login required</p></body></html>", content_type="text/html"),
    "50 MB": lambda sent: Route(endless(sent)),
}


@pytest.mark.parametrize("kind", BAD)
def test_bad_feed_is_an_error_and_retried_at_the_next_update(managers, server, releases, engine, kind):
    sent: list[int] = []
    route = BAD[kind](sent)
    if route:
        server.routes["/rss"] = route
    manager = managers()
    ident = add_feed(manager, server.url("/rss"), subscribe="1")
    row = manager.feed_rows()[ident]
    assert row[5] == STATE_ERROR and row[8] == [] and engine.added == []
    assert sum(sent) < 50 * MB

    server.routes["/rss"] = Route(rss2("Fixed", [releases.entry("Alpha.S01E01")]))
    refresh(manager, ident)  # what the next interval does
    assert manager.feed_rows()[ident][5] == 0
    assert engine.hashes() == [releases.hash_of["Alpha.S01E01"]]


def test_a_failed_update_keeps_the_items_already_listed(managers, server, releases):
    server.routes["/rss"] = Route(rss2("R", [releases.entry("Alpha.S01E01")]))
    manager = managers()
    ident = add_feed(manager, server.url("/rss"))
    del server.routes["/rss"]
    refresh(manager, ident)
    row = manager.feed_rows()[ident]
    assert row[5] == STATE_ERROR and [i[1] for i in row[8]] == ["Alpha.S01E01"]


def test_one_bad_feed_does_not_stop_the_others(managers, server, releases, engine):
    server.routes["/good"] = Route(rss2("R", [releases.entry("Alpha.S01E01", "magnet-link")]))
    manager = managers()
    add_feed(manager, server.url("/missing"), subscribe="1")
    add_feed(manager, server.url("/good"), subscribe="1")
    assert engine.hashes() == [releases.hash_of["Alpha.S01E01"]]


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_conditional_get_keeps_items_on_304(managers, server, releases, validator):
    value = '"v1"' if validator == "etag" else "Mon, 01 Jan 2024 00:00:00 GMT"
    server.routes["/rss"] = Route(rss2("R", [releases.entry("Alpha.S01E01")]), **{validator: value})
    manager = managers()
    ident = add_feed(manager, server.url("/rss"))
    before = manager.feed_rows()[ident][8]
    refresh(manager, ident)
    second = server.requests_for("/rss")[1]
    header = "If-None-Match" if validator == "etag" else "If-Modified-Since"
    assert second[header] == value
    assert manager.feed_rows()[ident][5] == 0 and manager.feed_rows()[ident][8] == before


def test_an_unexpected_error_marks_the_feed_and_the_poller_carries_on(managers, server, releases, engine, settings):
    server.routes["/rss"] = Route(rss2("R", [releases.entry("Alpha.S01E01", "magnet-link")]))
    del settings["rss.smart_repack_filter"]  # matching now fails with a KeyError
    manager = managers()
    ident = add_feed(manager, server.url("/rss"), subscribe="1")
    assert manager.feed_rows()[ident][5] == STATE_ERROR and engine.added == []
    settings["rss.smart_repack_filter"] = True
    refresh(manager, ident)
    assert engine.hashes() == [releases.hash_of["Alpha.S01E01"]]


def test_an_item_without_a_link_is_skipped_and_logged(managers, server, releases, engine, caplog):
    good = releases.entry("Alpha.S01E01", "magnet-link")
    document = rss2("R", [good]).replace(b"<channel>", b"<channel><item><title>Broken.S01E02</title></item>", 1)
    server.routes["/rss"] = Route(document)
    manager = managers()
    ident = add_feed(manager, server.url("/rss"), subscribe="1")
    assert [i[1] for i in manager.feed_rows()[ident][8]] == ["Alpha.S01E01"]
    assert engine.hashes() == [releases.hash_of["Alpha.S01E01"]]
    assert "'Broken.S01E02' has no link" in caplog.text
