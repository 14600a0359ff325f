"""The engine: one libtorrent session, the torrent table, and the commands and reads on torrents.

Threads (docs/architecture.md#threads): web workers, RSS, autoload and the settings' callers run
commands; the alert pump runs alert handlers and duties. Every change to a job goes through
the torrent table under its lock (table.edit); reads come from its copy-on-write views.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import libtorrent as lt

from utserver.engine import adding, alerts, limits, missing, props, reads, saving
from utserver.engine.accounting import Accounting
from utserver.engine.completion import Completion
from utserver.engine.events import EventRunner, StateReporter
from utserver.engine.history import TransferHistory
from utserver.engine.intake import Intake
from utserver.engine.jobs import FORCED, QUEUED, STOPPED, UT_TO_LT_PRIORITY, Job, shared_folder
from utserver.engine.pacing import SETTLE, WATCHED, Seen
from utserver.engine.pump import AlertPump
from utserver.engine.resume import ResumeStore
from utserver.engine.seeding import Seeding
from utserver.engine.table import TorrentTable
from utserver.engine.tuning import Tuning
from utserver.engine.views import DEFAULT_ADD, AddOptions, FileSource, FileView, PeerView, TorrentDetails, TorrentView, TrackerView
from utserver.settings import Settings

log = logging.getLogger("utserver.engine")

TF = lt.torrent_flags

# Which settings re-apply per torrent when they change.
_PER_TORRENT = {"conns_per_torrent", "ul_slots_per_torrent", "max_ul_rate_seed", "pex"}


class Engine:
    def __init__(self, settings: Settings, lt_upnp: bool = False):
        self.settings: Settings = settings
        port = random.randint(1025, 65000) if settings.get("randomize_bind_port") else int(settings.get("bind_port"))
        self.tuning = Tuning(settings, port, lt_upnp)
        self.resume = ResumeStore(settings.settings_path / "resume")
        self.saves = saving.Requests()
        self.history = TransferHistory(settings.settings_path / "xferhist.dat")
        self.accounting = Accounting(self.history)
        self.events = EventRunner()
        self.table = TorrentTable(StateReporter(self.events, lambda: str(settings.get("state_cmd"))).on_view)
        self.seeding = Seeding(settings.get, self.stop_job)
        self.completion = Completion(self.table, settings.get, self.events, self.persist)
        self.progress_saves = saving.PeriodicSaves(self.table, self.saves)
        self.status_policies = (self.accounting.follow, self.seeding.follow, self.progress_saves.follow)
        self.intake = Intake(self)
        self.last_read = 0.0  # monotonic time of the last list read (snapshot)
        self.last_change = 0.0  # ... of the last command or new peer (touch)
        self.session: Any = None  # lt.session while open (libtorrent has no type stubs)
        self.pump: AlertPump | None = None
        self.alert_subscribers: dict[type, list] = {}
        self.subscribe_alert(lt.dht_bootstrap_alert, self._announce_on_dht)

    @property
    def port(self) -> int:
        return self.tuning.port

    # --- lifecycle (open/close: start/stop are torrent commands) ---
    def open(self) -> None:
        packed = self.tuning.pack()
        # ut_pex is always loaded (it cannot be added later); the pex setting works per torrent
        # through disable_pex, which libtorrent honours at run time (docs/reference/libtorrent.md#pex).
        params = lt.session_params(packed)  # type: ignore[call-overload]  # a dict works; the stubs want a pack
        if hasattr(params, "disk_io_constructor"):  # 2.1; 2.0.x picks mmap or posix by platform
            # posix_disk_io, the back-end 32-bit builds of 2.0.x use: pread's write cache grew past its
            # limit (peak private memory of a 1 GiB download 51-94 MiB, 29-37 with posix) and its two
            # pool threads each wake once a second while idle. The price: writes in the network thread,
            # 10-30 % slower on loopback and beside a large copy to the same disk (docs/bench.md).
            params.disk_io_constructor = "posix_disk_io_constructor"
        self.session = session = lt.session(params)
        self.tuning.opened(session, packed)
        duties = alerts.Duties(self)
        self.pump = AlertPump(session, duties.handlers(), self.alert_subscribers, self.seen, self.set_activity,
                              duties.tick, self.saves.flush)
        self.intake.restore()
        self.settings.subscribe(self.on_settings_changed)
        self.pump.start()
        log.info("engine started: peer port %d, %d torrents", self.port, len(self.table))

    def close(self) -> None:
        if self.session is None or self.pump is None:
            return
        self.pump.stop()
        saving.save_all(self, self.pump, timeout=20)
        self.history.save()
        self.settings.unsubscribe(self.on_settings_changed)
        # libtorrent's destructor removes them first to last, shifting its list at each (100,000: 90 s)
        for handle in reversed(self.session.get_torrents()):
            self.session.remove_torrent(handle)
        # Drop every reference: the session's destructor closes its sockets before close() returns.
        self.session = self.pump.session = None
        for job in self.table.jobs():
            job.handle = None
        self.pump.close()

    def subscribe_alert(self, alert_class: type, callback) -> None:
        """callback(alert) runs on the alert-pump thread; copy what it needs at once."""
        self.alert_subscribers.setdefault(alert_class, []).append(callback)

    def _announce_on_dht(self, _alert) -> None:
        """The DHT is up: announce every torrent now, not in 15 min; then stop hearing DHT alerts."""
        for job in self.table.jobs():
            job.handle.force_dht_announce()
        self.tuning.awaiting_dht = False
        self.on_settings_changed(set())

    def set_activity(self, activity: str) -> None:
        """The pump says what the torrents do (a row of pack.TICK_MS): libtorrent's tick follows."""
        if activity != self.tuning.activity:
            self.tuning.activity = activity
            self.on_settings_changed(set())

    def on_settings_changed(self, changed: set[str]) -> None:
        if self.session is None:
            return
        self.tuning.apply(self.session, changed)
        if changed & _PER_TORRENT:
            for job in self.table.jobs():
                self.apply_limits(job)

    def seen(self, dirty: bool) -> Seen:
        """What the pump's pacing looks at."""
        running, with_peers, all_seeding = self.table.activity()
        now = time.monotonic()
        return Seen(dirty=dirty, unreported=self.table.unreported(), running=running, with_peers=with_peers,
                    all_seeding=all_seeding, watched=now - self.last_read < WATCHED,
                    settling=now - self.last_change < SETTLE)

    # --- adding (intake.py) ---
    def add_bytes(self, data: bytes, options: AddOptions = DEFAULT_ADD, download_url: str = "") -> str:
        return self.intake.add_bytes(data, options, download_url)

    def add_url(self, url: str, options: AddOptions = DEFAULT_ADD) -> str:
        return self.intake.add_url(url, options)
    # --- per-job plumbing ---
    def persist(self, job: Job, waited: bool = True) -> None:
        """A job record changed (through table.edit, which showed it). A command's (a reply waits) is
        on disk before this returns, and libtorrent's resume data follows; an alert's rides with
        the resume save it asks."""
        self.touch()
        alive = job.handle is not None and job.handle.is_valid()
        if waited or not alive:
            self.resume.save_record(job)
        if alive:
            (self.saves.ask if waited else self.saves.ask_soon)(job.handle)

    def apply_limits(self, job: Job) -> None:
        status = self.table.status(job.hash)
        self.seeding.apply_limits(job, status is not None and status.is_seeding)

    def touch(self) -> None:
        """A command or a new peer: libtorrent settles it over the next moments (a move, a check
        starting, a handshake), so the views refresh each second for a while, even when quiet."""
        self.last_change = time.monotonic()
        self.wake()

    def wake(self) -> None:
        if self.pump is not None:
            self.pump.wake()

    def _command(self, info_hash: str, change) -> None:
        """Run change(job) under the table's lock, then show and persist the job."""
        with self.table.edit(info_hash) as job:
            change(job)
        self.persist(job)

    # --- commands ---
    def start(self, info_hash: str) -> None:
        self._command(info_hash, lambda job: self._set_mode(job, QUEUED))

    def forcestart(self, info_hash: str) -> None:
        self._command(info_hash, lambda job: self._set_mode(job, FORCED))

    def stop(self, info_hash: str) -> None:
        self._command(info_hash, lambda job: self._set_mode(job, STOPPED))

    def stop_job(self, job: Job) -> None:
        """A seeding goal was reached (the pump's thread)."""
        self._command(job.hash, lambda job: self._set_mode(job, STOPPED))

    def retry(self, job: Job) -> None:
        """Its data is back (the pump's thread): rechecked (libtorrent may have dropped its pieces), then on."""
        def go_on(job: Job) -> None:
            job.handle.force_recheck()
            self._set_mode(job, job.mode)
        self._command(job.hash, go_on)

    def fail(self, job: Job, error: str) -> None:
        """The torrent cannot go on (the pump's thread): it waits in the error state for Start."""
        def stop(job: Job) -> None:
            job.error = error
            job.handle.unset_flags(TF.auto_managed)
            job.handle.pause()
        self._command(job.hash, stop)

    def pause(self, info_hash: str) -> None:
        def pause(job: Job) -> None:
            job.paused = True
            job.handle.unset_flags(TF.auto_managed)
            job.handle.pause()
        self._command(info_hash, pause)

    def unpause(self, info_hash: str) -> None:
        self._command(info_hash, lambda job: self._set_mode(job, job.mode) if job.paused else None)

    def _set_mode(self, job: Job, mode: str) -> None:
        job.mode, job.paused = mode, False
        if mode != STOPPED and missing.still_missing(job):
            return  # paused in its error state until the data is back (missing.py)
        h = job.handle
        if mode == STOPPED:
            h.unset_flags(TF.auto_managed)
            h.pause()
        elif mode == FORCED:
            h.unset_flags(TF.auto_managed)
            h.resume()
        else:
            h.set_flags(TF.auto_managed)  # the queue may pause it again when slots run out
            if self.intake.queue_room().take(downloading=True):  # not waiting for libtorrent's queue pass
                h.resume()
        status = self.table.status(job.hash)
        if mode != STOPPED and (job.error or (status is not None and status.errc.value())):
            job.error = ""  # the user tries again: a disk with room again, a folder mounted
            h.clear_error()
            h.unset_flags(TF.upload_mode)  # libtorrent's own answer to a full disk, for 10 minutes

    def recheck(self, info_hash: str) -> None:
        job = self.table.get(info_hash)
        h = job.handle
        # into the check queue, one at a time (checks.py, docs/reference/libtorrent.md#check-queue)
        h.set_flags(TF.auto_managed)
        h.pause()
        h.force_recheck()
        if job.mode == STOPPED or job.paused:
            h.set_flags(TF.stop_when_ready)  # paused and unmanaged again once checked
        if self.intake.checks.wait(info_hash):  # none before it
            h.resume()
        kept = self.table.status(job.hash)
        self.table.offer(job, h.status(reads.STATUS_FLAGS), kept)  # a poll right after sees the check
        self.touch()

    def remove(self, info_hash: str, *, data: bool = False, torrent: bool = False) -> None:
        job = self.table.delete(info_hash)
        self.accounting.forget(job.hash)
        self.seeding.forget(job.hash)
        self.progress_saves.forget(job.hash)
        self.intake.forget(job.hash)
        self.session.remove_torrent(job.handle, lt.session.delete_files if data else 0)
        self.resume.remove(job.hash)
        if torrent and job.torrent_file:
            Path(job.torrent_file).unlink(missing_ok=True)
        log.info("removed %s (data %s, .torrent %s)", job.name, "deleted" if data else "kept",
                 "deleted" if torrent else "kept")

    def queue(self, info_hash: str, where: str) -> None:
        h = self.table.get(info_hash).handle
        move = {"up": h.queue_position_up, "down": h.queue_position_down,
                "top": h.queue_position_top, "bottom": h.queue_position_bottom}
        move[where]()
        self.wake()

    def set_prop(self, info_hash: str, key: str, text: str) -> None:
        self._command(info_hash, lambda job: props.set_prop(self, job, key, text))

    def props(self, info_hash: str) -> dict:
        return props.get_props(self, self.table.get(info_hash))

    def set_file_priority(self, info_hash: str, indices: list[int], priority: int) -> None:
        if priority not in UT_TO_LT_PRIORITY:
            raise ValueError(f"priority {priority} is not 0-3")

        def prioritize(job: Job) -> None:
            current = list(job.handle.get_file_priorities())
            for index in indices:
                current[reads.lt_file_index(job, index)] = UT_TO_LT_PRIORITY[priority]
            job.handle.prioritize_files(current)
            if job.first_last:
                limits.apply_first_last(job)
        self._command(info_hash, prioritize)

    def set_tags(self, info_hash: str, tags: Iterable[str]) -> None:
        clean = tuple(sorted({tag.strip() for tag in tags if tag.strip()}))
        self._command(info_hash, lambda job: setattr(job, "tags", clean))

    def set_sequential(self, info_hash: str, on: bool) -> None:
        def change(job: Job) -> None:
            job.sequential = on
            self.apply_limits(job)
        self._command(info_hash, change)

    def set_first_last(self, info_hash: str, on: bool) -> None:
        def change(job: Job) -> None:
            job.first_last = on
            limits.apply_first_last(job)
        self._command(info_hash, change)

    def rename(self, info_hash: str, name: str) -> None:
        if not name.strip():
            raise ValueError("the name is empty")
        def change(job: Job) -> None:
            job.name, job.renamed = name.strip(), True
        self._command(info_hash, change)

    def rename_file(self, info_hash: str, index: int, new_path: str) -> None:
        """new_path inside the torrent (as FileView.path); it may not climb out of the torrent."""
        relative = adding.safe_sub_path(new_path)
        if not str(relative) or str(relative) == ".":
            raise ValueError("the new file name is empty")
        job = self.table.get(info_hash)
        job.handle.rename_file(reads.lt_file_index(job, index), str(relative))
        self.touch()

    def move(self, info_hash: str, folder: str) -> None:
        """The data moves to *folder* now and stays there once complete."""
        target = Path(folder)
        if not target.is_absolute():
            raise ValueError(f"{folder!r} is not an absolute folder")
        target.mkdir(parents=True, exist_ok=True)

        def change(job: Job) -> None:
            job.final_dir = shared_folder(target)
            if target != Path(job.active_dir):
                job.handle.move_storage(str(target), lt.move_flags_t.dont_replace)
        self._command(info_hash, change)

    def reannounce(self, info_hash: str) -> None:
        h = self.table.get(info_hash).handle
        h.force_reannounce()
        if self.settings.get("dht"):
            h.force_dht_announce()

    # --- reads ---
    def snapshot(self) -> dict[str, TorrentView]:
        """The list as a client reads it; reading it keeps the views refreshed every second."""
        now = time.monotonic()
        if now - self.last_read >= WATCHED:
            self.wake()  # the first read after a quiet spell: fresh numbers for the next one
        self.last_read = now
        return self.table.views  # type: ignore[return-value]

    def labels(self) -> list[tuple[str, int]]:
        return self.table.labels()

    def files(self, info_hash: str) -> list[FileView]:
        return reads.files(self.table.get(info_hash))

    def peers(self, info_hash: str) -> list[PeerView]:
        return reads.peers(self.table.get(info_hash))

    def trackers(self, info_hash: str) -> list[TrackerView]:
        return reads.trackers(self.table.get(info_hash))

    def web_seeds(self, info_hash: str) -> list[str]:
        return reads.web_seeds(self.table.get(info_hash))

    def piece_states(self, info_hash: str) -> list[int]:
        return reads.piece_states(self.table.get(info_hash))

    def details(self, info_hash: str) -> TorrentDetails:
        return reads.details(self.table.get(info_hash))

    def file_source(self, info_hash: str, index: int) -> FileSource:
        return reads.file_source(self.table.get(info_hash), index)

    def totals(self) -> dict:
        views = self.table.views.values()
        status = getattr(self.session, "status", None)
        return {"up_rate": sum(v.up_rate for v in views), "down_rate": sum(v.down_rate for v in views),
                "port": self.session.listen_port() if self.session else self.port,
                "peer_id": self.tuning.applied.get("peer_fingerprint", ""),
                "downloaded_session": self.accounting.downloaded, "uploaded_session": self.accounting.uploaded,
                "started_at": self.accounting.started_at,
                "dht_nodes": status().dht_nodes if status and self.settings.get("dht") else 0}

    def xfer_history(self) -> dict:
        return self.history.as_api()

    def reset_xfer_history(self) -> None:
        self.history.reset()
