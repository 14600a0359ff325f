"""Fast resume: one file per torrent in SETTINGS/resume/, written atomically.

The file is libtorrent's own resume data (with the info dict, so the torrent
needs nothing else) plus our job record under the key "utserver". libtorrent's
read_resume_data ignores keys it does not know, so one file serves both.
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

_KEY = b"utserver"
SUFFIX = ".resume"


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
        entry: Any = lt.bdecode(lt.write_resume_data_buf(params))
        with self._lock:  # the record read under the lock: a command's newer record is never undone
            entry[_KEY] = lt.bdecode(storage.bencode(job.record()))
            self._write(self.path(job.hash), lt.bencode(entry))

    def save_record(self, job: Job) -> None:
        """Rewrite the job record in its stored file (durable now; libtorrent's part follows)."""
        path = self.path(job.hash)
        with self._lock:
            self._commit_group()
            record = lt.bdecode(storage.bencode(job.record()))
            try:
                entry: Any = lt.bdecode(path.read_bytes())
            except (OSError, RuntimeError):
                return  # not written yet (the add writes the whole file) or removed
            if isinstance(entry, dict):
                entry[_KEY] = record
                storage.write_atomic(path, lt.bencode(entry))

    def remove(self, info_hash: str) -> None:
        with self._lock:
            self._remove(info_hash)

    def _remove(self, info_hash: str) -> None:
        self._commit_group()
        for path in (self.path(info_hash), self.path(info_hash).with_name(f"{info_hash}{SUFFIX}.old")):
            path.unlink(missing_ok=True)

    def load_all(self) -> Iterator[tuple[Job, lt.add_torrent_params]]:
        """Every stored torrent, one at a time (a list of 100,000 held every torrent's metadata at
        once); a corrupt file falls back to its .old copy, else is skipped (logged)."""
        for name in sorted(entry.name for entry in os.scandir(self.folder) if entry.name.endswith(SUFFIX)):
            item = storage.read_with_fallback(self.folder / name, _parse)
            if item is None:
                log.error("resume file %s is unusable: that torrent must be added again", name)
                continue
            yield item


def _parse(data: bytes) -> tuple[Job, lt.add_torrent_params]:
    entry: Any = lt.bdecode(data)
    if not isinstance(entry, dict) or _KEY not in entry:
        raise ValueError("not a utserver resume file")
    job = Job.from_record(storage.text_dict(entry[_KEY]))
    return job, lt.read_resume_data(data)
