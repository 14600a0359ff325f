"""Handing the saved torrents to libtorrent at start, thousands at a time.

A synchronous add waits for libtorrent's thread once per torrent, and so does a status read:
1.5 s per 10,000 torrents. Here they are added asynchronously (answered by add_torrent_alerts)
and their statuses come in one state_update_alert: 0.2 s per 10,000. Every other alert that
arrives meanwhile goes to the pump's handlers at once, in its order: libtorrent answers a
torrent's add before anything else about it, so the table holds the torrent by then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import libtorrent as lt

from utserver.engine import adding, reads
from utserver.engine.jobs import Job

log = logging.getLogger("utserver.engine")
TF = lt.torrent_flags

WINDOW = 100  # adds in flight: their answers must fit libtorrent's alert queue (pack.FRUGAL)
PATIENCE = 30.0  # seconds of silence from libtorrent before the unanswered are looked up


class Restore:
    def __init__(self, session: Any, wait: Callable[[float], None], dispatch: Callable[[list], int],
                 joined: Callable[[Job, Any], None], reported: Callable[[Job, Any], None]):
        self._session, self._wait, self._dispatch = session, wait, dispatch
        self._joined, self._reported = joined, reported  # intake's: into the table, then its status
        self._unanswered: dict[str, Job] = {}  # added, no add_torrent_alert yet
        self._unreported: dict[str, Job] = {}  # in the table, no status yet
        self._later: list[tuple[Job, Any]] = []  # with the flags it is to have (add's note)
        self._heard, self._gave_up = time.monotonic(), False

    def add(self, job: Job, params: lt.add_torrent_params) -> None:
        # Added paused and unmanaged; finish starts and queues them together. Each auto-managed
        # add set off libtorrent's queue pass, which sorts every torrent added so far (O(n²)),
        # and each running one started (resume check, announces) while the adds waited behind
        # it: 35 of the 50 s of an engine's restore of 100,000 seeds.
        self._later.append((job, params.flags & (TF.paused | TF.auto_managed)))
        params.flags = (params.flags & ~TF.auto_managed) | TF.paused
        while len(self._unanswered) >= WINDOW and self._listen():
            pass
        self._unanswered[job.hash] = job
        self._session.async_add_torrent(params)

    def finish(self) -> None:
        """Every add answered (or looked up), then every restored torrent's status."""
        while self._unanswered and self._listen():
            pass
        if self._unanswered:
            self._look_up(list(self._unanswered.values()))
            self._unanswered.clear()
        self._start()
        self._session.post_torrent_updates(reads.STATUS_FLAGS)
        self._heard, self._gave_up = time.monotonic(), False
        while self._unreported and self._listen():
            pass
        for job in list(self._unreported.values()):  # libtorrent's update left them out
            try:
                self._report(job, job.handle.status(reads.STATUS_FLAGS))
            except RuntimeError as exc:  # gone already (an error alert's handler removed it)
                log.error("cannot restore %s (%s): %s", job.name, job.hash, exc)

    def _start(self) -> None:
        """Each torrent as it is meant to run, before the statuses are read."""
        for job, flags in self._later:
            try:
                if job.handle is not None and flags != TF.paused:
                    job.handle.set_flags(flags, TF.paused | TF.auto_managed)
            except RuntimeError:  # gone already (an error alert's handler removed it)
                pass
        self._later.clear()

    def _listen(self) -> bool:
        """Handle what libtorrent said; False once it has been silent for PATIENCE seconds (then
        the adds go on without waiting, and finish looks the torrents up)."""
        if self._gave_up:
            return False
        alerts = self._session.pop_alerts()
        if not alerts:
            self._wait(0.5)
            self._gave_up = time.monotonic() - self._heard > PATIENCE
            return not self._gave_up
        self._heard = time.monotonic()
        for alert in alerts:
            own = OWN_ALERTS.get(type(alert))
            if own is not None:
                own(self, alert)
            else:
                self._dispatch([alert])
        return True

    def on_added(self, alert: Any) -> None:
        if alert.error.value():
            params = alert.params
            key = adding.hash_of(params.ti.info_hashes() if params.ti else params.info_hashes)
            job = self._unanswered.pop(key, None)
            if job is not None:
                log.error("cannot restore %s (%s): %s", job.name, job.hash, alert.error.message())
            return
        job = self._unanswered.pop(adding.hash_of(alert.handle.info_hashes()), None)
        if job is not None:
            self._join(job, alert.handle)

    def on_statuses(self, alert: Any) -> None:
        for st in alert.status:
            job = self._unreported.get(reads.key(st))
            if job is not None:
                self._report(job, st)

    def _look_up(self, jobs: list[Job]) -> None:
        """Answers lost (libtorrent's queue overflowed): the session knows whether it holds them."""
        handles = {adding.hash_of(h.info_hashes()): h for h in self._session.get_torrents()}
        for job in jobs:
            handle = handles.get(job.hash)
            if handle is None:
                log.error("cannot restore %s (%s): libtorrent never answered", job.name, job.hash)
            else:
                self._join(job, handle)

    def _join(self, job: Job, handle: Any) -> None:
        self._joined(job, handle)
        self._unreported[job.hash] = job

    def _report(self, job: Job, status: Any) -> None:
        del self._unreported[job.hash]
        self._reported(job, status)


# The alerts a restore answers itself; a class-level table, as bound methods kept in the
# instance would make a cycle that holds the session past the engine's close.
OWN_ALERTS: dict[type, Callable[[Restore, Any], None]] = {
    lt.add_torrent_alert: Restore.on_added,
    lt.state_update_alert: Restore.on_statuses,
}
