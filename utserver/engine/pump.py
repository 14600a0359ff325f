"""The alert pump: one thread that waits, pops libtorrent's alerts and dispatches them through the
handler table (alerts.HANDLERS), and ticks at the pace pacing.pace() gives.

It waits on a pipe that libtorrent writes to when alerts arrive (set_alert_fd), never on
wait_for_alert: in the 2.0.x bindings that returns a pointer into the alert queue, which another
thread adding a torrent can reallocate under it (a segfault seen on Debian's 2.0.8).
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import libtorrent as lt

from utserver.engine import pacing

log = logging.getLogger("utserver.engine")

Handler = Callable[[object], None]


class AlertPump:
    def __init__(self, session: lt.session, handlers: Mapping[type, Handler],
                 subscribers: Mapping[type, list[Handler]], seen: Callable[[bool], pacing.Seen],
                 on_pace: Callable[[str], None], on_tick: Callable[[], None], on_batch: Callable[[], None]):
        self.session: Any = session  # None once the engine closed it
        self.handlers, self.subscribers = handlers, subscribers
        self._seen, self._on_pace, self._on_tick, self._on_batch = seen, on_pace, on_tick, on_batch
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alert-pump", daemon=True)
        self._read_end, self._write_end = os.pipe()
        for fd in (self._read_end, self._write_end):
            os.set_blocking(fd, False)
        session.set_alert_fd(self._write_end)
        self._dirty = True
        self._last_tick = time.monotonic()

    # --- thread control ---
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.wake()
        self._thread.join(timeout=10)

    def close(self) -> None:
        """After the session is gone: release the pipe."""
        os.close(self._read_end)
        os.close(self._write_end)

    def wake(self) -> None:
        """Something changed: refresh soon, and end a long idle wait now."""
        self._dirty = True
        try:
            os.write(self._write_end, b"w")
        except BlockingIOError:
            pass  # the pipe is full of wake-ups already

    def wait(self, seconds: float) -> None:
        """Until libtorrent (or wake) writes to the pipe, or *seconds* pass; then empty the pipe."""
        select.select([self._read_end], [], [], seconds)
        try:
            while os.read(self._read_end, 512):
                pass
        except BlockingIOError:
            pass

    def _run(self) -> None:
        while not self._stopping.is_set():
            interval, activity = pacing.pace(self._seen(self._dirty))
            self._on_pace(activity)
            self.wait(max(0.0, self._last_tick + interval - time.monotonic()))
            try:
                self.dispatch(self.session.pop_alerts())
                if time.monotonic() - self._last_tick >= interval or self._dirty:
                    self._last_tick, self._dirty = time.monotonic(), False
                    self._on_tick()
            except Exception:  # the pump must survive one bad alert or job
                log.exception("alert pump error")

    def dispatch(self, alerts) -> int:
        for alert in alerts:
            kind = type(alert)
            handler = self.handlers.get(kind)
            if handler is not None:
                handler(alert)
            for callback in self.subscribers.get(kind, ()):
                callback(alert)
        self._on_batch()  # what the handlers asked for once the batch is seen (saving.Requests.ask_soon)
        return len(alerts)
