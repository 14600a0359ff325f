"""Filter matching: wildcards, alternatives, not-filter, quality, episode expressions, rows."""

from __future__ import annotations

import json

import pytest

from utserver.rss.feeds import Item
from utserver.rss.filters import FILTER_PARAMS, Filter, episode_matcher, wildcard
from utserver.rss.params import parse_params
from utserver.rss.titles import parse_title

pytestmark = pytest.mark.unit  # the pure layer: `make unit`


def item(title: str, feed_id: int = 1) -> Item:
    info = parse_title(title)
    return Item(info.name, title, "magnet:?xt=urn:btih:" + "0" * 40, info.quality, info.codec, 0,
                info.season, info.episode, info.episode_to, feed_id, info.repack)


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    ("*show*", "The Show S01E01", True),
    ("*SHOW*", "the show", True),
    ("show", "The Show", False),  # the whole name must match
    ("The Show*", "The Show S01E01", True),
    ("*show*|*series*", "A Series", True),
    ("*show*|*series*", "A Film", False),
    ("the?show*", "The.Show", True),
    ("*[HD]*", "Show [HD] 720p", True),  # brackets are plain characters
    ("*a.b*", "xaxbx", False),  # so are dots
    ("", "anything", False),
    (" | ", "anything", False),
])
def test_wildcards(pattern, text, matches):
    assert (wildcard(pattern).fullmatch(text) is not None) == matches


SEASONS, EPISODES = (1, 2, 3), (1, 2, 3, 4, 5, 6, 10, 11, 12, 13)


def every_season(*episodes: int) -> set[tuple[int, int]]:
    return {(s, e) for s in SEASONS for e in episodes}


@pytest.mark.parametrize(("expression", "hits"), [
    ("1-10;12", every_season(1, 2, 3, 4, 5, 6, 10, 12)),
    ("12-", every_season(12, 13)),
    ("1, 3", every_season(1, 3)),
    ("2x3", {(2, 3)}),
    ("2x3-5", {(2, 3), (2, 4), (2, 5)}),
    ("S02E03-E05", {(2, 3), (2, 4), (2, 5)}),
    ("2x12-", {(2, 12), (2, 13)} | {(3, e) for e in EPISODES}),
    ("1x12-2x2", {(1, 12), (1, 13), (2, 1), (2, 2)}),
    ("3x", {(3, e) for e in EPISODES}),
])
def test_episode_expressions(expression, hits):
    test = episode_matcher(expression)
    assert {(s, e) for s in SEASONS for e in EPISODES if test(s, e)} == hits


@pytest.mark.parametrize("expression", ["x", "1--2", "a-b", "1-2-3", "s1"])
def test_bad_episode_expression_is_refused_with_a_hint(expression):
    with pytest.raises(ValueError, match="bad episode"):
        parse_params(FILTER_PARAMS, {"episode": expression}, "filter-update")


def test_filter_rules_combine():
    flt = Filter(1, filter="*good show*", not_filter="*german*", quality=2048, episode="1-10;12",
                 episode_filter=True)
    titles = {
        "Good.Show.S01E01.720p.HDTV.x264": True,
        "Good.Show.S01E12.720p.HDTV.x264": True,
        "Good.Show.S01E11.720p.HDTV.x264": False,  # episode
        "Good.Show.S01E02.1080p.WEB-DL": False,  # quality
        "Good.Show.S01E02.HDTV": False,  # quality unknown to a quality filter
        "Good.Show.S01E03.720p.GERMAN.HDTV": False,  # not-filter
        "Other.Show.S01E01.720p.HDTV": False,  # name
        "Good.Show.720p.Special": False,  # no episode while the episode filter is on
    }
    assert {t: flt.matches(item(t)) for t in titles} == titles


def test_episode_filter_without_an_expression_restricts_nothing():
    assert Filter(1, filter="*", episode_filter=True).matches(item("Good.Show.Special"))


def test_a_filter_made_from_an_item_name_matches_that_show():
    """The WebUI's "add to filters" on a feed item sends filter=<the item's NAME>."""
    flt = Filter(1, filter=item("Lost.S06E01.720p.HDTV.x264").name)
    assert flt.filter == "Lost"
    assert flt.matches(item("Lost.S06E02.HDTV.XviD"))
    assert not flt.matches(item("Lost.Girl.S01E01.HDTV"))


def test_original_name_matches_the_title_as_written():
    decoded, original = Filter(1, filter="*good show*"), Filter(2, filter="*good show*", orig_name=True)
    assert decoded.matches(item("Good.Show.S01E01"))
    assert not original.matches(item("Good.Show.S01E01"))
    assert Filter(3, filter="*good.show*", orig_name=True).matches(item("Good.Show.S01E01"))


def test_feed_and_enabled():
    assert Filter(1, filter="*", feed_id=-1).matches(item("X", feed_id=7))
    assert Filter(1, filter="*", feed_id=7).matches(item("X", feed_id=7))
    assert not Filter(1, filter="*", feed_id=3).matches(item("X", feed_id=7))
    assert not Filter(1, filter="*", enabled=False).matches(item("X"))


def test_row_is_the_manuals_rssfilters_row():
    flt = Filter(4, name="TV", filter="*a*", not_filter="*b*", save_in="/tv", feed_id=2, quality=2048,
                 label="L", postpone_mode=1, last_match=5, episode="1-3", episode_filter=True,
                 orig_name=True, prio=True, smart_ep=True, add_stopped=True)
    row = flt.row()
    assert row == [4, 31, "TV", "*a*", "*b*", "/tv", 2, 2048, "L", 1, 5, 1, -1, "1-3", True, False]
    assert json.dumps(row).endswith("true, false]")
    assert Filter(5).row()[1] == 1  # a new filter is enabled, nothing else


def test_webui_filter_parameters_parse():
    params = {"name": "N", "filter": "*x*", "not-filter": "*y*", "origname": "1", "episode-filter": "true",
              "episode": "1-3", "smart-ep-filter": "1", "add-stopped": "0", "prio": "false",
              "save-in": "/d", "label": "L", "postpone-mode": "0", "quality": "-1", "feed-id": "-1"}
    assert parse_params(FILTER_PARAMS, params, "filter-update") == {
        "name": "N", "filter": "*x*", "not_filter": "*y*", "orig_name": True, "episode_filter": True,
        "episode": "1-3", "smart_ep": True, "add_stopped": False, "prio": False, "save_in": "/d",
        "label": "L", "postpone_mode": 0, "quality": -1, "feed_id": -1}


@pytest.mark.parametrize(("key", "value"), [("prio", "maybe"), ("quality", "high"), ("feed-id", "x")])
def test_bad_values_name_the_parameter(key, value):
    with pytest.raises(ValueError, match=f"bad {key}="):
        parse_params(FILTER_PARAMS, {key: value}, "filter-update")
