"""The check queue's pace. libtorrent checks one torrent at a time (active_checking), but starts
the next waiting one only at its auto-manage pass, every second or two: torrents added over their
data (cross-seeding, a moved library) were checked one per two seconds, 1,000 of them in half an
hour. So the engine starts the next one itself as each check ends, in the order they queued,
which is libtorrent's queue order too; the pass still starts any this misses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import libtorrent as lt

S = lt.torrent_status.states
CHECKING = (S.checking_resume_data, S.checking_files)  # a new torrent passes the first on its way


class CheckQueue:
    """Torrents waiting (paused and auto-managed) for their file check, oldest first."""

    def __init__(self, handle_of: Callable[[str], lt.torrent_handle | None]):
        self._handle_of = handle_of
        self._lock = threading.Lock()  # web threads queue checks while the pump ends them
        # oldest first; an OrderedDict, as a dict emptied from the front scans the holes left
        # there at each look for its first key (O(n) with 100,000 waiting)
        self._waiting: OrderedDict[str, None] = OrderedDict()

    def wait(self, info_hash: str) -> bool:
        """Queued for its check; True when nothing else checks or waits: it may start at once."""
        with self._lock:
            self._waiting.pop(info_hash, None)
            idle = self._start_next(start=False)
            self._waiting[info_hash] = None
            return idle

    def forget(self, info_hash: str) -> None:
        with self._lock:
            self._waiting.pop(info_hash, None)

    def checked(self, info_hash: str) -> None:
        """A check ended: start the first one still waiting, unless one checks already. Each
        look drops what no longer waits (checked, stopped, removed), so a pass is O(1) amortised."""
        with self._lock:
            self._waiting.pop(info_hash, None)
            self._start_next(start=True)

    def resume_next(self) -> None:
        """After libtorrent dropped alerts: a check's end may have gone unheard."""
        with self._lock:
            self._start_next(start=True)

    def _start_next(self, start: bool) -> bool:
        """Whether no check runs or waits, after starting the first waiting one if asked."""
        while self._waiting:
            first = next(iter(self._waiting))
            handle = self._handle_of(first)
            st = handle.status(0) if handle is not None and handle.is_valid() else None
            if handle is not None and st is not None and st.state in CHECKING:
                if not st.paused:
                    return False  # checking now
                if st.auto_managed:
                    if start:
                        handle.resume()  # checks at once; libtorrent counts it against active_checking
                    return False
            del self._waiting[first]
        return True
