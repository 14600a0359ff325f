"""A local HTTP seed (BEP 19 "GetRight" url-list): plain files served over HTTP/1.1 with Range requests.

    with HttpSeed(folder) as seed:      # serves folder/* on http://127.0.0.1:PORT/
        torrent = make_torrent(folder / "album", url_seeds=[seed.url])
        ...
        seed.requests                   # [(path, Range header or None, status)]

libtorrent asks a web seed for byte ranges ("Range: bytes=a-b") of the files,
on keep-alive connections. Only single ranges are served (that is all
libtorrent sends); anything else gets 416. The server runs in a thread of the
test process, listens on 127.0.0.1 only and is shut down on exit.
"""

from __future__ import annotations

import os
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as web seeds expect
    timeout = 30  # an idle keep-alive connection ends its thread after this
    server: _Server

    def log_message(self, format, *args):  # quiet: the requests are recorded instead
        pass

    def do_HEAD(self):
        self._serve(body=False)

    def do_GET(self):
        self._serve(body=True)

    def _file(self) -> Path | None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        root = self.server.root.resolve()
        target = (root / path.lstrip("/")).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return target

    def _reply(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _serve(self, body: bool) -> None:
        target = self._file()
        range_header = self.headers.get("Range")
        if target is None:
            self.server.record(self.path, range_header, 404)
            self._reply(404, {"Content-Length": "0"})
            return
        size = target.stat().st_size
        start, end, status = 0, size - 1, 200
        if range_header:
            match = _RANGE.match(range_header.strip())
            if match is None or not (match.group(1) or match.group(2)):
                status = 416
            else:
                first, last = match.group(1), match.group(2)
                if first:
                    start = int(first)
                    end = min(int(last), size - 1) if last else size - 1
                else:  # "bytes=-N": the last N bytes
                    start = max(size - int(last), 0)
                status = 206 if start <= end and start < size else 416
        self.server.record(self.path, range_header, status)
        if status == 416:
            self._reply(416, {"Content-Range": f"bytes */{size}", "Content-Length": "0"})
            return
        length = end - start + 1 if size else 0
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(length),
                   "Accept-Ranges": "bytes"}
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        self._reply(status, headers)
        if body and length:
            with open(target, "rb") as stream:
                self.wfile.write(os.pread(stream.fileno(), length, start))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str | None, int]] = []

    def record(self, path: str, range_header: str | None, status: int) -> None:
        with self.lock:
            self.requests.append((path, range_header, status))


class HttpSeed:
    """Serves the files under *root* on 127.0.0.1 (a free port) until closed."""

    def __init__(self, root: Path):
        self._server = _Server(Path(root))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="httpseed", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The url-list entry for a torrent whose top folder (or single file) is under *root*."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def requests(self) -> list[tuple[str, str | None, int]]:
        with self._server.lock:
            return list(self._server.requests)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> HttpSeed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
