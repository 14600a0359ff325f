"""Seeding time goals of idle seeds (seeding.Seeding.due): which seeds the 5-second look visits.

An idle seed gets no new status, so its time goal is checked on the pump's clock. With no global
goal, a look at every seed each 5 s cost an idle daemon with 10,000 of them 2 ms/s (docs/bench.md):
only the torrents with a goal of their own are looked at then, whenever that goal was set.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from unittest.mock import MagicMock

from utserver.engine import seeding as seeding_module
from utserver.engine.jobs import Job
from utserver.engine.seeding import Seeding


def _seed(seeded: int) -> SimpleNamespace:
    """The parts of a status a seed's policy reads: a running seed that seeded this long."""
    return SimpleNamespace(is_seeding=True, paused=False, all_time_download=0, total_wanted_done=100,
                           all_time_upload=0, seeding_duration=timedelta(seconds=seeded))


def _setup(global_seed_time: int):
    settings = {"seed_time": global_seed_time, "seed_ratio": 0, "pex": 1, "conns_per_torrent": 50,
                "ul_slots_per_torrent": 4, "max_ul_rate_seed": 0}
    seeding = Seeding(settings.get, stop=lambda job: None)
    jobs = {h: Job(hash=h, name=h, active_dir="/d", final_dir="/d", handle=MagicMock()) for h in "ABCD"}
    looked: list[str] = []

    def find(info_hash: str) -> Job | None:
        looked.append(info_hash)
        return jobs.get(info_hash)
    return settings, seeding, jobs, looked, find


def test_without_a_global_goal_only_seeds_with_their_own_goal_are_looked_at(monkeypatch):
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(seeding_module.time, "monotonic", lambda: clock.now)
    settings, seeding, jobs, looked, find = _setup(0)
    jobs["B"].seed_override, jobs["B"].seed_time = True, 60
    for job in jobs.values():
        seeding.follow(job, _seed(50), None)  # 10 s short of B's goal: no new status comes
    assert seeding.due(find) == [] and looked == ["B"]
    clock.now += 10
    assert seeding.due(find) == [jobs["B"]]
    assert looked == ["B", "B"]


def test_an_own_goal_set_after_the_last_status_is_looked_at():
    settings, seeding, jobs, looked, find = _setup(0)
    for job in jobs.values():
        seeding.follow(job, _seed(100), None)
    assert seeding.due(find) == [] and looked == []
    jobs["C"].seed_override, jobs["C"].seed_time = True, 60  # setprops, as props._set_attr does it
    seeding.watch(jobs["C"])
    assert seeding.due(find) == [jobs["C"]]


def test_a_global_goal_set_after_the_last_status_reaches_every_seed():
    settings, seeding, jobs, looked, find = _setup(0)
    jobs["D"].seed_override = True  # its own goals: none
    for job in jobs.values():
        seeding.follow(job, _seed(100), None)
    settings["seed_time"] = 60
    assert sorted(job.hash for job in seeding.due(find)) == ["A", "B", "C"]


def test_limits_applied_as_a_seed_are_not_applied_again_by_a_status_that_agrees():
    """A restart applies each restored seed's limits; its first status, seeding too, applies none
    again (at 100,000 seeds that was 600,000 more libtorrent calls). A torrent that stops seeding
    gets its limits again: max_ul_rate_seed ends."""
    settings, seeding, jobs, looked, find = _setup(0)
    settings["max_ul_rate_seed"] = 10
    job = jobs["A"]
    seeding.apply_limits(job, True)
    seeding.follow(job, _seed(5), None)
    assert [c.args for c in job.handle.set_upload_limit.call_args_list] == [(10240,)]
    seeding.follow(job, SimpleNamespace(**{**vars(_seed(5)), "is_seeding": False}), None)
    assert [c.args for c in job.handle.set_upload_limit.call_args_list] == [(10240,), (0,)]
