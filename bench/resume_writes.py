"""Resume-file writes while torrents download and while the daemon idles (SD cards wear): part of
`make bench`. The real daemon downloads --torrents torrents from one rate-limited libtorrent seeder
on 127.0.0.1; every --poll seconds the resume folder's files are stat()ed and each changed mtime is
one write (the .old hard link a save leaves is not). Then, every torrent complete, an idle window.
RESUME_WRITES_TRACE=1 prints each write.

    .venv/bin/python bench/resume_writes.py --torrents 4 --seconds 120 --idle 60
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.daemon import Daemon, wait_for  # noqa: E402
from tests.support.swarm import Peer, info_hash, make_files, make_torrent  # noqa: E402

RESULTS = Path(__file__).with_name("results")


def count_writes(folder: Path, seconds: float, poll: float, until=lambda: False) -> tuple[int, float]:
    """(writes seen, seconds watched): a write is a resume file whose mtime changed."""
    seen: dict[str, int] = {}
    writes, start = 0, time.monotonic()
    while time.monotonic() - start < seconds and not until():
        for entry in os.scandir(folder):
            if entry.name.endswith((".old", ".tmp")):  # a save's hard link and its temp file
                continue
            mtime = entry.stat().st_mtime_ns
            if entry.name in seen and seen[entry.name] != mtime:
                writes += 1
                if os.environ.get("RESUME_WRITES_TRACE"):
                    print(f"{time.monotonic() - start:7.1f} s  {entry.name}", flush=True)
            seen[entry.name] = mtime
        time.sleep(poll)
    return writes, time.monotonic() - start


def run(args, work: Path) -> dict:
    torrents = []
    for index in range(args.torrents):
        root = work / "seed" / f"t{index}"
        make_files(root, {"data.bin": args.size_mib << 20})
        torrents.append(make_torrent(root, piece_size=1 << 18))
    seeder = Peer(upload_rate_limit=args.rate_kib << 10)
    seeder.rate_limit_loopback()
    daemon = Daemon(work / "daemon", {"bt.transp_disposition": 5}).start()
    try:
        handles = [seeder.seed(t, work / "seed") for t in torrents]
        for torrent in torrents:
            daemon.add_torrent(torrent)
        hashes = [info_hash(t) for t in torrents]

        def done() -> bool:
            for handle in handles:  # until connected: a torrent just added may refuse the first dial
                handle.connect_peer(("127.0.0.1", daemon.bind_port))
            return all(daemon.torrents()[h][4] == 1000 for h in hashes)
        resume = daemon.settings_path / "resume"
        writes, seconds = count_writes(resume, args.seconds, args.poll, until=done)
        torrent_hours = args.torrents * seconds / 3600
        wait_for(done, timeout=args.size_mib * 1024 * args.torrents / args.rate_kib + 120, what="downloads")
        time.sleep(30)  # the finish's own saves, and the periodic save of the last bytes
        idle_writes, idle_seconds = count_writes(resume, args.idle, args.poll)
        return {"torrents": args.torrents, "downloading_s": round(seconds, 1), "writes": writes,
                "writes_per_torrent_hour": round(writes / torrent_hours, 1),
                "idle_s": round(idle_seconds, 1), "idle_writes": idle_writes}
    finally:
        daemon.stop()
        seeder.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--torrents", type=int, default=4)
    ap.add_argument("--size-mib", type=int, default=16, help="each torrent's size")
    ap.add_argument("--rate-kib", type=int, default=512, help="the seeder's upload limit, KiB/s")
    ap.add_argument("--seconds", type=float, default=120, help="the download window watched")
    ap.add_argument("--idle", type=float, default=60, help="the idle window watched")
    ap.add_argument("--poll", type=float, default=0.2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="utserver-resume-writes-"))
    try:
        row = run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("resume writes:", json.dumps(row))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "resume_writes.json").write_text(json.dumps(row, indent=1) + "\n")


if __name__ == "__main__":
    main()
