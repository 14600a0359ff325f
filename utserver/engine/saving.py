"""Resume data saves: the torrents that moved data (each RESUME_SAVE_INTERVAL, alerts.Duties), and
every changed torrent's at shutdown, waited for."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import libtorrent as lt

from utserver.engine.table import TorrentTable

if TYPE_CHECKING:
    from utserver.engine.engine import Engine

log = logging.getLogger("utserver.engine")

SAVE_INFO = lt.save_resume_flags_t.save_info_dict


COUNTERS_SAVE_INTERVAL = 600.0  # an upload-only change (ratio, totals) waits this long: SD cards wear


class PeriodicSaves:
    """The pump's periodic save. A torrent that downloaded since the last look is saved (a crash
    loses at most one interval of progress); one that only uploaded, once per
    COUNTERS_SAVE_INTERVAL; one whose only change is its clocks (an idle seed's seeding time) is
    not: libtorrent's need_save_resume_data() is true for it, and it would write every interval.
    Commands and libtorrent's own changes (a check, metadata, a move) save at once elsewhere.
    Owned by the pump thread."""

    def __init__(self, table: TorrentTable):
        self.table = table
        # hash -> (payload downloaded, uploaded) at the last look; this session's counters,
        # which start at 0 when a torrent is loaded or resumed
        self._seen: dict[str, tuple[int, int]] = {}
        self._counters_saved = time.monotonic()

    def __call__(self) -> int:
        now = time.monotonic()
        counters_due = now - self._counters_saved >= COUNTERS_SAVE_INTERVAL
        seen: dict[str, tuple[int, int]] = {}
        count = 0
        for job in self.table.jobs():
            status = self.table.status(job.hash)
            if status is None or job.handle is None or not job.handle.is_valid():
                continue
            down, up = status.total_payload_download, status.total_payload_upload
            last_down, last_up = self._seen.get(job.hash, (0, 0))
            if down != last_down or (up != last_up and counters_due):
                job.handle.save_resume_data(SAVE_INFO)
                count += 1
                last_up = up
            seen[job.hash] = (down, last_up)
        self._seen = seen  # removed torrents drop out
        if counters_due:
            self._counters_saved = now
        return count


def save_changed(table: TorrentTable) -> int:
    """Ask libtorrent for the resume data of every torrent it says changed; the alerts write them."""
    count = 0
    for job in table.jobs():
        if job.handle is not None and job.handle.is_valid() and job.handle.need_save_resume_data():
            job.handle.save_resume_data(SAVE_INFO)
            count += 1
    return count


def save_all(engine: Engine, timeout: float) -> None:
    """At shutdown (the pump thread has stopped): save every changed torrent and wait for it."""
    pending = save_changed(engine.table)
    deadline = time.monotonic() + timeout
    while pending > 0 and time.monotonic() < deadline and engine.pump is not None:
        engine.pump.wait(0.5)
        for alert in engine.session.pop_alerts():
            if isinstance(alert, (lt.save_resume_data_alert, lt.save_resume_data_failed_alert)):
                pending -= 1
            engine.pump.dispatch([alert])
    if pending > 0:
        log.error("%d torrents' resume data not saved before the deadline", pending)
