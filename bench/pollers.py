"""N µTorrent API clients polling one daemon, as web UIs and phone apps do, in their own process.

Each client holds a keep-alive connection, fetches a token once, then every INTERVAL s asks
list=1&cid=<last cid> (the delta a real client asks for). On SIGTERM (or after --max-seconds) it
writes request count, errors and latency percentiles as JSON to --out.

    python3 bench/pollers.py --port 8080 --auth admin:pass --clients 20 --interval 0.5 --out r.json
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import re
import signal
import statistics
import threading
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--auth", default="admin:")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.5)
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    auth = {"Authorization": "Basic " + base64.b64encode(a.auth.encode()).decode()}
    halt = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"requests": 0, "bytes": 0}

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        cookie, token, cid = "", "", ""
        halt.wait(a.interval * n / a.clients)  # spread the clients over one interval
        while not halt.is_set():
            try:
                t = time.perf_counter()
                if not token:
                    conn.request("GET", "/gui/token.html", headers=auth)
                    resp = conn.getresponse()
                    body = resp.read()
                    cookie = (resp.getheader("Set-Cookie") or "").split(";")[0]
                    token = re.search(rb">([^<]+)</div>", body).group(1).decode()
                    continue
                conn.request("GET", f"/gui/?token={token}&list=1" + (f"&cid={cid}" if cid else ""),
                             headers={**auth, **({"Cookie": cookie} if cookie else {})})
                resp = conn.getresponse()
                body = resp.read()
                dt = time.perf_counter() - t
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                cid = json.loads(body).get("torrentc", "")
                with lock:
                    latencies.append(dt)
                    counts["requests"] += 1
                    counts["bytes"] += len(body)
            except Exception as exc:  # counted and reported, then a fresh connection
                with lock:
                    errors.append(repr(exc)[:200])
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
                token = ""
            halt.wait(a.interval)
        conn.close()

    signal.signal(signal.SIGTERM, lambda *_: halt.set())
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(a.clients)]
    for th in threads:
        th.start()
    halt.wait(a.max_seconds)
    halt.set()
    for th in threads:
        th.join(timeout=35)
    elapsed = time.monotonic() - started
    lat = sorted(x * 1000 for x in latencies)
    result = {"clients": a.clients, "interval_s": a.interval, "seconds": round(elapsed, 2),
              "requests": counts["requests"], "requests_per_s": round(counts["requests"] / elapsed, 1),
              "bytes": counts["bytes"], "errors": len(errors), "first_errors": errors[:3],
              "median_ms": round(statistics.median(lat), 2) if lat else None,
              "p95_ms": round(lat[max(0, int(len(lat) * 0.95) - 1)], 2) if lat else None,
              "max_ms": round(lat[-1], 2) if lat else None}
    with open(a.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
