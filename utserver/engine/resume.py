"""Fast resume: one file per torrent in SETTINGS/resume/, written atomically.

The file is libtorrent's own resume data (with the info dict, so the torrent needs nothing else)
plus our job record: libtorrent's read_resume_data ignores keys it does not know, so one file
serves both. The record comes first, under "_utserver" (sorted before libtorrent's lower-case
keys), as a bencoded string holding the bencoded record: found at a fixed place and cut out by
its length, so neither a restore nor a save decodes libtorrent's part in Python (~20 µs each,
2 s of a restore of 100,000). Files written before 2026-12-07 hold the record as a dictionary
under "utserver"; they are read, and rewritten in this form at their next save.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import libtorrent as lt

from utserver import storage
from utserver.engine.jobs import Job

log = logging.getLogger("utserver.engine")

_HEAD = b"d9:_utserver"  # a file starts with it, then <length>:<bencoded record>
_OLD_KEY = b"utserver"
SUFFIX = ".resume"
# What the last close knew beyond the files: the clocks of the torrents whose file it did not
# rewrite, and the download queue's order (libtorrent's resume data holds no queue position)
CLOSE = "close.dat"


class ResumeStore:
    def __init__(self, folder: Path):
        self.folder = storage.make_private_dir(folder)
        # commands (web threads) write job records while the pump writes libtorrent's resume
        # data: one writer at a time, so a record never overwrites fresher resume data half-way
        self._lock = threading.Lock()
        self._group: storage.WriteGroup | None = None  # set while `grouped()` runs

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """The shutdown's saves, made durable together at the end (storage.WriteGroup): with
        thousands of torrents, two fsyncs each outlasted the shutdown's deadline."""
        self._group = storage.WriteGroup()
        try:
            yield
        finally:
            with self._lock:
                self._commit_group()
                self._group = None

    def _commit_group(self) -> None:
        """Make the grouped writes durable now (under the lock): a record rewrite reads the file,
        and a removal must not be undone by a pending rename."""
        if self._group is not None:
            self._group.commit()

    def _write(self, path: Path, data: bytes) -> None:
        if self._group is not None:
            self._group.write(path, data)
        else:
            storage.write_atomic(path, data)

    def path(self, info_hash: str) -> Path:
        return self.folder / f"{info_hash}{SUFFIX}"

    def save(self, job: Job, params: lt.add_torrent_params) -> None:
        state = lt.write_resume_data_buf(params)
        with self._lock:  # the record read under the lock: a command's newer record is never undone
            self._write(self.path(job.hash), _file(job, state))

    def save_record(self, job: Job) -> None:
        """Rewrite the job record in its stored file (durable now; libtorrent's part follows)."""
        path = self.path(job.hash)
        with self._lock:
            self._commit_group()
            try:
                state = _libtorrent_part(path.read_bytes())
            except (OSError, RuntimeError, ValueError):
                return  # not written yet (the add writes the whole file) or removed
            storage.write_atomic(path, _file(job, state))

    def remove(self, info_hash: str) -> None:
        with self._lock:
            self._remove(info_hash)

    def _remove(self, info_hash: str) -> None:
        self._commit_group()
        for path in (self.path(info_hash), self.path(info_hash).with_name(f"{info_hash}{SUFFIX}.old")):
            path.unlink(missing_ok=True)

    def save_close(self, clocks: dict[bytes, Any], queue: list[bytes]) -> None:
        """At close: hash -> [added_on, active, finished, seeding seconds] of the torrents whose
        only change since their file was written is their clocks (one file, not one per idle
        seed: 100,000 files took 50 s, past the close's deadline), and the queue's hashes in
        order."""
        state: Any = {b"clocks": clocks, b"queue": queue}
        storage.write_atomic(self.folder / CLOSE, lt.bencode(state))

    def load_all(self) -> Iterator[tuple[Job, lt.add_torrent_params]]:
        """Every stored torrent, one at a time (a list of 100,000 held every torrent's metadata at
        once), in the queue's order and then by name: libtorrent queues them as they are added.
        A corrupt file falls back to its .old copy, else is skipped (logged)."""
        clocks, queue = self._close_state()
        rank = {info_hash: place for place, info_hash in enumerate(queue)}
        paths = [entry.path for entry in os.scandir(self.folder) if entry.name.endswith(SUFFIX)]
        paths.sort(key=lambda path: (rank.get(os.path.basename(path)[:-len(SUFFIX)].encode(), len(rank)), path))
        for path in paths:
            item = storage.read_with_fallback(path, _parse)
            if item is None:
                log.error("resume file %s is unusable: that torrent must be added again", os.path.basename(path))
                continue
            _wind(item, clocks.get(item[0].hash.encode()))
            yield item

    def _close_state(self) -> tuple[dict[bytes, Any], list[bytes]]:
        try:
            state: Any = lt.bdecode((self.folder / CLOSE).read_bytes())
        except FileNotFoundError:
            return {}, []
        except (OSError, RuntimeError) as exc:
            state = exc
        clocks, queue = (state.get(b"clocks"), state.get(b"queue")) if isinstance(state, dict) else (None, None)
        if not (isinstance(clocks, dict) and isinstance(queue, list)):
            log.warning("%s is unusable (%s): clocks go back to each torrent's last save, the queue to "
                        "the order of names", CLOSE, state if isinstance(state, Exception) else "not ours")
            return {}, []
        return clocks, queue


def _wind(item: tuple[Job, lt.add_torrent_params], clock: Any) -> None:
    """A torrent's clocks from the last close, where they are ahead of its file's (clocks only
    go forward; one that was removed and added again since has another added_on)."""
    job, params = item
    if not (isinstance(clock, list) and len(clock) == 4 and clock[0] == job.added_on):
        return
    params.active_time = max(params.active_time, int(clock[1]))
    params.finished_time = max(params.finished_time, int(clock[2]))
    params.seeding_time = max(params.seeding_time, int(clock[3]))


def _file(job: Job, state: bytes) -> bytes:
    """The stored form: our record first, then libtorrent's resume data (a dictionary, b"d...e")."""
    record = storage.bencode(job.record())
    return b"%s%d:%s%s" % (_HEAD, len(record), record, state[1:])


def _split(data: bytes) -> tuple[bytes, int]:
    """(the bencoded record, where libtorrent's keys start) of a file in today's form."""
    colon = data.index(b":", len(_HEAD), len(_HEAD) + 12)
    start = colon + 1
    end = start + int(data[len(_HEAD):colon])
    if end > len(data):
        raise ValueError("the record runs past the end of the file")
    return data[start:end], end


def _libtorrent_part(data: bytes) -> bytes:
    """libtorrent's resume data alone, as a bencoded dictionary."""
    if data.startswith(_HEAD):
        return b"d" + data[_split(data)[1]:]
    entry: Any = lt.bdecode(data)
    if not isinstance(entry, dict):
        raise ValueError("not a bencoded dictionary")
    entry.pop(_OLD_KEY, None)
    return lt.bencode(entry)


def _parse(data: bytes) -> tuple[Job, lt.add_torrent_params]:
    if data.startswith(_HEAD):
        record: Any = lt.bdecode(_split(data)[0])
    else:
        entry: Any = lt.bdecode(data)
        if not isinstance(entry, dict) or _OLD_KEY not in entry:
            raise ValueError("not a utserver resume file")
        record = entry[_OLD_KEY]
    if not isinstance(record, dict):
        raise ValueError("the job record is not a dictionary")
    return Job.from_record(record), lt.read_resume_data(data)
