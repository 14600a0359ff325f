"""The three fronts' listings beside the daemons they imitate: `python3 bench/fronts.py [--n 1000,10000]`.

For each N, the same N stopped one-file torrents go into utserver, qbittorrent-nox and
transmission-daemon (each started fresh, in the same run), then each listing is timed:
  utserver      µTorrent list=1 (full, unchanged cid), qBittorrent torrents/info and sync/maindata
                (rid=0, unchanged rid), Transmission torrent-get (web UI fields: all, recently-active)
  qbittorrent   torrents/info, sync/maindata (rid=0, unchanged rid)
  transmission  torrent-get (all, recently-active)
Median of --rounds requests, in ms, and the reply's size. Results also go to bench/results/fronts.json.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import adapter  # noqa: E402  (utserver's adapter for the harness)
import harness as pb  # noqa: E402
from harness.procs import http_request, multipart  # noqa: E402

from tests.api.support import bencode  # noqa: E402

PIECE = 16384
# What Transmission's web UI asks for on each poll (docs/reference/transmission-clients.md).
WEBUI_FIELDS = ["id", "error", "errorString", "eta", "isFinished", "isStalled", "leftUntilDone",
                "metadataPercentComplete", "peersConnected", "peersGettingFromUs", "peersSendingToUs",
                "percentDone", "queuePosition", "rateDownload", "rateUpload", "recheckProgress", "seedRatioMode",
                "seedRatioLimit", "sizeWhenDone", "status", "trackers", "downloadDir", "uploadedEver",
                "uploadRatio", "webseedsSendingToUs", "name", "totalSize", "hashString"]


def torrents(n: int) -> list[bytes]:
    """n distinct one-piece torrents; they are added stopped, so no data is needed."""
    return [bencode({"info": {"name": f"t{i:06d}.bin", "length": PIECE, "piece length": PIECE,
                              "pieces": hashlib.sha1(b"%d" % i).digest()}}) for i in range(n)]


def timed(fn: Callable[[], bytes], rounds: int) -> dict:
    times, body = [], b""
    for _ in range(rounds):
        start = time.perf_counter()
        body = fn()
        times.append((time.perf_counter() - start) * 1000)
    return {"ms": round(statistics.median(times), 2), "bytes": len(body)}


class Qbt:
    """A qBittorrent WebAPI client: utserver's front or qbittorrent-nox."""

    def __init__(self, port: int, user: str, password: str):
        self.port = port
        _, headers, _ = http_request("POST", port, "/api/v2/auth/login",
                                        f"username={user}&password={password}".encode(),
                                        {"Content-Type": "application/x-www-form-urlencoded",
                                         "Referer": f"http://127.0.0.1:{port}/"})
        self.cookie = headers.get("Set-Cookie", "").split(";")[0]

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> bytes:
        headers = {"Cookie": self.cookie, "Referer": f"http://127.0.0.1:{self.port}/"}
        if content_type:
            headers["Content-Type"] = content_type
        status, _, data = http_request(method, self.port, path, body, headers)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status} {data[:200]!r}")
        return data

    def add(self, items: list[bytes]) -> None:
        for i in range(0, len(items), 50):
            files = [("torrents", f"{i + j}.torrent", data) for j, data in enumerate(items[i:i + 50])]
            content_type, body = multipart([("paused", "true"), ("stopped", "true"), ("skip_checking", "true")],
                                              files)
            self.call("POST", "/api/v2/torrents/add", body, content_type)

    def rows(self) -> int:
        return len(json.loads(self.call("GET", "/api/v2/torrents/info")))

    def measure(self, rounds: int) -> dict:
        rid = [0]

        def poll() -> bytes:
            """As a client polls: each request names the rid of the reply before it."""
            data = self.call("GET", f"/api/v2/sync/maindata?rid={rid[0]}")
            rid[0] = json.loads(data)["rid"]
            return data
        full = timed(lambda: self.call("GET", "/api/v2/sync/maindata?rid=0"), rounds)
        poll()
        return {"torrents/info": timed(lambda: self.call("GET", "/api/v2/torrents/info"), rounds),
                "sync/maindata rid=0": full, "sync/maindata unchanged": timed(poll, rounds)}


