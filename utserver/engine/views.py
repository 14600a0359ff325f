"""Plain, immutable views of the engine's data: what the web API and RSS read.

They carry µTorrent's meanings (STATUS bits, per-mille progress, KiB-free
units are the web part's business) but not its wire order: web/rows.py alone
knows field positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import NamedTuple

# µTorrent STATUS bits (manual, "Torrent/labels/RSS/Filters List").
STARTED, CHECKING, START_AFTER_CHECK, CHECKED, ERROR, PAUSED, QUEUED, LOADED = 1, 2, 4, 8, 16, 32, 64, 128

# The user's intent for a torrent; µTorrent's Pause sits on top of it (TorrentView.paused).
STOPPED, QUEUED_MODE, FORCED = "stopped", "queued", "forced"


class State(IntEnum):
    """The manual's state codes (finish_cmd / state_cmd %S, %P), in µTorrent's WebUI order."""

    ERROR = 1
    CHECKED = 2  # being checked
    PAUSED = 3
    SUPERSEED = 4
    SEEDING = 5
    DOWNLOADING = 6
    F_SUPERSEED = 7
    F_SEEDING = 8
    F_DOWNLOADING = 9
    QUEUED_SEED = 10
    FINISHED = 11  # stopped, complete
    QUEUED = 12
    STOPPED = 13


@dataclass(frozen=True)
class AddOptions:
    """Where and how a new torrent goes (API add-* parameters, RSS filters, autoload)."""

    download_dir: int = 0  # 0 = default; N = the Nth dir_download entry
    sub_path: str = ""  # relative to the download dir; never escapes it
    save_path: str | None = None  # an absolute folder (RSS filter "save in"); overrides download_dir
    in_place: bool = False  # write into save_path from the start (data already there is found), not dir_active
    label: str = ""
    stopped: bool = False
    rss_feed_url: str = ""
    queue_top: bool = False  # first in the download queue (an RSS filter's "prio")
    forced: bool = False  # start forced, outside the queue
    name: str = ""  # shown instead of the torrent's own name
    tags: tuple[str, ...] = ()
    sequential: bool = False
    first_last: bool = False  # first and last piece of each file first
    skip_checking: bool = False  # the data is there: seed without checking it
    dl_limit: int = 0  # bytes/s, 0 unlimited
    ul_limit: int = 0
    seed_override: bool = False  # the torrent's own seeding goals below instead of the global ones
    seed_ratio: int = 0  # per mille
    seed_time: int = 0  # seconds


DEFAULT_ADD = AddOptions()


class TorrentView(NamedTuple):
    """One torrent as a list row needs it. Equal views mean an unchanged row. A named tuple, not
    a frozen dataclass: one is built at each status change of a torrent, 100,000 at a restart,
    and a tuple is made in a third of the time (3.5 against 12 µs here)."""

    hash: str  # upper-case hex info-hash (v1, else the truncated v2)
    status: int  # STATUS bits
    name: str
    size: int  # bytes wanted
    progress: int  # per mille
    downloaded: int
    uploaded: int
    ratio: int  # per mille
    up_rate: int  # bytes/s
    down_rate: int
    eta: int  # seconds, -1 infinite
    label: str
    peers_connected: int
    peers_swarm: int
    seeds_connected: int
    seeds_swarm: int
    availability: int  # 1/65536ths
    queue_order: int  # 1-based, -1 when not in the download queue
    remaining: int
    download_url: str
    rss_feed_url: str
    status_message: str
    added_on: int  # epoch seconds, 0 unset
    completed_on: int
    save_path: str
    state: int  # the manual's state_cmd code (State)
    total_size: int  # every file, wanted or not
    tags: tuple[str, ...]
    sequential: bool
    first_last: bool
    super_seeding: bool
    mode: str  # STOPPED, QUEUED_MODE or FORCED
    paused: bool  # µTorrent's Pause on top of the mode
    dl_limit: int  # bytes/s, 0 unlimited
    ul_limit: int
    seed_override: bool
    seed_ratio: int  # per mille
    seed_time: int  # seconds
    active_time: int  # seconds
    seeding_time: int
    tracker: str  # the tracker last announced to, or ""
    has_metadata: bool
    moving: bool
    check_queued: bool  # waiting in libtorrent's check queue (active_checking: one check at a time)
    error: str  # "" or why the torrent stopped
    last_activity: int  # epoch seconds of the last payload transfer, 0 never


@dataclass(frozen=True)
class FileView:
    name: str  # µTorrent's: inside the torrent's folder, without it
    size: int
    downloaded: int
    priority: int  # 0 skip, 1 low, 2 normal, 3 high
    first_piece: int
    num_pieces: int
    path: str  # the whole path inside the torrent, with its folder


@dataclass(frozen=True)
class TrackerView:
    url: str
    tier: int
    status: str  # "working", "updating", "not_working" or "not_contacted"
    message: str
    seeds: int  # from the last scrape or announce, -1 unknown
    peers: int
    downloaded: int
    next_announce: int  # seconds from now, 0 unknown


@dataclass(frozen=True)
class TorrentDetails:
    """What a torrent's properties page shows beyond its list row (read from libtorrent on demand)."""

    piece_length: int
    num_pieces: int
    pieces_have: int
    comment: str
    created_by: str
    creation_date: int  # epoch seconds, 0 unknown
    private: bool
    total_size: int
    wasted: int
    connections: int
    connections_limit: int
    next_announce: int  # seconds
    last_seen_complete: int  # epoch seconds, 0 never
    active_time: int
    seeding_time: int
    save_path: str
    downloaded_session: int
    uploaded_session: int
    info_hash_v1: str
    info_hash_v2: str
    magnet: str


@dataclass(frozen=True)
class PeerView:
    ip: str
    port: int
    client: str
    flags: str  # µTorrent-style letters (D d U u O S I K ? X H E e h L P)
    progress: int  # per mille
    down_rate: int
    up_rate: int
    downloaded: int
    uploaded: int
    utp: bool
    reqs_out: int
    reqs_in: int
    hash_errors: int


@dataclass(frozen=True)
class FileSource:
    """A torrent's file for /proxy: where it is and which byte ranges are on disk."""

    path: Path
    size: int
    offset: int  # the file's offset inside the torrent
    piece_length: int
    have: tuple[bool, ...] = field(repr=False, default=())  # per piece of the torrent

    def available(self, start: int, end: int) -> bool:
        """True when bytes [start, end) of the file are downloaded."""
        if start >= end:
            return True
        first = (self.offset + start) // self.piece_length
        last = (self.offset + end - 1) // self.piece_length
        return all(self.have[first:last + 1]) and last < len(self.have)
