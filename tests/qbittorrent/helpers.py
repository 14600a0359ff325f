"""Torrents for the /api/v2 tests: made on the spot, added through torrents/add, read back."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from tests.api.support import Made, make_torrent
from tests.qbittorrent.support import Qbt
from tests.support.daemon import wait_for

_serial = itertools.count()


def made(folder: Path, files: dict[str, bytes] | None = None, name: str = "") -> Made:
    """A fresh torrent (unique name, random content); `files` with folders makes a multi-file one."""
    name = name or f"item{next(_serial)}.bin"
    return make_torrent(folder / f"src{next(_serial)}", name, files or {name: os.urandom(50_000)})


def add(qbt: Qbt, torrent: Made, **fields: str) -> None:
    reply = qbt.post("torrents/add", files=[("torrents", "x.torrent", torrent.data)], **fields)
    assert reply == "Ok.", reply


def info(qbt: Qbt, torrent: Made) -> dict:
    rows = qbt.get("torrents/info", hashes=torrent.info_hash.lower())
    assert len(rows) == 1, rows
    return rows[0]


def wait_info(qbt: Qbt, torrent: Made, check, what: str, timeout: float = 30) -> dict:
    found: list[dict] = []

    def ready() -> bool:
        found[:] = [info(qbt, torrent)]
        return bool(check(found[0]))
    try:
        wait_for(ready, timeout=timeout, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last row: {found}") from None
    return found[0]


def add_complete(qbt: Qbt, torrent: Made, **fields: str) -> dict:
    """Added over its own data with skip_checking: a finished torrent at once."""
    add(qbt, torrent, savepath=str(torrent.folder), skip_checking="true", **fields)
    return wait_info(qbt, torrent, lambda row: row["progress"] == 1, "the torrent to be complete")
