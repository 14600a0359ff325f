"""A real utserver process for tests: free ports, its own folders, bounded waits."""

from __future__ import annotations

import base64
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ADMIN = ("admin", "testpass")

# Loopback only, nothing that reaches beyond this machine (tests may override).
TEST_CONF = {
    "bind_ip": "127.0.0.1", "dht": 0, "lsd": 0, "upnp": 0, "natpmp": 0,
    "dir_active": "downloads", "dir_torrent_files": "torrents",
}


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: every socket stays bound until all are picked, because the
    kernel may hand a just-closed port out again (it once gave the web UI the peer port)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def wait_for(condition, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    """Poll *condition* until it returns a truthy value; AssertionError after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def write_conf(path: Path, conf: dict) -> None:
    lines = []
    for name, value in conf.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{name}: {item}")
    path.write_text("\n".join(lines) + "\n")


class ApiError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status, self.body = status, body


class Daemon:
    """`utserver` started as a subprocess, as a user would run it."""

    def __init__(self, workdir: Path, conf: dict | None = None, umask: int | None = None):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.settings_path = workdir / "settings"
        self.conf_path = workdir / "utserver.conf"
        self.log_path = workdir / "utserver.log"
        self.webui_port, self.bind_port = free_ports(2)
        self.conf = {"ut_webui_port": self.webui_port, "bind_port": self.bind_port,
                     "admin_password": ADMIN[1], **TEST_CONF, **(conf or {})}
        self.umask = umask
        self.proc: subprocess.Popen | None = None
        self._token: str | None = None
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    @property
    def url(self) -> str:
        host = self.conf.get("bind_ip") or "127.0.0.1"
        return f"http://{host}:{self.webui_port}"

    @property
    def download_dir(self) -> Path:
        return self.workdir / self.conf["dir_active"]

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, "-m", "utserver", "-configfile", str(self.conf_path),
                "-settingspath", str(self.settings_path), "-logfile", str(self.log_path), *extra]

    def start(self, *extra: str, wait: bool = True) -> Daemon:
        write_conf(self.conf_path, self.conf)
        umask = self.umask
        self.proc = subprocess.Popen(
            self.command(*extra), cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
        self._token = None
        if wait:
            wait_for(self.ready, timeout=30, what=f"utserver on port {self.webui_port}")
        return self

    def ready(self) -> bool:
        """The daemon logs "utserver started" once every part, the web server included, is up."""
        if self.proc.poll() is not None:
            raise AssertionError(f"utserver exited with {self.proc.returncode}: {self.stderr()}\n{self.log()}")
        return f"utserver started (pid {self.proc.pid}" in self.log()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"utserver did not stop within {timeout}s on signal {sig}") from exc

    def kill(self) -> None:
        """A crash or power cut: SIGKILL, no chance to save anything."""
        self.proc.kill()
        self.proc.wait(timeout=10)

    def restart(self) -> Daemon:
        assert self.stop() == 0
        return self.start()

    def stderr(self) -> str:
        if self.proc and self.proc.poll() is not None and self.proc.stderr:
            return self.proc.stderr.read().decode(errors="replace")
        return ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- HTTP ---
    def request(self, path: str, *, data: bytes | None = None, headers: dict | None = None,
                auth: tuple[str, str] | None = ADMIN, method: str | None = None):
        """Raw request; returns (status, headers, body bytes) without raising on HTTP errors."""
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with self._opener.open(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    def token(self) -> str:
        if self._token is None:
            status, _, body = self.request("/gui/token.html")
            if status != 200:
                raise ApiError(status, body.decode(errors="replace"))
            self._token = re.search(rb">([^<]+)<", body).group(1).decode()
        return self._token

    def api(self, params: dict | list[tuple[str, str]] | None = None, *, data: bytes | None = None,
            headers: dict | None = None) -> dict:
        """A /gui/ call with a token; returns the JSON reply, raises ApiError on an HTTP error."""
        items = list(params.items()) if isinstance(params, dict) else list(params or [])
        query = urllib.parse.urlencode([("token", self.token()), *items])
        status, _, body = self.request(f"/gui/?{query}", data=data, headers=headers)
        if status != 200:
            raise ApiError(status, body.decode(errors="replace"))
        return json.loads(body)

    def add_torrent(self, torrent: bytes, **params: str) -> dict:
        """add-file as the µTorrent WebUI sends it: multipart/form-data, field torrent_file."""
        boundary = "----utserver-test-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"torrent_file\"; "
                f"filename=\"t.torrent\"\r\nContent-Type: application/x-bittorrent\r\n\r\n").encode() \
            + torrent + f"\r\n--{boundary}--\r\n".encode()
        return self.api({"action": "add-file", **params}, data=body,
                        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def torrents(self) -> dict[str, list]:
        """The full list=1 rows by hash."""
        return {row[0]: row for row in self.api({"list": "1"})["torrents"]}

