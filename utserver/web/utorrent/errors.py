"""How the API refuses: one exception type, turned into µTorrent's answer in one place (app.py)."""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    """Each kind is one form of answer clients rely on (api-compat items 2, 3, 8)."""

    FAILED = 200  # the action ran and failed: 200 {"build":N,"error":"..."}
    BAD_REQUEST = 400  # token or malformed request: 400 "invalid request" (clients fetch a new token)
    FORBIDDEN = 403  # authenticated, but not allowed (guest, IP list, Host header)
    UNSATISFIABLE = 416  # /proxy: a Range outside the file
    UNAVAILABLE = 503  # /proxy: the requested bytes are not downloaded yet


class ApiError(Exception):
    def __init__(self, message: str, kind: Kind = Kind.FAILED):
        super().__init__(message)
        self.kind = kind
