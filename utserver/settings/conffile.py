"""utserver.conf: `name: value` lines, `#` comments, blank lines (manual, "Configuration File")."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from utserver.settings import values
from utserver.settings.catalog import BY_NAME

log = logging.getLogger("utserver.settings")


class ConfError(ValueError):
    """A line of the conf file that cannot be used; the message names the file and line."""


@dataclass
class ConfFile:
    path: Path | None
    values: dict[str, int | bool | str] = field(default_factory=dict)
    dir_download: list[str] = field(default_factory=list)


def parse_conf(text: str, path: Path | None = None) -> ConfFile:
    """Parse conf *text*; raises ConfError for a malformed line or a value of the wrong type."""
    conf = ConfFile(path)
    where = str(path) if path else "<built-in defaults>"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name:
            raise ConfError(f"{where}:{number}: expected 'name: value', got {raw.strip()!r}")
        setting = BY_NAME.get(name)
        if setting is None:
            log.warning("%s:%d: unknown setting %r ignored", where, number, name)
            continue
        try:
            typed = values.parse(setting, value)
        except ValueError as exc:
            raise ConfError(f"{where}:{number}: {exc}") from None
        if setting.repeatable:
            if typed:
                conf.dir_download.append(str(typed))
        else:
            conf.values[name] = typed
    return conf


def load_conf(path: Path | None) -> ConfFile:
    """Read the conf file at *path* (None: built-in defaults only)."""
    if path is None:
        return ConfFile(None)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfError(f"{path}: cannot read the configuration file: {exc.strerror}") from None
    return parse_conf(text, path)
