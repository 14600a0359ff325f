"""Transmission's status number (0-6) and error code from the engine's state (a table).

Transmission has no pause: µTorrent's Pause and both kinds of stop read as 0 (stopped), and
torrent-start clears a pause. Checking is 2, waiting in the check queue 1.
"""

from __future__ import annotations

from utserver.engine import State

STOPPED, CHECK_WAIT, CHECK, DOWNLOAD_WAIT, DOWNLOAD, SEED_WAIT, SEED = range(7)

STATUS: dict[int, int] = {
    State.ERROR: STOPPED,
    State.CHECKED: CHECK,
    State.PAUSED: STOPPED,
    State.SUPERSEED: SEED,
    State.SEEDING: SEED,
    State.DOWNLOADING: DOWNLOAD,
    State.F_SUPERSEED: SEED,
    State.F_SEEDING: SEED,
    State.F_DOWNLOADING: DOWNLOAD,
    State.QUEUED_SEED: SEED_WAIT,
    State.FINISHED: STOPPED,
    State.QUEUED: DOWNLOAD_WAIT,
    State.STOPPED: STOPPED,
}

# Transmission's `error` numbers; tracker warnings (1) and errors (2) are not derived (see docs).
ERROR_NONE, ERROR_LOCAL = 0, 3


def status(view) -> int:
    return CHECK_WAIT if view.check_queued else STATUS.get(view.state, STOPPED)


def error(view) -> tuple[int, str]:
    """(error, errorString): a local error (3) with its text, else none."""
    if view.error:
        return ERROR_LOCAL, view.error
    if view.state == State.ERROR:
        return ERROR_LOCAL, view.status_message.removeprefix("Error: ")
    return ERROR_NONE, ""
