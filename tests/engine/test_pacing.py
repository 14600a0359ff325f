"""The pump's pace: every row of the decision, without a session."""

import pytest

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
