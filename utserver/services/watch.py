"""A folder watched every few seconds while its setting names one, and not at all otherwise.

Used by autoload (dir_autoload) and maintenance requests (dir_request): with the setting empty
the thread sleeps until the setting changes or the part stops, so an idle daemon does not wake.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("utserver.services")


class FolderWatch:
    def __init__(self, settings, setting: str, interval: float, check: Callable[[], None], name: str):
        self.settings, self.setting, self.interval, self.check = settings, setting, interval, check
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self.settings.subscribe(self._on_settings)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _on_settings(self, changed: set[str]) -> None:
        if self.setting in changed:
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.interval if self.settings.get(self.setting) else None)
            self._wake.clear()
            if self._stopping or not self.settings.get(self.setting):
                continue
            try:
                self.check()
            except Exception:  # a bad folder or a failing request must not end the watch
                log.exception("%s: checking %s failed", self._thread.name, self.setting)
