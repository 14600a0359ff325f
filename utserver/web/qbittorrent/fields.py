"""A torrent as qBittorrent's WebAPI shows it: the state map and the field map, as tables.

Facts relied on: docs/reference/qbittorrent-clients.md §3 (field names, units, types: integers
stay JSON integers, no NaN/Infinity, eta 8640000 = unknown, progress exactly 1 when done,
tags joined with ", ") and §5 (how each field maps onto the engine's TorrentView).
"""

from __future__ import annotations

import json
import math
import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from utserver.engine import FORCED, STOPPED, State, TorrentView

ETA_UNKNOWN = 8640000
MONTH = 30 * 24 * 3600


@dataclass(frozen=True)
class Globals:
    """The daemon-wide values some fields fall back to (read once per listing)."""

    seed_ratio: float  # -1 = none (the settings' seed_ratio is percent, 0 = off)
    seed_minutes: int  # -1 = none


def finished(view) -> bool:
    return view.has_metadata and view.remaining == 0


def _stopped(view) -> bool:
    return view.mode == STOPPED or view.paused or view.state in (State.PAUSED, State.STOPPED, State.FINISHED)


# qBittorrent's decision order (TorrentImpl::updateState), first match wins:
# (test, name while downloading, name once finished). docs/reference/qbittorrent-clients.md §3.3.
STATE_RULES: tuple[tuple[Callable, str, str], ...] = (
    (lambda v: v.moving, "moving", "moving"),
    (lambda v: bool(v.error) and "no such file" in v.error.lower(), "missingFiles", "missingFiles"),
    (lambda v: bool(v.error) or v.state == State.ERROR, "error", "error"),
    (lambda v: not v.has_metadata and _stopped(v), "stoppedDL", "stoppedDL"),
    (lambda v: not v.has_metadata and v.state == State.QUEUED, "queuedDL", "queuedDL"),
    (lambda v: not v.has_metadata and v.mode == FORCED, "forcedMetaDL", "forcedMetaDL"),
    (lambda v: not v.has_metadata, "metaDL", "metaDL"),
    (lambda v: v.state == State.CHECKED, "checkingDL", "checkingUP"),
    (_stopped, "stoppedDL", "stoppedUP"),
    (lambda v: v.state in (State.QUEUED, State.QUEUED_SEED), "queuedDL", "queuedUP"),
    (lambda v: v.mode == FORCED, "forcedDL", "forcedUP"),
)


def state_of(view) -> str:
    done = finished(view)
    for test, downloading, seeding in STATE_RULES:
        if test(view):
            return seeding if done else downloading
    if done:
        return "uploading" if view.up_rate > 0 else "stalledUP"
    return "downloading" if view.down_rate > 0 else "stalledDL"


def progress(view) -> float:
    if finished(view):
        return 1
    if view.size <= 0 or not view.has_metadata:
        return 0.0
    return round(min(max((view.size - view.remaining) / view.size, 0.0), 0.9999), 4)


def ratio_limit(view) -> float:
    """-2 = the global limit applies, -1 = none, else the torrent's own ratio."""
    if not view.seed_override:
        return -2
    return round(view.seed_ratio / 1000, 3) if view.seed_ratio > 0 else -1


def seeding_time_limit(view) -> int:
    if not view.seed_override:
        return -2
    return view.seed_time // 60 if view.seed_time > 0 else -1


def content_path(view) -> str:
    """Single file: the folder and the file; multi-file: the torrent's folder ("" without metadata)."""
    return os.path.join(view.save_path, view.name) if view.has_metadata and view.save_path else ""


def magnet_uri(view) -> str:
    uri = f"magnet:?xt=urn:btih:{view.hash.lower()}&dn={urllib.parse.quote(view.name)}"
    return uri + (f"&tr={urllib.parse.quote(view.tracker, safe='')}" if view.tracker else "")


def _float(value: float) -> float:
    return value if math.isfinite(value) else -1


def _epoch(value: int) -> int:
    return value if value > 0 else -1


