"""The pump's pace: every row of the decision, without a session."""

from types import SimpleNamespace

import pytest

from utserver.engine import pacing
from utserver.engine.pacing import EXCHANGING, IDLE_WAIT, QUIET, SEEDING_TICK, TICK, WAITING, Seen, pace

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


def test_running_torrents_are_counted_at_most_once_a_tick_while_changes_stream_in(monkeypatch):
    """An add marks the pump dirty: counting every status at each of 10,000 adds was a fifth of
    their time. Counted afresh whenever nothing is pending, and at least once a TICK."""
    clock = [100.0]
    monkeypatch.setattr(pacing.time, "monotonic", lambda: clock[0])
    statuses = [SimpleNamespace(paused=False, num_peers=0, is_seeding=True)]
    reads = []

    def read():
        reads.append(1)
        return list(statuses)
    counts = pacing.RunningCounts()
    assert counts(read, dirty=True) == (1, False, True)
    statuses.append(SimpleNamespace(paused=False, num_peers=2, is_seeding=False))
    assert counts(read, dirty=True) == (1, False, True) and len(reads) == 1, "counted again within the tick"
    clock[0] += pacing.TICK
    assert counts(read, dirty=True) == (2, True, False)
    statuses.pop()
    assert counts(read, dirty=False) == (1, False, True) and len(reads) == 3
