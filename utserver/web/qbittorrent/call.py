"""One /api/v2 call: its parameters as qBittorrent reads them, its caller, and the error form.

Parameters: GET reads the query string, POST the body (urlencoded or multipart; parts with a
filename are uploads); a POST's query string is read too, under the body, which is lenient
where qBittorrent ignores it (docs/reference/qbittorrent-clients.md §1).
Booleans are only "true"/"false" in any case; anything else counts as not given.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from utserver.web.auth import User

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION = re.compile(r'\b(name|filename)="([^"]*)"', re.IGNORECASE)


class QbtError(Exception):
    """An answer other than 200: the status and qBittorrent's plain-text body."""

    REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 409: "Conflict", 415: "Unsupported Media Type"}

    def __init__(self, status: int, message: str = ""):
        super().__init__(message or self.REASONS.get(status, ""))
        self.status = status


@dataclass
class Call:
    parts: Any  # utserver.web.parts.Parts
    front: Any  # the front's own state (qbittorrent.front.Front)
    user: User
    session: Any  # sid.QbtSession (None only for auth/login)
    params: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, data)
    remote: str = ""

    @property
    def engine(self):
        return self.parts.engine

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def need(self, *names: str) -> list[str]:
        """The named parameters, or 400 naming the missing ones as qBittorrent does."""
        missing = [name for name in names if name not in self.params]
        if missing:
            raise QbtError(400, "Missing required parameters: " + ", ".join(missing))
        return [self.params[name] for name in names]

    def flag(self, name: str, default: bool | None = None) -> bool | None:
        value = (self.params.get(name) or "").strip().lower()
        return {"true": True, "false": False}.get(value, default)

    def number(self, name: str, default: float | None = None, kind=int):
        """A numeric parameter; 400 when present and not a number."""
        text = self.params.get(name)
        if text is None or text.strip() == "":
            return default
        try:
            value = float(text)
            if not math.isfinite(value) or abs(value) > 2 ** 53:
                raise ValueError(text)
            return kind(value) if kind is float or "." in text else int(text)
        except ValueError:
            raise QbtError(400, f"{name}: not a number: {text!r}") from None


def parse_params(method: str, query: str, content_type: str, body: bytes) -> tuple[dict[str, str], list]:
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    files: list[tuple[str, bytes]] = []
    if method == "POST" and body:
        match = _BOUNDARY.search(content_type or "")
        if match and content_type.lower().startswith("multipart/"):
            fields, files = _multipart(body, match.group(1).encode("latin-1"))
            params.update(fields)
        else:
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params, files


def _multipart(body: bytes, boundary: bytes) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """Lenient: tolerates a missing closing boundary and LF-only line ends (real clients send both)."""
    fields: dict[str, str] = {}
    files: list[tuple[str, bytes]] = []
    for chunk in body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, data = chunk.partition(b"\n\n")
        if not sep:
            continue
        data = data[:-2] if data.endswith(b"\r\n") else data[:-1] if data.endswith(b"\n") else data
        names = dict((key.lower(), value) for key, value in _DISPOSITION.findall(head.decode("utf-8", "replace")))
        if "filename" in names:
            files.append((names["filename"], data))
        elif "name" in names:
            fields[names["name"]] = data.decode("utf-8", "replace")
    return fields, files


def hashes_of(call: Call, name: str = "hashes") -> list[str]:
    """The torrents a bulk action names: a pipe list (any case) or "all"; unknown ones are dropped."""
    text = call.need(name)[0]
    snapshot = call.engine.snapshot()
    if text.strip().lower() == "all":
        return list(snapshot)
    wanted = (item.strip().upper() for item in text.split("|"))
    return [item for item in wanted if item in snapshot]


def one_hash(call: Call, name: str = "hash"):
    """(hash, view) of a single-torrent call; 404 when there is no such torrent."""
    text = (call.need(name)[0] or "").strip().upper()
    view = call.engine.snapshot().get(text)
    if view is None:
        raise QbtError(404)
    return text, view
