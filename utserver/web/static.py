"""The web UI's files from ut_webui_dir: webui.zip, else a webui/ folder, else a placeholder.

µTorrent's webui.zip keeps text files gzipped as NAME.gz at the zip's root: /gui/X serves X, else
X.gz with Content-Encoding: gzip (unpacked for a client that does not accept gzip;
docs/reference/utorrent-clients.md#web-ui-zip).
Requests are confined by name: no "..", no absolute names, and a folder's files are checked by
their real path, so neither a crafted URL nor a symlink reads outside the web UI.
"""

from __future__ import annotations

import gzip
import logging
import mimetypes
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("utserver.web")

PLACEHOLDER = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>utserver</title></head><body>"
               b"<h1>utserver</h1><p>The web UI is not installed: put webui.zip (or a webui/ folder) "
               b"in the folder named by ut_webui_dir (default: the settings folder).</p>"
               b"<p>The API answers at <code>/gui/?list=1</code> with a token from "
               b"<code>/gui/token.html</code>.</p></body></html>")


@dataclass(frozen=True)
class File:
    data: bytes
    content_type: str
    gzipped: bool  # data is the gzip of the file


def member_name(path: str) -> str | None:
    """The normalised relative name for a URL path, or None if it tries to leave the web UI."""
    parts = path.replace("\\", "/").split("/")
    if any(part in ("..", ".") for part in parts) or "\0" in path:
        return None
    name = "/".join(part for part in parts if part)
    return name or "index.html"


def _content_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return guessed + "; charset=utf-8" if guessed.startswith("text/") or guessed.endswith("javascript") else guessed


class WebUiFiles:
    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._zip_key: tuple | None = None
        self._zip_files: dict[str, bytes] = {}

    def find(self, path: str) -> File | None:
        name = member_name(path)
        if name is None:
            return None
        lookup = self._from_zip() if (self.folder / "webui.zip").is_file() else self._from_folder
        for candidate, gzipped in ((name, False), (name + ".gz", True)):
            data = lookup(candidate)
            if data is not None:
                return File(data, _content_type(name), gzipped)
        if name == "index.html" and not (self.folder / "webui").is_dir():
            return File(PLACEHOLDER, "text/html; charset=utf-8", False)
        return None

    def _from_zip(self):
        """The zip's members, re-read when the file changes (a new webui.zip dropped in place)."""
        zip_path = self.folder / "webui.zip"
        stat = zip_path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if key != self._zip_key:
                self._zip_files, self._zip_key = _read_zip(zip_path), key
            return self._zip_files.get

    def _from_folder(self, name: str) -> bytes | None:
        root = (self.folder / "webui").resolve()
        target = (root / name).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return target.read_bytes()


def _read_zip(zip_path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return {info.filename.lstrip("/"): archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (OSError, zipfile.BadZipFile) as exc:
        log.error("cannot read the web UI %s: %s", zip_path, exc)
        return {}


def body_for(file: File, accepts_gzip: bool) -> tuple[bytes, dict[str, str]]:
    """The bytes to send and their headers."""
    headers = {"Content-Type": file.content_type}
    if not file.gzipped:
        return file.data, headers
    if accepts_gzip:
        return file.data, {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return gzip.decompress(file.data), {**headers, "Vary": "Accept-Encoding"}
