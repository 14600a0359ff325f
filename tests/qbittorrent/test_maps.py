"""The front's tables on their own: the state map over every engine situation, the preference
conversions and the rid delta rules (the daemon tests cover them end to end; these pin the corners
a live swarm rarely shows: errors, missing files, moving, checking a finished torrent...)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from utserver.engine import FORCED, QUEUED, STOPPED, State
from utserver.web.qbittorrent import fields, prefs, sync

BASE = dict(hash="AB" * 20, name="x", size=100, total_size=100, remaining=100, has_metadata=True, moving=False,
            error="", state=State.DOWNLOADING, mode=QUEUED, paused=False, up_rate=0, down_rate=0, progress=0)


def view(**changes) -> SimpleNamespace:
    return SimpleNamespace(**{**BASE, **changes})


DONE = {"remaining": 0, "progress": 1000}


@pytest.mark.parametrize("changes,expected", [
    ({"moving": True}, "moving"),
    ({"error": "No such file or directory", "state": State.ERROR}, "missingFiles"),
    ({"error": "disk full", "state": State.ERROR}, "error"),
    ({"has_metadata": False, "mode": STOPPED, "state": State.STOPPED}, "stoppedDL"),
    ({"has_metadata": False, "state": State.QUEUED}, "queuedDL"),
    ({"has_metadata": False, "mode": FORCED, "state": State.F_DOWNLOADING}, "forcedMetaDL"),
    ({"has_metadata": False}, "metaDL"),
    ({"state": State.CHECKED}, "checkingDL"),
    ({"state": State.CHECKED, **DONE}, "checkingUP"),
    ({"mode": STOPPED, "state": State.STOPPED}, "stoppedDL"),
    ({"mode": STOPPED, "state": State.FINISHED, **DONE}, "stoppedUP"),
    ({"paused": True, "state": State.PAUSED}, "stoppedDL"),
    ({"state": State.QUEUED}, "queuedDL"),
    ({"state": State.QUEUED_SEED, **DONE}, "queuedUP"),
    ({"mode": FORCED, "state": State.F_DOWNLOADING}, "forcedDL"),
    ({"mode": FORCED, "state": State.F_SEEDING, **DONE}, "forcedUP"),
    ({"down_rate": 5}, "downloading"),
    ({}, "stalledDL"),
    ({"state": State.SEEDING, "up_rate": 5, **DONE}, "uploading"),
    ({"state": State.SEEDING, **DONE}, "stalledUP"),
])
def test_state_map(changes, expected):
    assert fields.state_of(view(**changes)) == expected


def test_progress_is_exactly_one_only_when_done():
    assert fields.progress(view(**DONE)) == 1 and type(fields.progress(view(**DONE))) is int
    assert fields.progress(view(remaining=1)) == 0.99
    assert fields.progress(view(remaining=0, has_metadata=False)) == 0.0


@pytest.mark.parametrize("override,ratio,seconds,expected", [
    (False, 0, 0, (-2, -2)), (True, 0, 0, (-1, -1)), (True, 1500, 3600, (1.5, 60)), (True, 0, 600, (-1, 10)),
])
def test_share_limits_read_back(override, ratio, seconds, expected):
    limits = view(seed_override=override, seed_ratio=ratio, seed_time=seconds)
    assert (fields.ratio_limit(limits), fields.seeding_time_limit(limits)) == expected


def test_rate_units():
    assert (prefs.kib_to_bytes(-1), prefs.kib_to_bytes(0), prefs.kib_to_bytes(100)) == (0, 0, 102400)
    assert (prefs.bytes_to_kib(0), prefs.bytes_to_kib(1), prefs.bytes_to_kib(102400)) == ("-1", "1", "100")


def test_delta_sends_changed_keys_removals_and_restarts_on_a_stale_rid():
    state = sync.SyncState()
    one, two = {"a": 1, "b": 1}, {"a": 1, "b": 1}
    render = dict
    first = sync.delta(state, 0, {"h1": one, "h2": two}, render, {"tags": ["x"]}, "torrents", "torrents_removed")
    assert first["full_update"] and first["torrents"] == {"h1": one, "h2": two} and first["tags"] == ["x"]
    same = sync.delta(state, first["rid"], {"h1": one, "h2": two}, render, {"tags": ["x"]}, "torrents",
                      "torrents_removed")
    assert same == {"rid": first["rid"] + 1}
    changed = {"a": 1, "b": 2}
    later = sync.delta(state, same["rid"], {"h1": changed}, render, {"tags": ["y"]}, "torrents", "torrents_removed")
    assert later["torrents"] == {"h1": {"b": 2}} and later["torrents_removed"] == ["h2"]
    assert later["tags"] == ["y"] and later["tags_removed"] == ["x"]
    assert sync.delta(state, 999, {}, render, {}, "torrents", "torrents_removed")["full_update"] is True


@pytest.mark.parametrize("text", ["inf", "nan", "-Infinity", "1e400", "12abc"])
def test_numbers_that_are_not_finite_are_400(text):
    from utserver.web.qbittorrent.call import Call, QbtError
    call = Call(None, None, None, None, {"limit": text})
    with pytest.raises(QbtError) as raised:
        call.number("limit", 0)
    assert raised.value.status == 400
