"""RSS filters: µTorrent's model, its wire row, and matching an item against one filter.

Filter syntax (µTorrent's): a whole name must match; "*" is any text, "?" one character,
"|" separates alternatives, case is ignored. By default the names tried are the item's show name
("Show Name", which the WebUI's "add to filters" puts in a new filter) and its title with "." and
"_" read as spaces ("*show name*" matches "Show.Name.S01E02"); with the original-name flag only
the title exactly as the feed wrote it.

Episode expressions: terms separated by ";" (or ","), each "E", "E-", "E-F", "SxE", "SxE-F",
"SxE-", "SxE-TxF" or "Sx" (the whole season); "S01E02" is read like "1x2". A term without a
season matches that episode number in any season.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from utserver.rss.feeds import Item
from utserver.rss.params import parse_bool, parse_int, parse_int_or_bool
from utserver.rss.titles import QUALITY_ALL, quality_bit

# Bits of the FLAGS field (the WebUI's RSSFILTERFLAG_*).
FLAG_BITS = {"enabled": 1, "orig_name": 2, "prio": 4, "smart_ep": 8, "add_stopped": 16}
REPACK_DEFAULT = -1  # the filter's REPACK EP FILTER: -1 follows rss.smart_repack_filter, 0 no, 1 yes


@dataclass
class Filter:
    ident: int
    name: str = "New Filter"
    filter: str = ""
    not_filter: str = ""
    save_in: str = ""
    feed_id: int = -1  # -1: every feed
    quality: int = QUALITY_ALL  # mask of quality_bit()s; -1 (or 0) accepts any quality
    label: str = ""
    postpone_mode: int = 0  # stored and shown; matching does not use it
    last_match: int = 0
    repack_ep: int = REPACK_DEFAULT
    episode: str = ""
    episode_filter: bool = False
    enabled: bool = True
    orig_name: bool = False
    prio: bool = False
    smart_ep: bool = False
    add_stopped: bool = False

    def row(self) -> list:
        """The manual's "rssfilters" row."""
        flags = sum(bit for attr, bit in FLAG_BITS.items() if getattr(self, attr))
        return [self.ident, flags, self.name, self.filter, self.not_filter, self.save_in,
                self.feed_id, self.quality, self.label, self.postpone_mode, self.last_match,
                int(self.smart_ep), self.repack_ep, self.episode, self.episode_filter, False]

    def matches(self, item: Item) -> bool:
        """Does *item* pass name, not-filter, feed, quality and episode rules (history aside)?"""
        names = (item.full_name,) if self.orig_name else (item.name, _decoded(item.full_name))
        return (self.enabled
                and self.feed_id in (-1, item.feed_id)
                and _any_match(self.filter, names)
                and not (self.not_filter and _any_match(self.not_filter, names))
                and (self.quality in (QUALITY_ALL, 0) or bool(self.quality & quality_bit(item.quality)))
                and (not (self.episode_filter and self.episode.strip())  # an empty expression: any item
                     or episode_matcher(self.episode)(item.season, item.episode)))


# filter-update parameter -> (Filter attribute, parser). "enabled" and "repack-ep-filter" are ours.
FILTER_PARAMS: dict[str, tuple[str, Callable[[str], object]]] = {
    "name": ("name", str),
    "filter": ("filter", str),
    "not-filter": ("not_filter", str),
    "save-in": ("save_in", str),
    "episode": ("episode", lambda v: _valid_episode(v)),  # validated, kept as typed (defined below)
    "label": ("label", str),
    "quality": ("quality", parse_int),
    "episode-filter": ("episode_filter", parse_bool),
    "origname": ("orig_name", parse_bool),
    "prio": ("prio", parse_bool),
    "smart-ep-filter": ("smart_ep", parse_bool),
    "add-stopped": ("add_stopped", parse_bool),
    "postpone-mode": ("postpone_mode", parse_int_or_bool),
    "feed-id": ("feed_id", parse_int),
    "enabled": ("enabled", parse_bool),
    "repack-ep-filter": ("repack_ep", parse_int),
}


@lru_cache(maxsize=256)
def wildcard(pattern: str) -> re.Pattern[str]:
    """µTorrent's "*", "?" and "|" pattern as a case-insensitive regex (empty matches nothing)."""
    alternatives = [p.strip() for p in pattern.split("|") if p.strip()]
    if not alternatives:
        return re.compile(r"(?!)")
    body = "|".join(re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") for p in alternatives)
    return re.compile(f"(?:{body})", re.IGNORECASE | re.DOTALL)


_EP = r"(?:s?(\d+)\s*[xe]\s*)?(\d+)"
_END = r"(?:s?(\d+)\s*[xe]\s*|e)?(\d+)"  # "E05" may end a range: "S02E03-E05"
_TERM = re.compile(rf"^{_EP}(?:\s*(-)\s*(?:{_END})?)?$|^s?(\d+)\s*x$", re.IGNORECASE)
_OPEN = 1 << 30


@lru_cache(maxsize=256)
def episode_matcher(expression: str) -> Callable[[int, int], bool]:
    """A test (season, episode) -> bool for an episode expression; ValueError if malformed."""
    ranges = [_term_range(term.strip()) for term in re.split(r"[;,]", expression) if term.strip()]

    def test(season: int, episode: int) -> bool:
        return episode > 0 and any(_in_range(r, season, episode) for r in ranges)
    return test


def _valid_episode(expression: str) -> str:
    """The expression itself once episode_matcher accepts it (ValueError otherwise)."""
    episode_matcher(expression)
    return expression


def _term_range(term: str) -> tuple[int | None, int, int, int]:
    """(first season or None, first episode, last season, last episode) of one term."""
    found = _TERM.match(term)
    if not found:
        raise ValueError(f"bad episode term {term!r} (use forms like 5, 1-10, 12-, 2x3, 2x1-8, 3x)")
    s1, e1, dash, s2, e2, whole_season = found.groups()
    if whole_season:
        return int(whole_season), 0, int(whole_season), _OPEN
    first_season = int(s1) if s1 else None
    if not dash:
        return first_season, int(e1), first_season or 0, int(e1)
    if not e2:  # "12-" / "2x5-": everything from there on, later seasons included
        return first_season, int(e1), _OPEN, _OPEN
    return first_season, int(e1), int(s2) if s2 else first_season or 0, int(e2)


def _in_range(bounds: tuple[int | None, int, int, int], season: int, episode: int) -> bool:
    s1, e1, s2, e2 = bounds
    if s1 is None:  # no season given: episode numbers only
        return e1 <= episode <= e2
    return (s1, e1) <= (season, episode) <= (s2, e2)


def _any_match(pattern: str, names: tuple[str, ...]) -> bool:
    regex = wildcard(pattern)
    return any(regex.fullmatch(name) for name in names)


_SEPARATORS = re.compile(r"[._]+")


def _decoded(title: str) -> str:
    return _SEPARATORS.sub(" ", title)
