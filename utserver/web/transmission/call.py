"""What one RPC call works with: the front's long-lived state and this request's arguments."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from utserver.web.parts import Parts
from utserver.web.transmission.handshake import SessionId
from utserver.web.transmission.ids import IdTable

DEFAULT_LIMIT_KB = 100  # what Transmission shows for a limit never set (kB/s)


@dataclass
class Memory:
    """Values Transmission keeps while their switch is off and the engine does not (0 = off):
    per-torrent speed limits, the session's speed limits and idle-seeding minutes. For this run."""

    limits: dict[tuple[str, str], Any] = field(default_factory=dict)  # (hash or "", "down"/"up"/"idle") -> value
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, kind: str, default: Any = DEFAULT_LIMIT_KB) -> Any:
        with self.lock:
            return self.limits.get((key, kind), default)

    def put(self, key: str, kind: str, value: Any) -> None:
        with self.lock:
            self.limits[(key, kind)] = value


@dataclass
class Front:
    """Lives as long as the daemon: ids, the session id, remembered limits."""

    parts: Parts
    ids: IdTable = field(default_factory=IdTable)
    session_id: SessionId = field(default_factory=SessionId)
    memory: Memory = field(default_factory=Memory)
    # hash -> (the view it was read with, its trackers by tier): the announce list changes only
    # through a command, which gives the torrent a new view; the web UI asks for it on every poll
    announce: dict[str, tuple[Any, list]] = field(default_factory=dict)
    # hash -> (view, field name -> value) for the fields a view alone decides (fields.values)
    values: dict[str, tuple[Any, dict]] = field(default_factory=dict)


class Call:
    def __init__(self, front: Front, user, args: dict):
        self.front, self.user, self.args = front, user, args
        self.engine, self.settings = front.parts.engine, front.parts.settings

    @cached_property
    def snapshot(self):
        snapshot = self.engine.snapshot()
        self.front.ids.sync(snapshot)
        for cache in (self.front.announce, self.front.values):
            if len(cache) > len(snapshot):  # forget removed torrents
                for gone in [h for h in list(cache) if h not in snapshot]:
                    cache.pop(gone, None)
        return snapshot

    def selected(self) -> list[str]:
        """The hashes this call's `ids` names (absent = every torrent)."""
        return self.front.ids.select(self.snapshot, self.args.get("ids"))

    @cached_property
    def queue_positions(self) -> dict[str, int]:
        """Transmission numbers every torrent 0..n-1: the download queue first, then by age."""
        ordered = sorted(self.snapshot.values(),
                         key=lambda v: (v.queue_order if v.queue_order > 0 else 1 << 30, v.added_on, v.hash))
        return {view.hash: index for index, view in enumerate(ordered)}

    def refreshed(self):
        """The snapshot after a command changed it (drops the cached one)."""
        self.__dict__.pop("snapshot", None)
        self.__dict__.pop("queue_positions", None)
        return self.snapshot
