"""RSS wired to the real parts in this process: the settings catalog, the engine's libtorrent session
and its add-url (which fetches the .torrent links itself)."""

from __future__ import annotations

import pytest

from tests.rss.support import Route, add_feed, rss2, wait_until
from tests.support.daemon import free_port
from utserver.engine import Engine
from utserver.rss.manager import RssManager
from utserver.settings import Settings, parse_conf

STARTED, QUEUED = 1, 64  # STATUS bits


@pytest.fixture
def real(tmp_path):
    conf = {"bind_ip": "127.0.0.1", "bind_port": free_port(), "dht": 0, "lsd": 0, "upnp": 0, "natpmp": 0,
            "dir_active": str(tmp_path / "active")}
    state = tmp_path / "state"
    state.mkdir()
    settings = Settings(parse_conf("".join(f"{k}: {v}\n" for k, v in conf.items())), state, cwd=tmp_path)
    engine = Engine(settings)
    engine.open()
    rss = RssManager(settings, state, engine.add_url)
    rss.start()
    yield engine, rss
    rss.stop()
    engine.close()


def test_matches_become_torrent_jobs_with_the_filters_options(real, server, releases, tmp_path):
    engine, rss = real
    tv = releases.entry("Good.Show.S01E01.720p.HDTV.x264", "enclosure")
    other = releases.entry("Other.Show.S01E01.720p.HDTV", "magnet-link")
    skipped = releases.entry("Good.Show.S01E02.1080p.WEB-DL", "enclosure")
    server.routes["/rss"] = Route(rss2("TV", [tv, other, skipped]))
    rss.update_filter({"name": "TV", "filter": "*good show*", "quality": "2048", "label": "TV",
                       "save-in": str(tmp_path / "tv"), "add-stopped": "1"})
    rss.update_filter({"name": "Rest", "filter": "*other*"})
    add_feed(rss, server.url("/rss"))

    views = wait_until(lambda: len(engine.snapshot()) == 2 and engine.snapshot(), "two torrent jobs")
    assert set(views) == {releases.hash_of[t].upper() for t in (tv.title, other.title)}
    job = views[releases.hash_of[tv.title].upper()]
    assert (job.name, job.label, job.rss_feed_url, job.download_url) == (tv.title, "TV", server.url("/rss"), tv.url)
    assert engine.table.get(job.hash).final_dir == str(tmp_path / "tv")  # "save in": where it goes when complete
    assert job.status & (STARTED | QUEUED) == 0  # added stopped
    magnet_job = views[releases.hash_of[other.title].upper()]
    assert (magnet_job.label, magnet_job.rss_feed_url) == ("", server.url("/rss"))
    assert magnet_job.status & (STARTED | QUEUED)  # added to the download queue


def test_the_catalogs_rss_settings_apply(real, server, releases):
    engine, rss = real
    engine.settings.set_internal({"rss.feed_as_default_label": True})
    server.routes["/rss"] = Route(rss2("My Feed", [releases.entry("Alpha.S01E01", "magnet-link")]))
    add_feed(rss, server.url("/rss"), subscribe="1")
    views = wait_until(lambda: engine.snapshot(), "the subscribed item's job")
    assert [(v.name, v.label) for v in views.values()] == [("Alpha.S01E01", "My Feed")]


def test_a_high_priority_filter_puts_its_torrent_first_in_the_queue(real, server, releases):
    engine, rss = real
    early = releases.entry("Early.Bird.S01E01", "magnet-link")
    urgent = releases.entry("Urgent.Show.S01E01", "magnet-link")
    server.routes["/rss"] = Route(rss2("Q", [early]))
    rss.update_filter({"name": "any", "filter": "*early*"})
    rss.update_filter({"name": "urgent", "filter": "*urgent*", "prio": "1"})
    add_feed(rss, server.url("/rss"))
    wait_until(lambda: len(engine.snapshot()) == 1, "the first job")
    server.routes["/rss"] = Route(rss2("Q", [early, urgent]))
    rss.update_feed({"feed-id": "1", "update": "1"})
    order = lambda title: engine.snapshot()[releases.hash_of[title].upper()].queue_order  # noqa: E731
    wait_until(lambda: len(engine.snapshot()) == 2 and order(urgent.title) == 1, "the urgent job first")
    assert order(early.title) == 2
