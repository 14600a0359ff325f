"""What the engine does on each libtorrent alert, and its periodic duties: one table, alert class ->
handler(engine, alert), read by the pump (pump.py), which only waits, pops and dispatches."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import libtorrent as lt

from utserver.engine import adding, limits, missing, reads
from utserver.engine.jobs import FORCED, Job

if TYPE_CHECKING:
    from utserver.engine.engine import Engine

log = logging.getLogger("utserver.engine")

RESUME_SAVE_INTERVAL = 25.0  # while data moves: a crash loses at most this much progress
HISTORY_SAVE_INTERVAL = 3600.0
FULL_DISK = 4 * 1024 * 1024  # free bytes below which a write fault is taken for a full disk
GOALS_INTERVAL = 5.0  # idle seeds' time goals (seeding.due): a seed stops at most this late
MISSING_INTERVAL = 30.0  # torrents whose data was missing at start (missing.py): is it back?
RESYNC_INTERVAL = 2.0  # after libtorrent dropped alerts: every status read again, at most this often
# statuses per hold of the table's lock in a resync: 100,000 at once held it for seconds, and
# every add and command waited
RESYNC_BATCH = 2000
# The dropped alerts a resync makes up for (as alerts_dropped_alert names them): the statuses of
# a dropped state_update are cleared in libtorrent, and a finish or a check's end is said once.
# Others (peer_connect, torrent_paused, state_changed...) only wake the pump or go unhandled:
# 100,000 seeds dropped peer_connect alerts every few seconds, each drop a full resync.
RESYNC_KINDS = ("state_update", "torrent_finished", "torrent_checked")


def _job(engine: Engine, alert) -> Job | None:
    try:
        info_hash = adding.hash_of(alert.handle.info_hashes())
    except RuntimeError:  # the handle died with a removed torrent
        return None
    return engine.table.find(info_hash)


def on_state_update(engine: Engine, alert) -> None:
    engine.table.update(alert.status, engine.status_policies, reads.key)


def on_finished(engine: Engine, alert) -> None:
    job = _job(engine, alert)
    if job is not None and not engine.completion.settled(job):
        engine.completion.finished(job, alert.handle, alert.handle.status(reads.STATUS_FLAGS))


def on_moved(engine: Engine, alert) -> None:
    job = _job(engine, alert)
    if job is not None:
        engine.completion.moved(job, alert.storage_path())


def on_move_failed(engine: Engine, alert) -> None:
    job = _job(engine, alert)
    if job is not None:
        engine.completion.move_failed(job, alert.error.message(), alert.file_path())


def on_checked(engine: Engine, alert) -> None:
    """libtorrent knows every piece's state now: save it, so a crash never forces a recheck.
    (A save requested earlier, still loading, can hold an empty piece map, and libtorrent
    2.0.8 then re-checks files that exist.) Not when the check found nothing the saved data lacks
    (intake.check_is_news): a restore's check re-read it, a new torrent's add wrote all there was,
    and the save was a third of an add's cost (two fsyncs, the encoding; docs/bench.md), 100,000
    of them at each start. A forced torrent leaves the check queue's auto-management; a queued
    one stays with the queue, a stopped one stopped itself."""
    job = _job(engine, alert)
    if job is None:
        return
    engine.intake.checks.checked(job.hash)  # the next one's turn (checks.py)
    if job.mode == FORCED and not job.paused:
        alert.handle.unset_flags(lt.torrent_flags.auto_managed)
        alert.handle.resume()
    if engine.intake.check_is_news(job.hash, alert.handle):
        engine.saves.ask_soon(alert.handle)  # one save with its torrent_finished's (posted first)


def on_resume_rejected(engine: Engine, alert) -> None:
    log.warning("%s", alert.message())
    job = _job(engine, alert)
    if job is not None:
        engine.intake.resume_rejected(job.hash)


def on_metadata(engine: Engine, alert) -> None:
    job = _job(engine, alert)
    info = alert.handle.torrent_file()
    if job is None or info is None:
        return
    data = b"d4:info" + bytes(info.info_section()) + b"e"
    with engine.table.edit(job.hash):
        job.name = job.name if job.renamed else info.name()
        job.total_size = info.total_size()
        job.torrent_file = engine.intake.store_torrent_file(job, data)
    for index, path in adding.fitted_file_names(info).items():  # names a file system takes
        alert.handle.rename_file(index, path)
    if job.first_last:
        limits.apply_first_last(job)
    engine.persist(job, waited=False)


def on_resume_data(engine: Engine, alert) -> None:
    job = _job(engine, alert)
    try:
        if job is not None:
            engine.resume.save(job, alert.params)
    finally:
        engine.saves.answered(alert.handle)  # once written: nothing asked is outstanding while unwritten


def on_resume_data_failed(engine: Engine, alert) -> None:
    """An alert's record change waited for this save (Engine.persist): the record goes alone."""
    job = _job(engine, alert)
    try:
        if job is not None:
            engine.resume.save_record(job)
    finally:
        engine.saves.answered(alert.handle)
    log.warning("%s", alert.message())


