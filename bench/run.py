"""`make bench`: utserver side by side with transmission-daemon, qbittorrent-nox, deluged and a bare
libtorrent session, on loopback, in one run; prints the tables and one verdict line per goal.

    .venv/bin/python bench/run.py            # full run, about 15-20 min on 2 cores
    .venv/bin/python bench/run.py --quick    # a ~3 min subset (make bench BENCH_QUICK=1)

The harness is bench/harness/ (other daemons, the reference seeder, opentracker, the idle, many
and transfer workloads); bench/adapter.py plugs utserver into it. Extra workloads: bench/restart.py
(1,000 torrents restored, unchanged-cid listing, idle wakeups and disk writes), bench/pollers.py
(20 API clients during a transfer), bench/webui_render.py, and the web-API helper's bench/api_list.py.
Missing peers are installed from Debian (apt-get).
Results: bench/results/latest.txt and latest.json. Method and pitfalls: docs/bench.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import adapter  # noqa: E402
import restart  # noqa: E402
import webui_render  # noqa: E402
from adapter import pb  # noqa: E402

ROOT = HERE.parent
RESULTS = HERE / "results"
# The tunings proposed to the lead (docs/bench.md, /tmp/requests-bench.md), measured beside utserver as
# it is in the same run until they are applied: bench/variant.py knobs.
PROPOSED = ""  # requests 2-4 were applied at 04:03 (posix, glibc, tick, cheroot expiry): nothing pending
PEER_PACKAGES = ["transmission-daemon", "qbittorrent-nox", "deluged", "opentracker"]

FULL = dict(idle=["utserver", "transmission", "qbittorrent", "deluge", "lt"], idle_seconds=20,
            many=["utserver", "transmission", "qbittorrent", "lt"], n=1000,
            transfer=["utserver", "utserver-20poll", "qbittorrent", "lt"], size="1G", repeat=3,
            restart=["utserver", "transmission", "qbittorrent"], restarts=3, idle_window=30, many_timeout=240,
            api_list=["--torrents", "1000"])
QUICK = dict(idle=["utserver", "transmission", "lt"], idle_seconds=10,
             many=["utserver", "transmission", "lt"], n=200,
             transfer=["utserver", "utserver-20poll", "lt"], size="256M", repeat=1,
             restart=["utserver"], restarts=1, idle_window=10, many_timeout=120,
             api_list=["--torrents", "200", "--seconds", "3", "--rounds", "10"])


def code_state() -> str:
    """The utserver code measured: commit, plus a digest of uncommitted changes under utserver/."""
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, timeout=30).stdout
    rev = git("rev-parse", "--short", "HEAD").strip()
    diff = git("diff", "HEAD", "--", "utserver")
    if not diff:
        return rev
    import hashlib
    files = git("diff", "--name-only", "HEAD", "--", "utserver").split()
    return f"{rev} + uncommitted changes in {len(files)} files under utserver/ (diff sha1 " \
           f"{hashlib.sha1(diff.encode()).hexdigest()[:10]})"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def installed(pkg: str) -> bool:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return "ok installed" in r.stdout


def ensure_peers() -> None:
    missing = [p for p in PEER_PACKAGES if not installed(p)]
    if not missing:
        return
    pb.log("installing peers from Debian: " + " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(cmd, env=env, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, timeout=600, check=True)
        subprocess.run(cmd, env=env, timeout=900, check=True)


def harness_run(args: list[str], json_path: Path) -> dict:
    """One in-process harness run; its own report goes to the log, the JSON is returned."""
    sys.argv = ["harness", *args, "--json", str(json_path)]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        pb.main()
    (json_path.with_suffix(".txt")).write_text(buf.getvalue())
    return json.loads(json_path.read_text())


def fmt(v, nd=1):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def verdicts(res: dict) -> list[tuple[str, bool | None, str]]:
    """(goal, met, evidence) for each goal of the issue."""
    idle = {r["daemon"]: r for r in res["idle"] if "error" not in r}
    many = {r["daemon"]: r for r in res["many"] if "error" not in r}
    xfer = {r["daemon"]: r for r in res["transfer_summary"] if r.get("median_s")}
    rst = {r["daemon"]: r for r in res["restart"] if "error" not in r}
    out = []

    def ok(cond_value, test):
        """None (not measured in this run) when the utserver value is missing."""
        return None if cond_value is None else bool(test)
    u = idle.get("utserver", {})
    up, xp = idle.get("utserver+proposed", {}), xfer.get("utserver+proposed", {})

    def prop(row, key, unit, nd=1):
        return f"; proposed {fmt(row.get(key), nd)}{unit}" if row.get(key) is not None else ""
    out.append(("idle RSS ≤ 30 MB", ok(u.get("rss_mib"), u.get("rss_mib") is not None and u["rss_mib"] <= 30),
                f"utserver {fmt(u.get('rss_mib'))} MiB ("
                + ", ".join(f"{d} {fmt(idle.get(d, {}).get('rss_mib'))}" for d in ("transmission", "qbittorrent", "lt"))
                + ")"
                + prop(up, "rss_mib", " MiB")))
    um, ur = many.get("utserver", {}), rst.get("utserver", {})
    worst = max([v for v in (um.get("rss_mib"), ur.get("rss_mib")) if v is not None], default=None)
    out.append((f"RSS with {res['n']} torrents ≤ 40 MB", ok(worst, worst is not None and worst <= 40),
                f"utserver {fmt(um.get('rss_mib'))} MiB after adding, {fmt(ur.get('rss_mib'))} MiB restored "
                f"(transmission {fmt(many.get('transmission', {}).get('rss_mib'))}, qbittorrent "
                f"{fmt(many.get('qbittorrent', {}).get('rss_mib'))}, lt {fmt(many.get('lt', {}).get('rss_mib'))})"))
    ux = xfer.get("utserver", {})
    out.append(("peak private memory during the download ≤ 40 MB",
                ok(ux.get("peak_anon_MiB"), ux.get("peak_anon_MiB") is not None and ux["peak_anon_MiB"] <= 40),
                f"utserver peak anon {fmt(ux.get('peak_anon_MiB'))} MiB (median of runs; qbittorrent "
                f"{fmt(xfer.get('qbittorrent', {}).get('peak_anon_MiB'))}, "
                f"lt {fmt(xfer.get('lt', {}).get('peak_anon_MiB'))})"
                + prop(xp, "peak_anon_MiB", " MiB")))
    others = {d: xfer[d]["median_s"] for d in ("lt", "qbittorrent") if d in xfer}
    out.append((f"{res['size']} download time ≤ bare libtorrent's and ≤ qbittorrent-nox's",
                ok(ux.get("median_s") if others else None,
                   ux.get("median_s") is not None and all(ux["median_s"] <= v for v in others.values())),
                f"utserver median {fmt(ux.get('median_s'), 2)} s vs " +
                ", ".join(f"{d} {v:.2f} s" for d, v in others.items()) + prop(xp, "median_s", " s", 2)))
    q = xfer.get("qbittorrent", {})
    out.append(("download CPU seconds ≤ qbittorrent-nox's",
                ok(ux.get("cpu_s") if q else None, q and ux.get("cpu_s") is not None and ux["cpu_s"] <= q["cpu_s"]),
                f"utserver {fmt(ux.get('cpu_s'), 2)} s vs qbittorrent {fmt(q.get('cpu_s'), 2)} s"
                + ("" if q else " (qbittorrent not in this run)") + prop(xp, "cpu_s", " s", 2)))
    tm = many.get("transmission", {})
    out.append((f"full list=1 of {res['n']} ≤ transmission's torrent-get",
                ok(um.get("list_median_ms") if tm else None,
                   tm and um.get("list_median_ms") is not None and um["list_median_ms"] <= tm["list_median_ms"]),
                f"utserver {fmt(um.get('list_median_ms'))} ms / {um.get('list_bytes')} B vs transmission "
                f"{fmt(tm.get('list_median_ms'))} ms / {tm.get('list_bytes')} B"))
    cid_ms, cid_b = ur.get("list_cid_ms"), ur.get("list_cid_bytes")
    out.append(("unchanged-cid list ≤ 2 ms and ≤ 1 KB",
                ok(cid_ms, cid_ms is not None and cid_ms <= 2 and cid_b <= 1024),
                f"{fmt(cid_ms, 2)} ms, {cid_b} B with {res['n']} torrents"))
    out.append((f"ready with {res['n']} torrents restored ≤ 2 s, no rechecks",
                ok(ur.get("listed_s"),
                   ur.get("listed_s") is not None and ur["listed_s"] <= 2 and ur.get("rechecked") == 0),
                f"API {fmt(ur.get('api_s'), 2)} s, all listed {fmt(ur.get('listed_s'), 2)} s, all seeding "
                f"{fmt(ur.get('seeding_s'), 2)} s, {ur.get('rechecked')} rechecked "
                f"(median of {len(ur.get('runs', []))})"))
    iw = [("0 torrents", u.get("idle_window")), (f"{res['n']} torrents", ur.get("idle")),
          ("proposed, 0 torrents", up.get("idle_window"))]
    iw = [(k, v) for k, v in iw if v]
    wake_ok = None if not iw else all(v["wakeups_per_s"] <= 1.0 for k, v in iw if "proposed" not in k)
    out.append(("idle: ≤ 1 CPU wakeup per second", wake_ok,
                "; ".join(f"{k}: {v['wakeups_per_s']}/s over {v['threads_waking']} threads "
                          f"(busiest {v['busiest_thread_wakeups_per_s']}/s)" for k, v in iw)))
    disk_ok = None if not iw else all(v["disk_write_bytes"] == 0 and not v.get("settings_files_changed")
                                      for k, v in iw if "proposed" not in k)
    out.append(("idle: no disk writes while nothing changes", disk_ok,
                "; ".join(f"{k}: {v['disk_write_bytes']} B written in {v['window_s']} s, "
                          f"{v.get('settings_files_changed', 0)} settings files changed" for k, v in iw)))
    return out


def report(res: dict) -> str:
    L = []
    T = pb.table
    L.append(f"utserver benchmark, {res['started']} → {res['finished']} UTC ({res['mode']} run, "
             f"{res['minutes']:.1f} min); load average at start {res['load_start']}, at end {res['load_end']}")
    if res.get("proposed"):
        L.append(f"utserver+proposed = utserver with the tunings proposed in docs/bench.md, applied in-process by "
                 f"bench/variant.py ({res['proposed']}); the goals are judged on utserver as it is")
    L.append(f"utserver code: {res.get('code')}")
    L.append("versions: " + "; ".join(f"{k}={v}" for k, v in res["versions"].items() if v))
    L.append(f"\n== idle: {res.get('idle_seconds', 20)} s after the API first answered "
             "(MiB; wakeups = context switches of all threads "
             "per second over the idle window; disk = bytes written to storage in the window) ==")
    L.append(T(res["idle"], ["daemon", "ready_s", "rss_mib", "pss_mib", "rss_anon_mib", "threads", "cpu_s",
                             "cpu_idle_window_s", "wakeups_per_s", "disk_write_bytes", "error"]))
    L.append(f"\n== {res['n']} small seeding torrents added through the API (list = one full listing) ==")
    L.append(T(res["many"], ["daemon", "n", "add_s", "rss_before_mib", "rss_mib", "rss_anon_mib", "cpu_s",
                             "list_median_ms", "list_bytes", "listed", "all_settled", "error"]))
    L.append(f"\n== {res['size']} download over loopback from one libtorrent seeder, {res['repeat']} interleaved "
             f"runs (utserver-20poll: 20 API clients polling list=1&cid every {adapter.POLL_INTERVAL} s) ==")
    L.append(T(res["transfer_summary"], ["daemon", "runs", "min_s", "median_s", "median_MiB/s", "first_progress_s",
                                         "steady_MiB/s", "peak_rss_MiB", "peak_anon_MiB", "cpu_s", "seeder_cpu_s"]))
    if res["pollers"]:
        L.append("\n20 pollers during the utserver transfers (per run): " + "; ".join(
            f"{p.get('requests')} requests, median {p.get('median_ms')} ms, p95 {p.get('p95_ms')} ms, "
            f"max {p.get('max_ms')} ms, {p.get('errors')} errors" for p in res["pollers"]))
    L.append(f"\n== restart with {res['n']} seeding torrents restored (s from process start, median of restarts); "
             f"then idle {res['idle_window']} s; cid = list=1&cid over one keep-alive connection, "
             "as a polling client ==")
    rows = []
    for r in res["restart"]:
        idle = r.get("idle") or {}
        rows.append({**r, "wakeups_per_s": idle.get("wakeups_per_s"), "disk_write_B": idle.get("disk_write_bytes"),
                     "settings_files_changed": idle.get("settings_files_changed", "")})
    L.append(T(rows, ["daemon", "n", "add_s", "api_s", "listed_s", "seeding_s", "rechecked", "rss_mib",
                      "rss_anon_mib", "list_full_ms", "list_full_keepalive_ms", "list_full_bytes", "list_cid_ms",
                      "list_cid_bytes",
                      "wakeups_per_s", "disk_write_B", "settings_files_changed", "error"]))
    w = next((r for r in res["restart"] if r["daemon"] == "utserver" and "webui_render_ms" in r), None)
    if w:
        L.append(f"\nweb UI (Chromium headless) with {res['n']} torrents: first list rendered in "
                 f"{w['webui_render_ms']} ms ({w['webui_rows']} rows in the DOM); sort by name "
                 f"{w['webui_sort_ms']} / {w['webui_sort_again_ms']} ms, search {w['webui_search_ms']} / "
                 f"{w['webui_search_clear_ms']} ms, scroll to the middle {w['webui_scroll_ms']} ms; then "
                 f"{w['webui_busy_ms_per_s']} ms of script+layout per second while polling, daemon CPU "
                 f"{w['webui_daemon_cpu_ms_per_s']} ms/s")
    elif any("webui_error" in r for r in res["restart"]):
        L.append("\nweb UI: " + next(r["webui_error"] for r in res["restart"] if "webui_error" in r))
    if res.get("api_list"):
        L.append("\n== bench/api_list.py (web-API helper's benchmark, its own daemon with fake torrents) ==")
        L.append(res["api_list"].rstrip())
    for err in res.get("errors", []):
        L.append(f"\nPART FAILED: {err}")
    L.append("\n== goals ==")
    for goal, met, why in res["verdicts"]:
        L.append(f"{'MET ' if met else ('GAP ' if met is False else 'n/a ')} {goal}: {why}")
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    ap.add_argument("--workdir", default="/tmp/utserver-bench", help="scratch; generated data is cached")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--out", default=str(RESULTS / "latest"), help="results path without extension")
    ap.add_argument("--proposed", default=PROPOSED or None,
                    help="variant.py knobs of the utserver+proposed row ('' = none)")
    ap.add_argument("--n", type=int, help="override the number of torrents (many, restart)")
    ap.add_argument("--restart-daemons", help="override the daemons of the restart part (comma list)")
    ap.add_argument("--only", default="", help="comma list of parts: idle_many,transfer,restart,api_list")
    a = ap.parse_args()
    cfg = QUICK if a.quick else FULL
    if a.n:
        cfg = dict(cfg, n=a.n)
    if a.restart_daemons:
        cfg = dict(cfg, restart=a.restart_daemons.split(","))
    parts = set(a.only.split(",")) if a.only else {"idle_many", "transfer", "restart", "api_list"}
    if not a.no_install:
        ensure_peers()
    if not (ROOT / "build" / "webui.zip").exists():
        pb.log("build/webui.zip missing (make webui): the web UI render is skipped")
    os.makedirs(a.workdir, exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    t0 = time.monotonic()
    res = {"started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "mode": "quick" if a.quick else "full",
           "load_start": load_average(), "n": cfg["n"], "size": cfg["size"], "repeat": cfg["repeat"],
           "idle_window": cfg["idle_window"], "idle_seconds": cfg["idle_seconds"], "idle": [], "many": [],
           "code": code_state(), "transfer": [], "transfer_summary": [], "pollers": [], "restart": [], "versions": {},
           "errors": []}
    if a.proposed:
        name = adapter.variant(a.proposed, alias="proposed")
        cfg = dict(cfg, idle=cfg["idle"][:1] + [name] + cfg["idle"][1:],
                   transfer=cfg["transfer"][:2] + [name] + cfg["transfer"][2:])
        res["proposed"] = a.proposed
    common = ["--workdir", a.workdir]
    scratch = Path(a.workdir)
    def idle_many():
        daemons = list(dict.fromkeys(cfg["idle"] + cfg["many"]))
        r = harness_run(common + ["--daemons", ",".join(daemons), "--workloads", "idle,many", "--n", str(cfg["n"]),
                                "--many-timeout", str(cfg["many_timeout"]),
                                "--idle-seconds", str(cfg["idle_seconds"])], scratch / "idle_many.json")
        res["idle"] = [x for x in r["idle"] if x["daemon"] in cfg["idle"]]
        res["many"] = [x for x in r["many"] if x["daemon"] in cfg["many"]]
        res["versions"].update(r["versions"])

    def transfer():
        adapter.POLL_RESULTS.clear()
        r = harness_run(common + ["--daemons", ",".join(cfg["transfer"]), "--workloads", "transfer",
                                "--size", cfg["size"], "--repeat", str(cfg["repeat"])], scratch / "transfer.json")
        res["transfer"], res["transfer_summary"] = r["transfer"], r["transfer_summary"]
        res["pollers"] = list(adapter.POLL_RESULTS)
        res["versions"].update(r["versions"])

    def restarts():
        sys.argv = ["harness", "--workdir", a.workdir]
        # 100,000 over their data take minutes to check (one at a time, as libtorrent does)
        ra = argparse.Namespace(workdir=a.workdir, ready_timeout=90, many_timeout=max(300, cfg["n"] // 100), keep=False)
        tracker = pb.Tracker(a.workdir, [])
        try:
            data_dir, items = pb.gen_many(a.workdir, cfg["n"], tracker.url, 16384)
            tracker.write_whitelist([ih for _, ih in items])
            tracker.start()
            for name in cfg["restart"]:
                pb.log(f"restart: {name} N={cfg['n']}")
                hooks = ()
                if name == "utserver" and Path(webui_render.CHROMIUM).exists():
                    hooks = (lambda d: webui_render.measure(d, cfg["n"]),)
                try:
                    res["restart"].append(restart.run(name, ra, {}, cfg["n"], data_dir, items, cfg["restarts"],
                                                      cfg["idle_window"], hooks))
                except Exception as exc:  # one daemon failing does not end the run
                    pb.log(f"restart {name} failed: {exc!r}")
                    res["restart"].append({"daemon": name, "n": cfg["n"], "error": repr(exc)[:120]})
        finally:
            tracker.stop()
            pb.kill_all_children()

    def api_list():
        pb.log("bench/api_list.py " + " ".join(cfg["api_list"]))
        r = subprocess.run([sys.executable, str(HERE / "api_list.py"), *cfg["api_list"]], capture_output=True,
                           text=True, cwd=ROOT, timeout=900)
        res["api_list"] = r.stdout + (f"\n(api_list.py failed: {r.stderr[-300:]})" if r.returncode else "")

    for part, fn in (("idle_many", idle_many), ("transfer", transfer), ("restart", restarts), ("api_list", api_list)):
        if part not in parts:
            continue
        try:
            fn()
        except Exception as exc:  # the other parts still run and the report says what failed
            pb.log(f"{part} failed: {exc!r}")
            res["errors"].append(f"{part}: {exc!r}"[:300])
            pb.kill_all_children()
    res["finished"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    res["minutes"] = (time.monotonic() - t0) / 60
    res["load_end"] = load_average()
    res["verdicts"] = verdicts(res)
    text = report(res)
    print(text)
    Path(a.out + ".txt").write_text(text + "\n")
    Path(a.out + ".json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    pb.log(f"wrote {a.out}.txt and .json")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        pb.kill_all_children()
