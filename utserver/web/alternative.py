"""An alternative web UI (VueTorrent and the like) served unchanged from a folder at "/".

qBittorrent's WebUI\\AlternativeUIEnabled + RootFolder, under their preference names
alternative_webui_enabled and alternative_webui_path. Such UIs ship as a folder holding public/
(qBittorrent's layout, e.g. vuetorrent/public/index.html); a folder without public/ is served as
it is. Its files are public, as qBittorrent's login page is: the UI logs in through /api/v2.
Requests are confined to the folder by real path, so neither ".." nor a symlink reads outside it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import bottle


class AlternativeUi:
    def __init__(self, settings):
        self.settings = settings

    def root(self) -> Path | None:
        if not self.settings.get("alternative_webui_enabled"):
            return None
        folder = str(self.settings.get("alternative_webui_path")).strip()
        if not folder:
            return None
        root = Path(folder).expanduser().resolve()
        return root / "public" if (root / "public").is_dir() else root

    def serve(self, env: dict) -> bottle.HTTPResponse | None:
        """The file for this GET (404 when it has none), or None when the UI is off.
        A plain 404, never a password challenge: the UI probes paths of its own (VueTorrent's
        backend/ping), and a browser would pop up a login dialog on a 401."""
        root = self.root()
        if root is None or env.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        name = env.get("PATH_INFO", "/").lstrip("/") or "index.html"
        target = (root / name).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            return bottle.HTTPResponse("Not Found", 404, {"Content-Type": "text/plain; charset=utf-8"})
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("javascript", "json")):
            kind += "; charset=utf-8"
        return bottle.HTTPResponse(target.read_bytes(), 200, {"Content-Type": kind, "Cache-Control": "no-cache"})
