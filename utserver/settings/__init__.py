"""Configuration: the catalog, utserver.conf and settings.dat combined into one Settings object."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from utserver.settings import commands, values
from utserver.settings.catalog import BY_NAME, CATALOG, FIRST_RUN, Applies, Kind, Setting
from utserver.settings.conffile import ConfError, ConfFile, load_conf, parse_conf
from utserver.settings.password import hash_password
from utserver.settings.store import SettingsStore

__all__ = ["Settings", "SettingError", "ConfError", "ConfFile", "load_conf", "parse_conf",
           "CATALOG", "BY_NAME", "Kind", "Setting", "Applies"]

log = logging.getLogger("utserver.settings")

Value = int | bool | str

# Directories that dir_root makes relative to it (manual, dir_root).
_UNDER_ROOT = ("dir_active", "dir_completed", "dir_torrent_files")
# An empty directory setting means "use this other one" (manual).
_FALLBACK = {"dir_completed": "dir_active", "dir_torrent_files": "dir_active",
             "dir_temp_files": "dir_active"}


class SettingError(ValueError):
    """A setting change refused through the API; the message says why."""


class Settings:
    """The live values of every catalog setting; parts subscribe to changes."""

    def __init__(self, conf: ConfFile, settings_path: Path, cwd: Path | None = None):
        self.settings_path = settings_path
        self.cwd = cwd or Path.cwd()
        self._store = SettingsStore(settings_path)
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[set[str]], None]] = []
        self._values: dict[str, Value] = {s.name: s.default for s in CATALOG if not s.repeatable}
        self._conf = conf
        # path()'s answers until a setting changes: each add asked three times, and resolving
        # (an lstat per component) was a sixth of an add's cost
        self._paths: dict[str, Path] = {}
        stored = self._store.load()
        for setting in CATALOG:
            if setting.repeatable or setting.name in _DERIVE:
                continue
            if setting.persisted and stored is not None:
                self._values[setting.name] = stored.get(setting.name, setting.default)
            elif setting.name in conf.values:
                self._values[setting.name] = conf.values[setting.name]
        self._values["admin_password"] = hash_password(str(self._values["admin_password"]))
        if stored is None or stored != self._persisted():
            self._store.save(self._persisted())
        for name in commands.COMMANDS:
            commands.warn_if_unsafe(name, str(self._values[name]), "in effect at start")

    # --- reading ---
    def get(self, name: str) -> Value:
        derive = _DERIVE.get(name)
        if derive is not None:
            return derive(self)
        return self._values[name]

    def items(self) -> Iterable[tuple[Setting, Value]]:
        for setting in CATALOG:
            if not setting.repeatable:
                yield setting, self.get(setting.name)

    @property
    def dir_download(self) -> list[Path]:
        """The conf's dir_download entries, in order (download_dir=1 is the first)."""
        return [self._resolve(entry) for entry in self._conf.dir_download]

    def path(self, name: str) -> Path:
        """A directory setting resolved: dir_root, the working directory and fallbacks applied."""
        path = self._paths.get(name)
        if path is None:
            path = self._paths[name] = self._path(name)
        return path

    def _path(self, name: str) -> Path:
        value = str(self.get(name))
        if not value and name in _FALLBACK:
            return self._path(_FALLBACK[name])
        if not value and name == "ut_webui_dir":
            return self.settings_path
        root = str(self.get("dir_root")) if name in _UNDER_ROOT else ""
        return self._resolve(value, root)

    def _resolve(self, value: str, root: str = "") -> Path:
        base = self._resolve(root) if root else self.cwd
        return (base / value).resolve() if value else base

    # --- changing ---
    def subscribe(self, callback: Callable[[set[str]], None]) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[set[str]], None]) -> None:
        if callback in self._subscribers:  # bound methods compare equal by (self, function)
            self._subscribers.remove(callback)

    def set_from_api(self, pairs: list[tuple[str, str]]) -> None:
        """Validate every pair, then apply them all (or none) and save settings.dat."""
        typed = [(name, self._parse_api(name, text)) for name, text in pairs]
        for name, value in typed:
            if name in commands.COMMANDS:
                commands.warn_if_unsafe(name, str(value), "setsetting")
        with self._lock:
            changed = {name for name, value in typed if self._values.get(name) != value}
            self._values.update(typed)
            self._store.save(self._persisted())
        self._notify(changed)

    def _parse_api(self, name: str, text: str) -> Value:
        setting = BY_NAME.get(name)
        if setting is None:
            raise SettingError(f"unknown setting {name!r}")
        if setting.api not in ("Y", "W") or name in _DERIVE:
            raise SettingError(f"{name} cannot be changed through the API: set it in utserver.conf")
        try:
            value = values.parse(setting, text)
        except ValueError as exc:
            raise SettingError(str(exc)) from None
        return hash_password(str(value)) if setting.secret else value

    def set_internal(self, changes: dict[str, Value]) -> None:
        """Changes made by the daemon itself (maintenance requests): saved and announced."""
        with self._lock:
            changes = {k: hash_password(str(v)) if BY_NAME[k].secret else v for k, v in changes.items()}
            self._values.update(changes)
            self._store.save(self._persisted())
        self._notify(set(changes))

    def reload(self, conf: ConfFile) -> set[str]:
        """Apply a re-read conf: only the settings that always apply from it change."""
        with self._lock:
            changed = {"dir_download"} if conf.dir_download != self._conf.dir_download else set()
            self._conf = conf
            for setting in CATALOG:
                if setting.applies is not Applies.ALWAYS or setting.repeatable or setting.name in _DERIVE:
                    continue
                value = conf.values.get(setting.name, setting.default)
                if self._values[setting.name] != value:
                    self._values[setting.name] = value
                    changed.add(setting.name)
        self._notify(changed)
        return changed

    def _notify(self, changed: set[str]) -> None:
        if not changed:
            return
        self._paths = {}
        log.info("settings changed: %s", ", ".join(sorted(changed - {"admin_password"}) or ["password"]))
        for callback in list(self._subscribers):
            try:
                callback(changed)
            except Exception:  # one part's failure must not stop the others hearing of the change
                log.exception("applying settings %s failed", sorted(changed))

    def _persisted(self) -> dict[str, Value]:
        return {s.name: self._values[s.name] for s in CATALOG if s.applies is FIRST_RUN and s.name not in _DERIVE}


# Read-only settings real clients read, derived from others at read time
# (docs/reference/utorrent-clients.md#settings-clients-read).
_DERIVE: dict[str, Callable[[Settings], Value]] = {
    "dir_active_download": lambda s: str(s.path("dir_active")),
    "dir_completed_download": lambda s: str(s.path("dir_completed")),
    "dir_completed_download_flag": lambda s: bool(s.get("dir_completed")),
    "webui.uconnect_enable": lambda s: bool(s.get("uconnect_enable")),
    "dir_torrent_files_flag": lambda s: bool(s.get("dir_torrent_files")),
    "webui.port": lambda s: int(s.get("ut_webui_port")),
    "webui.enable_listen": lambda s: True,
    "webui.enable": lambda s: True,
}
