"""Job records: what µTorrent keeps per torrent beyond libtorrent.

libtorrent cannot tell a µTorrent Stop from a Pause (docs/reference/libtorrent.md#stop-and-pause),
so the user's intent lives here: `mode` is stopped / queued / forced, and `paused` is µTorrent's
Pause on top of it. Only the torrent table (table.py) changes a job, under its lock.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from utserver.engine.views import FORCED, STOPPED
from utserver.engine.views import QUEUED_MODE as QUEUED

__all__ = ["FORCED", "QUEUED", "STOPPED", "Job", "UT_TO_LT_PRIORITY", "lt_to_ut_priority", "shared_folder"]

# µTorrent file priority 0-3 <-> libtorrent 0-7 (docs/reference/libtorrent.md#file-priorities).
UT_TO_LT_PRIORITY = {0: 0, 1: 1, 2: 4, 3: 7}


def shared_folder(path: object) -> str:
    """A job's folder as one shared string: 100,000 torrents live in a few folders (~180 B each)."""
    return sys.intern(str(path))


def lt_to_ut_priority(value: int) -> int:
    return 0 if value == 0 else 1 if value <= 3 else 2 if value == 4 else 3


@dataclass(slots=True)  # no __dict__: 1.2 KiB less per torrent (docs/bench.md)
class Job:
    hash: str
    name: str
    active_dir: str  # where libtorrent writes while downloading
    final_dir: str  # where the data belongs once complete
    added_on: int = field(default_factory=lambda: int(time.time()))
    completed_on: int = 0
    renamed: bool = False  # the name is the user's, not the torrent's
    label: str = ""
    tags: tuple[str, ...] = ()  # a tuple: no empty list per torrent, and the view shares it
    mode: str = QUEUED
    paused: bool = False
    torrent_file: str = ""
    download_url: str = ""
    rss_feed_url: str = ""
    error: str = ""  # a failed move, kept until the next successful one
    total_size: int = 0  # bytes of every file, once the metadata is known
    # µTorrent per-torrent props (getprops/setprops)
    ulrate: int = 0  # bytes/s, 0 unlimited
    dlrate: int = 0
    ulslots: int = 0  # 0 = the global ul_slots_per_torrent
    seed_override: bool = False
    seed_ratio: int = 0  # per mille; used when seed_override
    seed_time: int = 0  # seconds; used when seed_override
    pex: bool = True  # the torrent's own switch; PEX runs when this and the global pex are on
    sequential: bool = False
    first_last: bool = False  # first and last piece of each file first
    finished_once: bool = False  # finish_cmd runs once per completion
    last_state: int = 0  # the manual's state code last reported to state_cmd
    previous_state: int = 0  # the one before it (%P)
    finish_pending: bool = False  # finish_cmd waits for the move to the final folder
    progress: int = 0  # per mille as last shown: stands in while resume data is being checked
    wanted_done: int = 0  # bytes, likewise

    # lt.torrent_handle from the moment the torrent joins the session (None only before that and
    # after close); typed Any, as libtorrent has no type stubs
    handle: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.active_dir, self.final_dir = shared_folder(self.active_dir), shared_folder(self.final_dir)

    def record(self) -> dict:
        """The persisted form (stored beside libtorrent's resume data)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "handle"}

    @classmethod
    def from_record(cls, data: dict) -> Job:
        """The record as libtorrent decoded it: byte-string keys and texts, and no bools (bencode
        has none); each stored value takes its field's type back. Done here in one pass, not by
        a generic decoder of nested values (16 -> 6 µs, 1 s of a restore of 100,000)."""
        values: dict[str, Any] = {}
        for name, key, decode in _record_fields():
            value = data.get(key)
            if value is not None:
                values[name] = decode(value)
        return cls(**values)


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


_DECODERS: dict[type, Any] = {str: _text, bool: bool, int: int, tuple: lambda value: tuple(map(_text, value))}


@functools.cache
def _record_fields() -> tuple[tuple[str, bytes, Any], ...]:
    """Each persisted field's name, stored key and decoder (read once: a restore asks 100,000 times)."""
    defaults = Job(hash="", name="", active_dir="", final_dir="")
    return tuple((f.name, f.name.encode(), _DECODERS[type(getattr(defaults, f.name))])
                 for f in dataclasses.fields(Job) if f.name != "handle")
