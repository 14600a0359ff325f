"""Actions on torrent jobs: commands over one or more hashes, files, peers and properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from utserver.engine import JobError
from utserver.settings.values import INT32_MAX, parse_number
from utserver.web.utorrent import rows
from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError

if TYPE_CHECKING:
    from utserver.engine import Engine

Command = Callable[["Engine", str], None]  # (engine, hash)


def on_each(command: Command) -> Callable[[Call], Reply]:
    """A handler applying *command* to every hash= of the request (manual: several hashes)."""
    def handler(call: Call) -> Reply:
        errors = []
        for info_hash in call.query.hashes():
            try:
                command(call.engine, info_hash)
            except JobError as exc:
                errors.append(str(exc))
        if errors:
            raise ApiError("; ".join(errors))
        return []
    return handler


def get_files(call: Call) -> Reply:
    return [("files", [h, [rows.file_row(f) for f in call.engine.files(h)]]) for h in call.query.hashes()]


def get_peers(call: Call) -> Reply:
    return [("peers", [h, [rows.peer_row(p) for p in call.engine.peers(h)]]) for h in call.query.hashes()]


def get_props(call: Call) -> Reply:
    return [("props", [rows.props_row(call.engine.props(h)) for h in call.query.hashes()])]


def set_props(call: Call) -> Reply:
    call.query.hashes()  # refuses a request without hash=
    for info_hash, key, value in call.query.prop_changes():
        call.engine.set_prop(info_hash, key, value)
    return []


PRIORITIES = range(0, 4)


def set_priority(call: Call) -> Reply:
    priority = call.query.int("p", -1)
    if priority not in PRIORITIES:
        raise ApiError("setprio: p= must be 0 (skip), 1 (low), 2 (normal) or 3 (high)")
    try:
        indices = [parse_number(f, 0, INT32_MAX, "f") for f in call.query.all("f")]
    except ValueError:
        raise ApiError("setprio: f= must be file indices (numbers)") from None
    if not indices:
        raise ApiError("setprio: missing f= (file index)")
    for info_hash in call.query.hashes():
        call.engine.set_file_priority(info_hash, indices, priority)
    return []
