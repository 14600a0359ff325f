"""Benchmark of the µTorrent API listing: `python3 bench/api_list.py [--torrents 1000] [--clients 20]`.

Starts a real daemon (as the tests do), loads it with N torrents through add-file, then measures
  1. list=1 (full): latency and bytes,
  2. list=1&cid=<unchanged>: latency and bytes of an empty delta,
  3. token.html + list=1&cid= from C concurrent clients, each on its own keep-alive connection:
     requests per second.
The clients run in this process (threads), so on a 2-core machine they compete with the daemon
for CPU: the numbers are a floor. Results also go to bench/results/api_list.json.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.daemon import ADMIN, Daemon  # noqa: E402

AUTH = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()}


def bencode(value) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"


def fake_torrent(i: int) -> bytes:
    """A valid .torrent whose data does not exist: it lists, it does not transfer."""
    size = 1_000_000 + i
    pieces = os.urandom(20 * ((size + 262143) // 262144))
    return bencode({"info": {"name": f"Some.Show.S01E{i:04d}.1080p.WEB.x264-GROUP.mkv", "length": size,
                             "piece length": 262144, "pieces": pieces}})


class Client:
    """One keep-alive connection, as a polling client holds it."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = ""

    def get(self, path: str, headers: dict | None = None) -> bytes:
        self.conn.request("GET", path, headers={**AUTH, **(headers or {})})
        resp = self.conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{path}: HTTP {resp.status} {body[:100]!r}")
        return body

    def fetch_token(self) -> str:
        self.token = re.search(rb">([^<]+)<", self.get("/gui/token.html")).group(1).decode()
        return self.token

    def post(self, path: str, body: bytes, ctype: str) -> bytes:
        self.conn.request("POST", path, body=body, headers={**AUTH, "Content-Type": ctype})
        return self.conn.getresponse().read()

    def list(self, cid: str | None = None) -> bytes:
        query = {"token": self.token, "list": "1", **({"cid": cid} if cid else {})}
        return self.get("/gui/?" + urllib.parse.urlencode(query))


def load(client: Client, count: int) -> None:
    boundary = "benchboundary"
    for i in range(count):
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"torrent_file\"; filename=\"t\"\r\n\r\n"
                ).encode() + fake_torrent(i) + f"\r\n--{boundary}--\r\n".encode()
        reply = client.post(f"/gui/?token={client.token}&action=add-file&path=bench", body,
                            f"multipart/form-data; boundary={boundary}")
        assert b"error" not in reply, reply


def timed(fn, rounds: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        size = len(fn())
        times.append((time.perf_counter() - start) * 1000)
    return times, size


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def concurrent(port: int, clients: int, seconds: float) -> dict:
    counts = [0] * clients
    stop = time.monotonic() + seconds
    errors: list[str] = []

    def work(n: int) -> None:
        client, cid = Client(port), None
        try:
            while time.monotonic() < stop:
                client.fetch_token()
                cid = json.loads(client.list(cid))["torrentc"]
                counts[n] += 2
        except Exception as exc:  # a failed client is reported, not hidden
            errors.append(repr(exc))
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"clients": clients, "requests_per_s": round(sum(counts) / elapsed, 1), "errors": errors[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torrents", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="api-bench-") as work:
        daemon = Daemon(Path(work)).start()
        try:
            client = Client(daemon.webui_port)
            client.fetch_token()
            started = time.monotonic()
            load(client, args.torrents)
            load_s = time.monotonic() - started
            full, full_bytes = timed(client.list, args.rounds)
            cid = json.loads(client.list())["torrentc"]
            delta, delta_bytes = timed(lambda: client.list(cid), args.rounds)
            crowd = concurrent(daemon.webui_port, args.clients, args.seconds)
        finally:
            daemon.stop()
    results = {"torrents": args.torrents, "add_file_per_s": round(args.torrents / load_s, 1),
               "full_list": {**summary(full), "bytes": full_bytes},
               "unchanged_cid": {**summary(delta), "bytes": delta_bytes}, "token_plus_list": crowd}
    print(f"µTorrent API listing, {args.torrents} torrents")
    print(f"  add-file                  {results['add_file_per_s']:>8} torrents/s")
    for name in ("full_list", "unchanged_cid"):
        r = results[name]
        print(f"  list=1 {name:<18} median {r['median_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  {r['bytes']:>9} bytes")
    print(f"  token+list, {crowd['clients']} clients   {crowd['requests_per_s']:>8} requests/s"
          + (f"  ERRORS {crowd['errors']}" if crowd["errors"] else ""))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api_list.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
