"""The daemon's command-line options, as cli.py parses them and server.py uses them (one way:
cli builds the options and the Server; the server never imports cli)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Options:
    configfile: Path | None = None
    settingspath: Path | None = None
    logfile: Path | None = None
    pidfile: Path | None = None
    daemon: bool = False
    usage: bool = False
