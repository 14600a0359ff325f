"""Helpers for the API tests: torrents made on the spot, and raw HTTP with full control."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import socket
import urllib.parse
import warnings
from dataclasses import dataclass
from pathlib import Path

import libtorrent as lt

from tests.support.daemon import ADMIN, Daemon


@dataclass
class Made:
    """A torrent made from real files: its bytes, info-hash and the source folder (for seeding)."""

    data: bytes
    info_hash: str
    folder: Path
    files: dict[str, bytes]


def make_torrent(folder: Path, name: str, files: dict[str, bytes] | None = None, piece_length: int = 16384) -> Made:
    """A v1 torrent of *files* (relative path -> content; a single-file torrent for {name: data})."""
    files = files if files is not None else {name: os.urandom(40_000)}
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    storage = lt.file_storage()
    for rel, data in files.items():
        storage.add_file(rel, len(data))
    with warnings.catch_warnings():  # 2.1 deprecates this constructor; 2.0.8 has no other
        warnings.simplefilter("ignore", DeprecationWarning)
        creator = lt.create_torrent(storage, piece_length, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(creator, str(folder))
    data = lt.bencode(creator.generate())
    info = lt.torrent_info(lt.bdecode(data))
    return Made(data, str(info.info_hash()).upper(), folder, files)


def bencode(value) -> bytes:
    """A hand-made torrent (names libtorrent's creator would refuse, e.g. '../evil')."""
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"


def raw_torrent(info: dict) -> tuple[bytes, str]:
    """A .torrent for a hand-made info dict, and its upper-case info-hash."""
    return bencode({"info": info}), hashlib.sha1(bencode(info)).hexdigest().upper()


def multipart(data: bytes, field: str = "torrent_file", close: bool = True, extra: bytes = b"") -> tuple[bytes, str]:
    boundary = "----utserverTestBoundary7MA4YWxk"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"x.torrent\"\r\n"
            "Content-Type: application/x-bittorrent\r\n\r\n").encode() + data + b"\r\n" + extra
    if close:
        body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def add_file(daemon: Daemon, made: Made | bytes, **params: str) -> dict:
    body, ctype = multipart(made.data if isinstance(made, Made) else made)
    return daemon.api({"action": "add-file", **params}, data=body, headers={"Content-Type": ctype})


def rows(daemon: Daemon) -> dict[str, list]:
    return {row[0]: row for row in daemon.api({"list": "1"})["torrents"]}


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)


def raw(daemon: Daemon, path: str, *, auth: tuple[str, str] | None = ADMIN, headers: dict | None = None,
        method: str = "GET", body: bytes | None = None, source: str | None = None, host: str | None = None) -> Response:
    """One request on a fresh connection: no cookie jar, any Host header, any source address."""
    conn = http.client.HTTPConnection("127.0.0.1", daemon.webui_port, timeout=30,
                                      source_address=(source, 0) if source else None)
    all_headers = dict(headers or {})
    if auth:
        all_headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    try:
        conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in all_headers.items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def token_of(daemon: Daemon, auth: tuple[str, str] = ADMIN, source: str | None = None) -> tuple[str, str]:
    """A fresh (token, GUID) pair."""
    resp = raw(daemon, "/gui/token.html", auth=auth, source=source)
    assert resp.status == 200, resp.body
    token = re.search(rb">([^<]+)<", resp.body).group(1).decode()
    guid = re.search(r"GUID=([^;]+)", resp.headers["Set-Cookie"]).group(1)
    return token, guid


def gui(daemon: Daemon, params: list[tuple[str, str]] | dict, **kw) -> Response:
    items = list(params.items()) if isinstance(params, dict) else params
    return raw(daemon, "/gui/?" + urllib.parse.urlencode(items), **kw)


def free_loopback_source() -> str:
    """Another loopback address to connect from (Linux routes all of 127/8 to lo)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.2", 0))
    return "127.0.0.2"


class Seeder:
    """A libtorrent session on loopback that seeds what its folder holds (all or some pieces)."""

    def __init__(self):
        self.session = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                                   "enable_upnp": False, "enable_natpmp": False, "alert_mask": 0,
                                   "allow_multiple_connections_per_ip": True})

    def seed(self, made: Made) -> lt.torrent_handle:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(lt.bdecode(made.data))
        params.save_path = str(made.folder)
        handle = self.session.add_torrent(params)
        return handle

    def wait_checked(self, handle, pieces: int) -> None:
        from tests.support.daemon import wait_for
        wait_for(lambda: handle.status().state in (lt.torrent_status.seeding, lt.torrent_status.downloading,
                                                   lt.torrent_status.finished)
                 and handle.status().num_pieces == pieces, what=f"the seeder to have {pieces} pieces")

    def offer(self, handle, port: int) -> None:
        handle.connect_peer(("127.0.0.1", port))

    def close(self) -> None:
        del self.session


class WebServerFixture:
    """A loopback HTTP server with fixed answers: path -> (content type, body); it records cookies."""

    def __init__(self, pages: dict[str, tuple[str, bytes]], need_cookie: str | None = None):
        import http.server
        import threading
        self.cookies: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                outer.cookies.append(self.headers.get("Cookie", ""))
                page = pages.get(self.path)
                if page is None or (need_cookie and self.headers.get("Cookie") != need_cookie):
                    self.send_error(404 if page is None else 403)
                    return
                self.send_response(200)
                self.send_header("Content-Type", page[0])
                self.send_header("Content-Length", str(len(page[1])))
                self.end_headers()
                self.wfile.write(page[1])

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
