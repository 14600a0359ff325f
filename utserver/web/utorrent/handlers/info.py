"""Server-level actions: version, transfer history, HTTP sessions, and the retired Remote service."""

from __future__ import annotations

from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError, Kind
from utserver.web.utorrent.version import version_info


def get_version(call: Call) -> Reply:
    return [("version", version_info(str(call.engine.totals().get("peer_id", ""))))]


def get_xfer_history(call: Call) -> Reply:
    return list(call.engine.xfer_history().items())  # {"transfer_history": {...}}


def reset_xfer_history(call: Call) -> Reply:
    call.engine.reset_xfer_history()
    return []


def get_sessions(call: Call) -> Reply:
    return [("sessions", [session.as_api() for session in call.parts.sessions.all()])]


def logout(call: Call) -> Reply:
    """Without session=: the caller's own session. With it: those sessions, for the admin only."""
    guids = call.query.all("session")
    if guids and not call.user.admin:
        raise ApiError("logout: only the admin may end other sessions", Kind.FORBIDDEN)
    if not guids:
        guids = [call.session.guid] if call.session else []
    call.parts.sessions.logout(guids)
    return []


def config_remote(call: Call) -> Reply:
    raise ApiError("configremote: µTorrent Remote was a hosted service that has been discontinued; "
                   "reach this server directly (see README, \"Security\")")
