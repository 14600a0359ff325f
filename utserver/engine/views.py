"""Plain, immutable views of the engine's data: what the web API and RSS read.

They carry µTorrent's meanings (STATUS bits, per-mille progress, KiB-free
units are the web part's business) but not its wire order: web/rows.py alone
knows field positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# µTorrent STATUS bits (manual, "Torrent/labels/RSS/Filters List").
STARTED, CHECKING, START_AFTER_CHECK, CHECKED, ERROR, PAUSED, QUEUED, LOADED = 1, 2, 4, 8, 16, 32, 64, 128


@dataclass(frozen=True)
class AddOptions:
    """Where and how a new torrent goes (API add-* parameters, RSS filters, autoload)."""

    download_dir: int = 0  # 0 = default; N = the Nth dir_download entry
    sub_path: str = ""  # relative to the download dir; never escapes it
    save_path: str | None = None  # an absolute folder (RSS filter "save in"); overrides download_dir
    label: str = ""
    stopped: bool = False
    rss_feed_url: str = ""
    queue_top: bool = False  # first in the download queue (an RSS filter's "prio")


@dataclass(frozen=True)
class TorrentView:
    """One torrent as a list row needs it. Equal views mean an unchanged row."""

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
    state: int  # the manual's state_cmd code (1 error ... 13 stopped)


@dataclass(frozen=True)
class FileView:
    name: str  # path inside the torrent
    size: int
    downloaded: int
    priority: int  # 0 skip, 1 low, 2 normal, 3 high
    first_piece: int
    num_pieces: int


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
