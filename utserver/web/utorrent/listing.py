"""list=1 with cache ids: a known recent cid gets only what changed since it was handed out.

One row per torrent is kept, built and encoded to JSON once per changed engine view (a full list
of 100,000 joins their texts: 1 s of json.dumps per list before), with the number of the cid that
first showed it as it is (a change log, not a copy of the list per cid): a delta is the rows
changed after the client's cid plus the torrents removed after it. Keeping a whole list per cid
cost a dict of every torrent per remembered cid: with the web UI polling while torrents move,
32 of them, 19 MiB at 10,000 torrents (docs/bench.md). While nothing changes, the same cid is
handed out again, so many clients polling at once do not push each other's cids out. The engine
replaces its snapshot dict when anything changes (copy-on-write), so an identical dict object
means nothing changed.
"""

from __future__ import annotations

import functools
import itertools
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from utserver.engine import TorrentView
from utserver.web.utorrent import rows

KEEP = 32  # cids remembered; an older one gets the full list

_encode = functools.partial(json.dumps, separators=(",", ":"), ensure_ascii=False)


class JsonRows(list):
    """Rows already encoded, one UTF-8 JSON text each: the reply splices them in as they are (routes.encode)."""


@dataclass(frozen=True)
class Handed:
    """What a cid stood for: its place in the change log and the RSS lists it showed."""

    number: int
    feeds: dict[int, list]
    filters: dict[int, list]


class Listing:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cids: OrderedDict[str, Handed] = OrderedDict()
        self._numbers = itertools.count(secrets.randbelow(1 << 30) + 1)
        self._snapshot: Mapping[str, TorrentView] = {}
        self._rows: dict[str, bytes] = {}  # hash -> its row's JSON, as of _snapshot
        # hash -> the first cid number that shows its row, in that order (a change moves it last)
        self._changed: dict[str, int] = {}
        self._born: dict[str, int] = {}  # hash -> when it came, for torrents newer than the oldest cid
        # hash -> (when it came, when it went) for each stay that ended after the oldest cid
        self._removed: dict[str, list[tuple[int, int]]] = {}
        self._pending = False  # rows changed since the last cid was handed out

    def reply(self, snapshot: Mapping[str, TorrentView], feeds: dict[int, list],
              filters: dict[int, list], cid: str | None) -> list[tuple[str, object]]:
        """The list keys of a reply (without "label"): full, or the six delta keys for a known cid."""
        with self._lock:
            old = self._cids.get(cid or "")
            self._follow(snapshot)
            new_cid = self._hand_out(feeds, filters)
            if old is None:
                return [("torrents", JsonRows(self._rows.values())), ("rssfeeds", list(feeds.values())),
                        ("rssfilters", list(filters.values())), ("torrentc", new_cid)]
            changed = self._changed_since(old.number)
            gone = [h for h, stays in self._removed.items()
                    if h not in self._rows and any(came <= old.number < went for came, went in stays)]
        return [("torrentp", changed), ("torrentm", gone),
                *_delta("rssfeed", feeds, old.feeds), *_delta("rssfilter", filters, old.filters),
                ("torrentc", new_cid)]

    def _follow(self, snapshot: Mapping[str, TorrentView]) -> None:
        """Bring the rows up to the engine's snapshot, noting what changed for the next cid."""
        if snapshot is self._snapshot:
            return
        last, rows_now = self._snapshot, self._rows
        mark = self._next_number()
        for info_hash, view in snapshot.items():
            before = last.get(info_hash)
            if before is view:
                continue
            if before is None:
                self._born[info_hash] = mark
            elif before == view:
                continue
            row = _encode(rows.torrent_row(view)).encode()
            if before is not None and row == rows_now[info_hash]:
                continue  # only what the list does not show moved (a seed's clocks): nothing to send
            rows_now[info_hash] = row
            self._changed.pop(info_hash, None)  # to the end: the log stays in cid order
            self._changed[info_hash] = mark
            self._pending = True
        if len(rows_now) > len(snapshot):
            for info_hash in [h for h in rows_now if h not in snapshot]:
                del rows_now[info_hash], self._changed[info_hash]
                self._removed.setdefault(info_hash, []).append((self._born.pop(info_hash, 0), mark))
                self._pending = True
        self._snapshot = snapshot

    def _changed_since(self, number: int) -> JsonRows:
        """The rows a client holding cid `number` has not seen: the log's tail, newest first
        until an older mark, so a poll costs the changes, not a walk of every torrent."""
        found = JsonRows()
        for info_hash in reversed(self._changed):
            if self._changed[info_hash] <= number:
                break
            found.append(self._rows[info_hash])
        found.reverse()
        return found

    def _next_number(self) -> int:
        """The number the next cid will have (it is taken when a cid is handed out)."""
        newest = next(reversed(self._cids.values()), None)
        return newest.number + 1 if newest is not None else 1

    def _hand_out(self, feeds: dict[int, list], filters: dict[int, list]) -> str:
        if self._cids:
            last_cid, last = next(reversed(self._cids.items()))
            if not self._pending and last.feeds == feeds and last.filters == filters:
                return last_cid
        number = self._next_number()
        cid = str(next(self._numbers))
        self._cids[cid] = Handed(number, feeds, filters)
        self._pending = False
        while len(self._cids) > KEEP:
            self._cids.popitem(last=False)
        self._forget_before(next(iter(self._cids.values())).number)
        return cid

    def _forget_before(self, oldest: int) -> None:
        """No remembered cid is older than `oldest`: older births and removals concern none."""
        for info_hash in [h for h, came in self._born.items() if came <= oldest]:
            del self._born[info_hash]
        for info_hash, stays in list(self._removed.items()):
            stays[:] = [stay for stay in stays if stay[1] > oldest]
            if not stays:
                del self._removed[info_hash]


def _delta(prefix: str, now: dict, before: dict) -> list[tuple[str, list]]:
    return [(prefix + "p", [row for key, row in now.items() if row != before.get(key)]),
            (prefix + "m", [key for key in before if key not in now])]
