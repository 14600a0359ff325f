"""A loopback swarm for the client tests: a libtorrent seeder in the test process that keeps
dialling the daemon until the download is done."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.daemon import Daemon, wait_for
from tests.support.swarm import Peer
from tests.transmission.support import content


class Swarm:
    def __init__(self, folder: Path):
        self.folder, self.peer, self.handles = folder, Peer(), []

    def torrent(self, name: str, files: dict[str, int]) -> tuple[bytes, str, dict[str, bytes]]:
        """A new torrent of random files, seeded: (torrent, HASH, {relative name: bytes})."""
        torrent, info_hash, data = content(self.folder, name, files)
        self.handles.append(self.peer.seed(torrent, self.folder))
        return torrent, info_hash, data

    def deliver(self, daemon: Daemon, done, timeout: float = 90) -> None:
        """Dial the daemon (libtorrent delays its own reconnects) until done() holds."""
        last = [0.0]

        def check() -> bool:
            if time.monotonic() - last[0] > 2:
                for handle in self.handles:
                    self.peer.connect(handle, daemon.bind_port)
                last[0] = time.monotonic()
            return done()
        wait_for(check, timeout=timeout, interval=0.25, what="the download from the loopback seeder")

    def close(self) -> None:
        self.peer.close()


def same_bytes(folder: Path, name: str, data: dict[str, bytes]) -> bool:
    return all((folder / name / rel).is_file() and (folder / name / rel).read_bytes() == blob
               for rel, blob in data.items())
