"""What RSS hands to the engine: subscriptions, filters, the smart episode filter, history."""

from __future__ import annotations

import pytest

from tests.rss.support import Route, add_feed, atom, refresh, rss2, wait_until

FILTER = {"filter-id": "-1", "name": "Good Show", "filter": "*good show*|*nice show*", "not-filter": "*german*",
          "quality": "2048", "episode-filter": "1", "episode": "1-10;12", "label": "TV", "save-in": "/data/tv",
          "add-stopped": "1"}


def items(manager, ident):
    return manager.feed_rows()[ident][8]


def test_subscribe_adds_every_item_of_an_rss2_feed(managers, server, releases, engine):
    entries = [releases.entry("Alpha.S01E01.720p.HDTV.x264", "enclosure"),
               releases.entry("Beta.S02E03.HDTV.XviD", "link"),
               releases.entry("Gamma 1x04 PDTV", "magnet-link")]
    server.routes["/rss"] = Route(rss2("Releases", entries))
    manager = managers()
    ident = add_feed(manager, server.url("/rss"), subscribe="1")

    assert sorted(engine.hashes()) == sorted(releases.hash_of.values())
    assert {a.options.rss_feed_url for a in engine.added} == {server.url("/rss")}
    assert {(a.options.label, a.options.save_path, a.options.stopped) for a in engine.added} == {("", None, False)}
    rows = items(manager, ident)
    assert [r[11] for r in rows] == [True, True, True]  # IN HISTORY
    assert [(r[0], r[6], r[7], r[3], r[4]) for r in rows] == [
        ("Alpha", 1, 1, 12, 8), ("Beta", 2, 3, 1, 6), ("Gamma", 1, 4, 7, 0)]
    assert rows[2][2].startswith("magnet:") and rows[0][2] == entries[0].url
    assert rows[0][5] == 1_700_000_000 and rows[0][9] == ident


def test_atom_feed_with_enclosure_and_magnet_links(managers, server, releases, engine):
    entries = [releases.entry("Delta.S03E07.1080p.WEB-DL", "enclosure"), releases.entry("Echo.S01E01", "magnet-link")]
    server.routes["/atom"] = Route(atom("Atom releases", entries), content_type="application/atom+xml")
    manager = managers()
    ident = add_feed(manager, server.url("/atom"), subscribe="1")
    assert sorted(engine.hashes()) == sorted(releases.hash_of.values())
    row = manager.feed_rows()[ident]
    assert row[6] == f"Atom releases|{server.url('/atom')}" and row[2] is True  # named by its own title


def test_feed_without_subscription_adds_nothing_by_itself(managers, server, releases, engine):
    server.routes["/rss"] = Route(rss2("R", [releases.entry("Alpha.S01E01")]))
    manager = managers()
    ident = add_feed(manager, server.url("/rss"))
    assert engine.added == [] and [r[11] for r in items(manager, ident)] == [False]


def test_filter_adds_exactly_the_matching_items(managers, server, releases, engine):
    wanted = ["Good.Show.S01E01.720p.HDTV.x264", "Good.Show.S01E02.720p.HDTV.x264", "Nice.Show.S02E12.720p.HDTV"]
    unwanted = ["Good.Show.S01E03.1080p.WEB-DL",  # quality
                "Good.Show.S01E11.720p.HDTV",  # episode
                "Good.Show.S01E04.720p.GERMAN.HDTV",  # not-filter
                "Other.Show.S01E01.720p.HDTV"]  # name
    entries = [releases.entry(t, "magnet-link" if n % 2 else "enclosure") for n, t in enumerate(wanted + unwanted)]
    server.routes["/rss"] = Route(rss2("TV", entries))
    manager = managers()
    filter_id = manager.update_filter(FILTER)
    add_feed(manager, server.url("/rss"))

    assert sorted(a.info_hash for a in engine.added) == sorted(releases.hash_of[t] for t in wanted)
    assert {(a.options.label, a.options.save_path, a.options.stopped) for a in engine.added} == {
        ("TV", "/data/tv", True)}
    assert manager.filter_rows()[filter_id][10] > 0  # LAST MATCH
    refresh(manager, 1)  # the next interval: nothing is added twice
    assert len(engine.added) == len(wanted)