def on_error(engine: Engine, alert) -> None:
    """A torrent's file or storage failed (a full or missing disk): libtorrent retries its writes
    for ever, hundreds of times a minute. The torrent stops in µTorrent's error state, the log
    says it once, and Start (or Force Start) tries again."""
    job = _job(engine, alert)
    if job is None:
        log.error("%s", alert.message())
        return
    text = _error_text(job, alert)
    if text != job.error:
        log.error("%s: %s: stopped until it is started again", job.name, alert.message())
        engine.fail(job, text)


def _error_text(job: Job, alert) -> str:
    error = getattr(alert, "error", None)
    if error is None or not error.value():
        return alert.message()
    # libtorrent 2.0's memory-mapped storage meets a full disk as a fault on the mapped page
    # (EFAULT, "Bad address"): say what the user can act on (docs/reference/libtorrent.md#disk-full)
    if error.value() == errno.EFAULT and _free_bytes(job.active_dir) < FULL_DISK:
        return os.strerror(errno.ENOSPC)
    return error.message()


def _free_bytes(folder: str) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def on_renamed(engine: Engine, alert) -> None:
    job = _job(engine, alert)
    if job is not None:
        engine.saves.ask(alert.handle)  # the new name survives a restart


def on_peer_connect(engine: Engine, alert) -> None:
    """Only while quiet (pack.CONNECT_ALERTS). libtorrent reports a torrent in
    post_torrent_updates once data flows, seconds later: show the peer now, which also
    makes the next pace an exchange."""
    job = _job(engine, alert)
    if job is not None:
        engine.table.refresh(job, alert.handle.status(reads.STATUS_FLAGS))
        engine.touch()


def on_listening(engine: Engine, alert) -> None:
    """libtorrent quietly moves to the next port when ours is taken: say so."""
    log.info("listening: %s", alert.message())
    actual = engine.session.listen_port() if engine.session else 0
    if actual and actual != engine.port:
        log.warning("peer port %d is in use: listening on %d instead", engine.port, actual)


HANDLERS: dict[type, Callable[[Engine, Any], None]] = {
    lt.state_update_alert: on_state_update,
    lt.torrent_finished_alert: on_finished,
    lt.metadata_received_alert: on_metadata,
    lt.torrent_checked_alert: on_checked,
    lt.fastresume_rejected_alert: on_resume_rejected,
    lt.save_resume_data_alert: on_resume_data,
    lt.save_resume_data_failed_alert: on_resume_data_failed,
    lt.storage_moved_alert: on_moved,
    lt.storage_moved_failed_alert: on_move_failed,
    lt.torrent_error_alert: on_error,
    lt.file_error_alert: on_error,
    lt.file_renamed_alert: on_renamed,
    lt.torrent_resumed_alert: lambda engine, alert: engine.wake(),  # the queue started one
    lt.torrent_paused_alert: lambda engine, alert: engine.wake(),  # ... or stopped one
    lt.listen_failed_alert: lambda engine, alert: log.error("cannot listen: %s", alert.message()),
    lt.listen_succeeded_alert: on_listening,
    lt.peer_connect_alert: on_peer_connect,
}


