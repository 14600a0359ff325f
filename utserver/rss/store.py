"""RSS state (feeds with their items, filters, history) and its file, settings_path/rss.dat.

rss.dat is one bencoded dictionary written atomically by utserver.storage; a corrupt file falls
back to rss.dat.old, then to an empty state (each failure logged). A save that would write the same
bytes as the last one is skipped, so an idle daemon with unchanged feeds writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TypeVar

from utserver.rss.feeds import Feed, Item
from utserver.rss.filters import Filter
from utserver.storage import bdecode_dict, bencode, read_with_fallback, write_atomic

log = logging.getLogger("utserver.rss")

FILE_NAME = "rss.dat"
VERSION = 1
HISTORY_MAX = 10_000  # oldest history entries are dropped past this
_RUNTIME_FEED_FIELDS = ("next_update", "state")
_TYPES = {"bool": bool, "int": int, "str": str}
R = TypeVar("R", Feed, Filter)


@dataclass
class RssState:
    feeds: dict[int, Feed] = field(default_factory=dict)
    filters: dict[int, Filter] = field(default_factory=dict)
    history: dict[str, int] = field(default_factory=dict)  # URL of every item added -> when
    episodes: dict[str, int] = field(default_factory=dict)  # episode_key() -> 1 if a repack was added
    next_feed_id: int = 1
    next_filter_id: int = 1

    def remember(self, url: str, when: int, episode_keys: list[str], repack: bool) -> None:
        """Record an added item: its URL, and its episodes for the smart episode filter."""
        self.history.pop(url, None)
        self.history[url] = when
        while len(self.history) > HISTORY_MAX:
            del self.history[next(iter(self.history))]
        for key in episode_keys:
            self.episodes[key] = int(repack or bool(self.episodes.get(key)))


class RssStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / FILE_NAME
        self._saved: bytes | None = None

    def load(self) -> RssState:
        state = read_with_fallback(self.path, lambda data: _state(bdecode_dict(data)))
        if state is None and (self.path.exists() or self.path.with_name(FILE_NAME + ".old").exists()):
            log.error("%s and its .old copy are unusable; starting with no RSS feeds or filters", self.path)
        return state or RssState()

    def save(self, state: RssState) -> None:
        data = bencode(_plain(state))
        if data != self._saved:
            write_atomic(self.path, data)
            self._saved = data


def _plain(state: RssState) -> dict:
    feeds = []
    for feed in state.feeds.values():
        plain = {k: v for k, v in asdict(feed).items() if k not in _RUNTIME_FEED_FIELDS}
        plain["items"] = [list(asdict(item).values()) for item in feed.items]
        feeds.append(plain)
    return {"version": VERSION, "feeds": feeds, "filters": [asdict(f) for f in state.filters.values()],
            "history": state.history, "episodes": state.episodes,
            "next_feed_id": state.next_feed_id, "next_filter_id": state.next_filter_id}


def _state(data: dict) -> RssState:
    feeds = [_record(Feed, d) for d in data.get("feeds", [])]
    filters = [_record(Filter, d) for d in data.get("filters", [])]
    return RssState({f.ident: f for f in feeds}, {f.ident: f for f in filters},
                    dict(sorted(((str(k), int(v)) for k, v in data.get("history", {}).items()),
                                key=lambda entry: entry[1])),  # oldest first, as remember() keeps it
                    {str(k): int(v) for k, v in data.get("episodes", {}).items()},
                    int(data.get("next_feed_id", 1)), int(data.get("next_filter_id", 1)))


def _record(cls: type[R], data: dict) -> R:
    """A Feed or Filter from its stored dict: known keys only, each coerced to its field's type."""
    values = {f.name: _TYPES[f.type](data[f.name]) for f in fields(cls)
              if f.name in data and f.type in _TYPES}
    if cls is Feed:
        values["items"] = [Item(*row) for row in data.get("items", [])]
        for item in values["items"]:
            item.repack = bool(item.repack)
    return cls(**values)
