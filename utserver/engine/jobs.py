"""Job records: what µTorrent keeps per torrent beyond libtorrent.

libtorrent cannot tell a µTorrent Stop from a Pause (libtorrent-notes §0.6),
so the user's intent lives here: `mode` is stopped / queued / forced, and
`paused` is µTorrent's Pause on top of it.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import libtorrent as lt

STOPPED, QUEUED, FORCED = "stopped", "queued", "forced"

# µTorrent file priority 0-3 <-> libtorrent 0-7 (libtorrent-notes §1).
UT_TO_LT_PRIORITY = {0: 0, 1: 1, 2: 4, 3: 7}


def lt_to_ut_priority(value: int) -> int:
    return 0 if value == 0 else 1 if value <= 3 else 2 if value == 4 else 3


@dataclass
class Job:
    hash: str
    name: str
    active_dir: str  # where libtorrent writes while downloading
    final_dir: str  # where the data belongs once complete
    added_on: int = field(default_factory=lambda: int(time.time()))
    completed_on: int = 0
    label: str = ""
    mode: str = QUEUED
    paused: bool = False
    torrent_file: str = ""
    download_url: str = ""
    rss_feed_url: str = ""
    error: str = ""  # a failed move, kept until the next successful one
    # µTorrent per-torrent props (getprops/setprops)
    ulrate: int = 0  # bytes/s, 0 unlimited
    dlrate: int = 0
    ulslots: int = 0  # 0 = the global ul_slots_per_torrent
    seed_override: bool = False
    seed_ratio: int = 0  # per mille; used when seed_override
    seed_time: int = 0  # seconds; used when seed_override
    pex: bool = True  # the torrent's own switch; PEX runs when this and the global pex are on
    finished_once: bool = False  # finish_cmd runs once per completion
    last_state: int = 0  # the manual's state code last reported to state_cmd
    progress: int = 0  # per mille as last shown: stands in while resume data is being checked
    wanted_done: int = 0  # bytes, likewise

    handle: lt.torrent_handle | None = field(default=None, compare=False, repr=False)

    def record(self) -> dict:
        """The persisted form (stored beside libtorrent's resume data)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "handle"}

    @classmethod
    def from_record(cls, data: dict) -> "Job":
        known = {f.name for f in dataclasses.fields(cls)} - {"handle"}
        return cls(**{k: v for k, v in data.items() if k in known})
