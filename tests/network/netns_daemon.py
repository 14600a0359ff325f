"""The real utserver daemon (tests.support.daemon.Daemon) run inside a test network namespace.

The process is started with `ip netns exec NS` and the same command line as everywhere else;
the test talks HTTP to it from a worker thread that has entered the namespace (setns applies to
the calling thread only), so nothing listens outside the namespace.
"""
from __future__ import annotations

import ctypes
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.daemon import Daemon, write_conf

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(ns: str) -> None:
    """Move the calling thread into network namespace `ns`."""
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"setns({ns}): {os.strerror(errno)}")
    finally:
        os.close(fd)


class NetnsDaemon(Daemon):
    """Listens on every address of its namespace (bind_ip empty): the port mapping needs the
    LAN address, and the namespace holds nothing but the test's own veths."""

    def __init__(self, ns: str, workdir: Path, conf: dict | None = None,
                 without_miniupnpc: bool = False) -> None:
        super().__init__(workdir, {"bind_ip": "", **(conf or {})})
        self.ns = ns
        self._http = ThreadPoolExecutor(1, initializer=enter_netns, initargs=(ns,))
        self._env: list[str] = []
        if without_miniupnpc:  # as on OpenWrt, whose feed has no miniupnpc binding
            shim = workdir / "no-miniupnpc"
            shim.mkdir(exist_ok=True)
            (shim / "miniupnpc.py").write_text("raise ImportError('hidden by the test')\n")
            self._env = ["env", f"PYTHONPATH={shim}"]

    def command(self, *extra: str) -> list[str]:
        return ["ip", "netns", "exec", self.ns, *self._env, *super().command(*extra)]

    def request(self, *args, **kwargs):
        return self._http.submit(Daemon.request, self, *args, **kwargs).result()

    def settings(self) -> dict:
        """getsettings as {name: value}."""
        return {row[0]: row[2] for row in self.api({"action": "getsettings"})["settings"]}

    def set_setting(self, name: str, value: str) -> None:
        self.api([("action", "setsetting"), ("s", name), ("v", value)])

    def reload_conf(self, **changes) -> None:
        """Edit utserver.conf and send SIGHUP, as an administrator would."""
        self.conf.update(changes)
        write_conf(self.conf_path, self.conf)
        self.proc.send_signal(signal.SIGHUP)

    def close(self) -> None:
        self._http.shutdown(wait=False)
