"""add-file's upload, read leniently: real clients send multipart bodies bottle 0.13 rejects
(no closing boundary, an extra part without Content-Disposition: api-compat item 23)."""

from __future__ import annotations

import re

from utserver.web.utorrent.errors import ApiError

FIELD = b"torrent_file"
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_NAME = re.compile(rb'\bname="?([^";\r\n]*)"?', re.IGNORECASE)


def torrent_from_upload(content_type: str, body: bytes) -> bytes:
    """The .torrent bytes: the torrent_file part, else the first part (or body) that is a bencoded dict."""
    match = _BOUNDARY.search(content_type or "")
    if not match:
        return _checked(body)  # a bare .torrent POSTed as the body
    parts = list(_parts(body, match.group(1).encode("latin-1")))
    named = [data for headers, data in parts if _field_name(headers) == FIELD]
    candidates = named or [data for _, data in parts if data.startswith(b"d")]
    if not candidates:
        raise ApiError("add-file: no torrent_file part in the upload")
    return _checked(candidates[0])


def _parts(body: bytes, boundary: bytes):
    chunks = body.split(b"--" + boundary)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the closing boundary
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, data = chunk.partition(b"\n\n")
        if sep:
            yield head, _strip_crlf(data)


def _strip_crlf(data: bytes) -> bytes:
    """A part ends with CRLF before the next boundary; without a closing boundary, also trailing newlines."""
    if data.endswith(b"\r\n"):
        return data[:-2]
    return data[:-1] if data.endswith(b"\n") else data


def _field_name(headers: bytes) -> bytes | None:
    for line in headers.splitlines():
        if line.lower().startswith(b"content-disposition:"):
            match = _NAME.search(line)
            return match.group(1) if match else None
    return None


def _checked(data: bytes) -> bytes:
    if not data.startswith(b"d"):
        raise ApiError("add-file: the upload is not a .torrent file")
    return data
