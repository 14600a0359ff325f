"""Processes the bench starts, and what /proc says about them: memory, CPU, threads.

Every child is remembered so that one call stops them all (also on SIGTERM or Ctrl-C).
Memory is summed over a daemon and its children: RSS, PSS and the private (anonymous) part, which
is what counts on a router (docs/reference/libtorrent.md#disk-back-ends).
"""

from __future__ import annotations

import base64
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")
STARTED: list[subprocess.Popen] = []


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def spawn(cmd: list[str], log_path: str | None = None, **popen: Any) -> subprocess.Popen:
    """Start cmd in its own process group, stderr (and stdout unless piped) to log_path."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed with the process)
    popen.setdefault("stdout", out)
    # A parent that ignores SIGHUP would hand that on (docs/reference/swarm.md#signals).
    proc = subprocess.Popen(cmd, stderr=out, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL), **popen)
    STARTED.append(proc)
    return proc


def kill_proc(proc: subprocess.Popen | None, grace: float = 15.0) -> None:
    """SIGTERM the process group, SIGKILL it after `grace` seconds."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def kill_all_children() -> None:
    while STARTED:
        kill_proc(STARTED.pop(), grace=5)


def _on_signal(signum: int, _frame: object) -> None:
    kill_all_children()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)


def read_text(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _stat(pid: int) -> list[str] | None:
    text = read_text(f"/proc/{pid}/stat")
    return text[text.rfind(")") + 2:].split() if text else None


def proc_descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))):
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


def proc_cpu(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


STATUS_KEYS = {"VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"}
ROLLUP_KEYS = {"Pss", "Pss_Anon"}


def proc_mem(pid: int) -> dict[str, int]:
    """KiB values (and the thread count) from /proc/PID/status and smaps_rollup."""
    found = {}
    for path, keys in ((f"/proc/{pid}/status", STATUS_KEYS), (f"/proc/{pid}/smaps_rollup", ROLLUP_KEYS)):
        for line in (read_text(path) or "").splitlines():
            key, _, value = line.partition(":")
            if key in keys:
                found[key] = int(value.split()[0])
    return found


def tree_snapshot(pid: int) -> dict[str, float]:
    """Memory and CPU summed over pid and its descendants."""
    total: dict[str, float] = {"procs": 0, "cpu_s": 0.0}
    for proc in proc_descendants(pid):
        mem = proc_mem(proc)
        if mem:
            total["procs"] += 1
            total["cpu_s"] += proc_cpu(proc)
            for key, value in mem.items():
                total[key] = total.get(key, 0) + value
    return total


def mib(kib: float | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def mem_report(pid: int) -> dict:
    tree = tree_snapshot(pid)
    return {"rss_mib": mib(tree.get("VmRSS", 0)), "pss_mib": mib(tree.get("Pss", 0)),
            "rss_anon_mib": mib(tree.get("RssAnon", 0)), "rss_file_mib": mib(tree.get("RssFile", 0)),
            "pss_anon_mib": mib(tree.get("Pss_Anon", 0)), "hwm_mib": mib(proc_mem(pid).get("VmHWM", 0)),
            "threads": int(tree.get("Threads", 0)), "procs": int(tree["procs"]), "cpu_s": round(tree["cpu_s"], 2)}


class PeakSampler(threading.Thread):
    """The highest RSS and private memory of a process tree, sampled every `period` seconds."""

    def __init__(self, pid: int, period: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.period = pid, period
        self.peak_rss = self.peak_anon = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            tree = tree_snapshot(self.pid)
            self.peak_rss = max(self.peak_rss, int(tree.get("VmRSS", 0)))
            self.peak_anon = max(self.peak_anon, int(tree.get("RssAnon", 0)))
            self._stop_event.wait(self.period)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_request(method: str, port: int, path: str, body: bytes | None = None,
                 headers: dict | None = None, timeout: float = 60) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data upload."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields]
    for field, name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                     f"Content-Type: application/x-bittorrent\r\n\r\n".encode() + data + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def wait_until(check: Callable[[], Any], timeout: float, period: float = 0.1, what: str = "condition") -> Any:
    """Poll check() until it is true (returned) or `timeout` seconds pass (TimeoutError)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if result := check():
                return result
        except (OSError, ValueError, KeyError, RuntimeError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout} s")
        time.sleep(period)


def table(rows: list[dict], cols: list[str]) -> str:
    """Rows as a fixed-width text table; a missing value is blank."""
    if not rows:
        return ""
    cells = [[str(row.get(col, "")) for col in cols] for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) for i, col in enumerate(cols)]
    lines = [cols, ["-" * w for w in widths], *cells]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines)
