"""The loopback swarm: generated torrents, Debian's opentracker, the reference seeder."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import libtorrent as lt

from .procs import free_port, kill_proc, log, port_open, spawn, wait_until

MIB = 1 << 20
SIZES = {"K": 1 << 10, "M": MIB, "G": 1 << 30}


def parse_size(text: str) -> int:
    """'256M' -> bytes."""
    return int(float(text[:-1]) * SIZES[text[-1].upper()]) if text[-1].upper() in SIZES else int(text)


def make_torrent(data: Path, out: Path, tracker: str, piece_size: int = 0) -> str:
    """A v1-only .torrent of `data` (transmission 3.00 has no v2); returns its info-hash."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        files = lt.file_storage()
        lt.add_files(files, str(data))
        creator = lt.create_torrent(files, piece_size, flags=lt.create_torrent.v1_only)
    if tracker:
        creator.add_tracker(tracker)
    lt.set_piece_hashes(creator, str(data.parent))
    out.write_bytes(lt.bencode(creator.generate()))
    return str(lt.torrent_info(str(out)).info_hashes().v1)


def announce_to(torrent: Path, tracker: str) -> None:
    """Point a cached .torrent at this run's tracker (its port changes per run)."""
    meta = lt.bdecode(torrent.read_bytes())
    if tracker and meta.get(b"announce") != tracker.encode():
        meta[b"announce"] = tracker.encode()
        torrent.write_bytes(lt.bencode(meta))


def random_file(path: Path, size: int, seed: int) -> None:
    if path.exists() and path.stat().st_size == size:
        return
    rnd = random.Random(seed)
    with open(path, "wb") as out:
        for offset in range(0, size, 4 * MIB):
            out.write(rnd.randbytes(min(4 * MIB, size - offset)))


def gen_big(workdir: str, size: int, tracker: str) -> tuple[str, str, str]:
    """(data folder, .torrent, info-hash) of one big random file, cached between runs."""
    folder = Path(workdir, "big")
    folder.mkdir(parents=True, exist_ok=True)
    data, torrent, meta = folder / f"big_{size}.bin", folder / f"big_{size}.torrent", folder / f"big_{size}.json"
    if not (data.exists() and data.stat().st_size == size):
        log(f"writing {size} random bytes to {data}")
        random_file(data, size, seed=1)
        meta.unlink(missing_ok=True)
    if not meta.exists():
        meta.write_text(json.dumps({"info_hash": make_torrent(data, torrent, tracker)}))
    announce_to(torrent, tracker)
    return str(folder), str(torrent), json.loads(meta.read_text())["info_hash"]


def gen_many(workdir: str, n: int, tracker: str, file_size: int) -> tuple[str, list[tuple[str, str]]]:
    """(data folder, [(.torrent, info-hash)]) of n small one-file torrents, cached between runs."""
    data_dir, torrent_dir = Path(workdir, "many", "data"), Path(workdir, "many", "torrents")
    data_dir.mkdir(parents=True, exist_ok=True)
    torrent_dir.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(n):
        data, torrent = data_dir / f"t{i:05d}.bin", torrent_dir / f"t{i:05d}.torrent"
        random_file(data, file_size, seed=1000 + i)
        if not torrent.exists():
            make_torrent(data, torrent, tracker, 16384)
        announce_to(torrent, tracker)
        items.append((str(torrent), str(lt.torrent_info(str(torrent)).info_hashes().v1)))
    return str(data_dir), items


class Tracker:
    """Debian's opentracker on 127.0.0.1; it serves only whitelisted hashes
    (docs/reference/swarm.md#opentracker)."""

    def __init__(self, workdir: str, hashes: list[str]) -> None:
        self.dir = Path(workdir, "tracker")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/announce"
        self.proc: subprocess.Popen | None = None
        self.write_whitelist(hashes)

    def write_whitelist(self, hashes: list[str]) -> None:
        (self.dir / "whitelist.txt").write_text("".join(h.lower() + "\n" for h in hashes))
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGHUP)  # opentracker re-reads its list
            time.sleep(0.5)

    def start(self) -> None:
        if not shutil.which("opentracker"):
            log("opentracker is not installed: the torrents announce to nobody")
            return
        self.proc = spawn(["opentracker", "-i", "127.0.0.1", "-p", str(self.port), "-P", str(self.port),
                           "-d", str(self.dir), "-w", "/whitelist.txt"], log_path=str(self.dir / "opentracker.log"))
        wait_until(lambda: port_open(self.port), 20, what="opentracker")

    def stop(self) -> None:
        kill_proc(self.proc, grace=5)


class Seeder:
    """seeder_main.py in its own process, dialling the daemon under test on request."""

    def __init__(self, workdir: str, torrent: str, save_path: str) -> None:
        self.port = free_port()
        self.proc = spawn([sys.executable, str(Path(__file__).with_name("seeder_main.py")), torrent, save_path,
                           str(self.port)], log_path=os.path.join(workdir, "seeder.log"),
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if (line := self._answer(120)) != "ready":
            raise RuntimeError(f"the seeder did not start: {line!r}")

    def _answer(self, timeout: float = 30) -> str:
        box: list[bytes] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not box:
            raise TimeoutError("the seeder did not answer")
        return box[0].decode().strip()

    def ask(self, command: str) -> str:
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()
        return self._answer()

    def connect(self, port: int) -> str:
        return self.ask(f"connect 127.0.0.1 {port}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        try:
            self.proc.stdin.write(b"quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        kill_proc(self.proc)
