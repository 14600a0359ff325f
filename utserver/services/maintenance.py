"""Maintenance requests (manual, dir_request): files dropped in a folder ask the daemon for help.

  c.utmr     web credentials back to admin with a blank password
  wipl.utmr  clear the web UI's IP restriction list (webui.restrict)
  rcf.utmr   reload utserver.conf
  sp.utmr    shut down cleanly
Each file is deleted before its request runs, so a request happens once even if it stops the
daemon. The folder is listed once a second (one readdir: cheap enough for a router); dir_request
is read at every look, so a conf reload that changes it applies at once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from utserver.services.watch import FolderWatch

log = logging.getLogger("utserver.maintenance")

INTERVAL = 1.0


class SettingsView(Protocol):
    def get(self, name: str) -> int | bool | str: ...
    def path(self, name: str) -> Path: ...
    def set_internal(self, changes: dict) -> None: ...
    def subscribe(self, callback: Callable[[set[str]], None]) -> None: ...


class Maintenance:
    def __init__(self, settings: SettingsView, request_reload: Callable[[], None],
                 request_stop: Callable[[], None]):
        self.settings = settings
        # Request file -> (what the log says, what it does); handled in this order, the stop last.
        self.requests: dict[str, tuple[str, Callable[[], None]]] = {
            "c.utmr": ("web credentials reset to admin with a blank password",
                       lambda: settings.set_internal({"admin_name": "admin", "admin_password": ""})),
            "wipl.utmr": ("web IP restriction list cleared", lambda: settings.set_internal({"webui.restrict": ""})),
            "rcf.utmr": ("configuration reload requested", request_reload),
            "sp.utmr": ("shutdown requested", request_stop),
        }
        self._watch = FolderWatch(settings, "dir_request", INTERVAL, self.check, "maintenance")

    def start(self) -> None:
        self._watch.start()

    def stop(self) -> None:
        self._watch.stop()

    def check(self) -> None:
        """Handle the request files present now."""
        if not self.settings.get("dir_request"):
            return
        folder = self.settings.path("dir_request")
        try:
            present = set(os.listdir(folder))
        except OSError:
            return  # not created yet: nothing requested
        for name, (what, run) in self.requests.items():
            if name in present and self._take(folder / name):
                log.warning("maintenance request %s: %s", name, what)
                run()

    @staticmethod
    def _take(path: Path) -> bool:
        """Delete the request file; False if that fails (we must not act on it again and again)."""
        try:
            path.unlink()
            return True
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.error("maintenance request %s ignored: cannot delete it (%s)", path, exc.strerror)
            return False
