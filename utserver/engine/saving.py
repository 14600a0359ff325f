"""Resume data saves: the changed torrents' (each RESUME_SAVE_INTERVAL, alerts.Duties), and every
changed torrent's at shutdown, waited for."""

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
