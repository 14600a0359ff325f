"""How often the pump refreshes the views, and what the torrents do for libtorrent's tick: a pure
function of what the pump sees, so every case has a table-driven test (tests/engine/test_pacing.py).
"""

from __future__ import annotations

from dataclasses import dataclass

TICK = 1.0
SEEDING_TICK = 10.0  # only seeding, with no client reading the list within WATCHED or no peer
WATCHED = 5.0  # the web UI polls every 2 s
SETTLE = 5.0  # after a command or a peer's connection (Engine.touch): its effects show each second
IDLE_WAIT = 30.0  # every torrent paused: nothing changes by itself

# What the torrents do, a row of pack.TICK_MS: exchanging with a peer, waiting (downloading or
# checking with none), or quiet (only seeding, nobody connected).
EXCHANGING, WAITING, QUIET = "exchanging", "waiting", "quiet"


@dataclass(frozen=True)
class Seen:
    dirty: bool  # something asked for a refresh (a command, an add, a queue change)
    unreported: bool  # a torrent has no status yet
    running: int  # torrents libtorrent runs (not paused)
    with_peers: bool  # one of them has a peer
    all_seeding: bool  # every running torrent seeds (True when none runs)
    watched: bool  # a client read the list within WATCHED
    settling: bool  # a command or a peer's connection within SETTLE


def pace(seen: Seen) -> tuple[float, str]:
    """(seconds until the next refresh, activity)."""
    if seen.with_peers:
        activity = EXCHANGING
    else:
        activity = QUIET if seen.all_seeding and not seen.unreported else WAITING
    if seen.dirty or seen.unreported:
        return TICK, activity
    if not seen.running:
        return IDLE_WAIT, activity
    if not seen.all_seeding or seen.settling or (seen.watched and activity != QUIET):
        return TICK, activity
    return SEEDING_TICK, activity
