"""The torrent table: the one writer of job records, libtorrent statuses and list views.

Every change to a job happens inside `edit()` (or `update()` for the pump's status batches),
under the table's lock, and ends with the job's view rebuilt. `views` is a mapping that readers
may keep and iterate: it is never changed, but replaced by a new one (copy on write) at the first
read after a change, and an unchanged torrent keeps its very view object, so every delta scheme
(µTorrent cid, qBittorrent rid, Transmission recently-active) compares by identity.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

import libtorrent as lt

from utserver.engine.jobs import Job
from utserver.engine.status import build_view
from utserver.engine.views import TorrentView

# Called with each rebuilt view, under the lock: state_cmd reporting (events.StateReporter).
ViewListener = Callable[[Job, TorrentView], None]
# Called for each fresh status before its view is built, under the lock: the policies that
# follow a status (accounting, seeding goals and limits, the periodic saves). Returns nothing; may edit the job.
StatusPolicy = Callable[[Job, lt.torrent_status, lt.torrent_status | None], None]


class JobError(ValueError):
    """A command on a torrent that does not exist (or cannot take it)."""


class TorrentTable:
    def __init__(self, on_view: ViewListener):
        self.lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._statuses: dict[str, lt.torrent_status] = {}
        self._published: Mapping[str, TorrentView] = {}
        # Views changed since the last read (None: removed), merged in by the next read: a copy
        # of the whole mapping per change was O(n) per add (100,000 torrents: ms each).
        self._fresh: dict[str, TorrentView | None] = {}
        self._on_view = on_view
        self._labels: tuple[Mapping[str, TorrentView], list[tuple[str, int]]] = ({}, [])  # (views, their labels)
        # What the running torrents do, kept as statuses come and go: the pump's pacing looks at
        # it each time it wakes, and counting 100,000 statuses there took half a core.
        self._running = self._with_peers = self._leeching = 0
        self._queue_running = self._queue_leeching = 0  # the auto-managed ones among them

    # --- reads (any thread) ---
    @property
    def views(self) -> Mapping[str, TorrentView]:
        """Every torrent's view; a batch of changes (update) shows whole or not at all."""
        if self._fresh:
            with self.lock:
                fresh, self._fresh = self._fresh, {}
                views = dict(self._published)
                for info_hash, view in fresh.items():
                    if view is None:
                        views.pop(info_hash, None)
                    else:
                        views[info_hash] = view
                self._published = views
        return self._published

    def view(self, info_hash: str) -> TorrentView | None:
        """One torrent's view, fresh or published, without merging the others in: a read of
        `views` after each change copies every view (a finish each, 100,000 torrents: O(n²))."""
        with self.lock:
            if info_hash in self._fresh:
                return self._fresh[info_hash]
            return self._published.get(info_hash)

    def get(self, info_hash: str) -> Job:
        job = self._jobs.get(info_hash.upper())
        if job is None:
            raise JobError(f"no torrent with hash {info_hash}")
        return job

    def find(self, info_hash: str) -> Job | None:
        return self._jobs.get(info_hash)

    def __contains__(self, info_hash: str) -> bool:
        return info_hash in self._jobs

    def __len__(self) -> int:
        return len(self._jobs)

    def labels(self) -> list[tuple[str, int]]:
        """(label, torrents) sorted by label, counted once per views mapping: every list poll
        asks, and counting 100,000 views took most of an unchanged poll's 12 ms."""
        views = self.views
        counted, labels = self._labels
        if counted is not views:
            counts: dict[str, int] = {}
            for view in views.values():
                if view.label:
                    counts[view.label] = counts.get(view.label, 0) + 1
            labels = sorted(counts.items())
            self._labels = (views, labels)
        return list(labels)

    def jobs(self) -> list[Job]:
        """A copy: the caller may iterate while other threads add and remove."""
        with self.lock:
            return list(self._jobs.values())

    def status(self, info_hash: str) -> lt.torrent_status | None:
        return self._statuses.get(info_hash)

    def statuses(self) -> list[lt.torrent_status]:
        with self.lock:
            return list(self._statuses.values())

    def activity(self) -> tuple[int, bool, bool]:
        """(torrents libtorrent runs, whether one of them has a peer, whether all of them seed)."""
        return self._running, self._with_peers > 0, self._leeching == 0

    def queue_activity(self) -> tuple[int, int]:
        """(torrents the queue runs, how many of them download): counted as statuses come and go,
        not by a scan of every status at each add (100,000: 10 ms an add)."""
        return self._queue_running, self._queue_leeching

    def unreported(self) -> bool:
        """Some torrent has no status yet (just added or restored)."""
        return len(self._statuses) < len(self._jobs)

    # --- writes (under the lock) ---
    def insert(self, job: Job) -> None:
        """A new job: it has a view once its first status comes (refresh)."""
        with self.lock:
            self._jobs[job.hash] = job

    def delete(self, info_hash: str) -> Job:
        with self.lock:
            job = self.get(info_hash)
            del self._jobs[job.hash]
            self._count(self._statuses.pop(job.hash, None), -1)
            self._fresh[job.hash] = None
            return job

    @contextmanager
    def edit(self, info_hash: str, status: lt.torrent_status | None = None) -> Iterator[Job]:
        """Change one job: the lock is held while the caller changes it, then its view is rebuilt
        (with a fresh status when the caller has one)."""
        with self.lock:
            job = self.get(info_hash)
            yield job
            self._rebuild(job, status)

    def refresh(self, job: Job, status: lt.torrent_status | None = None) -> None:
        """Rebuild one view now, with a fresh status when the caller has one."""
        with self.lock:
            if job.hash in self._jobs:
                self._rebuild(job, status)

    def offer(self, job: Job, status: lt.torrent_status, kept: lt.torrent_status | None) -> None:
        """A status read outside the pump and its lock (a recheck's), shown unless the pump's
        updates replaced *kept*, the one held when the read began: theirs may be newer, and
        libtorrent reports a torrent only when it changes again. Shown over a newer one, a read
        taken while a small torrent's check ran left it "checking" for good."""
        with self.lock:
            if job.hash in self._jobs and self._statuses.get(job.hash) is kept:
                self._rebuild(job, status)

    def update(self, statuses: Iterable[lt.torrent_status], policies: Iterable[StatusPolicy],
               key: Callable[[lt.torrent_status], str]) -> None:
        """The pump's batch of changed statuses: policies first (a stop must show in this very
        view), then the views of the whole batch."""
        with self.lock:
            for st in statuses:
                job = self._jobs.get(key(st))
                if job is None:
                    continue
                before = self._keep(job.hash, st)
                for policy in policies:
                    policy(job, st, before)
                self._fresh[job.hash] = self._view(job, st)

    def _rebuild(self, job: Job, status: lt.torrent_status | None = None) -> None:
        if status is not None:
            self._keep(job.hash, status)
        st = self._statuses.get(job.hash)
        if st is not None:
            self._fresh[job.hash] = self._view(job, st)

    def _keep(self, info_hash: str, st: lt.torrent_status) -> lt.torrent_status | None:
        """A torrent's new status; returns the one it replaces."""
        before = self._statuses.get(info_hash)
        self._statuses[info_hash] = st
        self._count(before, -1)
        self._count(st, 1)
        return before

    def _count(self, st: lt.torrent_status | None, sign: int) -> None:
        if st is not None and not st.paused:
            self._running += sign
            self._with_peers += sign if st.num_peers else 0
            self._leeching += 0 if st.is_seeding else sign
            if st.auto_managed:
                self._queue_running += sign
                self._queue_leeching += 0 if st.is_seeding else sign

    def _view(self, job: Job, st: lt.torrent_status) -> TorrentView:
        view = build_view(st, job)
        self._on_view(job, view)
        return view
