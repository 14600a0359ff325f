"""Transmission's CSRF handshake: the X-Transmission-Session-Id header (docs/reference/transmission-clients.md).

A request to the RPC without the current id gets 409 and the id in that header; clients store it
and resend. Only the current id is accepted; it is renewed on first use after an hour, so a 409
can come at any time and every client retries once.
"""

from __future__ import annotations

import secrets
import string
import threading
import time

HEADER = "X-Transmission-Session-Id"
LIFETIME = 3600.0
_ALPHABET = string.ascii_letters + string.digits


class SessionId:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._value, self._born = self._new(), clock()

    @staticmethod
    def _new() -> str:
        return "".join(secrets.choice(_ALPHABET) for _ in range(48))

    @property
    def current(self) -> str:
        with self._lock:
            if self._clock() - self._born > LIFETIME:
                self._value, self._born = self._new(), self._clock()
            return self._value

    def matches(self, sent: str | None) -> bool:
        return sent is not None and secrets.compare_digest(sent.strip(), self.current)
