"""getxferhist: daily payload totals, kept for 31 days, persisted atomically."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from utserver import storage

log = logging.getLogger("utserver.engine")

DAYS = 31


def _today() -> int:
    return datetime.date.today().toordinal()


class TransferHistory:
    def __init__(self, path: Path):
        self.path = path
        stored = storage.read_with_fallback(path, storage.bdecode_dict) or {}
        self.days: dict[int, list[int]] = {int(k): list(v) for k, v in stored.get("days", {}).items()}
        self.start_time = int(stored.get("start_time", 0)) or int(datetime.datetime.now().timestamp())
        self.dirty = False

    def add(self, downloaded: int, uploaded: int) -> None:
        if downloaded <= 0 and uploaded <= 0:
            return
        day = self.days.setdefault(_today(), [0, 0])
        day[0] += max(downloaded, 0)
        day[1] += max(uploaded, 0)
        self.dirty = True

    def as_api(self) -> dict:
        today = _today()
        down = [self.days.get(today - i, [0, 0])[0] for i in range(DAYS)]
        up = [self.days.get(today - i, [0, 0])[1] for i in range(DAYS)]
        return {"transfer_history": {"daily_download": down, "daily_upload": up,
                                     "daily_local_download": [0] * DAYS, "daily_local_upload": [0] * DAYS,
                                     "start_time": self.start_time}}

    def reset(self) -> None:
        self.days = {}
        self.start_time = int(datetime.datetime.now().timestamp())
        self.dirty = True
        self.save()

    def save(self) -> None:
        """Write only when something changed: an idle daemon writes nothing."""
        if not self.dirty:
            return
        oldest = _today() - DAYS
        self.days = {d: v for d, v in self.days.items() if d > oldest}
        storage.write_atomic(self.path, storage.bencode(
            {"days": {str(d): v for d, v in self.days.items()}, "start_time": self.start_time}))
        self.dirty = False