class Duties:
    """What the pump's tick does besides asking for status updates: reap event commands, save
    changed resume data and the transfer history, stop idle seeds at their time goal, resume
    torrents whose missing data is back, and catch up after libtorrent dropped alerts."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._resync_due = False
        self._resync_after = 0.0  # monotonic time before which no resync runs (see _resync)
        # (seconds between runs, duty): each runs on the first tick after its interval
        self._every: list[tuple[float, Callable[[], object]]] = [
            (GOALS_INTERVAL, self._stop_at_goals),
            (MISSING_INTERVAL, self._resume_returned),
            (RESUME_SAVE_INTERVAL, engine.progress_saves),
            (HISTORY_SAVE_INTERVAL, engine.history.save),
            (RESYNC_INTERVAL, self._resync),
        ]
        self._last = [time.monotonic()] * len(self._every)

    def handlers(self) -> dict[type, Callable[[Any], None]]:
        """The pump's table: HANDLERS bound to the engine, and the dropped alerts' own."""
        bound = {kind: (lambda alert, run=run: run(self.engine, alert)) for kind, run in HANDLERS.items()}
        return {**bound, lt.alerts_dropped_alert: self._dropped}

    def _dropped(self, alert) -> None:
        """libtorrent's alert queue overflowed: thousands of torrents changing at once (a batch
        added over its data checks hundreds a second). Each dropped kind is read again (_resync)."""
        message = alert.message()
        if "save_resume_data" in message:
            self.engine.saves.lost()
        if not any(kind in message for kind in RESYNC_KINDS):
            return  # wake-ups and kinds the pump ignores: nothing is lost with them
        if not self._resync_due:
            log.warning("%s: reading every torrent's status again", message)
        self._resync_due = True

    def _resync(self) -> None:
        """What dropped alerts would have said, from every torrent's status: the list, each first
        finish (its date, move, finish command, record), and the next check's turn."""
        if not self._resync_due or time.monotonic() < self._resync_after:
            return
        self._resync_due = False
        started = time.monotonic()
        engine = self.engine
        statuses = engine.session.get_torrent_status(lambda _st: True, reads.STATUS_FLAGS)
        for first in range(0, len(statuses), RESYNC_BATCH):  # the table's lock is let go between
            engine.table.update(statuses[first:first + RESYNC_BATCH], engine.status_policies, reads.key)
        for st in statuses:
            job = engine.table.find(reads.key(st))
            if job is not None and st.is_finished and not job.finished_once:
                engine.completion.finished(job, st.handle, st)
        engine.intake.checks.resume_next()
        # At most a tenth of the pump's time: at 100,000 torrents one takes seconds, long enough
        # for the alert queue to overflow again, and back-to-back resyncs halved the adds' pace.
        self._resync_after = time.monotonic() + 9 * (time.monotonic() - started)

    def tick(self) -> None:
        self.engine.session.post_torrent_updates(reads.STATUS_FLAGS)
        self.engine.events.reap()
        now = time.monotonic()
        for index, (interval, duty) in enumerate(self._every):
            if now - self._last[index] >= interval:
                self._last[index] = now
                duty()

    def _stop_at_goals(self) -> None:
        for job in self.engine.seeding.due(self.engine.table.find):
            log.info("%s reached its seeding time goal: stopping", job.name)
            self.engine.stop_job(job)

    def _resume_returned(self) -> None:
        waiting = self.engine.intake.missing
        for info_hash in list(waiting):  # the restore may still add to it
            job = self.engine.table.find(info_hash)
            if job is None:
                continue  # not in the table yet (removed ones are forgotten)
            if not missing.is_missing(job):
                waiting.discard(info_hash)  # back and going on
            elif not missing.still_missing(job):
                log.info("%s: its data is back in %s: going on", job.name, job.active_dir)
                self.engine.retry(job)
