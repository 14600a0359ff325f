"""The pump's pace: every row of the decision, without a session."""

from types import SimpleNamespace

import pytest

from utserver.engine import table as table_module
from utserver.engine.jobs import Job
from utserver.engine.pacing import EXCHANGING, IDLE_WAIT, QUIET, SEEDING_TICK, TICK, WAITING, Seen, pace
from utserver.engine.table import TorrentTable

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

BASE = dict(dirty=False, unreported=False, running=3, with_peers=False, all_seeding=True, watched=False,
            settling=False)

ROWS = [
    # (what differs from BASE, interval, activity, why)
    ({}, SEEDING_TICK, QUIET, "only seeding, nobody watching: slow refresh, slow tick"),
    ({"dirty": True}, TICK, QUIET, "a command asked for a refresh"),
    ({"unreported": True}, TICK, WAITING, "a torrent has no status yet"),
    ({"running": 0}, IDLE_WAIT, QUIET, "every torrent paused"),
    ({"running": 0, "dirty": True}, TICK, QUIET, "paused, but a command came"),
    ({"all_seeding": False}, TICK, WAITING, "a torrent downloads without peers"),
    ({"all_seeding": False, "with_peers": True}, TICK, EXCHANGING, "a download with peers"),
    ({"with_peers": True}, SEEDING_TICK, EXCHANGING, "seeding to a peer, nobody watching"),
    ({"with_peers": True, "watched": True}, TICK, EXCHANGING, "seeding to a peer while a client watches"),
    ({"watched": True}, SEEDING_TICK, QUIET, "watched, but nothing can change by itself"),
    ({"settling": True}, TICK, QUIET, "just after a command: its effects show each second"),
]


@pytest.mark.parametrize("differs, interval, activity, why", ROWS, ids=[row[3] for row in ROWS])
def test_pace(differs, interval, activity, why):
    assert pace(Seen(**{**BASE, **differs})) == (interval, activity)


def test_what_the_running_torrents_do_is_kept_as_statuses_come_and_go(monkeypatch):
    """The pump reads it each time it wakes, and each add reads the queue's share: counting
    100,000 statuses there took half a core, and 10 ms an add. Kept in step through refreshes,
    the pump's batches and removals; a forced torrent (not auto-managed) is not the queue's."""
    table = TorrentTable(on_view=lambda job, view: None)
    jobs = [Job(hash=f"{i:040X}", name=f"t{i}", active_dir="/d", final_dir="") for i in range(3)]

    def status(job, paused=False, peers=0, seeding=True, managed=True):
        return SimpleNamespace(info_hash=job.hash, paused=paused, num_peers=peers, is_seeding=seeding,
                               auto_managed=managed)

    def update(*statuses):
        table.update(statuses, (), key=lambda st: st.info_hash)

    monkeypatch.setattr(table_module, "build_view", lambda st, job: st)  # stand-in statuses, no views
    for job in jobs:
        table.insert(job)
    assert table.activity() == (0, False, True) and table.queue_activity() == (0, 0)
    table.refresh(jobs[0], status(jobs[0]))
    table.refresh(jobs[1], status(jobs[1], paused=True, seeding=False))
    assert table.activity() == (1, False, True) and table.queue_activity() == (1, 0)
    update(status(jobs[1], peers=2, seeding=False), status(jobs[2], seeding=False, managed=False))
    assert table.activity() == (3, True, False) and table.queue_activity() == (2, 1)
    update(status(jobs[1], paused=True, seeding=False))
    assert table.activity() == (2, False, False) and table.queue_activity() == (1, 0)
    update(status(jobs[0], peers=1))
    table.delete(jobs[0].hash)
    assert table.activity() == (1, False, False) and table.queue_activity() == (0, 0)
