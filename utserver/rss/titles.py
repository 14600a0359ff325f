"""What µTorrent reads from a release title: show name, season, episode(s), quality, codec, repack.

"Show.Name.S01E02E03.720p.HDTV.x264-GRP" -> name "Show Name", season 1, episode 2, episode-to 3,
quality 720p, codec x264. Quality and codec are µTorrent's codes (the WebUI's RSSITEMQUALITYMAP
and RSSITEMCODECMAP index them). A filter's quality is a bit mask where quality code q is the bit
1 << (q - 1); see quality_bit().
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A token must not touch other letters or digits ("_" and "." separate words in release names).
_B, _E = r"(?<![a-z0-9])", r"(?![a-z0-9])"


def _table(rows: list[tuple[int, str]]) -> list[tuple[int, re.Pattern[str]]]:
    return [(code, re.compile(_B + pattern + _E, re.IGNORECASE)) for code, pattern in rows]


# µTorrent quality codes. First match wins, so the resolution beats the source in "720p.HDTV",
# and "HR.HDTV" beats "HDTV".
QUALITIES = _table([
    (14, r"1080p"), (13, r"1080i"), (12, r"720p"),
    (8, r"hr[ ._-]?hdtv"), (9, r"hr[ ._-]?pdtv"),
    (15, r"web[ ._-]?(?:rip|dl)"), (11, r"dvd[ ._-]?scr"), (3, r"dvd[ ._-]?rip"), (10, r"dvd[ ._-]?r"),
    (16, r"sat[ ._-]?rip"), (6, r"dvb[ ._-]?rip"), (5, r"dsr(?:ip)?"), (4, r"svcd"),
    (2, r"tv[ ._-]?rip"), (7, r"pdtv"), (1, r"hdtv"),
])
QUALITY_ALL = -1

# µTorrent codec codes (0 = unknown).
CODECS = _table([
    (8, r"x[ .]?264"), (9, r"h[ .]?264|avc"), (6, r"xvid"), (7, r"divx"), (10, r"wmv[ .-]?hd"),
    (5, r"wmv"), (11, r"vc[ .-]?1"), (3, r"mpeg[ .-]?4|mp4"), (2, r"mpeg[ .-]?2"), (1, r"mpeg"),
    (4, r"real(?:video)?|rmvb"),
])

# Episode markers: S01E02, S01E02E03, S01E02-03, S01E02-E03, 1x02, 1x02-03, "Season 1 Episode 2".
EPISODES = [re.compile(_B + p + _E, re.IGNORECASE) for p in (
    r"s(\d{1,3})[ ._]?e(\d{1,4})(?:(?:[._-]?e|-)(\d{1,4}))?",
    r"(\d{1,2})x(\d{2,4})(?:-(\d{2,4}))?",
    r"season[ ._]?(\d{1,3})[ ._]?episode[ ._]?(\d{1,4})(?:[ ._-](\d{1,4}))?",
)]
REPACK = re.compile(_B + r"(?:repack|proper|rerip)" + _E, re.IGNORECASE)
_SEPARATORS = re.compile(r"[._\s]+")


@dataclass(frozen=True)
class TitleInfo:
    name: str  # the show name: the title up to the first marker, "." and "_" read as spaces
    season: int = 0
    episode: int = 0
    episode_to: int = 0
    quality: int = 0
    codec: int = 0
    repack: bool = False


def parse_title(title: str) -> TitleInfo:
    """Read season, episode(s), quality, codec and repack from a release title."""
    cut = len(title)
    season = episode = episode_to = 0
    for pattern in EPISODES:
        if found := pattern.search(title):
            season, episode = int(found[1]), int(found[2])
            episode_to = int(found[3]) if found[3] and int(found[3]) > episode else 0
            cut = found.start()
            break
    quality, cut = _first(QUALITIES, title, cut)
    codec, cut = _first(CODECS, title, cut)
    repack = REPACK.search(title)
    if repack:
        cut = min(cut, repack.start())
    return TitleInfo(_clean(title[:cut]) or _clean(title), season, episode, episode_to, quality, codec,
                     repack is not None)


def quality_bit(quality: int) -> int:
    """The filter mask bit of an item's quality code (0 for unknown)."""
    return 1 << (quality - 1) if quality > 0 else 0


def _first(table: list[tuple[int, re.Pattern[str]]], title: str, cut: int) -> tuple[int, int]:
    for code, pattern in table:
        if found := pattern.search(title):
            return code, min(cut, found.start())
    return 0, cut


def _clean(text: str) -> str:
    return _SEPARATORS.sub(" ", text).strip(" -[(")
