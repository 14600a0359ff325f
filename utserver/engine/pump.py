"""The one thread that pops libtorrent's alerts, refreshes the views and runs periodic duties.

Alerts are dispatched through a table keyed by alert class. Once a second
while a torrent downloads or checks, or while a client reads the list of
torrents that exchange data, and for a few seconds after a command or a peer's
connection, it asks for post_torrent_updates, whose state_update_alert carries
only the torrents that changed; torrents that only seed, with nobody watching or
no peer connected, are refreshed every few seconds, and when every torrent is
paused it sleeps for long stretches: an idle daemon does not wake up every second.

It waits on a pipe that libtorrent writes to when alerts arrive (set_alert_fd),
never on wait_for_alert: in the 2.0.x bindings that returns a pointer into the
alert queue, which another thread adding a torrent can reallocate under it (a
segfault seen on Debian's 2.0.8).
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import libtorrent as lt

from utserver.engine import adding, status
from utserver.engine.jobs import STOPPED, Job

if TYPE_CHECKING:
    from utserver.engine.engine import Engine

log = logging.getLogger("utserver.engine")

TICK = 1.0
SEEDING_TICK = 10.0  # only seeding, with no client reading the list within WATCHED or no peer
WATCHED = 5.0  # the web UI polls every 2 s
SETTLE = 5.0  # after a command or a peer's connection (Engine.touch): its effects show each second
IDLE_WAIT = 30.0  # every torrent paused: nothing changes by itself
RESUME_SAVE_INTERVAL = 60.0  # only torrents that changed are written
HISTORY_SAVE_INTERVAL = 3600.0
# torrent_handle.status() query flags; the bindings name only some of them (libtorrent-notes §2).
QUERY_DISTRIBUTED_COPIES, QUERY_NAME, QUERY_SAVE_PATH = 1, 64, 128
# what the list rows need beyond the basics
STATUS_FLAGS = QUERY_DISTRIBUTED_COPIES | QUERY_NAME | QUERY_SAVE_PATH


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class AlertPump:
    def __init__(self, engine: "Engine"):
        self.engine = engine
        self.session = engine.session
        self.subscribers = engine.alert_subscribers
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alert-pump", daemon=True)
        self._read_end, self._write_end = os.pipe()
        for fd in (self._read_end, self._write_end):
            os.set_blocking(fd, False)
        self.session.set_alert_fd(self._write_end)
        self._dirty = True
        self._last_tick = self._last_resume = self._last_history = time.monotonic()
        self.handlers: dict[type, Callable] = {
            lt.state_update_alert: self.on_state_update,
            lt.torrent_finished_alert: self.on_finished,
            lt.metadata_received_alert: self.on_metadata,
            lt.torrent_checked_alert: self.on_checked,
            lt.save_resume_data_alert: self.on_resume_data,
            lt.storage_moved_alert: self.on_moved,
            lt.storage_moved_failed_alert: self.on_move_failed,
            lt.torrent_error_alert: self.on_error,
            lt.file_error_alert: self.on_error,
            lt.torrent_resumed_alert: self.on_paused_or_resumed,
            lt.torrent_paused_alert: self.on_paused_or_resumed,
            lt.listen_failed_alert: lambda a: log.error("cannot listen: %s", a.message()),
            lt.listen_succeeded_alert: self.on_listening,
            lt.peer_connect_alert: self.on_peer_connect,
        }

    # --- thread control ---
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.wake()
        self._thread.join(timeout=10)

    def close(self) -> None:
        """After the session is gone: release the pipe."""
        os.close(self._read_end)
        os.close(self._write_end)

    def wake(self) -> None:
        """Something changed: refresh soon, and end a long idle wait now."""
        self._dirty = True
        try:
            os.write(self._write_end, b"w")
        except BlockingIOError:
            pass  # the pipe is full of wake-ups already

    def _wait(self, seconds: float) -> None:
        """Until libtorrent (or wake) writes to the pipe, or *seconds* pass; then empty the pipe."""
        select.select([self._read_end], [], [], seconds)
        try:
            while os.read(self._read_end, 512):
                pass
        except BlockingIOError:
            pass

    def _run(self) -> None:
        while not self._stopping.is_set():
            interval, activity = self._pace()
            self.engine.set_activity(activity)
            self._wait(max(0.0, self._last_tick + interval - time.monotonic()))
            try:
                self.dispatch(self.session.pop_alerts())
                if time.monotonic() - self._last_tick >= interval or self._dirty:
                    self._tick()
            except Exception:  # the pump must survive one bad alert or job
                log.exception("alert pump error")

    def _pace(self) -> tuple[float, str]:
        """How often the views need refreshing now, and what the torrents do for libtorrent's
        tick (pack.TICK_MS): exchanging with a peer, waiting (downloading or checking with none),
        or quiet."""
        engine = self.engine
        with engine.lock:
            unreported = any(h not in engine.statuses for h in engine.jobs)
            running = [st for st in engine.statuses.values() if not st.paused]
        seeding = all(st.is_seeding for st in running)
        if any(st.num_peers for st in running):
            activity = "exchanging"
        else:
            activity = "quiet" if seeding and not unreported else "waiting"
        if self._dirty or unreported:
            return TICK, activity
        if not running:
            return IDLE_WAIT, activity
        now = time.monotonic()
        watched = now - engine.last_read < WATCHED
        settling = now - engine.last_change < SETTLE
        if not seeding or settling or (watched and activity != "quiet"):
            return TICK, activity
        return SEEDING_TICK, activity

    def dispatch(self, alerts) -> int:
        for alert in alerts:
            kind = type(alert)
            handler = self.handlers.get(kind)
            if handler is not None:
                handler(alert)
            for callback in self.subscribers.get(kind, ()):
                callback(alert)
        return len(alerts)

    def _tick(self) -> None:
        now = time.monotonic()
        self._last_tick, self._dirty = now, False
        self.session.post_torrent_updates(STATUS_FLAGS)
        self.engine.events.reap()
        if now - self._last_resume >= RESUME_SAVE_INTERVAL:
            self._last_resume = now
            self.save_changed_resume_data()
        if now - self._last_history >= HISTORY_SAVE_INTERVAL:
            self._last_history = now
            self.engine.history.save()

    # --- alert handlers ---
    def _job(self, alert) -> Job | None:
        try:
            info_hash = adding.hash_of(alert.handle.info_hashes())
        except RuntimeError:  # the handle died with a removed torrent
            return None
        return self.engine.jobs.get(info_hash)

    def on_state_update(self, alert) -> None:
        engine = self.engine
        with engine.lock:
            views = dict(engine.views)
            for st in alert.status:
                job = engine.jobs.get(adding.hash_of(st.info_hashes))
                if job is None:
                    continue
                engine.statuses[job.hash] = st
                down, up = engine.counted.get(job.hash, (st.all_time_download, st.all_time_upload))
                engine.history.add(st.all_time_download - down, st.all_time_upload - up)
                engine.counted[job.hash] = (st.all_time_download, st.all_time_upload)
                if st.is_seeding != (job.hash in engine.seed_limited):
                    engine._apply_job_settings(job)  # max_ul_rate_seed starts or ends
                self._check_seed_goal(job, st)  # first: a stop must show in this very view
                view = status.build_view(st, job)
                views[job.hash] = view
                self.report_state(job, view)
            engine.views = views

    def report_state(self, job: Job, view) -> None:
        """state_cmd on every change of the manual's state code, wherever the view was built."""
        if view.state != job.last_state:
            previous, job.last_state = job.last_state, view.state
            if previous:
                self.engine.events.run(self.engine.settings.get("state_cmd"), self._substitutions(job, view, previous))

    def _substitutions(self, job: Job, view, previous: int) -> dict[str, str]:
        h = job.handle
        info = h.torrent_file()
        single = info is not None and info.num_files() == 1
        trackers = h.trackers() if h.is_valid() else []
        return {"F": view.name if single else "", "D": view.save_path, "N": view.name, "S": str(view.state),
                "P": str(previous), "L": view.label, "T": trackers[0]["url"] if trackers else "",
                "M": view.status_message, "I": job.hash}

    def _check_seed_goal(self, job: Job, st) -> None:
        """µTorrent stops seeding at the ratio / time goal; libtorrent's own limits only re-queue."""
        if job.mode == STOPPED or job.paused or not st.is_seeding:
            return
        settings = self.engine.settings
        ratio_goal = job.seed_ratio if job.seed_override else settings.get("seed_ratio") * 10
        time_goal = job.seed_time if job.seed_override else settings.get("seed_time")
        base = st.all_time_download or st.total_wanted_done or 1
        ratio = st.all_time_upload * 1000 // base
        seeded = _seconds(getattr(st, "seeding_duration", None) or st.seeding_time)
        if (ratio_goal and ratio >= ratio_goal) or (time_goal and seeded >= time_goal):
            log.info("%s reached its seeding goal (ratio %d‰, %ds): stopping", job.name, ratio, seeded)
            job.mode = STOPPED
            job.handle.unset_flags(lt.torrent_flags.auto_managed)
            job.handle.pause()
            self.engine.changed(job)

    def on_listening(self, alert) -> None:
        log.info("listening: %s", alert.message())
        self.engine._check_port()

    def on_peer_connect(self, alert) -> None:
        """Only while quiet (pack.CONNECT_ALERTS). libtorrent reports a torrent in
        post_torrent_updates once data flows, seconds later: show the peer now, which also
        makes the next pace an exchange."""
        job = self._job(alert)
        if job is not None:
            self.engine.refresh(job, alert.handle.status(STATUS_FLAGS))
            self.engine.touch()

    def on_paused_or_resumed(self, alert) -> None:
        self._dirty = True  # the queue started or stopped a torrent: refresh the views now

    def on_finished(self, alert) -> None:
        job = self._job(alert)
        if job is None:
            return
        if not job.finished_once:
            job.finished_once, job.completed_on = True, int(time.time())
            st = alert.handle.status(STATUS_FLAGS)
            self.engine.refresh(job, st)
            view = self.engine.views[job.hash]
            self.engine.events.run(self.engine.settings.get("finish_cmd"),
                                   self._substitutions(job, view, job.last_state))
        final = Path(job.final_dir)
        if self.engine.settings.get("dir_add_label") and job.label:
            final = adding.confine(final, job.label)
        if final != Path(job.active_dir):
            final.mkdir(parents=True, exist_ok=True)
            log.info("moving %s to %s", job.name, final)
            alert.handle.move_storage(str(final), lt.move_flags_t.fail_if_exist)
        self.engine.changed(job)

    def on_checked(self, alert) -> None:
        """libtorrent knows every piece's state now: save it, so a crash never forces a recheck.
        (A save requested earlier, still loading, can hold an empty piece map, and libtorrent
        2.0.8 then re-checks files that exist.)"""
        job = self._job(alert)
        if job is not None:
            alert.handle.save_resume_data(lt.save_resume_flags_t.save_info_dict)

    def on_metadata(self, alert) -> None:
        job = self._job(alert)
        info = alert.handle.torrent_file()
        if job is None or info is None:
            return
        job.name = info.name()
        data = b"d4:info" + bytes(info.info_section()) + b"e"
        job.torrent_file = self.engine._store_torrent_file(job, data)
        self.engine.changed(job)

    def on_resume_data(self, alert) -> None:
        job = self._job(alert)
        if job is not None:
            self.engine.resume.save(job, alert.params)

    def on_moved(self, alert) -> None:
        job = self._job(alert)
        if job is not None:
            job.active_dir, job.error = alert.storage_path(), ""
            self.engine.changed(job)

    def on_move_failed(self, alert) -> None:
        job = self._job(alert)
        if job is not None:
            job.error = f"moving the data failed: {alert.error.message()} ({alert.file_path()})"
            log.error("%s: %s; the data stays in %s", job.name, job.error, job.active_dir)
            self.engine.changed(job)

    def on_error(self, alert) -> None:
        log.error("%s", alert.message())
        job = self._job(alert)
        if job is not None:
            self.engine.refresh(job, alert.handle.status(STATUS_FLAGS))

    # --- resume data ---
    def save_changed_resume_data(self) -> int:
        count = 0
        for job in list(self.engine.jobs.values()):
            if job.handle.is_valid() and job.handle.need_save_resume_data():
                job.handle.save_resume_data(lt.save_resume_flags_t.save_info_dict)
                count += 1
        return count

    def save_all_resume_data(self, timeout: float) -> None:
        """At shutdown (the pump thread has stopped): save every changed torrent and wait for it."""
        pending = self.save_changed_resume_data()
        deadline = time.monotonic() + timeout
        while pending > 0 and time.monotonic() < deadline:
            self._wait(0.5)
            for alert in self.session.pop_alerts():
                if isinstance(alert, (lt.save_resume_data_alert, lt.save_resume_data_failed_alert)):
                    pending -= 1
                self.dispatch([alert])
        if pending > 0:
            log.error("%d torrents' resume data not saved before the deadline", pending)
