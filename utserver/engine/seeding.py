"""Seeding goals (µTorrent stops a torrent at its ratio or time goal; libtorrent's own limits only
re-queue) and the seeding upload limit, as a status policy plus a clock for idle seeds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import libtorrent as lt

from utserver.engine import limits
from utserver.engine.jobs import STOPPED, Job
from utserver.engine.status import seconds

log = logging.getLogger("utserver.engine")


class Seeding:
    def __init__(self, get: Callable[[str], Any], stop: Callable[[Job], None]):
        self.get, self._stop = get, stop
        # running seeds: the monotonic time they started seeding. An idle seed gets no new status,
        # so its time goal (perhaps set after its last status) is checked on the pump's clock (due()).
        self._since: dict[str, float] = {}
        # those of them with a time goal of their own: while the global goal is 0, due() looks only
        # at these (a look at every seed each 5 s was 2 ms/s of an idle daemon with 10,000)
        self._own_goal: set[str] = set()
        self._seeds: set[str] = set()  # torrents whose limits were last applied as seeding

    def follow(self, job: Job, st: lt.torrent_status, before: lt.torrent_status | None) -> None:
        """A status policy (table.update)."""
        if st.is_seeding != (job.hash in self._seeds):
            self.apply_limits(job, st.is_seeding)  # max_ul_rate_seed starts or ends
        else:
            self.watch(job)
        if job.mode == STOPPED or job.paused or not st.is_seeding or st.paused:
            self._since.pop(job.hash, None)
            return
        ratio_goal, time_goal = self.goals(job)
        base = st.all_time_download or st.total_wanted_done or 1
        ratio = st.all_time_upload * 1000 // base
        seeded = seconds(st.seeding_duration)
        if (ratio_goal and ratio >= ratio_goal) or (time_goal and seeded >= time_goal):
            log.info("%s reached its seeding goal (ratio %d‰, %ds): stopping", job.name, ratio, seeded)
            self._since.pop(job.hash, None)
            self._stop(job)
        else:
            self._since[job.hash] = time.monotonic() - seeded

    def apply_limits(self, job: Job, seeding: bool) -> None:
        """The torrent's limits as of `seeding`, noted: a status that says the same applies none
        again (a restart applied every seed's twice, 600,000 libtorrent calls at 100,000)."""
        (self._seeds.add if seeding else self._seeds.discard)(job.hash)
        limits.apply(job, self.get, seeding)
        self.watch(job)

    def watch(self, job: Job) -> None:
        """The torrent's own goals may have changed (its props, or a status): due() follows."""
        if job.seed_override and job.seed_time:
            self._own_goal.add(job.hash)
        else:
            self._own_goal.discard(job.hash)

    def goals(self, job: Job) -> tuple[int, int]:
        """(ratio per mille, seconds); 0 is no goal."""
        if job.seed_override:
            return job.seed_ratio, job.seed_time
        return int(self.get("seed_ratio")) * 10, int(self.get("seed_time"))

    def due(self, find: Callable[[str], Job | None]) -> list[Job]:
        """Running seeds whose time goal passed while nothing else changed."""
        now, due = time.monotonic(), []
        timed = self._since
        if not int(self.get("seed_time")):  # only a goal of its own can be due
            timed = {h: self._since[h] for h in self._own_goal if h in self._since}
        for info_hash, since in list(timed.items()):
            job = find(info_hash)
            if job is None or job.mode == STOPPED or job.paused:
                self._since.pop(info_hash, None)
                continue
            time_goal = self.goals(job)[1]
            if time_goal and now - since >= time_goal:
                self._since.pop(info_hash, None)
                due.append(job)
        return due

    def forget(self, info_hash: str) -> None:
        self._since.pop(info_hash, None)
        self._own_goal.discard(info_hash)
        self._seeds.discard(info_hash)
