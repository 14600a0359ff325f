"""Restart with N torrents restored from resume data, then idle: any harness adapter.

For each daemon: start it, add N small seeding torrents (the harness's generated set, payload present),
wait until all seed, stop it (SIGTERM or its API's shutdown), then start it again RESTARTS times on
the same state and measure
  api_s       start -> the API answers (token / session-get / login)
  listed_s    start -> one full listing holds all N torrents
  seeding_s   start -> all N are seeding again (listing polled every 50 ms)
  rechecked   torrents ever seen in a checking state during the restart (0 = no recheck)
After the last restart: RSS, a full listing and (µTorrent API only) an unchanged-cid listing, then an
idle window: thread wakeups, bytes written to storage, settings files changed. `hooks(daemon)` run
last, on the restored daemon (the web UI render benchmark uses this).
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import time

import adapter
from adapter import IdleWindow, pb


def _poll_restart(dmn, n: int, timeout: float) -> dict:
    api_s = dmn.wait_ready(timeout)
    listed_s = seeding_s = None
    checking: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = dmn.list_all()
        except Exception:  # the API may answer before the torrent list does
            rows = []
        now = time.monotonic() - dmn.t_start
        checking |= {r["hash"] for r in rows if r["state"] == "checking"}
        if listed_s is None and len(rows) >= n:
            listed_s = now
        if len(rows) >= n and sum(r["state"] == "seeding" for r in rows) >= n:
            seeding_s = now
            break
        time.sleep(0.05)
    return {"api_s": round(api_s, 2), "listed_s": round(listed_s, 2) if listed_s is not None else None,
            "seeding_s": round(seeding_s, 2) if seeding_s is not None else None, "rechecked": len(checking)}


def _timed(fn, rounds: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        size = len(fn())
        times.append((time.perf_counter() - t) * 1000)
    return times, size


def run(name: str, a, opts: dict, n: int, data_dir: str, items: list, restarts: int = 3,
        idle_seconds: float = 30, hooks=()) -> dict:
    dmn = pb.new_daemon(name, a.workdir, f"restart{n}", opts)
    out: dict = {"daemon": name, "n": n}
    try:
        dmn.start()
        dmn.wait_ready(a.ready_timeout)
        t = time.monotonic()
        dmn.add_many(items[:n], data_dir)
        out["add_s"] = round(time.monotonic() - t, 2)
        pb.wait_until(lambda: sum(r["state"] == "seeding" for r in dmn.list_all()) >= n, a.many_timeout,
                      period=1.0, what=f"{n} torrents seeding")
        time.sleep(3)  # let resume data of the freshly checked torrents reach the disk
        runs = []
        for i in range(restarts):
            dmn.stop()
            dmn.start()
            r = _poll_restart(dmn, n, a.many_timeout)
            pb.log(f"restart {name} {i + 1}/{restarts}: {json.dumps(r)}")
            runs.append(r)
        out["runs"] = runs
        for key in ("api_s", "listed_s", "seeding_s"):
            vals = [r[key] for r in runs if r[key] is not None]
            out[key] = round(statistics.median(vals), 2) if vals else None
        out["rechecked"] = max(r["rechecked"] for r in runs)
        time.sleep(5)
        out.update({"rss_mib": pb.mem_report(dmn.pid)["rss_mib"],
                    "rss_anon_mib": pb.mem_report(dmn.pid)["rss_anon_mib"]})
        full, size = _timed(dmn.list_raw, 10)
        out.update({"list_full_ms": round(statistics.median(full), 1), "list_full_bytes": size})
        if isinstance(dmn, pb.UTorrentAPI):
            # as a polling client does it: one keep-alive connection, token once, list=1&cid=<last cid>
            dmn.list_raw()  # fresh token and cookie
            conn = http.client.HTTPConnection("127.0.0.1", dmn.webui_port, timeout=60)
            path = f"{dmn.base}?token={dmn.token}&list=1"

            def get(query):
                conn.request("GET", path + query, headers=dmn.headers())
                return conn.getresponse().read()
            cid = json.loads(get(""))["torrentc"]
            full_ka, _ = _timed(lambda: get(""), 10)
            delta, dsize = _timed(lambda: get(f"&cid={cid}"), 30)
            conn.close()
            out.update({"list_full_keepalive_ms": round(statistics.median(full_ka), 1),
                        "list_cid_ms": round(statistics.median(delta), 2), "list_cid_bytes": dsize})
        time.sleep(2)
        window = IdleWindow(dmn.pid, getattr(dmn, "settings_path", None)).start()
        time.sleep(idle_seconds)
        out["idle"] = window.stop()
        for hook in hooks:
            out.update(hook(dmn))
        return out
    finally:
        dmn.stop()
        if not a.keep:
            shutil.rmtree(dmn.dir, ignore_errors=True)


__all__ = ["run", "adapter"]
