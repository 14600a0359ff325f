"""The autoload folder (dir_autoload): .torrent files dropped there are added.

A loaded file is deleted (dir_autoload_delete) or renamed NAME.loaded; a file
that is not a valid torrent is renamed NAME.bad with a logged error, so it is
never retried. The folder is looked at every POLL seconds, and only listed when
its modification time changed; a file younger than SETTLE seconds may still be
being written and waits for the next look.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from utserver.engine import AddError, AddOptions, Engine
from utserver.services.watch import FolderWatch
from utserver.settings import Settings

log = logging.getLogger("utserver.services")

POLL = 2.0
SETTLE = 1.0


class Autoload:
    def __init__(self, settings: Settings, engine: Engine):
        self.settings = settings
        self.engine = engine
        self._watch = FolderWatch(settings, "dir_autoload", POLL, self._check, "autoload")
        self._seen_mtime = 0.0

    def start(self) -> None:
        self._watch.start()

    def stop(self) -> None:
        self._watch.stop()

    def _check(self) -> None:
        try:
            self.scan(self.settings.path("dir_autoload"))
        except OSError as exc:
            log.error("autoload folder: %s", exc)

    def scan(self, folder: Path) -> None:
        if not folder.is_dir():
            return
        mtime = folder.stat().st_mtime
        if mtime == self._seen_mtime:
            return
        pending = False
        for path in sorted(folder.glob("*.torrent")):
            if time.time() - path.stat().st_mtime < SETTLE:
                pending = True  # still being written: look again next time
                continue
            self._load(path)
        self._seen_mtime = 0.0 if pending else mtime

    def _load(self, path: Path) -> None:
        try:
            info_hash = self.engine.add_bytes(path.read_bytes(), AddOptions())
        except AddError as exc:
            log.error("autoload: %s is not a usable torrent (%s): renamed to %s.bad", path.name, exc, path.name)
            path.rename(path.with_name(path.name + ".bad"))
            return
        log.info("autoload: added %s (%s)", path.name, info_hash)
        if self.settings.get("dir_autoload_delete"):
            path.unlink()
        else:
            path.rename(path.with_name(path.name + ".loaded"))
