"""Transfer accounting: payload moved since the last status, into the daily history
(getxferhist) and the session's totals."""

from __future__ import annotations

import time

import libtorrent as lt

from utserver.engine.history import TransferHistory
from utserver.engine.jobs import Job


class Accounting:
    def __init__(self, history: TransferHistory):
        self.history = history
        self.started_at = int(time.time())
        self.downloaded = self.uploaded = 0  # payload since this daemon started
        self._counted: dict[str, tuple[int, int]] = {}  # per torrent: totals already counted

    def baseline(self, info_hash: str, st: lt.torrent_status) -> None:
        """A torrent joins: what it moved in earlier runs was counted then."""
        self._counted[info_hash] = (st.all_time_download, st.all_time_upload)

    def forget(self, info_hash: str) -> None:
        self._counted.pop(info_hash, None)

    def follow(self, job: Job, st: lt.torrent_status, _before: lt.torrent_status | None) -> None:
        """A status policy (table.update): count what moved since the torrent's last status."""
        down, up = self._counted.get(job.hash, (st.all_time_download, st.all_time_upload))
        moved_down, moved_up = max(st.all_time_download - down, 0), max(st.all_time_upload - up, 0)
        self.history.add(moved_down, moved_up)
        self.downloaded += moved_down
        self.uploaded += moved_up
        self._counted[job.hash] = (st.all_time_download, st.all_time_upload)