# The field map: every key of torrents/info and sync/maindata (sync drops "hash").
FIELDS: tuple[tuple[str, Callable], ...] = (
    ("hash", lambda v, g: v.hash.lower()),
    ("infohash_v1", lambda v, g: v.hash.lower() if len(v.hash) == 40 else ""),
    ("infohash_v2", lambda v, g: ""),
    ("name", lambda v, g: v.name),
    ("magnet_uri", lambda v, g: magnet_uri(v)),
    ("size", lambda v, g: v.size),
    ("total_size", lambda v, g: v.total_size),
    ("progress", lambda v, g: progress(v)),
    ("dlspeed", lambda v, g: v.down_rate),
    ("upspeed", lambda v, g: v.up_rate),
    ("priority", lambda v, g: max(v.queue_order, 0)),
    ("num_seeds", lambda v, g: v.seeds_connected),
    ("num_leechs", lambda v, g: v.peers_connected),
    ("num_complete", lambda v, g: max(v.seeds_swarm, v.seeds_connected)),
    ("num_incomplete", lambda v, g: max(v.peers_swarm, v.peers_connected)),
    ("ratio", lambda v, g: _float(round(v.ratio / 1000, 3))),
    ("popularity", lambda v, g: round(v.ratio / 1000 * MONTH / v.active_time, 3) if v.active_time > 0 else 0),
    ("eta", lambda v, g: v.eta if 0 <= v.eta < ETA_UNKNOWN else ETA_UNKNOWN),
    ("state", lambda v, g: state_of(v)),
    ("seq_dl", lambda v, g: v.sequential),
    ("f_l_piece_prio", lambda v, g: v.first_last),
    ("super_seeding", lambda v, g: v.super_seeding),
    ("force_start", lambda v, g: v.mode == FORCED),
    ("auto_tmm", lambda v, g: False),
    ("category", lambda v, g: v.label),
    ("tags", lambda v, g: ", ".join(v.tags)),
    ("save_path", lambda v, g: v.save_path),
    ("download_path", lambda v, g: ""),
    ("content_path", lambda v, g: content_path(v)),
    ("added_on", lambda v, g: _epoch(v.added_on)),
    ("completion_on", lambda v, g: _epoch(v.completed_on)),
    ("last_activity", lambda v, g: v.last_activity if v.last_activity > 0 else _epoch(v.added_on)),
    ("tracker", lambda v, g: v.tracker),
    ("dl_limit", lambda v, g: max(v.dl_limit, 0)),
    ("up_limit", lambda v, g: max(v.ul_limit, 0)),
    ("downloaded", lambda v, g: v.downloaded),
    ("uploaded", lambda v, g: v.uploaded),
    ("amount_left", lambda v, g: v.remaining),
    ("completed", lambda v, g: max(v.size - v.remaining, 0)),
    ("ratio_limit", lambda v, g: ratio_limit(v)),
    ("seeding_time_limit", lambda v, g: seeding_time_limit(v)),
    ("inactive_seeding_time_limit", lambda v, g: -2),
    ("max_ratio", lambda v, g: ratio_limit(v) if v.seed_override else g.seed_ratio),
    ("max_seeding_time", lambda v, g: seeding_time_limit(v) if v.seed_override else g.seed_minutes),
    ("max_inactive_seeding_time", lambda v, g: -1),
    ("time_active", lambda v, g: v.active_time),
    ("seeding_time", lambda v, g: v.seeding_time),
    ("availability", lambda v, g: round(v.availability / 65536, 3) if v.availability >= 0 else -1),
    ("has_metadata", lambda v, g: v.has_metadata),
)


KEYS = frozenset(key for key, _ in FIELDS)
ORDER = tuple(key for key, _ in FIELDS)
INDEX = {key: index for index, key in enumerate(ORDER)}  # a field's place in a row's values


def values(view, glob: Globals) -> tuple:
    """A torrent's fields in ORDER."""
    return tuple(get(view, glob) for _, get in FIELDS)


def value(view, glob: Globals, key: str):
    """One field: what a sort reads of each row."""
    return FIELDS[INDEX[key]][1](view, glob)


def as_dict(row: tuple) -> dict:
    return dict(zip(ORDER, row, strict=True))


class RowCache:
    """Each torrent's state and JSON row, reused while its view object (copy-on-write in the
    engine) and the globals are the same: an unchanged torrent costs a lookup, not 50 fields.
    The values themselves are not kept (0.8 KiB a torrent; docs/bench.md): a sort computes its
    one field again, the rare full dict all of them."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[object, Globals, str, str]] = {}

    def get(self, view, glob: Globals) -> tuple[str, str]:
        """(qBittorrent state, the row's JSON)."""
        found = self._rows.get(view.hash)
        if found is not None and found[0] is view and found[1] == glob:
            return found[2], found[3]
        row = values(view, glob)
        text = json.dumps(as_dict(row), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        state = row[INDEX["state"]]
        self._rows[view.hash] = (view, glob, state, text)
        return state, text

    def bare_text(self, view, glob: Globals) -> str:
        """The row's JSON without its "hash" (sync/maindata keys rows by hash): "hash" is the
        first field and a hex string, so it ends at the first comma."""
        text = self.get(view, glob)[1]
        return "{" + text[text.index(",") + 1:]

    def prune(self, snapshot) -> None:
        """Forget removed torrents (cheap: only when the cache holds more than the snapshot)."""
        if len(self._rows) > len(snapshot):
            for info_hash in [h for h in self._rows if h not in snapshot]:
                self._rows.pop(info_hash, None)


def globals_of(settings) -> Globals:
    ratio, seconds = int(settings.get("seed_ratio")), int(settings.get("seed_time"))
    return Globals(ratio / 100 if ratio > 0 else -1, seconds // 60 if seconds > 0 else -1)


# torrents/info?filter=: both spellings (4.x paused/resumed, 5.x stopped/running); unknown = all.
_SEEDING = {"uploading", "stalledUP", "checkingUP", "queuedUP", "forcedUP"}
FILTERS: dict[str, Callable[[str, TorrentView], bool]] = {
    "all": lambda s, v: True,
    "downloading": lambda s, v: not finished(v) and s not in ("error", "missingFiles"),
    "seeding": lambda s, v: s in _SEEDING,
    "completed": lambda s, v: finished(v),
    "stopped": lambda s, v: s.startswith("stopped"),
    "paused": lambda s, v: s.startswith("stopped"),
    "running": lambda s, v: not s.startswith("stopped"),
    "resumed": lambda s, v: not s.startswith("stopped"),
    "active": lambda s, v: v.down_rate > 0 or v.up_rate > 0,
    "inactive": lambda s, v: v.down_rate == 0 and v.up_rate == 0,
    "stalled": lambda s, v: s in ("stalledUP", "stalledDL"),
    "stalled_uploading": lambda s, v: s == "stalledUP",
    "stalled_downloading": lambda s, v: s == "stalledDL",
    "checking": lambda s, v: s.startswith("checking"),
    "moving": lambda s, v: s == "moving",
    "errored": lambda s, v: s in ("error", "missingFiles"),
}
