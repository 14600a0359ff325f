"""Transmission's torrent ids: numbers from 1 in the order torrents are seen, never reused while
the daemon runs (a restart renumbers, as transmission-daemon does), plus the 60 s window behind
`ids: "recently-active"` and its `removed` list.

The engine's snapshot is copy-on-write and keeps an unchanged torrent's very view object, so a
changed torrent is one whose view is not the one seen last time (`is`). Changes are noticed when
a client asks, which is all the window needs: it only answers clients.
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections import deque
from collections.abc import Mapping

from utserver.web.transmission.errors import RpcError

RECENT = 60.0  # seconds: Transmission's RecentlyActiveSeconds
RECENTLY_ACTIVE = "recently-active"
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_BTIH = re.compile(r"xt=urn:btih:([0-9a-zA-Z]+)", re.IGNORECASE)
_B32 = re.compile(r"^[A-Z2-7]{32}$")


def hash_of(text: str) -> str | None:
    """The upper-case info-hash a string names (40 hex chars or a magnet link), else None."""
    if _HEX40.match(text):
        return text.upper()
    match = _BTIH.search(text) if text.startswith("magnet:") else None
    if match is None:
        return None
    value = match.group(1)
    if _HEX40.match(value):
        return value.upper()
    return base64.b32decode(value.upper()).hex().upper() if _B32.match(value.upper()) else None


class IdTable:
    def __init__(self, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {}
        self._hashes: dict[int, str] = {}
        self._next = 1
        self._seen: Mapping = {}
        self._changed: dict[str, float] = {}  # hash -> when its view was last seen to change
        self._removed: deque[tuple[int, float]] = deque()  # (id, when), oldest first

    def sync(self, snapshot: Mapping) -> None:
        """Number new torrents (oldest first), note changes and removals since the last call."""
        with self._lock:
            if snapshot is self._seen:
                return
            now = self._clock()
            fresh = sorted((v for h, v in snapshot.items() if h not in self._ids), key=lambda v: (v.added_on, v.hash))
            for view in fresh:
                self._assign(view.hash)
            seen = self._seen
            for info_hash, view in snapshot.items():
                if seen.get(info_hash) is not view:
                    self._changed[info_hash] = now
            for info_hash in seen.keys() - snapshot.keys():
                self._forget(info_hash, now)
            while self._removed and self._removed[0][1] < now - RECENT:
                self._removed.popleft()
            self._seen = snapshot

    def _assign(self, info_hash: str) -> int:
        number = self._ids[info_hash] = self._next
        self._hashes[number] = info_hash
        self._next += 1
        return number

    def _forget(self, info_hash: str, now: float) -> None:
        number = self._ids.pop(info_hash, None)
        self._changed.pop(info_hash, None)
        if number is not None:
            del self._hashes[number]
            self._removed.append((number, now))

    def id_of(self, info_hash: str) -> int:
        """The torrent's id; one just added that no snapshot showed yet gets its number now."""
        with self._lock:
            return self._ids.get(info_hash) or self._assign(info_hash)

    def hash_of_id(self, number: int) -> str | None:
        with self._lock:
            return self._hashes.get(number)

    def recent(self) -> tuple[list[str], list[int]]:
        """Hashes changed within the window, and ids removed within it."""
        with self._lock:
            since = self._clock() - RECENT
            return ([h for h, when in self._changed.items() if when >= since],
                    [number for number, when in self._removed if when >= since])

    def select(self, snapshot: Mapping, ids) -> list[str]:
        """The hashes an `ids` argument names, in id order: absent = all, [] = none; unknown
        torrents are skipped (as Transmission does); a malformed entry is an error."""
        if ids is None:
            chosen = list(snapshot)
        elif ids == RECENTLY_ACTIVE:
            chosen = [h for h in self.recent()[0] if h in snapshot]
        else:
            entries = ids if isinstance(ids, list) else [ids]
            chosen = [h for h in (self._resolve(entry) for entry in entries) if h in snapshot]
        return sorted(dict.fromkeys(chosen), key=self.id_of)

    def _resolve(self, entry) -> str | None:
        if isinstance(entry, int) and not isinstance(entry, bool):
            return self.hash_of_id(entry)
        if isinstance(entry, str):
            if entry.isdigit():  # some clients send "7"
                return self.hash_of_id(int(entry))
            found = hash_of(entry)
            if found is not None:
                return found
        raise RpcError(f"invalid torrent id {entry!r}: ids are numbers, 40-hex hashes, magnet links "
                       f"or \"{RECENTLY_ACTIVE}\"")