class Rpc:
    """A Transmission RPC client: utserver's front or transmission-daemon."""

    def __init__(self, port: int, auth: str = ""):
        self.port, self.auth, self.session = port, auth, ""

    def call(self, method: str, args: dict | None = None) -> bytes:
        body = json.dumps({"method": method, "arguments": args or {}}).encode()
        for _ in range(2):
            headers = {"X-Transmission-Session-Id": self.session, "Content-Type": "application/json"}
            if self.auth:
                headers["Authorization"] = self.auth
            status, reply_headers, data = http_request("POST", self.port, "/transmission/rpc", body, headers)
            if status == 409:
                self.session = reply_headers.get("X-Transmission-Session-Id", "")
                continue
            if status != 200:
                raise RuntimeError(f"{method}: HTTP {status}")
            return data
        raise RuntimeError(f"{method}: no session id")

    def add(self, items: list[bytes]) -> None:
        for data in items:
            self.call("torrent-add", {"metainfo": base64.b64encode(data).decode(), "paused": True})

    def rows(self) -> int:
        return len(json.loads(self.call("torrent-get", {"fields": ["id"]}))["arguments"]["torrents"])

    def measure(self, rounds: int) -> dict:
        self.call("torrent-get", {"fields": WEBUI_FIELDS, "ids": "recently-active"})
        return {"torrent-get all": timed(lambda: self.call("torrent-get", {"fields": WEBUI_FIELDS}), rounds),
                "torrent-get recently-active": timed(
                    lambda: self.call("torrent-get", {"fields": WEBUI_FIELDS, "ids": "recently-active"}), rounds)}


def _wait(count: Callable[[], int], n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while count() < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{n} torrents not listed after {timeout} s")
        time.sleep(0.5)


def bench_utserver(work: str, items: list[bytes], rounds: int) -> dict:
    dmn = adapter.UTServer(os.path.join(work, f"utserver-{len(items)}"), {})
    dmn.start()
    try:
        dmn.wait_ready(90)
        qbt = Qbt(dmn.webui_port, "admin", adapter.PASSWORD)
        start = time.monotonic()
        qbt.add(items)
        _wait(qbt.rows, len(items), 600)
        added = time.monotonic() - start
        list_full = json.loads(dmn.gui("list=1"))
        cid = list_full["torrentc"]
        rpc = Rpc(dmn.webui_port, dmn.auth)
        return {"add_s": round(added, 1),
                "list=1": timed(lambda: dmn.gui("list=1"), rounds),
                "list=1 unchanged cid": timed(lambda: dmn.gui(f"list=1&cid={cid}"), rounds),
                **qbt.measure(rounds), **rpc.measure(rounds)}
    finally:
        dmn.stop()


def bench_peer(name: str, work: str, items: list[bytes], rounds: int) -> dict:
    dmn = pb.new_daemon(name, work, str(len(items)), {})
    dmn.start()
    try:
        dmn.wait_ready(90)
        client: Qbt | Rpc = Qbt(dmn.webui_port, "admin", "adminadmin") if name == "qbittorrent" \
            else Rpc(dmn.webui_port)
        start = time.monotonic()
        client.add(items)
        _wait(client.rows, len(items), 900)
        return {"add_s": round(time.monotonic() - start, 1), **client.measure(rounds)}
    finally:
        dmn.stop()


def report(results: dict) -> str:
    lines = ["| N | daemon | add s | " + " | ".join(["listing", "ms", "bytes"]) + " |", "|---|---|---|---|---|---|"]
    for n, by_daemon in results.items():
        for daemon, row in by_daemon.items():
            for key, value in row.items():
                if isinstance(value, dict):
                    lines.append(f"| {n} | {daemon} | {row.get('add_s', '')} | {key} | {value['ms']} | {value['bytes']:,} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="1000,10000", help="torrent counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--peers", default="qbittorrent,transmission", help="peer daemons to run beside")
    a = parser.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="utserver-fronts-") as work:
        for n in (int(x) for x in a.n.split(",")):
            items = torrents(n)
            results[n] = {"utserver": bench_utserver(work, items, a.rounds)}
            for peer in filter(None, a.peers.split(",")):
                results[n][peer] = bench_peer(peer, work, items, a.rounds)
            print(report({n: results[n]}), flush=True)
    out = ROOT / "bench" / "results" / "fronts.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
