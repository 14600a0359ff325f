"""A bare libtorrent session behind the smallest µTorrent API: the floor any Python daemon on
libtorrent starts from ("lt" in the tables).

    python ltdaemon_main.py WEBUI_PORT PEER_PORT DOWNLOAD_DIR [tuned|default]

Answers /gui/token.html, /gui/?list=1 (µTorrent rows, docs/reference/utorrent-clients.md#torrent-rows),
action=add-file (multipart), action=stop; no authentication. Torrents are added without
auto-management, so every one is active at once (no queue, like the other daemons in the bench).
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import libtorrent as lt

STATES = lt.torrent_status.states
CHECKING = {STATES.checking_files, STATES.checking_resume_data}


def settings(port: int, profile: str) -> dict:
    pack = {"listen_interfaces": f"127.0.0.1:{port}", "enable_dht": False, "enable_lsd": False,
            "enable_upnp": False, "enable_natpmp": False, "allow_multiple_connections_per_ip": True,
            "ssrf_mitigation": False, "active_downloads": -1, "active_seeds": -1, "active_limit": 20000,
            "alert_mask": int(lt.alert.category_t.error_notification | lt.alert.category_t.status_notification)}
    if profile == "tuned":  # high_performance_seed without its disk queue, TCP only (loopback)
        pack.update(lt.high_performance_seed())
        pack.pop("max_queued_disk_bytes", None)
        pack.update({"enable_outgoing_utp": False, "enable_incoming_utp": False, "mixed_mode_algorithm": 0,
                     "max_out_request_queue": 1500, "max_allowed_in_request_queue": 2000,
                     "unchoke_slots_limit": -1})
    return pack


def row(st: lt.torrent_status) -> list:
    """One µTorrent list row (the fields clients read) from a torrent status."""
    paused, checking = bool(st.flags & lt.torrent_flags.paused), st.state in CHECKING
    bits = 128 | (0 if paused else 1) | (2 if checking else 8) | (32 if paused else 0) | (16 if st.errc.value() else 0)
    left = st.total_wanted - st.total_wanted_done
    rate = st.download_payload_rate
    return [str(st.info_hashes.v1).upper(), bits, st.name, st.total_wanted, st.progress_ppm // 1000,
            st.all_time_download, st.all_time_upload, st.all_time_upload * 1000 // max(1, st.all_time_download),
            st.upload_payload_rate, rate, left // rate if rate else -1, "", st.num_peers, st.list_peers,
            st.num_seeds, st.list_seeds, 0, -1, left, "", "", "Seeding" if st.is_seeding else "Downloading", "",
            int(st.added_time), int(st.completed_time), "", st.save_path]


def torrent_part(content_type: str, body: bytes) -> bytes:
    """The file of a multipart/form-data upload."""
    boundary = re.search(r"boundary=([^;]+)", content_type).group(1).strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            return data[:-2] if data.endswith(b"\r\n") else data
    raise ValueError("no file in the upload")


class Bare:
    def __init__(self, peer_port: int, download_dir: str, profile: str) -> None:
        self.session = lt.session(settings(peer_port, profile))
        self.download_dir = download_dir
        self.token = secrets.token_hex(16)
        self.lock = threading.Lock()

    def add(self, data: bytes) -> None:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(lt.bdecode(data))
        params.save_path = self.download_dir
        params.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
        with self.lock:
            self.session.add_torrent(params)

    def stop(self, hashes: list[str]) -> None:
        with self.lock:
            for handle in self.session.get_torrents():
                if str(handle.info_hashes().v1).upper() in hashes:
                    handle.unset_flags(lt.torrent_flags.auto_managed)
                    handle.pause()

    def listing(self) -> dict:
        with self.lock:
            statuses = self.session.get_torrent_status(lambda _: True, 64 | 128)  # name, save path
            self.session.pop_alerts()
        return {"build": 25406, "torrents": [row(st) for st in statuses], "label": [], "torrentc": "1"}


def handler(bare: Bare) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            pass

        def answer(self, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self, upload: bytes = b"") -> None:  # noqa: N802 (http.server's name)
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path == "/gui/token.html":
                html = f"<html><div id='token' style='display:none;'>{bare.token}</div></html>"
                return self.answer(html.encode(), "text/html")
            action = query.get("action", [""])[0]
            if action == "add-file":
                bare.add(torrent_part(self.headers["Content-Type"], upload))
            elif action == "stop":
                bare.stop([h.upper() for h in query.get("hash", [])])
            reply = bare.listing() if "list" in query else {"build": 25406}
            self.answer(json.dumps(reply, separators=(",", ":")).encode())

        def do_POST(self) -> None:  # noqa: N802
            self.do_GET(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    return Handler


def main(webui_port: int, peer_port: int, download_dir: str, profile: str = "tuned") -> int:
    bare = Bare(peer_port, download_dir, profile)
    ThreadingHTTPServer(("127.0.0.1", webui_port), handler(bare)).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], *sys.argv[4:5]))
