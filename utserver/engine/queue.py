"""The queue's one rule: how many torrents it runs (max_active_torrent) and how many of them may
download (max_active_downloads); -1 is no limit. Used at add, at Start and while restoring."""

from __future__ import annotations

from collections.abc import Iterable


class QueueRoom:
    """Free slots, counted down as torrents take them."""

    def __init__(self, total: int, downloads: int):
        self.total, self.downloads = total, downloads

    @classmethod
    def now(cls, total: int, downloads: int, running: Iterable[bool]) -> QueueRoom:
        """The room left beside the torrents the queue runs (each True when it downloads)."""
        room = cls(total, downloads)
        if total < 0 and downloads < 0:
            return room  # no limits: nothing to count (a scan of every torrent at each add)
        for downloading in running:
            room.total -= 1 if room.total > 0 else 0
            room.downloads -= 1 if downloading and room.downloads > 0 else 0
            if room.total == 0:
                break
        return room

    def take(self, downloading: bool) -> bool:
        """Whether one more torrent may run now; if so its slot is taken."""
        if self.total == 0 or (downloading and self.downloads == 0):
            return False
        self.total -= 1 if self.total > 0 else 0
        if downloading and self.downloads > 0:
            self.downloads -= 1
        return True
