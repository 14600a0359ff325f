"""Adding torrents: from bytes, URLs and magnets, and restoring them at start (with the queue's room
counted, so a queued torrent starts at once when it may)."""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING, Any

import libtorrent as lt

from utserver import storage
from utserver.engine import adding, disk, limits, missing, reads
from utserver.engine.checks import CheckQueue
from utserver.engine.jobs import QUEUED, STOPPED, Job, shared_folder
from utserver.engine.queue import QueueRoom
from utserver.engine.restoring import Restore
from utserver.engine.views import DEFAULT_ADD, AddOptions

if TYPE_CHECKING:
    from utserver.engine.engine import Engine

log = logging.getLogger("utserver.engine")

TF = lt.torrent_flags


class Intake:
    def __init__(self, engine: Engine):
        self.engine = engine
        # Until libtorrent's first check of them: new torrents with metadata and no data, and
        # restored ones (that check reads back the resume data just loaded: nothing new to save)
        self._unchecked: set[str] = set()
        self._resumed: set[str] = set()
        # Restored with their data missing: the pump looks whether it is back (alerts.Duties);
        # the only torrents that can be in that error state (missing.check runs at restore).
        self.missing: set[str] = set()
        self.checks = CheckQueue(self._handle_of)

    def add_bytes(self, data: bytes, options: AddOptions = DEFAULT_ADD, download_url: str = "") -> str:
        params = adding.params_from_bytes(data)
        info: Any = params.ti  # always set from bytes
        return self._add(params, info.name(), options, download_url, torrent_bytes=data)

    def add_url(self, url: str, options: AddOptions = DEFAULT_ADD) -> str:
        if url.lower().startswith("magnet:"):
            params, name = adding.params_from_magnet(url)
            return self._add(params, name or params.name, options, url)
        if url.lower().startswith(("http://", "https://")):
            return self.add_bytes(adding.fetch_torrent(url), options, download_url=url.split(":COOKIE:")[0])
        raise adding.AddError(f"cannot add {url[:80]!r}: only http(s) URLs and magnet links are supported")

    def _add(self, params: lt.add_torrent_params, name: str, options: AddOptions, download_url: str,
             torrent_bytes: bytes | None = None) -> str:
        info_hash = adding.hash_of(params.ti.info_hashes() if params.ti else params.info_hashes)
        if info_hash in self.engine.table:
            return info_hash  # µTorrent keeps the existing job
        job = adding.new_job(self.engine.settings, info_hash, name, options, download_url)
        job.sequential = options.sequential or bool(self.engine.settings.get("sequential_download"))
        if params.ti:
            job.total_size = params.ti.total_size()
            renamed = adding.fitted_file_names(params.ti)
            params.renamed_files = renamed
            self._use_data_in_place(job, params.ti, renamed)
            if options.skip_checking:
                params.flags |= TF.seed_mode
            elif self.engine.settings.get("prealloc_space"):  # outside the lock: slow on FAT
                disk.allocate(params.ti, job.active_dir, renamed)
        params.save_path = job.active_dir
        with self.engine.table.lock:
            if info_hash in self.engine.table:
                return info_hash
            if torrent_bytes is not None:
                job.torrent_file = self.store_torrent_file(job, torrent_bytes)
            self.engine.resume.save(job, params)  # durable before the reply: a crash now loses nothing
            self._add_to_session(job, params, new=True)
            if options.queue_top:
                job.handle.queue_position_top()
            if job.first_last:
                limits.apply_first_last(job)
        self.engine.wake()  # an idle pump would otherwise sleep through the first seconds of progress
        log.info("added %s (%s)", job.name, info_hash)
        return info_hash

    def _add_to_session(self, job: Job, params: lt.add_torrent_params, new: bool) -> None:
        check_now = self._set_flags(job, params, new)
        handle = self.engine.session.add_torrent(params)
        self._joined(job, handle)
        if check_now:  # only once it is in the table: the pump ignores alerts of unknown torrents
            handle.resume()
        self._reported(job, handle.status(reads.STATUS_FLAGS))

    def _set_flags(self, job: Job, params: lt.add_torrent_params, new: bool, has_room: bool | None = None) -> bool:
        """libtorrent's flags for the job; True when its check may start at once (none waits)."""
        params.save_path = job.active_dir
        if new:
            params.flags |= TF.duplicate_is_error
            if self.engine.settings.get("prealloc_space"):
                params.storage_mode = lt.storage_mode_t.storage_mode_allocate
        params.flags &= ~(TF.paused | TF.auto_managed)
        if job.paused or job.mode == STOPPED or missing.is_missing(job):
            params.flags |= TF.paused
        elif job.mode == QUEUED:
            # Auto-managed: the queue decides. Added paused it would wait for libtorrent's next
            # queue pass (~1 s each, so 1,000 checks took 1,000 s); running at once when there
            # is room, it never briefly runs over the limit either.
            room = self.queue_room().take(downloading=True) if has_room is None else has_room
            params.flags |= TF.auto_managed | (0 if room else TF.paused)
        if new and not job.paused and job.mode != STOPPED and self._finds_data(job, params):
            # into the check queue (one at a time), started at once when it is empty; once
            # checked, alerts.on_checked gives it back its mode
            params.flags |= TF.auto_managed | TF.paused
            return self.checks.wait(job.hash)
        if new and params.ti is not None:
            self._unchecked.add(job.hash)
        return False

    def _joined(self, job: Job, handle: lt.torrent_handle) -> None:
        job.handle = handle
        self.engine.table.insert(job)

    def _reported(self, job: Job, status: lt.torrent_status) -> None:
        self.engine.accounting.baseline(job.hash, status)  # earlier runs counted then
        self.engine.table.refresh(job, status)
        self.engine.apply_limits(job)

    def _use_data_in_place(self, job: Job, info: lt.torrent_info, renamed: dict[int, str]) -> None:
        """The data is at its final place already (another client's download, a copy): checked
        and seeded there, not downloaded again into the active folder."""
        final = shared_folder(adding.final_folder(job, self.engine.settings.get))
        if final != job.active_dir and not disk.has_data(info, job.active_dir, renamed) \
                and disk.has_data(info, final, renamed):
            log.info("%s: the data is in %s already: checking it there", job.name, final)
            job.active_dir = final

    def check_is_news(self, info_hash: str, handle: lt.torrent_handle) -> bool:
        """Whether a finished check found what the saved resume data lacks: not the first check
        of a new torrent that has nothing yet, nor a restored one's check of its resume data
        (had libtorrent rejected that, resume_rejected would have said so)."""
        if info_hash in self._resumed:
            self._resumed.discard(info_hash)
            return False
        if info_hash in self._unchecked:
            self._unchecked.discard(info_hash)
            return handle.status(0).num_pieces > 0
        return True

    def resume_rejected(self, info_hash: str) -> None:
        """libtorrent checks the data instead: what it finds is news."""
        self._resumed.discard(info_hash)

    def forget(self, info_hash: str) -> None:
        self._unchecked.discard(info_hash)
        self._resumed.discard(info_hash)
        self.missing.discard(info_hash)
        self.checks.forget(info_hash)

    def _handle_of(self, info_hash: str) -> lt.torrent_handle | None:
        job = self.engine.table.find(info_hash)
        return None if job is None else job.handle

    @staticmethod
    def _finds_data(job: Job, params: lt.add_torrent_params) -> bool:
        if params.ti is None or params.flags & TF.seed_mode:
            return False
        return disk.has_data(params.ti, job.active_dir, dict(params.renamed_files))

    def queue_room(self) -> QueueRoom:
        return QueueRoom.now(int(self.engine.settings.get("max_active_torrent")),
                             int(self.engine.settings.get("max_active_downloads")), *self.engine.table.queue_activity())

    def store_torrent_file(self, job: Job, data: bytes) -> str:
        folder = storage.make_private_dir(self.engine.settings.path("dir_torrent_files"))
        path = folder / adding.torrent_file_name(job.name, job.hash)
        storage.write_atomic(path, data, keep_old=False)
        return str(path)

    def restore(self) -> None:
        """The saved torrents back into libtorrent and the table. Python's cyclic collector is off
        meanwhile and then leaves what was restored out of its passes (gc.freeze): those objects
        live as long as the daemon, and its full passes over them made a restore of 100,000
        torrents 31 s instead of 18 s, and the close after it 23 s instead of 7 s."""
        gc.disable()
        try:
            self._restore()
        finally:
            gc.enable()
            gc.freeze()

    def _restore(self) -> None:
        # the queue's room counted as we go: scanning every job per torrent was O(n²)
        get, pump = self.engine.settings.get, self.engine.pump
        assert pump is not None, "the pump exists before the restore: it handles alerts meanwhile"
        room = QueueRoom(int(get("max_active_torrent")), int(get("max_active_downloads")))
        restore = Restore(self.engine.session, pump.wait, pump.dispatch, self._joined, self._reported)
        for job, params in self.engine.resume.load_all():
            missing.check(job, params.ti, dict(params.renamed_files))
            if missing.is_missing(job):
                log.error("%s: %s", job.name, job.error)
                self.missing.add(job.hash)
            waits = job.paused or missing.is_missing(job)
            runs = job.mode == QUEUED and not waits and room.take(downloading=job.progress < 1000)
            self._set_flags(job, params, new=False, has_room=runs)
            self._resumed.add(job.hash)
            restore.add(job, params)
        restore.finish()
