"""µTorrent Server's command line: -configfile, -logfile, -settingspath, -pidfile, -daemon, -usage."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

from utserver.options import Options

USAGE = """\
usage: utserver [-configfile FILE] [-settingspath DIR] [-logfile [FILE]] [-pidfile FILE] [-daemon] [-usage]

  -configfile FILE    configuration file (default: utserver.conf in the working directory
                      if present, else built-in defaults)
  -settingspath DIR   folder for settings.dat, resume data and RSS state (default: working directory)
  -logfile [FILE]     log to FILE; without FILE, to utserver.log in the working directory
                      (default: log to stderr)
  -pidfile FILE       write the process id to FILE
  -daemon             detach and run in its own process group
  -usage              print this message and exit
Keywords are case-insensitive and start with one dash.
"""

EXIT_USAGE = 2
EXIT_CONFIG = 1


class UsageError(ValueError):
    pass


# keyword -> does it take a value: True (required), None (optional), False (a flag)
_KEYWORDS = {"configfile": True, "settingspath": True, "logfile": None, "pidfile": True,
             "daemon": False, "usage": False}


def parse_args(argv: list[str]) -> Options:
    """Parse µTorrent-style arguments; UsageError names what is wrong."""
    args = Options()
    i = 0
    while i < len(argv):
        word = argv[i]
        key = word[1:].lower() if word.startswith("-") and not word.startswith("--") else None
        if key not in _KEYWORDS:
            raise UsageError(f"unknown argument {word!r}")
        takes = _KEYWORDS[key]
        value: str | None = None
        has_next = i + 1 < len(argv) and not argv[i + 1].startswith("-")
        if takes is True and not has_next:
            raise UsageError(f"-{key} needs a value")
        if takes is not False and has_next:
            value, i = argv[i + 1], i + 1
        _store(args, key, value)
        i += 1
    return args


def _store(args: Options, key: str, value: str | None) -> None:
    if key in ("daemon", "usage"):
        setattr(args, key, True)
    elif key == "logfile":
        args.logfile = Path(value or "utserver.log")
    elif value is not None:  # parse_args refuses a missing required value before this
        setattr(args, key, Path(value))


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        sys.stderr.write(f"utserver: {exc}\n{USAGE}")
        return EXIT_USAGE
    if args.usage:
        sys.stdout.write(USAGE)
        return 0
    if args.configfile is None and Path("utserver.conf").is_file():
        args.configfile = Path("utserver.conf")
    frugal_malloc()
    from utserver.server import Server, StartupError  # heavy imports only when running

    try:
        server = Server(args)
    except StartupError as exc:
        sys.stderr.write(f"utserver: {exc}\n")
        return EXIT_CONFIG
    if args.daemon:
        daemonize()
    return server.run()


def frugal_malloc() -> None:
    """glibc: one heap for all threads, and freed memory above 1 MiB handed back to the system
    (glibc otherwise keeps a finished download's freed blocks: docs/bench.md). Blocks up to
    4 MiB come from that heap: setting the trim threshold fixes the mmap threshold at 128 KiB,
    and libtorrent grows its lists of torrents by one at each add (reserve(n + 1)), so with
    100,000 torrents every add mapped, faulted in and unmapped ~800 KiB copies, 20 s of a
    restart. Called before libtorrent starts threads; elsewhere (musl) there is nothing to tune."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, 1)  # M_ARENA_MAX
        libc.mallopt(-1, 1 << 20)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def daemonize() -> None:
    """Detach: leader of a new session and process group (manual: "its own process group"),
    no controlling terminal, stdio on /dev/null. The daemon opens no terminals, so the
    second fork that would stop it re-acquiring one is not needed."""
    if os.fork():
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
