"""settings.dat: the persisted (FIRST_RUN) settings, bencoded, written atomically."""

from __future__ import annotations

import logging
from pathlib import Path

from utserver import storage
from utserver.settings import values
from utserver.settings.catalog import BY_NAME

log = logging.getLogger("utserver.settings")

FILENAME = "settings.dat"


class SettingsStore:
    def __init__(self, folder: Path):
        self.path = folder / FILENAME

    def exists(self) -> bool:
        return self.path.exists() or self.path.with_name(FILENAME + ".old").exists()

    def load(self) -> dict[str, int | bool | str] | None:
        """The stored settings; None when there is no usable settings.dat (nor .old)."""
        if not self.exists():
            return None
        raw = storage.read_with_fallback(self.path, storage.bdecode_dict)
        if raw is None:
            log.error("%s and its previous copy are unusable: starting from defaults", self.path)
            return None
        return _typed(raw, self.path)

    def save(self, settings: dict[str, int | bool | str]) -> None:
        storage.write_atomic(self.path, storage.bencode(settings))


def _typed(raw: dict, path: Path) -> dict[str, int | bool | str]:
    """Keep the known, well-typed, in-range entries of a decoded settings.dat; the others are
    skipped with a log line (a value stored by an older build must never stop the daemon)."""
    typed: dict[str, int | bool | str] = {}
    for name, value in raw.items():
        setting = BY_NAME.get(name)
        if setting is None or not setting.persisted:
            continue
        try:
            if not isinstance(value, (int, str)):
                raise ValueError(f"{name}: a {type(value).__name__} where a value belongs")
            typed[name] = values.parse(setting, str(value))
        except ValueError as exc:
            log.error("%s: setting %s skipped, the default kept: %s", path, name, exc)
    return typed
