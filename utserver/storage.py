"""Atomic, fsynced state files (settings.dat, resume data, RSS state).

A power cut at any moment leaves either the new file or the previous one:
the data goes to a temp file in the same folder, is fsynced, the current file
is hard-linked as NAME.old, the temp file is renamed over NAME and the folder
fsynced.
Readers fall back to NAME.old when NAME is missing or unreadable.
"""

from __future__ import annotations

import ctypes
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import libtorrent as lt

log = logging.getLogger("utserver.storage")

PRIVATE_FILE = 0o600  # internal files ignore the umask (manual, "Environment")
PRIVATE_DIR = 0o700

T = TypeVar("T")


# One writer per path: a path hashes to one of these locks. A lock per path, kept for ever, cost
# 1.7 KiB per torrent (docs/bench.md); two files sharing a stripe only wait for each other.
_LOCKS = tuple(threading.Lock() for _ in range(64))


def _lock_for(path: str) -> threading.Lock:
    return _LOCKS[hash(path) % len(_LOCKS)]


def write_atomic(path: str | os.PathLike, data: bytes, mode: int = PRIVATE_FILE, keep_old: bool = True) -> None:
    """Replace *path* with *data* so that a crash never leaves a torn file.

    One writer per path at a time, and each write has its own temp file: two threads saving the
    same file (40 parallel resetxferhist) once shared one temp name and renamed a half-written file."""
    path = Path(path)
    with _lock_for(str(path.absolute())):
        fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.", suffix=".tmp", dir=path.parent)
        try:
            _write_all(fd, data, mode)
            if keep_old:
                _keep_old(path)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    _fsync_dir(path.parent)


def _short(name: str) -> str:
    """At most 96 bytes of *name* for a temp name: a 255-byte name must stay writable."""
    return name.encode("utf-8", "surrogateescape")[:96].decode("utf-8", "ignore")


def _keep_old(path: Path) -> None:
    """The current file as NAME.old: a hard link, not a rename, so NAME exists at every instant."""
    if path.exists():
        old = path.with_name(path.name + ".old")
        old.unlink(missing_ok=True)
        os.link(path, old)


def _write_all(fd: int, data: bytes, mode: int, sync: bool = True) -> None:
    try:
        os.fchmod(fd, mode)  # mkstemp makes 0600; internal files may ask for another mode
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


class WriteGroup:
    """Many files replaced as `write_atomic` does, made durable together: each file's data goes
    to its own temp file unsynced; `commit()` syncs the file system once, then replaces each file
    (NAME.old linked first) and syncs each folder once. A crash before the renames leaves every old
    file; after a rename, that file's new data is on disk. The shutdown's resume saves: thousands of
    files for one sync instead of two fsyncs each. The caller is the paths' only writer until
    `commit()`; every `limit` files are committed as they come, to bound the temp files."""

    def __init__(self, limit: int = 1000):
        self._limit = limit
        self._pending: list[tuple[str, Path]] = []  # (temp file, its target)

    def write(self, path: str | os.PathLike, data: bytes, mode: int = PRIVATE_FILE) -> None:
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.", suffix=".tmp", dir=path.parent)
        try:
            _write_all(fd, data, mode, sync=False)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._pending.append((tmp, path))
        if len(self._pending) >= self._limit:
            self.commit()

    def commit(self) -> None:
        pending, self._pending = self._pending, []
        folders = {path.parent for _, path in pending}
        for folder in folders:
            _sync_filesystem(folder)
        for tmp, path in pending:
            with _lock_for(str(path.absolute())):
                _keep_old(path)
                os.replace(tmp, path)
        for folder in folders:
            _fsync_dir(folder)


_SYNCFS = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)  # glibc and musl have it


def _sync_filesystem(folder: Path) -> None:
    """syncfs(2) of the file system holding *folder*: its dirty data, not every disk's."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _SYNCFS is None or _SYNCFS(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_with_fallback(path: str | os.PathLike, parse: Callable[[bytes], T]) -> T | None:
    """Parse *path*, else its .old copy; None when neither is usable (each failure is logged)."""
    path = os.fspath(path)  # a str, not a Path: a restore reads 100,000 (~10 µs each)
    for candidate in (path, path + ".old"):
        try:
            with open(candidate, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.error("cannot read %s: %s", candidate, exc)
            continue
        try:
            return parse(data)
        except Exception as exc:  # any parse failure means "corrupt": try the older copy
            log.error("%s is corrupt (%s); trying the previous copy", candidate, exc)
    return None


def bencode(value: object) -> bytes:
    """Bencode our own state: dicts, lists, ints, bools and str (stored as UTF-8)."""
    return lt.bencode(_to_bytes(value))


def bdecode_dict(data: bytes) -> dict:
    """Decode a bencoded dictionary of our own state, strings back to str; ValueError if corrupt."""
    try:
        value = lt.bdecode(data) if data else None
    except RuntimeError as exc:  # libtorrent 2.1 raises, 2.0 returns None
        raise ValueError(str(exc)) from None
    return text_dict(value)


def text_dict(value: Any) -> dict:
    """A dictionary libtorrent decoded, its strings back to str; ValueError if it is none."""
    if not isinstance(value, dict):
        raise ValueError("not a bencoded dictionary")
    return _to_str(value)


def _to_bytes(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict):
        return {_to_bytes(k): _to_bytes(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_bytes(v) for v in value]
    return value


def _to_str(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, dict):
        return {_to_str(k): _to_str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_str(v) for v in value]
    return value


def make_private_dir(path: str | os.PathLike) -> Path:
    """Create *path* (and parents) private to the daemon's user; an existing folder is left as is."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)
    return path