def test_a_new_filter_applies_to_the_items_already_listed(managers, server, releases, engine):
    server.routes["/rss"] = Route(rss2("TV", [releases.entry("Good.Show.S01E01.720p.HDTV")]))
    manager = managers()
    add_feed(manager, server.url("/rss"))
    assert engine.added == []
    manager.update_filter({"filter": "*good*"})
    wait_until(lambda: engine.added, "the new filter to add the listed item")
    assert engine.hashes() == [releases.hash_of["Good.Show.S01E01.720p.HDTV"]]


def test_feed_title_as_default_label(managers, server, releases, engine, settings):
    settings["rss.feed_as_default_label"] = True
    server.routes["/rss"] = Route(rss2("Feed Title", [releases.entry("Alpha.S01E01", "magnet-link")]))
    manager = managers()
    add_feed(manager, server.url("/rss"), subscribe="1", alias="My Feed")
    assert [a.options.label for a in engine.added] == ["My Feed"]


def test_feed_cookie_goes_with_its_torrent_links(managers, server, releases, engine):
    entry = releases.entry("Alpha.S01E01", "enclosure")
    server.routes["/rss"] = Route(rss2("R", [entry]))
    manager = managers()
    add_feed(manager, server.url("/rss") + ":COOKIE:uid=1;pass=x", subscribe="1")
    assert server.requests_for("/rss")[0]["Cookie"] == "uid=1;pass=x"
    torrent_path = entry.url.split(str(server.httpd.server_port))[1]
    assert server.requests_for(torrent_path)[0]["Cookie"] == "uid=1;pass=x"
    assert engine.added[0].options.rss_feed_url == server.url("/rss")  # the list shows no cookie


@pytest.mark.parametrize("repacks", [False, True])
def test_smart_episode_filter(managers, server, releases, engine, settings, repacks):
    settings["rss.smart_repack_filter"] = repacks
    first = "Show.S02E05.720p.HDTV.x264"
    duplicate = "Show.S02E05.1080p.WEB-DL"
    repack = "Show.S02E05.REPACK.720p.HDTV.x264"
    server.routes["/rss"] = Route(rss2("TV", [releases.entry(first), releases.entry(duplicate)]))
    manager = managers()
    manager.update_filter({"filter": "*show*", "smart-ep-filter": "1"})
    ident = add_feed(manager, server.url("/rss"))
    assert engine.hashes() == [releases.hash_of[first]]
    assert [r[11] for r in items(manager, ident)] == [True, False]

    entries = [releases.entry(repack), releases.entry(first), releases.entry(duplicate)]
    server.routes["/rss"] = Route(rss2("TV", entries))
    refresh(manager, ident)
    expected = [first, repack] if repacks else [first]
    assert [a.name for a in engine.added] == expected, engine.added
    assert engine.hashes() == [releases.hash_of[t] for t in expected]


def test_filter_can_refuse_repacks_whatever_the_setting(managers, server, releases, engine):
    entries = [releases.entry("Show.S01E01.REPACK.HDTV"), releases.entry("Show.S01E01.HDTV")]
    server.routes["/rss"] = Route(rss2("TV", entries))
    manager = managers()
    manager.update_filter({"filter": "*show*", "smart-ep-filter": "1", "repack-ep-filter": "0"})
    add_feed(manager, server.url("/rss"))
    assert engine.hashes() == [releases.hash_of["Show.S01E01.REPACK.HDTV"]]  # the first copy, repack or not


def test_smart_filter_on_a_subscribed_feed(managers, server, releases, engine):
    server.routes["/rss"] = Route(rss2("TV", [releases.entry("Show.S01E01.720p"), releases.entry("Show.S01E01.1080p"),
                                              releases.entry("Show.S01E02.720p")]))
    manager = managers()
    add_feed(manager, server.url("/rss"), subscribe="1", **{"smart-filter": "1"})
    assert engine.hashes() == [releases.hash_of["Show.S01E01.720p"], releases.hash_of["Show.S01E02.720p"]]


def test_an_item_the_engine_refuses_is_tried_again_next_time(managers, server, releases, engine):
    entry = releases.entry("Alpha.S01E01", "enclosure")
    server.routes["/rss"] = Route(rss2("R", [entry]))
    path = entry.url.split(str(server.httpd.server_port))[1]
    good = server.routes.pop(path)  # the .torrent link is broken for now
    manager = managers()
    ident = add_feed(manager, server.url("/rss"), subscribe="1")
    assert engine.added == [] and items(manager, ident)[0][11] is False
    server.routes[path] = good
    refresh(manager, ident)
    assert engine.hashes() == [releases.hash_of["Alpha.S01E01"]]
