"""The queue's one rule: how many torrents it runs (max_active_torrent) and how many of them may
download (max_active_downloads); -1 is no limit. Used at add, at Start and while restoring."""

from __future__ import annotations


class QueueRoom:
    """Free slots, counted down as torrents take them."""

    def __init__(self, total: int, downloads: int):
        self.total, self.downloads = total, downloads

    @classmethod
    def now(cls, total: int, downloads: int, running: int, downloading: int) -> QueueRoom:
        """The room left beside the torrents the queue runs (*downloading* of them download)."""
        return cls(total if total < 0 else max(total - running, 0),
                   downloads if downloads < 0 else max(downloads - downloading, 0))

    def take(self, downloading: bool) -> bool:
        """Whether one more torrent may run now; if so its slot is taken."""
        if self.total == 0 or (downloading and self.downloads == 0):
            return False
        self.total -= 1 if self.total > 0 else 0
        if downloading and self.downloads > 0:
            self.downloads -= 1
        return True
