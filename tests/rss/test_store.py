"""rss.dat: round trip, atomic replacement, fallback to .old, corrupt files."""

from __future__ import annotations

import logging

import pytest

from utserver.rss.feeds import Feed, Item
from utserver.rss.filters import Filter
from utserver.rss.store import HISTORY_MAX, RssState, RssStore

pytestmark = pytest.mark.unit  # the pure layer: `make unit`


def sample() -> RssState:
    state = RssState(next_feed_id=3, next_filter_id=2)
    state.feeds[2] = Feed(2, "http://127.0.0.1/rss:COOKIE:a=1", alias="Mine", title="T", subscribe=True,
                          smart_filter=True, enabled=False, etag='"e"', last_modified="L",
                          items=[Item("Show", "Show.S01E02.720p", "magnet:?xt=urn:btih:" + "a" * 40, 12, 8,
                                      1_700_000_000, 1, 2, 0, 2, True)])
    state.filters[1] = Filter(1, name="F", filter="*x*", quality=2048, episode="1-3", episode_filter=True,
                              smart_ep=True, add_stopped=True, repack_ep=0, last_match=9)
    state.remember("magnet:?xt=urn:btih:" + "a" * 40, 123, ["show|1|2"], repack=False)
    return state


def test_round_trip(tmp_path):
    RssStore(tmp_path).save(sample())
    loaded = RssStore(tmp_path).load()
    assert loaded == sample()
    assert loaded.feeds[2].items[0].repack is True and loaded.feeds[2].enabled is False


def test_runtime_feed_fields_are_not_stored(tmp_path):
    state = sample()
    state.feeds[2].next_update, state.feeds[2].state = 99, 2
    RssStore(tmp_path).save(state)
    feed = RssStore(tmp_path).load().feeds[2]
    assert (feed.next_update, feed.state) == (0, 0)


def test_unchanged_state_is_not_written_again(tmp_path):
    store = RssStore(tmp_path)
    store.save(sample())
    store.save(sample())
    assert not (tmp_path / "rss.dat.old").exists()
    changed = sample()
    changed.filters[1].label = "new"
    store.save(changed)
    assert (tmp_path / "rss.dat.old").exists()


def test_corrupt_file_falls_back_to_the_previous_copy(tmp_path, caplog):
    store = RssStore(tmp_path)
    store.save(sample())
    newer = sample()
    newer.filters[1].label = "newer"
    store.save(newer)
    (tmp_path / "rss.dat").write_bytes(b"d3:abc")  # torn / garbage
    with caplog.at_level(logging.ERROR):
        assert RssStore(tmp_path).load() == sample()
    assert "corrupt" in caplog.text


def test_both_copies_corrupt_gives_an_empty_state_and_an_error(tmp_path, caplog):
    (tmp_path / "rss.dat").write_bytes(b"garbage")
    (tmp_path / "rss.dat.old").write_bytes(b"le")  # bencoded, but not a dictionary
    with caplog.at_level(logging.ERROR):
        assert RssStore(tmp_path).load() == RssState()
    assert "starting with no RSS feeds" in caplog.text


def test_first_start_is_silent(tmp_path, caplog):
    with caplog.at_level(logging.ERROR):
        assert RssStore(tmp_path).load() == RssState()
    assert caplog.text == ""


def test_history_keeps_the_newest_entries(tmp_path):
    state = RssState()
    for n in range(HISTORY_MAX + 5):
        state.remember(f"u{n}", n, [], repack=False)
    RssStore(tmp_path).save(state)
    history = RssStore(tmp_path).load().history
    assert len(history) == HISTORY_MAX and "u4" not in history and f"u{HISTORY_MAX + 4}" in history
    # after a reload the oldest is still the first to go
    reloaded = RssStore(tmp_path).load()
    reloaded.remember("new", HISTORY_MAX + 10, [], repack=False)
    assert "u5" not in reloaded.history and "u6" in reloaded.history
