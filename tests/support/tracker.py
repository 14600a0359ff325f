"""A real BitTorrent tracker for tests: Debian's opentracker on 127.0.0.1, stopped by PID.

    with Tracker(tmp_path / "tracker", [info_hash(torrent)]) as tracker:
        torrent = make_torrent(root, trackers=[tracker.announce_url])   # make it first to know its hash
        tracker.scrape(info_hash)   # {"complete": 1, "incomplete": 0, "downloaded": 0}

Debian builds opentracker with WANT_ACCESSLIST_WHITE: it serves only the
info-hashes listed in its `-w` whitelist file (any other gets "Requested
download is not authorized"), so every torrent a test announces must be
listed when the tracker starts. Run as root it chroots to `-d DIR` and drops
to nobody, so the whitelist path is then relative to DIR (docs/reference/swarm.md#opentracker).
It answers on /announce: libtorrent's SSRF mitigation allows no other path
for a tracker on localhost.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import libtorrent as lt

from tests.support.daemon import free_port, wait_for

OPENTRACKER = shutil.which("opentracker") or "/usr/bin/opentracker"


def available() -> bool:
    return os.access(OPENTRACKER, os.X_OK)


class Tracker:
    """opentracker listening on 127.0.0.1:PORT (TCP for HTTP, UDP on the same port)."""

    def __init__(self, folder: Path, info_hashes: list[str], host: str = "127.0.0.1"):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # the chroot, entered before opentracker drops to nobody
        whitelist = self.folder / "whitelist.txt"
        whitelist.write_text("".join(f"{h.lower()}\n" for h in info_hashes))
        whitelist.chmod(0o644)
        self.host = host
        self.port = free_port()
        if os.geteuid() == 0:
            where = ["-d", str(self.folder), "-w", "/whitelist.txt"]
        else:  # no chroot without root: the real path
            where = ["-w", str(whitelist)]
        self.log_path = self.folder / "opentracker.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [OPENTRACKER, "-i", host, "-p", str(self.port), "-P", str(self.port), *where],
                cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(self._listening, timeout=10, what=f"opentracker on {host}:{self.port}")
        except BaseException:
            self.close()
            raise

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"opentracker exited with {self.proc.returncode}: {self.log()}")
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    @property
    def announce_url(self) -> str:
        return f"http://{self.host}:{self.port}/announce"

    def scrape(self, info_hash: str) -> dict[str, int]:
        """The tracker's counts for one torrent (zeros while nobody has announced it)."""
        query = urllib.parse.quote_from_bytes(bytes.fromhex(info_hash))
        with urllib.request.urlopen(f"http://{self.host}:{self.port}/scrape?info_hash={query}", timeout=10) as r:
            reply = lt.bdecode(r.read())
        entry = reply.get(b"files", {}).get(bytes.fromhex(info_hash), {})
        return {key: entry.get(key.encode(), 0) for key in ("complete", "incomplete", "downloaded")}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # our own child, by PID
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
