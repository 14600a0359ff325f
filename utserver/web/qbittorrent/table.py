"""The endpoint table's row: /api/v2/<scope>/<action>, its handler and its rules.

`post`: POST only (405 on GET), as qBittorrent 4.5+ makes every action that changes something.
`admin`: refused (403) to the read-only guest account.
`public`: callable without a session (auth/login only).
A handler takes the Call and returns None (200, empty body), a str (text/plain) or a JSON value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    scope: str
    action: str
    handler: Callable
    post: bool = False
    admin: bool = False
    public: bool = False


def read(scope: str, action: str, handler: Callable) -> Endpoint:
    return Endpoint(scope, action, handler)


def act(scope: str, action: str, handler: Callable) -> Endpoint:
    """A state-changing action: POST only, admin only."""
    return Endpoint(scope, action, handler, post=True, admin=True)
