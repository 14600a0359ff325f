"""What the hostile tests measure on a real daemon: raw sockets from chosen loopback addresses,
its memory and its wake-ups, and its log for tracebacks."""

from __future__ import annotations

import base64
import http.client
import socket
import time
from pathlib import Path

from tests.support.daemon import ADMIN, Daemon


def basic(auth: tuple[str, str] = ADMIN) -> str:
    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def connect(daemon: Daemon, source: str, timeout: float = 5.0) -> socket.socket:
    """A TCP connection to the web port from the loopback address *source* (127.0.0.0/8)."""
    return socket.create_connection(("127.0.0.1", daemon.webui_port), timeout=timeout, source_address=(source, 0))


def get(daemon: Daemon, path: str, source: str = "127.0.0.1", headers: dict | None = None,
        timeout: float = 10.0, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    """One request on a new connection from *source*; (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", daemon.webui_port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers={"Authorization": basic(), **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def switches(pid: int) -> int:
    """Voluntary context switches of every thread of *pid*: each ends a wake-up. (Involuntary
    ones are other processes' load preempting it: on a busy CI machine they are noise.)"""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:
            continue  # a thread that just ended
        total += sum(int(line.split()[1]) for line in text.splitlines() if line.startswith("voluntary_ctxt_switches"))
    return total


def wakeups_per_s(pid: int, seconds: float) -> float:
    before = switches(pid)
    time.sleep(seconds)  # a measuring window, not a wait for a condition
    return (switches(pid) - before) / seconds


def tracebacks(daemon: Daemon) -> list[str]:
    log = daemon.log()
    return [part[:600] for part in log.split("Traceback (most recent call last)")[1:]]
