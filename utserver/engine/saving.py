"""Resume data saves: the torrents that moved data (each RESUME_SAVE_INTERVAL, alerts.Duties), and
every changed torrent's at shutdown, waited for."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import libtorrent as lt

from utserver.engine import reads
from utserver.engine.jobs import Job
from utserver.engine.status import seconds
from utserver.engine.table import TorrentTable

if TYPE_CHECKING:
    from utserver.engine.engine import Engine
    from utserver.engine.pump import AlertPump

log = logging.getLogger("utserver.engine")

SAVE_INFO = lt.save_resume_flags_t.save_info_dict


COUNTERS_SAVE_INTERVAL = 600.0  # an upload-only change (ratio, totals) waits this long: SD cards wear


class Requests:
    """Every resume-data request, counted against its answer (libtorrent posts one alert for each,
    saved or failed): the shutdown waits for all of them, also for those asked before the pump
    stopped whose alerts it left in the queue (a finished torrent's, whose request had already
    cleared need_save_resume_data).

    At most WINDOW are with libtorrent at a time, the rest wait here: an answer beyond its alert
    queue is dropped, and a shutdown asking for 10,000 at once heard back from 3,000. Those with
    libtorrent are counted per torrent, so that answers it dropped anyway (its alerts_dropped_alert
    names them, not their torrents) are asked again (lost) instead of waited for for ever."""

    WINDOW = 400  # within the alert queue (pack.py's alert_queue_size), beside the other alerts

    def __init__(self) -> None:
        self._lock = threading.Lock()  # asked by web threads (commands) and the pump
        self._outstanding = 0  # asked and not answered, waiting ones included
        self._waiting: deque = deque()  # handles asked for beyond the window
        self._sent: dict[lt.torrent_handle, int] = {}  # with libtorrent: requests per torrent
        self._soon: dict[lt.torrent_handle, None] = {}  # ask_soon's, in order (the pump's thread only)

    def ask(self, handle) -> None:
        with self._lock:
            self._outstanding += 1
            if self._outstanding > self.WINDOW:
                self._waiting.append(handle)
                return
        self._send(handle)

    def answered(self, handle) -> None:
        """One answer in: the next waiting request goes to libtorrent."""
        following = self._settle(handle)
        if following is not None:
            self._send(following)

    def lost(self) -> None:
        """libtorrent dropped some answers: every request still with it is asked again."""
        with self._lock:
            again, self._sent = list(self._sent.items()), {}
            self._outstanding -= sum(count for _handle, count in again)
        for handle, _count in again:
            self.ask(handle)

    def _settle(self, handle):
        """Counts one answer; returns the next waiting handle to send, if any. An answer to a
        request asked again after a loss may come twice: the second one is not counted."""
        with self._lock:
            count = self._sent.pop(handle, 0)
            if count == 0:
                return None
            if count > 1:
                self._sent[handle] = count - 1
            self._outstanding -= 1
            return self._waiting.popleft() if self._waiting else None

    def _send(self, handle) -> None:
        while handle is not None:
            with self._lock:
                self._sent[handle] = self._sent.get(handle, 0) + 1
            try:
                handle.save_resume_data(SAVE_INFO)
                return
            except RuntimeError:  # removed while it waited: nothing to save, nothing will answer
                handle = self._settle(handle)

    def ask_soon(self, handle) -> None:
        """An alert handler's request, sent when the pump's batch ends (flush), once per torrent:
        a check's torrent_finished and torrent_checked alerts make one save, not two."""
        self._soon[handle] = None

    def flush(self) -> None:
        soon, self._soon = self._soon, {}
        for handle in soon:
            self.ask(handle)

    @property
    def outstanding(self) -> int:
        """Saves asked and not answered, the batch's ask_soon ones included."""
        return self._outstanding + len(self._soon)


