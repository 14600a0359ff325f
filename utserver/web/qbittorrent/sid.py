"""qBittorrent login sessions: the SID cookie, its user, and the per-session sync/maindata state.

Like qBittorrent's WebUI\\SessionTimeout: an hour after the last request, sliding; many sessions
at once, capped (least recently used first) so a login loop costs bounded memory.
Cookies arrive with attribute junk from some clients (cross-seed and Flood send the Set-Cookie
text back verbatim), so the SID is picked out of name=value pairs and the rest ignored.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from utserver.web.auth import User

COOKIE = "SID"
SESSION_TTL = 3600.0
MAX_SESSIONS = 256


@dataclass
class QbtSession:
    sid: str
    user: User
    sync: Any = None  # sync.SyncState, made on the first sync/maindata
    peers_sync: dict = field(default_factory=dict)  # hash -> sync.SyncState for sync/torrentPeers


class SidStore:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, tuple[float, QbtSession]] = OrderedDict()
        self.key_session: QbtSession | None = None  # one sync state shared by API-key callers

    def new(self, user: User) -> QbtSession:
        session = QbtSession(secrets.token_urlsafe(24), user)
        with self._lock:
            self._sessions[session.sid] = (self._clock() + SESSION_TTL, session)
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def find(self, sid: str | None) -> QbtSession | None:
        if not sid:
            return None
        with self._lock:
            entry = self._sessions.get(sid)
            if entry is None:
                return None
            now = self._clock()
            if entry[0] <= now:
                del self._sessions[sid]
                return None
            self._sessions[sid] = (now + SESSION_TTL, entry[1])
            self._sessions.move_to_end(sid)
            return entry[1]

    def end(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def for_key(self, user: User) -> QbtSession:
        if self.key_session is None:
            self.key_session = QbtSession("", user)
        return self.key_session


def sid_from_cookie(header: str | None) -> str | None:
    """The SID (or 5.2's QBT_SID_<port>) value out of a Cookie header, tolerating attribute junk."""
    for item in (header or "").split(";"):
        name, sep, value = item.strip().partition("=")
        if sep and (name == COOKIE or name.startswith("QBT_SID_")):
            return value.strip().strip('"')
    return None
