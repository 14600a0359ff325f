"""Completion: the finish time, the move to the final folder, then finish_cmd with %D naming the
folder the files are in by then (µTorrent runs it once the data is in place)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libtorrent as lt

from utserver.engine import adding
from utserver.engine.events import EventRunner, substitutions
from utserver.engine.jobs import Job, shared_folder
from utserver.engine.table import TorrentTable

log = logging.getLogger("utserver.engine")


class Completion:
    def __init__(self, table: TorrentTable, get: Callable[[str], Any], events: EventRunner,
                 persist: Callable[[Job, bool], None]):
        # persist(job, False): an alert's change, written with the resume save it asks (Engine.persist)
        self.table, self.get, self.events, self.persist = table, get, events, persist

    def settled(self, job: Job) -> bool:
        """Finished before, its finish handled, its data in place: the torrent_finished_alert of
        a restored seed brings nothing (10,000 restored seeds: 1.8 s of status reads at start)."""
        return job.finished_once and not job.finish_pending \
            and adding.final_folder(job, self.get) == Path(job.active_dir)

    def finished(self, job: Job, handle: lt.torrent_handle, status: lt.torrent_status) -> None:
        """torrent_finished_alert, not settled: also after a recheck or when a newly wanted file
        finished, which bring nothing to write again (written only when news)."""
        news = not job.finished_once or job.finish_pending
        with self.table.edit(job.hash, status):
            if not job.finished_once:
                job.finished_once, job.completed_on, job.finish_pending = True, int(time.time()), True
        final = adding.final_folder(job, self.get)
        if final != Path(job.active_dir):
            final.mkdir(parents=True, exist_ok=True)
            log.info("moving %s to %s", job.name, final)
            handle.move_storage(str(final), lt.move_flags_t.fail_if_exist)
        else:
            self._run_finish_cmd(job, None)
        if news:
            self.persist(job, False)

    def moved(self, job: Job, place: str) -> None:
        with self.table.edit(job.hash):
            job.active_dir, job.error = shared_folder(place), ""
        self._run_finish_cmd(job, place)
        self.persist(job, False)

    def move_failed(self, job: Job, message: str, path: str) -> None:
        with self.table.edit(job.hash):
            job.error = f"moving the data failed: {message} ({path})"
        log.error("%s: %s; the data stays in %s", job.name, job.error, job.active_dir)
        self._run_finish_cmd(job, None)
        self.persist(job, False)

    def _run_finish_cmd(self, job: Job, folder: str | None) -> None:
        """Once per completion, when the data has reached its place (or could not)."""
        view = self.table.view(job.hash)
        if not job.finish_pending or view is None:
            return
        with self.table.edit(job.hash):
            job.finish_pending = False
        command = str(self.get("finish_cmd"))
        if command.strip():  # the substitutions ask libtorrent twice, each a wait for its thread
            self.events.run(command, substitutions(job, view, job.previous_state, folder))
