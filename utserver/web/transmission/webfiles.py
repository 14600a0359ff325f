"""Transmission's own web UI, unchanged, from the folder named by tr_webui_dir (off while empty).

Debian's transmission-common installs it in /usr/share/transmission/web (3.00); 4.x ships
public_html. Files are confined to that folder by name and by real path (no "..", no symlink
out), typed by extension as transmission-daemon types them, and cached by browsers for a day.
"""

from __future__ import annotations

import mimetypes
import time
from email.utils import formatdate
from pathlib import Path

from utserver.web.static import member_name

# transmission-daemon's Content-Types (docs/reference/transmission-clients.md); others by mimetypes.
TYPES = {".html": "text/html; charset=utf-8", ".js": "application/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".png": "image/png", ".gif": "image/gif",
         ".ico": "image/vnd.microsoft.icon", ".svg": "image/svg+xml", ".json": "application/json"}
CACHE_SECONDS = 24 * 3600


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def find(folder: Path, path: str) -> tuple[bytes, dict[str, str]] | None:
    """The file's bytes and headers, or None when it is not a file of the web UI."""
    name = member_name(path)
    if name is None:
        return None
    root = folder.resolve()
    target = (root / name).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    headers = {"Content-Type": content_type(name), "Expires": formatdate(time.time() + CACHE_SECONDS, usegmt=True)}
    return target.read_bytes(), headers
