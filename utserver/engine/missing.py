"""A torrent whose data is gone at start: most often its disk is not mounted yet (a USB disk on a
router mounts after the daemon starts). Started, libtorrent would download it again into the
empty mount point, so the torrent waits in the error state, and resumes once its data is back."""

from __future__ import annotations

import libtorrent as lt

from utserver.engine import disk
from utserver.engine.jobs import STOPPED, Job

PREFIX = "the data is missing from "


def is_missing(job: Job) -> bool:
    return job.error.startswith(PREFIX)


def check(job: Job, info: lt.torrent_info | None, renamed: dict[int, str]) -> None:
    """At start: set the error on a torrent that had data and has none now, clear it once the
    data is back. A stopped torrent writes nothing: it is left as it is."""
    if job.mode == STOPPED or job.paused or info is None:
        return
    if job.progress > 0 and not disk.has_data(info, job.active_dir, renamed):
        job.error = f"{PREFIX}{job.active_dir}: is its disk mounted?"
    elif is_missing(job):
        job.error = ""


def still_missing(job: Job) -> bool:
    """For a torrent in this error state: whether its data is still gone."""
    return is_missing(job) and not disk.has_data(job.handle.torrent_file(), job.active_dir, {})