class PeriodicSaves:
    """The pump's periodic save. A torrent that downloaded since the last look is saved (a crash
    loses at most one interval of progress); one that only uploaded, once per
    COUNTERS_SAVE_INTERVAL; one whose only change is its clocks (an idle seed's seeding time) is
    not: libtorrent's need_save_resume_data() is true for it, and it would write every interval.
    Commands and libtorrent's own changes (a check, metadata, a move) save at once elsewhere.
    A look visits only the torrents whose counters a status showed moving (follow): walking all
    100,000 each interval was most of an idle daemon's pump. Owned by the pump thread."""

    def __init__(self, table: TorrentTable, requests: Requests):
        self.table = table
        self.requests = requests
        # hash -> (payload downloaded, uploaded) at the last look; this session's counters,
        # which start at 0 when a torrent is loaded or resumed. Most torrents move nothing:
        # (0, 0) is the default, not kept.
        self._seen: dict[str, tuple[int, int]] = {}
        self._moved: set[str] = set()  # counters differ from _seen: the next look's torrents
        self._counters_saved = time.monotonic()

    def follow(self, job: Job, st: lt.torrent_status, _before: lt.torrent_status | None) -> None:
        """A status policy (table.update)."""
        if (st.total_payload_download, st.total_payload_upload) != self._seen.get(job.hash, (0, 0)):
            self._moved.add(job.hash)

    def forget(self, info_hash: str) -> None:
        self._seen.pop(info_hash, None)
        self._moved.discard(info_hash)

    def __call__(self) -> int:
        now = time.monotonic()
        counters_due = now - self._counters_saved >= COUNTERS_SAVE_INTERVAL
        moved, self._moved = self._moved, set()
        count = 0
        for info_hash in moved:
            job, status = self.table.find(info_hash), self.table.status(info_hash)
            if job is None or status is None or job.handle is None or not job.handle.is_valid():
                continue  # removed (forget) or not in libtorrent
            down, up = status.total_payload_download, status.total_payload_upload
            last_down, last_up = self._seen.get(info_hash, (0, 0))
            if down != last_down or (up != last_up and counters_due):
                self.requests.ask(job.handle)
                count += 1
                last_up = up
            if up != last_up:
                self._moved.add(info_hash)  # its uploads wait for the counters' interval
            if down or last_up:
                self._seen[info_hash] = (down, last_up)
            else:
                self._seen.pop(info_hash, None)
        if counters_due:
            self._counters_saved = now
        return count


def _only_clocks(job: Job, st: lt.torrent_status) -> bool:
    """Whether all that changed since this torrent's file was written is its clocks: it moved no
    payload since it started or resumed (downloads are saved within RESUME_SAVE_INTERVAL, uploads
    each COUNTERS_SAVE_INTERVAL, commands and checks at once, and a pause does not clear the
    counters: libtorrent clears them on resume) and no finish waits to be handled."""
    return st.total_payload_download == 0 and st.total_payload_upload == 0 \
        and not job.finish_pending and (job.finished_once or not st.is_finished)


def _clocks(job: Job, st: lt.torrent_status) -> list[int]:
    return [job.added_on, seconds(st.active_duration), seconds(st.finished_duration), seconds(st.seeding_duration)]


# At shutdown only the saves' answers (and news of dropped ones) are heard: pausing 100,000
# torrents would post a torrent_paused_alert each, beyond the alert queue, pushing answers out.
CLOSE_ALERTS = lt.alert.category_t.storage_notification | lt.alert.category_t.error_notification


def save_all(engine: Engine, pump: AlertPump, timeout: float) -> None:
    """At shutdown (the pump thread has stopped): stop every transfer, handle the alerts the pump
    left, ask for the resume data of every torrent libtorrent says changed, and wait until every
    request is answered.

    libtorrent says every new and every restored torrent changed. Those whose only change is
    their clocks (_only_clocks) go into one file, with the queue's order (ResumeStore.save_close):
    rewriting 10,000 restored seeds took 6 s at each close, and 100,000 seeds after a day did
    not fit in the deadline. One status query for all, not two per torrent (5 s at 100,000)."""
    requests = engine.saves
    engine.session.apply_settings({"alert_mask": int(CLOSE_ALERTS)})
    engine.session.pause()
    with engine.resume.grouped():  # thousands of files, one sync (ResumeStore.grouped)
        pump.dispatch(engine.session.pop_alerts())
        clocks: dict[bytes, Any] = {}  # bytes keys: bencoded as they are
        queue: list[tuple[int, bytes]] = []
        for st in engine.session.get_torrent_status(lambda st: True, 0):
            job = engine.table.find(reads.key(st))
            if job is None:
                continue
            if st.queue_position >= 0:
                queue.append((st.queue_position, job.hash.encode()))
            if _only_clocks(job, st):
                clocks[job.hash.encode()] = _clocks(job, st)
            elif st.need_save_resume:
                requests.ask(st.handle)
        try:
            engine.resume.save_close(clocks, [info_hash for _, info_hash in sorted(queue)])
        except OSError as exc:  # a full or lost disk: clocks and queue order as the files have them
            log.error("cannot write the torrents' clocks and queue order: %s", exc)
        deadline = time.monotonic() + timeout
        while requests.outstanding > 0 and time.monotonic() < deadline:
            pump.wait(0.5)
            pump.dispatch(engine.session.pop_alerts())
    if requests.outstanding > 0:
        log.error("%d torrents' resume data not saved before the deadline", requests.outstanding)
