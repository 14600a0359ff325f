"""utserver in the side-by-side harness (bench/harness/).

Importing this module registers:
  utserver         the daemon with its shipped defaults, driven by the harness's `utapi` adapter
                   (µTorrent API: token.html, list=1, add-file); only the loopback isolation,
                   TCP-only transport (as the peers run) and unlimited queue are set in its conf;
  utserver-20poll  the same, with 20 API clients (bench/pollers.py, a separate process) polling
                   token + list=1&cid every POLL_INTERVAL s from the moment the API is ready;
                   their latency goes to POLL_RESULTS.
It also wraps the harness's idle workload so that every daemon's idle window also reports thread
wakeups (context switches of all its threads) and bytes written to storage (/proc/PID/io), and
for utserver the bytes of files changed in its settings path.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import harness as pb

ROOT = Path(__file__).resolve().parents[1]

PY = sys.executable  # run.py runs in the project's .venv: the same python runs the daemon
PASSWORD = "bench"
POLL_CLIENTS = 20
POLL_INTERVAL = 0.5
POLL_RESULTS: list[dict] = []

# What the benchmark sets in utserver.conf; everything else is utserver's shipped default.
BENCH_CONF = {
    "bind_ip": "127.0.0.1", "dht": 0, "lsd": 0, "upnp": 0, "natpmp": 0,
    "bt.transp_disposition": 5,  # TCP in and out only, like transmission/qBittorrent in the harness
    "max_active_downloads": -1, "max_active_torrent": -1,  # no queue: every torrent active (as peers)
    "admin_password": PASSWORD,
}


def write_conf(path: Path, conf: dict) -> None:
    path.write_text("".join(f"{k}: {v}\n" for k, v in conf.items()))


class UTServer(pb.UTorrentAPI):
    name = "utserver"
    extra_conf: dict = {}

    def __init__(self, workdir, opts):
        opts = dict(opts, utapi_auth="admin:" + PASSWORD)
        super().__init__(workdir, opts)
        self.settings_path = os.path.join(self.dir, "settings")
        self.conf_path = os.path.join(self.dir, "utserver.conf")

    def prepare(self):
        conf = {"ut_webui_port": self.webui_port, "bind_port": self.peer_port,
                "dir_active": self.download_dir, "dir_completed": self.download_dir,
                "ut_webui_dir": str(ROOT / "build"), **BENCH_CONF, **self.extra_conf,
                **(self.opts.get("utserver_conf") or {})}
        write_conf(Path(self.conf_path), conf)

    def command(self):
        return [PY, "-m", "utserver", "-configfile", self.conf_path, "-settingspath", self.settings_path,
                "-logfile", os.path.join(self.dir, "utserver.log")]

    def env(self):
        e = super().env()
        e["PYTHONPATH"] = str(ROOT)  # the checkout's utserver, whatever is installed
        return e

    @classmethod
    def version(cls):
        out = subprocess.run([PY, "-c", "import utserver, libtorrent; print(utserver.__version__, "
                              "libtorrent.__version__)"], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=ROOT, timeout=10).stdout.strip()
        v = out.stdout.split()
        return f"utserver {v[0]} @ {rev} (libtorrent {v[1]}, python {sys.version.split()[0]})" if v else None


class UTServerPolled(UTServer):
    """utserver with 20 API clients polling while it works (the transfer workload)."""
    name = "utserver-20poll"
    supports = ("transfer",)
    pollers = None

    def wait_ready(self, timeout=90):
        ready = super().wait_ready(timeout)
        self.poll_out = os.path.join(self.dir, "pollers.json")
        self.pollers = pb.spawn([PY, str(ROOT / "bench" / "pollers.py"), "--port", str(self.webui_port),
                                 "--auth", "admin:" + PASSWORD, "--clients", str(POLL_CLIENTS),
                                 "--interval", str(POLL_INTERVAL), "--out", self.poll_out, "--max-seconds", "700"],
                                log_path=os.path.join(self.dir, "pollers.log"))
        return ready

    def stop(self):
        if self.pollers is not None:
            try:
                os.kill(self.pollers.pid, signal.SIGTERM)  # pollers.py writes its result on SIGTERM
                self.pollers.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            pb.kill_proc(self.pollers, grace=5)
            self.pollers = None
            try:
                with open(self.poll_out) as f:
                    POLL_RESULTS.append(json.load(f))
            except (OSError, ValueError) as exc:
                POLL_RESULTS.append({"error": f"no poller result: {exc}"})
        super().stop()


for _cls in (UTServer, UTServerPolled):
    pb.ADAPTERS[_cls.name] = _cls


# --- idle: wakeups and storage writes ---------------------------------------------------------

def thread_switches(pid: int) -> dict[int, tuple[str, int]]:
    """tid -> (thread name, voluntary + involuntary context switches) for a process and its children."""
    out = {}
    for proc in pb.proc_descendants(pid):
        try:
            tids = os.listdir(f"/proc/{proc}/task")
        except OSError:
            continue
        for tid in tids:
            status = pb.read_text(f"/proc/{proc}/task/{tid}/status") or ""
            count = sum(int(line.split()[1]) for line in status.splitlines() if "ctxt_switches" in line)
            comm = (pb.read_text(f"/proc/{proc}/task/{tid}/comm") or "?").strip()
            comm += ":" + ((pb.read_text(f"/proc/{proc}/task/{tid}/wchan") or "?").strip() or "?")
            out[int(tid)] = (comm, count)
    return out


def write_bytes(pid: int) -> int:
    total = 0
    for proc in pb.proc_descendants(pid):
        for line in (pb.read_text(f"/proc/{proc}/io") or "").splitlines():
            if line.startswith("write_bytes:"):
                total += int(line.split()[1])
    return total


def files_state(folder: str | None) -> dict[str, tuple[int, int]]:
    state = {}
    if folder and os.path.isdir(folder):
        for base, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(base, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                state[path] = (st.st_mtime_ns, st.st_size)
    return state


class IdleWindow:
    """Wakeups, storage writes and changed settings files of a daemon between start() and stop()."""

    def __init__(self, pid: int, settings_path: str | None = None):
        self.pid, self.settings_path = pid, settings_path

    def start(self):
        self.t0 = time.monotonic()
        self.sw0, self.wb0 = thread_switches(self.pid), write_bytes(self.pid)
        self.files0 = files_state(self.settings_path)
        return self

    def stop(self) -> dict:
        seconds = time.monotonic() - self.t0
        sw1, wb1 = thread_switches(self.pid), write_bytes(self.pid)
        per_thread = {}
        for tid, (comm, count) in sw1.items():
            delta = count - self.sw0.get(tid, (comm, 0))[1]
            if delta:
                per_thread[f"{comm}/{tid}"] = delta
        files1 = files_state(self.settings_path)
        changed = {p: s for p, (m, s) in files1.items() if self.files0.get(p, (None, None))[0] != m}
        wakeups = sum(per_thread.values())
        out = {"window_s": round(seconds, 1), "wakeups_per_s": round(wakeups / seconds, 2),
               "busiest_thread_wakeups_per_s": round(max(per_thread.values(), default=0) / seconds, 2),
               "threads_waking": len(per_thread), "disk_write_bytes": wb1 - self.wb0,
               "disk_write_bytes_per_h": int((wb1 - self.wb0) * 3600 / seconds),
               "per_thread": dict(sorted(per_thread.items(), key=lambda kv: -kv[1]))}
        if self.settings_path is not None:
            out["settings_files_changed"] = len(changed)
            out["settings_bytes_rewritten"] = sum(changed.values())
            out["settings_bytes_per_h"] = int(sum(changed.values()) * 3600 / seconds)
        return out


def w_idle(name, a, opts):
    """the harness's idle workload, plus the IdleWindow numbers over the same idle seconds."""
    dmn = pb.new_daemon(name, a.workdir, "idle", opts)
    try:
        dmn.start()
        ready_s = dmn.wait_ready(a.ready_timeout)
        cpu_ready = pb.tree_snapshot(dmn.pid)["cpu_s"]
        time.sleep(min(2.0, a.idle_seconds / 4))  # let start-up work settle before the window
        window = IdleWindow(dmn.pid, getattr(dmn, "settings_path", None)).start()
        time.sleep(a.idle_seconds)
        idle = window.stop()
        m = pb.mem_report(dmn.pid)
        m.update({"daemon": name, "ready_s": round(ready_s, 2), "idle_s": a.idle_seconds,
                  "cpu_idle_window_s": round(m["cpu_s"] - cpu_ready, 3),
                  "wakeups_per_s": idle["wakeups_per_s"],
                  "busiest_thread_wakeups_per_s": idle["busiest_thread_wakeups_per_s"],
                  "disk_write_bytes": idle["disk_write_bytes"], "idle_window": idle})
        return m
    finally:
        dmn.stop()
        if not a.keep:
            shutil.rmtree(dmn.dir, ignore_errors=True)


pb.WORKLOADS["idle"] = w_idle


# --- candidate tunings (bench/variant.py), registered on demand --------------------------------

def variant(knobs: str, alias: str | None = None) -> str:
    """Register the adapter 'utserver+KNOBS' (or 'utserver+ALIAS'), utserver run through
    bench/variant.py with those knobs; returns its name."""
    knobs = knobs.replace("+", ",")
    name = "utserver+" + (alias or knobs.replace(",", "+"))  # the harness splits --daemons at commas

    class Variant(UTServer):
        def command(self):
            return [PY, str(ROOT / "bench" / "variant.py"), *super().command()[3:]]

        def env(self):
            return {**super().env(), "UTB_VARIANT": knobs}
    Variant.name = name
    pb.ADAPTERS[name] = Variant
    return name
