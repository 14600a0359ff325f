"""What an action handler gets: the daemon's parts and the one request it answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from utserver.web.auth import User
from utserver.web.parts import Parts
from utserver.web.sessions import Session
from utserver.web.utorrent.query import Query

# A reply is a list of (key, value) pairs: getfiles with several hashes repeats the "files" key,
# as µTorrent does (manual, "Files List").
Reply = list[tuple[str, Any]]


@dataclass
class Call:
    parts: Parts
    query: Query
    user: User
    session: Session | None
    remote: str
    body: Callable[[], bytes]  # reads the request body (add-file), capped
    content_type: str

    @property
    def engine(self) -> Any:
        return self.parts.engine

    @property
    def settings(self) -> Any:
        return self.parts.settings
