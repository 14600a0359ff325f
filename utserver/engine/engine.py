"""The engine: one libtorrent session, the torrent jobs, and the commands on them.

Reads (snapshot, labels) come from views the alert pump refreshes; commands
act on libtorrent handles and job records. Job records are saved with
libtorrent's resume data (resume.py) whenever they change.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from pathlib import Path

import libtorrent as lt

from utserver import storage
from utserver.engine import adding, pack, props
from utserver.engine.adding import AddError
from utserver.engine.events import EventRunner
from utserver.engine.history import TransferHistory
from utserver.engine.jobs import FORCED, QUEUED, STOPPED, UT_TO_LT_PRIORITY, Job, lt_to_ut_priority
from utserver.engine.peers import peer_view
from utserver.engine.pump import QUERY_SAVE_PATH, STATUS_FLAGS, WATCHED, AlertPump
from utserver.engine.resume import ResumeStore
from utserver.engine.status import build_view
from utserver.engine.views import AddOptions, FileSource, FileView, PeerView, TorrentView
from utserver.settings import BY_NAME, Settings

log = logging.getLogger("utserver.engine")

TF = lt.torrent_flags

# Which settings re-apply per torrent when they change.
_PER_TORRENT = {"conns_per_torrent", "ul_slots_per_torrent", "max_ul_rate_seed", "pex"}


class JobError(ValueError):
    """A command on a torrent that does not exist (or cannot take it)."""


class Engine:
    def __init__(self, settings: Settings, lt_upnp: bool = False):
        self.settings = settings
        self.lt_upnp = lt_upnp
        self.port = random.randint(1025, 65000) if settings.get("randomize_bind_port") else settings.get("bind_port")
        self.resume = ResumeStore(settings.settings_path / "resume")
        self.history = TransferHistory(settings.settings_path / "xferhist.dat")
        self.events = EventRunner()
        self.jobs: dict[str, Job] = {}
        self.lock = threading.RLock()
        self.views: dict[str, TorrentView] = {}
        self.statuses: dict[str, lt.torrent_status] = {}
        self.last_read = 0.0  # monotonic time of the last list read (snapshot)
        self.last_change = 0.0  # ... of the last command or new peer (touch)
        self.seed_limited: set[str] = set()  # seeding torrents under max_ul_rate_seed
        self.counted: dict[str, tuple[int, int]] = {}  # payload totals already in the history
        self.session: lt.session | None = None
        self.pump: AlertPump | None = None
        self._applied: dict = {}
        self.alert_subscribers: dict[type, list] = {}
        self.subscribe_alert(lt.dht_bootstrap_alert, self._announce_on_dht)
        self._awaiting_dht = True  # until the DHT bootstraps: then every torrent announces
        self._activity = "waiting"  # a row of pack.TICK_MS, which the pump picks
        self._reported_na: set[str] = set()
        self._local_limits_set = False

    # --- lifecycle (open/close: start/stop are torrent commands) ---
    def open(self) -> None:
        packed = self._pack()
        # ut_pex is always loaded (it cannot be added later); the pex setting works per torrent
        # through disable_pex, which libtorrent honours at run time (libtorrent-notes §0.4).
        params = lt.session_params(packed)
        if hasattr(params, "disk_io_constructor"):  # 2.1; 2.0.x picks mmap or posix by platform
            # posix_disk_io, the back-end 32-bit builds of 2.0.x use: pread's write cache grew
            # past its limit (peak private memory of a 1 GiB download 51-94 MiB, 29-37 with
            # posix) and its two pool threads each wake once a second while idle. The price:
            # writes in the network thread, 10-30 % slower on loopback and beside a large copy to
            # the same disk (docs/bench.md).
            params.disk_io_constructor = "posix_disk_io_constructor"
        self.session = lt.session(params)
        self._applied = packed
        self._apply_local_peer_limits()
        self.pump = AlertPump(self)
        self._restore()
        self.settings.subscribe(self.on_settings_changed)
        self.pump.start()
        self._log_not_applicable()
        log.info("engine started: peer port %d, %d torrents", self.port, len(self.jobs))

    def _check_port(self) -> None:
        """libtorrent quietly moves to the next port when ours is taken: say so."""
        actual = self.session.listen_port()
        if actual and actual != self.port:
            log.warning("peer port %d is in use: listening on %d instead", self.port, actual)

    def close(self) -> None:
        if self.session is None:
            return
        self.pump.stop()
        self.session.pause()
        self.pump.save_all_resume_data(timeout=20)
        self.history.save()
        self.settings.unsubscribe(self.on_settings_changed)
        # Drop every reference: the session's destructor closes its sockets before close() returns.
        self.session = self.pump.session = None
        for job in self.jobs.values():
            job.handle = None
        self.pump.close()

    def subscribe_alert(self, alert_class: type, callback) -> None:
        """callback(alert) runs on the alert-pump thread; copy what it needs at once."""
        self.alert_subscribers.setdefault(alert_class, []).append(callback)

    def _announce_on_dht(self, _alert) -> None:
        """The DHT is up (at start, or switched on at run time): announce every torrent now,
        not after dht_announce_interval (15 min); then stop hearing DHT alerts."""
        with self.lock:
            for job in self.jobs.values():
                job.handle.force_dht_announce()
        self._awaiting_dht = False
        self.on_settings_changed(set())

    def _pack(self) -> dict:
        return pack.build_pack(self.settings.get, self.port, self.lt_upnp, self._awaiting_dht, self._activity)

    def set_activity(self, activity: str) -> None:
        """The pump says what the torrents do (a row of pack.TICK_MS): libtorrent's tick follows."""
        if activity != self._activity:
            self._activity = activity
            self.on_settings_changed(set())

    def on_settings_changed(self, changed: set[str]) -> None:
        if "dht" in changed:
            self._awaiting_dht = True
        if "bind_port" in changed and not self.settings.get("randomize_bind_port"):
            self.port = self.settings.get("bind_port")  # reaches listen_interfaces below
        with self.lock:  # the settings' thread and the pump (set_activity) both apply
            packed = self._pack()
            diff = {k: v for k, v in packed.items() if self._applied.get(k) != v}
            if diff:
                self.session.apply_settings(diff)
                self._applied = packed
        if "rate_limit_local_peers" in changed:
            self._apply_local_peer_limits()
        if changed & _PER_TORRENT:
            with self.lock:
                for job in self.jobs.values():
                    self._apply_job_settings(job)
        self._log_not_applicable()

    def _apply_local_peer_limits(self) -> None:
        """rate_limit_local_peers: LAN and loopback peers leave libtorrent's unlimited local class."""
        if not self.settings.get("rate_limit_local_peers") and not self._local_limits_set:
            return  # libtorrent's own default filter is already the "off" state
        limited = self.settings.get("rate_limit_local_peers")
        glob, local = 1 << self.session.global_peer_class_id, 1 << self.session.local_peer_class_id
        ip_filter = lt.ip_filter()
        ip_filter.add_rule("0.0.0.0", "255.255.255.255", glob)
        ip_filter.add_rule("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", glob)
        if not limited:
            for first, last in pack.LOCAL_RANGES:
                ip_filter.add_rule(first, last, local)
        self.session.set_peer_class_filter(ip_filter)
        self._local_limits_set = True

    def _log_not_applicable(self) -> None:
        """Once per setting: a value libtorrent cannot honour is kept, and the log says so."""
        for name, why in pack.NOT_APPLICABLE.items():
            value = self.settings.get(name)
            if value != BY_NAME[name].default and name not in self._reported_na:
                log.warning("%s is accepted but has no effect: %s", name, why)
                self._reported_na.add(name)

    # --- adding ---
    def add_bytes(self, data: bytes, options: AddOptions = AddOptions(), download_url: str = "") -> str:
        params = adding.params_from_bytes(data)
        return self._add(params, params.ti.name(), options, download_url, torrent_bytes=data)

    def add_url(self, url: str, options: AddOptions = AddOptions()) -> str:
        if url.lower().startswith("magnet:"):
            params, name = adding.params_from_magnet(url)
            return self._add(params, name or params.name, options, url)
        if url.lower().startswith(("http://", "https://")):
            return self.add_bytes(adding.fetch_torrent(url), options, download_url=url.split(":COOKIE:")[0])
        raise AddError(f"cannot add {url[:80]!r}: only http(s) URLs and magnet links are supported")

    def _add(self, params: lt.add_torrent_params, name: str, options: AddOptions, download_url: str,
             torrent_bytes: bytes | None = None) -> str:
        info_hash = adding.hash_of(params.ti.info_hashes() if params.ti else params.info_hashes)
        with self.lock:
            if info_hash in self.jobs:
                return info_hash  # µTorrent keeps the existing job
            active, final = adding.target_dirs(self.settings, options)
            active.mkdir(parents=True, exist_ok=True)
            job = Job(hash=info_hash, name=name or info_hash, active_dir=str(active), final_dir=str(final),
                      label=options.label, mode=STOPPED if options.stopped else QUEUED,
                      download_url=download_url, rss_feed_url=options.rss_feed_url)
            if torrent_bytes is not None:
                job.torrent_file = self._store_torrent_file(job, torrent_bytes)
            params.save_path = job.active_dir
            self.resume.save(job, params)  # durable before the reply: a crash now loses nothing
            self._add_to_session(job, params, new=True)
            if options.queue_top:
                job.handle.queue_position_top()
        self.pump.wake()  # an idle pump would otherwise sleep through the first seconds of progress
        log.info("added %s (%s)", job.name, info_hash)
        return info_hash

    def _add_to_session(self, job: Job, params: lt.add_torrent_params, new: bool,
                        has_room: bool | None = None) -> None:
        params.save_path = job.active_dir
        if new:
            params.flags |= TF.duplicate_is_error
            if self.settings.get("sequential_download"):
                params.flags |= TF.sequential_download
            if self.settings.get("prealloc_space"):
                params.storage_mode = lt.storage_mode_t.storage_mode_allocate
        params.flags &= ~(TF.paused | TF.auto_managed)
        if job.paused or job.mode == STOPPED:
            params.flags |= TF.paused
        elif job.mode == QUEUED:
            # Auto-managed: the queue decides. Added paused it would wait for libtorrent's next
            # queue pass (~1 s each, so 1,000 checks took 1,000 s); running at once when there
            # is room, it never briefly runs over the limit either.
            room = self._queue_has_room() if has_room is None else has_room
            params.flags |= TF.auto_managed | (0 if room else TF.paused)
        job.handle = self.session.add_torrent(params)
        self.jobs[job.hash] = job
        self._apply_job_settings(job)
        status = job.handle.status(STATUS_FLAGS)
        self.counted[job.hash] = (status.all_time_download, status.all_time_upload)  # earlier runs counted then
        self.refresh(job, status)

    def _queue_has_room(self) -> bool:
        total, downloads = self.settings.get("max_active_torrent"), self.settings.get("max_active_downloads")
        if total < 0 and downloads < 0:
            return True
        running = [h for h, job in self.jobs.items() if job.mode == QUEUED and not job.paused
                   and h in self.statuses and not self.statuses[h].paused]
        downloading = [h for h in running if not self.statuses[h].is_seeding]
        return (total < 0 or len(running) < total) and (downloads < 0 or len(downloading) < downloads)

    def _store_torrent_file(self, job: Job, data: bytes) -> str:
        folder = storage.make_private_dir(self.settings.path("dir_torrent_files"))
        path = folder / adding.torrent_file_name(job.name, job.hash)
        storage.write_atomic(path, data, keep_old=False)
        return str(path)

    def _restore(self) -> None:
        room = _QueueRoom(self.settings)  # counted as we go: scanning every job per torrent was O(n²)
        for job, params in self.resume.load_all():
            try:
                self._add_to_session(job, params, new=False, has_room=room.take(job))
            except RuntimeError as exc:
                log.error("cannot restore %s (%s): %s", job.name, job.hash, exc)

    # --- per-job plumbing ---
    def job(self, info_hash: str) -> Job:
        job = self.jobs.get(info_hash.upper())
        if job is None:
            raise JobError(f"no torrent with hash {info_hash}")
        return job

    def refresh(self, job: Job, status: lt.torrent_status | None = None) -> None:
        """Rebuild one torrent's view now (after a command or an alert)."""
        with self.lock:
            if status is not None:
                self.statuses[job.hash] = status
            status = self.statuses.get(job.hash)
            if status is not None and job.hash in self.jobs:
                view = build_view(status, job)
                self.views = {**self.views, job.hash: view}
                if self.pump is not None:
                    self.pump.report_state(job, view)

    def changed(self, job: Job) -> None:
        """A job record changed: show it and persist it with fresh resume data."""
        self.refresh(job)
        self.touch()
        if job.handle.is_valid():
            job.handle.save_resume_data(lt.save_resume_flags_t.save_info_dict)

    def touch(self) -> None:
        """A command or a new peer: libtorrent settles it over the next moments (a move, a check
        starting, a handshake), so the views refresh each second for a while, even when quiet."""
        self.last_change = time.monotonic()
        if self.pump is not None:
            self.pump.wake()

    def _apply_job_settings(self, job: Job) -> None:
        """The global settings and the job's own props that libtorrent keeps per torrent."""
        h = job.handle
        pex_on = self.settings.get("pex") and job.pex
        (h.unset_flags if pex_on else h.set_flags)(TF.disable_pex)
        h.set_max_connections(self.settings.get("conns_per_torrent"))
        h.set_max_uploads(job.ulslots or self.settings.get("ul_slots_per_torrent"))
        h.set_download_limit(job.dlrate)
        seed_limit = self.settings.get("max_ul_rate_seed")
        seeding = self.statuses.get(job.hash) is not None and self.statuses[job.hash].is_seeding
        (self.seed_limited.add if seeding else self.seed_limited.discard)(job.hash)
        h.set_upload_limit(job.ulrate or (seed_limit * 1024 if seeding and seed_limit > 0 else 0))

    # --- commands ---
    def start(self, info_hash: str) -> None:
        self._set_mode(self.job(info_hash), QUEUED)

    def forcestart(self, info_hash: str) -> None:
        self._set_mode(self.job(info_hash), FORCED)

    def stop(self, info_hash: str) -> None:
        self._set_mode(self.job(info_hash), STOPPED)

    def pause(self, info_hash: str) -> None:
        job = self.job(info_hash)
        with self.lock:
            job.paused = True
            job.handle.unset_flags(TF.auto_managed)
            job.handle.pause()
        self.changed(job)

    def unpause(self, info_hash: str) -> None:
        job = self.job(info_hash)
        if job.paused:
            self._set_mode(job, job.mode)

    def _set_mode(self, job: Job, mode: str) -> None:
        with self.lock:
            job.mode, job.paused = mode, False
            h = job.handle
            if mode == STOPPED:
                h.unset_flags(TF.auto_managed)
                h.pause()
            elif mode == FORCED:
                h.unset_flags(TF.auto_managed)
                h.resume()
            else:
                h.set_flags(TF.auto_managed)  # the queue may pause it again when slots run out
                if self._queue_has_room():  # not waiting for libtorrent's next queue pass (as an add)
                    h.resume()
            if job.error and mode != STOPPED:
                h.clear_error()
        self.changed(job)

    def recheck(self, info_hash: str) -> None:
        job = self.job(info_hash)
        h = job.handle
        h.force_recheck()
        if job.mode == STOPPED or job.paused:  # a paused torrent never checks (libtorrent-notes §0.7)
            h.set_flags(TF.stop_when_ready)
            h.resume()

    def remove(self, info_hash: str, *, data: bool = False, torrent: bool = False) -> None:
        with self.lock:
            job = self.job(info_hash)
            del self.jobs[job.hash]
            self.views = {k: v for k, v in self.views.items() if k != job.hash}
            self.statuses.pop(job.hash, None)
            self.seed_limited.discard(job.hash)
            self.counted.pop(job.hash, None)
        flags = lt.session.delete_files if data else 0
        self.session.remove_torrent(job.handle, flags)
        self.resume.remove(job.hash)
        if torrent and job.torrent_file:
            Path(job.torrent_file).unlink(missing_ok=True)
        log.info("removed %s (data %s, .torrent %s)", job.name, "deleted" if data else "kept",
                 "deleted" if torrent else "kept")

    def queue(self, info_hash: str, where: str) -> None:
        h = self.job(info_hash).handle
        move = {"up": h.queue_position_up, "down": h.queue_position_down,
                "top": h.queue_position_top, "bottom": h.queue_position_bottom}
        move[where]()
        self.pump.wake()

    def set_prop(self, info_hash: str, key: str, text: str) -> None:
        job = self.job(info_hash)
        props.set_prop(self, job, key, text)
        self.changed(job)

    def props(self, info_hash: str) -> dict:
        return props.get_props(self, self.job(info_hash))

    def set_file_priority(self, info_hash: str, indices: list[int], priority: int) -> None:
        job = self.job(info_hash)
        if priority not in UT_TO_LT_PRIORITY:
            raise ValueError(f"priority {priority} is not 0-3")
        current = list(job.handle.get_file_priorities())
        info = job.handle.torrent_file()
        visible = _visible_files(_layout(info)) if info else []
        for index in indices:
            if not 0 <= index < len(visible):
                raise ValueError(f"file {index} does not exist (the torrent has {len(visible)} files)")
            current[visible[index]] = UT_TO_LT_PRIORITY[priority]
        job.handle.prioritize_files(current)
        self.changed(job)

    # --- reads ---
    def snapshot(self) -> dict[str, TorrentView]:
        """The list as a client reads it; reading it keeps the views refreshed every second."""
        now = time.monotonic()
        if now - self.last_read >= WATCHED and self.pump is not None:
            self.pump.wake()  # the first read after a quiet spell: fresh numbers for the next one
        self.last_read = now
        return self.views

    def labels(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for view in self.views.values():
            if view.label:
                counts[view.label] = counts.get(view.label, 0) + 1
        return sorted(counts.items())

    def files(self, info_hash: str) -> list[FileView]:
        h = self.job(info_hash).handle
        info = h.torrent_file()
        if info is None:
            return []
        layout = _layout(info)
        progress = h.file_progress()
        priorities = h.get_file_priorities()
        piece = info.piece_length()
        views = []
        for i in _visible_files(layout):
            offset, size = layout.file_offset(i), layout.file_size(i)
            first = offset // piece
            last = (offset + size - 1) // piece if size else first
            views.append(FileView(_ut_file_name(layout, i), size, progress[i],
                                  lt_to_ut_priority(priorities[i]), first, last - first + 1))
        return views

    def peers(self, info_hash: str) -> list[PeerView]:
        return [peer_view(p) for p in self.job(info_hash).handle.get_peer_info()]

    def file_source(self, info_hash: str, index: int) -> FileSource:
        h = self.job(info_hash).handle
        info = h.torrent_file()
        if info is None:
            raise JobError("the torrent has no metadata yet")
        layout = _layout(info)
        visible = _visible_files(layout)
        if not 0 <= index < len(visible):
            raise JobError(f"file {index} does not exist")
        i = visible[index]
        status = h.status(lt.torrent_handle.query_pieces | QUERY_SAVE_PATH)
        return FileSource(Path(status.save_path) / layout.file_path(i), layout.file_size(i),
                          layout.file_offset(i), info.piece_length(), tuple(status.pieces))

    def totals(self) -> dict:
        views = self.views.values()
        return {"up_rate": sum(v.up_rate for v in views), "down_rate": sum(v.down_rate for v in views),
                "port": self.session.listen_port() if self.session else self.port,
                "peer_id": self._applied.get("peer_fingerprint", "")}

    def xfer_history(self) -> dict:
        return self.history.as_api()

    def reset_xfer_history(self) -> None:
        self.history.reset()


def _layout(info: lt.torrent_info):
    return info.layout() if hasattr(info, "layout") else info.files()  # files() is deprecated in 2.1


def _visible_files(layout) -> list[int]:
    """libtorrent indices of the files µTorrent lists: pad files are hidden, so getfiles index != lt index."""
    pad = getattr(lt.file_storage, "flag_pad_file", 1)
    return [i for i in range(layout.num_files()) if not layout.file_flags(i) & pad]


def _ut_file_name(layout, index: int) -> str:
    """µTorrent names a multi-file torrent's files inside the torrent's folder, without it."""
    path = layout.file_path(index)
    root = layout.name() + "/"
    return path[len(root):] if layout.num_files() > 1 and path.startswith(root) else path


class _QueueRoom:
    """The queue's free slots while torrents are restored, counted instead of recomputed."""

    def __init__(self, settings: Settings):
        self.total, self.downloads = settings.get("max_active_torrent"), settings.get("max_active_downloads")

    def take(self, job: Job) -> bool:
        if job.mode != QUEUED or job.paused:
            return False
        downloading = job.progress < 1000
        if self.total == 0 or (downloading and self.downloads == 0):
            return False
        self.total -= 1 if self.total > 0 else 0
        if downloading and self.downloads > 0:
            self.downloads -= 1
        return True
