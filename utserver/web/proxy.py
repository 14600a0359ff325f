"""/proxy?id=<hash>&file=<i>: a torrent's file over HTTP with Range, also while it downloads.

Only bytes whose pieces are on disk are sent: a range starting in a downloaded stretch gets that
stretch (206, Content-Range says how far); a range starting in a missing piece gets 503 with
Retry-After. The file's real path must lie inside the torrent's save folder, so a symlink planted
in the download folder cannot make /proxy read anything else.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from utserver.engine import FileSource
from utserver.web.utorrent.errors import ApiError, Kind

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_DISPOSITIONS = {"ATTACHMENT": "attachment", "INLINE": "inline"}


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a single "bytes=" range; None for no Range header or one we do not serve."""
    if not header:
        return None
    match = _RANGE.match(header.split(",")[0].strip())
    if not match or match.groups() == ("", ""):
        return None  # a range form we do not serve: the whole file (RFC 9110 allows ignoring Range)
    first, last = (_bounded(text) for text in match.groups())
    if first is None:
        assert last is not None  # "bytes=-" was refused above
        start, end = max(0, size - last), size
    else:
        start, end = first, min(size, last + 1) if last is not None else size
    if start >= size or start >= end:
        raise ApiError(f"{header} is outside the file ({size} bytes)", Kind.UNSATISFIABLE)
    return start, end


def _bounded(digits: str) -> int | None:
    """A Range number; past 18 digits it is beyond any file (and int() of 5,000 digits refuses)."""
    return None if digits == "" else int(digits) if len(digits) <= 18 else 10**18


def available_end(source: FileSource, start: int, end: int) -> int:
    """How far from *start* (up to *end*) the file's bytes are downloaded."""
    if source.piece_length <= 0:
        return start
    piece = (source.offset + start) // source.piece_length
    while piece < len(source.have) and source.have[piece]:
        piece_end = (piece + 1) * source.piece_length - source.offset
        if piece_end >= end:
            return end
        piece += 1
    return max(start, min(end, piece * source.piece_length - source.offset))


def confined(source: FileSource, save_path: str) -> Path:
    real = Path(os.path.realpath(source.path))
    root = Path(os.path.realpath(save_path))
    if not real.is_relative_to(root):
        raise ApiError("the file lies outside its torrent's folder", Kind.FORBIDDEN)
    return real


def headers_for(name: str, disposition: str | None) -> dict[str, str]:
    headers = {"Content-Type": mimetypes.guess_type(name)[0] or "application/octet-stream",
               "Accept-Ranges": "bytes"}
    kind = _DISPOSITIONS.get((disposition or "").upper())
    if kind:
        headers["Content-Disposition"] = f"{kind}; filename*=UTF-8''{quote(Path(name).name)}"
    return headers


def read(path: Path, start: int, end: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def respond(source: FileSource, save_path: str, range_header: str | None,
            disposition: str | None) -> tuple[int, dict[str, str], Iterator[bytes]]:
    """(status, headers, body) for a /proxy request."""
    path = confined(source, save_path)
    wanted = requested_range(range_header, source.size)
    start, end = wanted or (0, source.size)
    ready = available_end(source, start, end) if path.is_file() else start
    if ready < end and (wanted is None or ready == start):
        raise ApiError(f"bytes {ready}- of this file are not downloaded yet; "
                       + ("ask again later" if wanted else "request a Range to stream the downloaded part"),
                       Kind.UNAVAILABLE)
    headers = {**headers_for(str(source.path), disposition), "Content-Length": str(ready - start)}
    if wanted is None:
        return 200, headers, read(path, start, ready)
    headers["Content-Range"] = f"bytes {start}-{ready - 1}/{source.size}"
    return 206, headers, read(path, start, ready)
