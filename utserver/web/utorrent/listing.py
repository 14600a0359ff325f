"""list=1 with cache ids: a few recent states kept by cid; a known cid gets only what changed.

Rows are built once per changed engine view and shared between states, so a delta compares rows
by identity and listing 1,000 unchanged torrents costs a dict walk, not 1,000 row builds. While
nothing changes, the same cid is handed out again, so many clients polling at once do not push
each other's states out of the cache. The engine replaces its snapshot dict when anything changes
(copy-on-write), so an identical dict object means nothing changed.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from utserver.engine import TorrentView
from utserver.web.utorrent import rows

KEEP = 32  # states remembered; an older cid gets the full list


@dataclass(frozen=True)
class State:
    torrents: dict[str, tuple]
    feeds: dict[int, list]
    filters: dict[int, list]

    def same_as(self, other: "State") -> bool:
        if self.torrents is not other.torrents and (
                self.torrents.keys() != other.torrents.keys()
                or any(row is not other.torrents[h] for h, row in self.torrents.items())):
            return False
        return self.feeds == other.feeds and self.filters == other.filters


class Listing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: OrderedDict[str, State] = OrderedDict()
        self._cids = itertools.count(secrets.randbelow(1 << 30) + 1)
        self._views: dict[str, tuple[TorrentView, tuple]] = {}  # hash -> (view, its row)
        self._last_snapshot: Mapping[str, TorrentView] | None = None
        self._last_rows: dict[str, tuple] = {}

    def reply(self, snapshot: Mapping[str, TorrentView], feeds: dict[int, list],
              filters: dict[int, list], cid: str | None) -> list[tuple[str, object]]:
        """The list keys of a reply (without "label"): full, or the six delta keys for a known cid."""
        with self._lock:
            state = State(self._rows(snapshot), feeds, filters)
            old = self._states.get(cid or "")
            new_cid = self._remember(state)
        if old is None:
            return [("torrents", list(state.torrents.values())), ("rssfeeds", list(feeds.values())),
                    ("rssfilters", list(filters.values())), ("torrentc", new_cid)]
        return [*_delta("torrent", state.torrents, old.torrents, _row_changed),
                *_delta("rssfeed", feeds, old.feeds, _value_changed),
                *_delta("rssfilter", filters, old.filters, _value_changed), ("torrentc", new_cid)]

    def _rows(self, snapshot: Mapping[str, TorrentView]) -> dict[str, tuple]:
        if snapshot is self._last_snapshot:
            return self._last_rows
        cache, rows_now = self._views, {}
        for key, view in snapshot.items():
            cached = cache.get(key)
            if cached is None or cached[0] != view:
                cached = cache[key] = (view, rows.torrent_row(view))
            rows_now[key] = cached[1]
        for gone in cache.keys() - rows_now.keys():
            del cache[gone]
        self._last_snapshot, self._last_rows = snapshot, rows_now
        return rows_now

    def _remember(self, state: State) -> str:
        if self._states:
            last_cid, last = next(reversed(self._states.items()))
            if last.same_as(state):
                return last_cid
        cid = str(next(self._cids))
        self._states[cid] = state
        while len(self._states) > KEEP:
            self._states.popitem(last=False)
        return cid


def _row_changed(now: tuple, before: tuple | None) -> bool:
    return now is not before


def _value_changed(now: list, before: list | None) -> bool:
    return now != before


def _delta(prefix: str, now: dict, before: dict, changed) -> list[tuple[str, list]]:
    return [(prefix + "p", [row for key, row in now.items() if changed(row, before.get(key))]),
            (prefix + "m", [key for key in before if key not in now])]
