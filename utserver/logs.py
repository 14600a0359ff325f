"""Logging to stderr or the -logfile, and the manual's logmask categories (bits 0-31)."""

from __future__ import annotations

import collections
import itertools
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# The manual's logmask bits; lines in a category are written only when its bit is set.
CATEGORIES = {
    3: "send have", 6: "hole punch", 7: "got bad piece request", 8: "trace", 9: "piece picker",
    10: "got bad cancel", 11: "got bad unchoke", 12: "got bad piece", 13: "rss", 14: "rss error",
    15: "got have", 16: "got bad have", 17: "error", 18: "aggregated", 19: "disconnect",
    20: "out connect", 21: "in connect", 22: "UPnP", 23: "UPnP error", 24: "NATPMP",
    25: "NATPMP error", 26: "metadata finish", 27: "web UI", 28: "got bad reject", 29: "pex",
    30: "peer messages", 31: "blocked connect",
}
RSS, RSS_ERROR, ERROR, UPNP, UPNP_ERROR, NATPMP, NATPMP_ERROR, METADATA, WEBUI = 13, 14, 17, 22, 23, 24, 25, 26, 27

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def category(bit: int) -> dict:
    """`extra=` for a log call in a logmask category: log.info(msg, **logs.category(logs.RSS))."""
    return {"extra": {"logmask_bit": bit}}


class _MaskFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.mask = 0

    def filter(self, record: logging.LogRecord) -> bool:
        bit = getattr(record, "logmask_bit", None)
        return bit is None or bool(self.mask >> bit & 1)


_mask_filter = _MaskFilter()
_handler: logging.Handler | None = None
_logfile: Path | None = None


def setup(logfile: Path | None) -> None:
    """Send the daemon's log to *logfile* (appending), or to stderr when None."""
    global _logfile
    _logfile = logfile
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    _install(_new_handler())
    if _ring not in root.handlers:
        root.addHandler(_ring)


def _new_handler() -> logging.Handler:
    handler: logging.Handler
    if _logfile is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        handler = logging.FileHandler(_logfile, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_mask_filter)
    return handler


def _install(handler: logging.Handler) -> None:
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    _handler = handler
    root.addHandler(handler)


def reopen() -> None:
    """SIGHUP: reopen the log file, so logrotate can move it away."""
    if _logfile is not None:
        _install(_new_handler())


def set_mask(mask: int) -> None:
    _mask_filter.mask = mask & 0xFFFFFFFF


def enabled(bit: int) -> bool:
    return bool(_mask_filter.mask >> bit & 1)


@dataclass(frozen=True)
class Entry:
    """A log line as qBittorrent's log/main lists it: type 1 normal, 2 info, 4 warning, 8 critical."""

    id: int
    message: str
    timestamp: int
    type: int


class _Ring(logging.Handler):
    """The last RING_SIZE lines (info and above), numbered, for the web APIs' log views."""

    def __init__(self, size: int) -> None:
        super().__init__(logging.INFO)
        self.entries: collections.deque[Entry] = collections.deque(maxlen=size)
        self._ids = itertools.count()
        self._ring_lock = threading.Lock()
        self.addFilter(_mask_filter)

    def emit(self, record: logging.LogRecord) -> None:
        kind = 8 if record.levelno >= logging.ERROR else 4 if record.levelno >= logging.WARNING else 1
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        with self._ring_lock:
            self.entries.append(Entry(next(self._ids), message, int(record.created or time.time()), kind))

    def newer_than(self, after_id: int) -> list[Entry]:
        with self._ring_lock:
            return [entry for entry in self.entries if entry.id > after_id]


RING_SIZE = 1000
_ring = _Ring(RING_SIZE)


def recent(after_id: int = -1) -> list[Entry]:
    """The remembered lines newer than *after_id* (-1: all)."""
    return _ring.newer_than(after_id)
