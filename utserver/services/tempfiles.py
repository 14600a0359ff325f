"""Startup cleanup of the .utt temporary files in dir_temp_files (manual, dir_temp_files)."""

from __future__ import annotations

import logging

from utserver.settings import Settings

log = logging.getLogger("utserver.services")


class TempFileCleanup:
    def __init__(self, settings: Settings):
        self.settings = settings

    def start(self) -> None:
        if not self.settings.get("dir_temp_files"):
            return  # the manual deletes them only from a folder set aside for them
        folder = self.settings.path("dir_temp_files")
        removed = 0
        for path in folder.glob("*.utt"):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
        if removed:
            log.info("removed %d temporary .utt files from %s", removed, folder)

    def stop(self) -> None:
        pass
