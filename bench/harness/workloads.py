"""The workloads and the command line: idle footprint, many torrents, one big loopback download.

    python -m harness --daemons utserver,transmission,lt --workloads idle,many,transfer --n 200 --size 256M

idle      start, wait until the API answers, stay idle IDLE_SECONDS, read memory and CPU
many      add N small seeding torrents (payload present), wait until all seed, time full listings
transfer  download one SIZE file from the reference seeder, REPEAT runs interleaved across daemons:
          wall time, first progress, peak RSS and private memory, CPU of daemon and seeder
Workloads are looked up in WORKLOADS at run time, so a caller may wrap one (bench/adapter.py does).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import libtorrent as lt

from .daemons import ADAPTERS, new_daemon
from .procs import (
    PeakSampler,
    kill_all_children,
    log,
    mem_report,
    mib,
    proc_cpu,
    proc_mem,
    table,
    tree_snapshot,
    wait_until,
)
from .swarm import MIB, Seeder, Tracker, gen_big, gen_many, parse_size


def _cleanup(dmn, a: argparse.Namespace) -> None:
    dmn.stop()
    if not a.keep:
        shutil.rmtree(dmn.dir, ignore_errors=True)


def w_idle(name: str, a: argparse.Namespace, opts: dict) -> dict:
    dmn = new_daemon(name, a.workdir, "idle", opts)
    try:
        dmn.start()
        ready_s = dmn.wait_ready(a.ready_timeout)
        cpu_ready = tree_snapshot(dmn.pid)["cpu_s"]
        time.sleep(a.idle_seconds)
        row = mem_report(dmn.pid)
        return {**row, "daemon": name, "ready_s": round(ready_s, 2), "idle_s": a.idle_seconds,
                "cpu_idle_window_s": round(row["cpu_s"] - cpu_ready, 3)}
    finally:
        _cleanup(dmn, a)


def _timed(fn: Callable[[], bytes], rounds: int) -> tuple[list[float], bytes]:
    times, body = [], b""
    for _ in range(rounds):
        start = time.perf_counter()
        body = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, body


def w_many(name: str, a: argparse.Namespace, opts: dict, n: int, data_dir: str, items: list) -> dict:
    dmn = new_daemon(name, a.workdir, f"many{n}", opts)
    try:
        dmn.start()
        dmn.wait_ready(a.ready_timeout)
        before = mem_report(dmn.pid)
        start = time.monotonic()
        dmn.add_many(items[:n], data_dir)
        add_s = time.monotonic() - start
        try:
            wait_until(lambda: sum(r["state"] in ("seeding", "queued") for r in dmn.list_all()) >= n,
                       a.many_timeout, period=1.0, what=f"{n} torrents seeding")
            settled = True
        except TimeoutError:
            settled = False
        settle_s = time.monotonic() - start - add_s
        time.sleep(a.settle)
        row = mem_report(dmn.pid)
        times, body = _timed(dmn.list_raw, a.list_repeat)
        rows = dmn.normalize(body)
        states: dict[str, int] = {}
        for r in rows:
            states[r["state"]] = states.get(r["state"], 0) + 1
        return {**row, "daemon": name, "n": n, "add_s": round(add_s, 2), "settle_s": round(settle_s, 2),
                "all_settled": settled, "rss_before_mib": before["rss_mib"], "list_first_ms": round(times[0], 1),
                "list_median_ms": round(statistics.median(times), 1), "list_bytes": len(body), "listed": len(rows),
                "states": states}
    finally:
        _cleanup(dmn, a)


def w_transfer(name: str, a: argparse.Namespace, opts: dict, seeder: Seeder, torrent: str, info_hash: str,
               size: int) -> dict:
    dmn = new_daemon(name, a.workdir, "xfer", {**opts, "qbt_refresh_ms": 100})
    try:
        dmn.start()
        dmn.wait_ready(a.ready_timeout)
        sampler = PeakSampler(dmn.pid)
        sampler.start()
        cpu0, seeder_cpu0 = tree_snapshot(dmn.pid)["cpu_s"], proc_cpu(seeder.pid)
        start = time.monotonic()
        tid = dmn.add_torrent_file(torrent, dmn.download_dir, info_hash=info_hash)
        seeder.connect(dmn.peer_port)
        dialled, first, done, progress = time.monotonic(), None, False, 0.0
        while not done and time.monotonic() < start + a.transfer_timeout:
            progress, done = dmn.progress(tid)
            now = time.monotonic()
            first = first if first is not None or progress <= 0 else now - start
            if progress == 0 and now - dialled > 0.5:  # the torrent may not have been active yet
                seeder.connect(dmn.peer_port)
                dialled = now
            time.sleep(a.poll)
        wall = time.monotonic() - start
        cpu = tree_snapshot(dmn.pid)["cpu_s"] - cpu0
        sampler.stop()
        end = proc_mem(dmn.pid)
        steady = size / MIB / (wall - first) if done and first is not None and wall - first > 0.05 else None
        return {"daemon": name, "ok": done, "progress": round(progress, 4), "wall_s": round(wall, 3),
                "mib_s": round(size / MIB / wall, 1) if done else None,
                "first_progress_s": None if first is None else round(first, 2),
                "steady_mib_s": None if steady is None else round(steady, 1), "cpu_s": round(cpu, 2),
                "seeder_cpu_s": round(proc_cpu(seeder.pid) - seeder_cpu0, 2),
                "peak_rss_mib": mib(max(sampler.peak_rss, end.get("VmHWM", 0))),
                "peak_rss_anon_mib": mib(sampler.peak_anon), "end_rss_anon_mib": mib(end.get("RssAnon"))}
    finally:
        _cleanup(dmn, a)


WORKLOADS: dict[str, Callable] = {"idle": w_idle, "many": w_many, "transfer": w_transfer}


def summarize_transfers(runs: list[dict]) -> list[dict]:
    """Medians per daemon over its successful runs."""
    by_daemon: dict[str, list[dict]] = {}
    for run in runs:
        by_daemon.setdefault(run["daemon"], []).append(run)
    out = []
    for name, all_runs in by_daemon.items():
        ok = [r for r in all_runs if r.get("ok")]
        row: dict = {"daemon": name, "runs": f"{len(ok)}/{len(all_runs)}"}
        if ok:
            def med(key: str, nd: int = 2, ok: list[dict] = ok) -> float:
                return round(statistics.median(r[key] or 0 for r in ok), nd)
            row.update({"min_s": min(r["wall_s"] for r in ok), "median_s": med("wall_s", 3),
                        "median_MiB/s": med("mib_s", 1), "first_progress_s": med("first_progress_s"),
                        "steady_MiB/s": med("steady_mib_s", 1), "peak_rss_MiB": med("peak_rss_mib"),
                        "peak_anon_MiB": med("peak_rss_anon_mib"), "cpu_s": med("cpu_s"),
                        "seeder_cpu_s": med("seeder_cpu_s")})
        out.append(row)
    return out


def versions(daemons: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {"kernel": platform.release(), "python": sys.version.split()[0],
                                    "libtorrent (seeder)": lt.__version__}
    for name in daemons:
        found[name] = ADAPTERS[name].version()
    return found


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="harness", description=__doc__.splitlines()[0])
    ap.add_argument("--daemons", default="transmission,qbittorrent,lt", help="comma list of: " + ",".join(ADAPTERS))
    ap.add_argument("--workloads", default="idle,many,transfer")
    ap.add_argument("--workdir", default="/tmp/utserver-bench", help="scratch folder; generated data is cached")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--idle-seconds", type=float, default=20)
    ap.add_argument("--n", default="1000", help="torrent counts for 'many', comma-separated")
    ap.add_argument("--many-file-size", type=parse_size, default=16384)
    ap.add_argument("--many-timeout", type=float, default=300)
    ap.add_argument("--settle", type=float, default=10, help="seconds between settled and measured")
    ap.add_argument("--list-repeat", type=int, default=5)
    ap.add_argument("--size", type=parse_size, default=1 << 30, help="transfer size: 1G, 256M…")
    ap.add_argument("--repeat", type=int, default=3, help="transfer runs per daemon")
    ap.add_argument("--transfer-timeout", type=float, default=600)
    ap.add_argument("--poll", type=float, default=0.1, help="progress poll period (s)")
    ap.add_argument("--ready-timeout", type=float, default=90)
    ap.add_argument("--utapi-cmd", default="", help="command template of the 'utapi' adapter")
    ap.add_argument("--utapi-auth", default="admin:", help="user:password for the µTorrent API")
    ap.add_argument("--keep", action="store_true", help="keep each daemon's folder")
    a = ap.parse_args(argv)
    a.daemon_list = [d for d in a.daemons.split(",") if d]
    unknown = [d for d in a.daemon_list if d not in ADAPTERS]
    if unknown:
        ap.error(f"unknown daemons {unknown}; known: {', '.join(ADAPTERS)}")
    return a


def _each(results: list, label: str, fn: Callable[[], dict], fallback: dict) -> None:
    """Run one measurement; a daemon failing is a row with its error, not the end of the run."""
    log(label)
    try:
        results.append(fn())
    except Exception as exc:  # any failure of a daemon under test is reported, not raised
        log(f"{label} failed: {exc!r}")
        results.append({**fallback, "error": repr(exc)[:160]})


def run(a: argparse.Namespace) -> dict:
    workloads = a.workloads.split(",")
    opts = {"utapi_cmd": a.utapi_cmd, "utapi_auth": a.utapi_auth}
    res: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "versions": versions(a.daemon_list), "idle": [],
                 "many": [], "transfer": []}
    os.makedirs(a.workdir, exist_ok=True)
    tracker = Tracker(a.workdir, [])
    ns = sorted(int(x) for x in a.n.split(",") if x) if "many" in workloads else []
    big = gen_big(a.workdir, a.size, tracker.url) if "transfer" in workloads else None
    many = gen_many(a.workdir, max(ns), tracker.url, a.many_file_size) if ns else None
    tracker.write_whitelist(([big[2]] if big else []) + [h for _, h in (many[1] if many else [])])
    try:
        tracker.start()
        supported = {w: [d for d in a.daemon_list if w in ADAPTERS[d].supports] for w in workloads}
        for d in supported.get("idle", []):
            _each(res["idle"], f"idle: {d}", lambda d=d: WORKLOADS["idle"](d, a, opts), {"daemon": d})
        for n in ns:
            for d in supported["many"]:
                _each(res["many"], f"many: {d} N={n}",
                      lambda d=d, n=n: WORKLOADS["many"](d, a, opts, n, *many), {"daemon": d, "n": n})
        if big:
            subprocess.run(["cat", os.path.join(big[0], f"big_{a.size}.bin")], stdout=subprocess.DEVNULL, check=True)
            seeder = Seeder(a.workdir, big[1], big[0])
            try:
                for rep in range(a.repeat):
                    for d in supported["transfer"]:
                        _each(res["transfer"], f"transfer: {d} run {rep + 1}/{a.repeat}",
                              lambda d=d: WORKLOADS["transfer"](d, a, opts, seeder, big[1], big[2], a.size),
                              {"daemon": d, "ok": False})
            finally:
                seeder.stop()
    finally:
        tracker.stop()
        kill_all_children()
    res["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    res["transfer_summary"] = summarize_transfers(res["transfer"])
    return res


def report(res: dict) -> str:
    lines = ["versions: " + json.dumps(res["versions"])]
    for title, rows, cols in (
            ("idle", res["idle"], ["daemon", "ready_s", "rss_mib", "pss_mib", "rss_anon_mib", "threads", "cpu_s",
                                   "cpu_idle_window_s", "error"]),
            ("many", res["many"], ["daemon", "n", "add_s", "settle_s", "rss_mib", "rss_anon_mib", "list_median_ms",
                                   "list_bytes", "listed", "all_settled", "error"]),
            ("transfer", res["transfer_summary"], ["daemon", "runs", "min_s", "median_s", "median_MiB/s",
                                                   "first_progress_s", "peak_rss_MiB", "peak_anon_MiB", "cpu_s",
                                                   "seeder_cpu_s"])):
        if rows:
            lines += ["", f"== {title} ==", table(rows, cols)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    res = run(a)
    print(report(res))
    if a.json:
        with open(a.json, "w") as out:
            json.dump(res, out, indent=1, default=str)
        log("wrote", a.json)
    return 0
