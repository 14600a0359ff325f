"""Tokens (the CSRF defence) and GUID cookie sessions, all in memory: they die with the daemon.

Many tokens and sessions are valid at once (several clients, several tabs); each lives 30 minutes
after its last use (docs/reference/utorrent-clients.md#sessions). Both tables are capped, so a client fetching tokens in a
loop costs a bounded amount of memory: the least recently used entry goes first, and an account
only ever pushes out its own tokens. A token is good only for the account that fetched it, and not
with another session's GUID cookie: the guest's token never authorizes the admin's request.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

TOKEN_TTL = 30 * 60
SESSION_TTL = 60 * 60
MAX_TOKENS = 1024
MAX_TOKENS_PER_USER = 512  # one account fetching tokens in a loop pushes out only its own
MAX_SESSIONS = 256


@dataclass
class Session:
    guid: str
    user: str
    peer_ip: str
    sock_ip: str
    user_agent: str
    created: int = field(default_factory=lambda: int(time.time()))
    updated: int = field(default_factory=lambda: int(time.time()))

    def as_api(self) -> dict:
        """get-sessions' fields (manual)."""
        return {"guid": self.guid, "created": self.created, "updated": self.updated,
                "peer_ip": self.peer_ip, "sock_ip": self.sock_ip, "reported_ip": self.peer_ip,
                "user_agent": self.user_agent, "persistent": False, "custom": {}}


class Sessions:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: OrderedDict[str, tuple[float, tuple[str, str]]] = OrderedDict()  # token -> (expiry, (guid, user))
        self._sessions: OrderedDict[str, tuple[float, Session]] = OrderedDict()

    def session_for(self, guid: str | None, user: str, peer_ip: str, sock_ip: str, user_agent: str) -> Session:
        """The caller's session (by its GUID cookie), or a new one."""
        with self._lock:
            found = self._live(self._sessions, guid, SESSION_TTL)
            if found is None or found.user != user:
                found = Session(uuid.uuid4().hex, user, peer_ip, sock_ip, user_agent)
                self._put(self._sessions, found.guid, found, SESSION_TTL, MAX_SESSIONS)
            return found

    def touch(self, guid: str | None) -> Session | None:
        with self._lock:
            session = self._live(self._sessions, guid, SESSION_TTL)
            if session is not None:
                session.updated = int(time.time())
            return session

    def new_token(self, session: Session) -> str:
        token = secrets.token_urlsafe(48)
        with self._lock:
            owned = [key for key, (_, (_, user)) in self._tokens.items() if user == session.user]
            for key in owned[:max(0, len(owned) + 1 - MAX_TOKENS_PER_USER)]:
                del self._tokens[key]  # this account's least recently used
            self._put(self._tokens, token, (session.guid, session.user), TOKEN_TTL, MAX_TOKENS)
        return token

    def token_valid(self, token: str | None, user: str | None = None, guid: str | None = None) -> bool:
        """A live token of *user* (when given); with or without its GUID cookie (docs/reference/utorrent-clients.md#sessions),
        but never with the cookie of another session."""
        with self._lock:
            owner = self._live(self._tokens, token, TOKEN_TTL) if token else None
        if owner is None:
            return False
        return (user is None or owner[1] == user) and (not guid or owner[0] == guid)

    def all(self) -> list[Session]:
        with self._lock:
            now = self._clock()
            return [session for expiry, session in self._sessions.values() if expiry > now]

    def logout(self, guids: list[str]) -> int:
        """End these sessions and their tokens; returns how many sessions ended."""
        with self._lock:
            ended = [guid for guid in guids if self._sessions.pop(guid, None) is not None]
            dead = [token for token, (_, (guid, _)) in self._tokens.items() if guid in guids]
            for token in dead:
                del self._tokens[token]
            return len(ended)

    # --- the two tables: expiry slides on use; the least recently used entry goes first ---
    def _live(self, table: OrderedDict, key: str | None, ttl: float):
        entry = table.get(key) if key else None
        if entry is None:
            return None
        now = self._clock()
        if entry[0] <= now:
            del table[key]
            return None
        table[key] = (now + ttl, entry[1])
        table.move_to_end(key)
        return entry[1]

    def _put(self, table: OrderedDict, key: str, value, ttl: float, cap: int) -> None:
        table[key] = (self._clock() + ttl, value)
        while len(table) > cap:
            table.popitem(last=False)
