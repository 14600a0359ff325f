"""A download while another writer keeps the disk at the kernel's dirty-page limit (a large copy to
the Samba share): download time and API latency, per libtorrent disk back-end. Not part of
`make bench`: it writes gigabytes.

    .venv/bin/python bench/writeback.py --backends posix,pread --writer-mb 14000 --size-mib 512

The writer is `dd` into --scratch (on the same disk as the download); the torrent is added once
the kernel holds --dirty-mib of dirty pages. The seeder is a libtorrent session on 127.0.0.1 (TCP).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.daemon import Daemon, wait_for  # noqa: E402
from tests.support.swarm import info_hash, make_files, make_torrent  # noqa: E402

VARIANT = Path(__file__).with_name("variant.py")
SEEDER = """
import sys, time, libtorrent as lt
s = lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
                'enable_upnp': False, 'enable_natpmp': False, 'enable_outgoing_utp': False,
                'enable_incoming_utp': False})
p = lt.add_torrent_params(); p.ti = lt.torrent_info(sys.argv[1]); p.save_path = sys.argv[2]
h = s.add_torrent(p)
end = time.monotonic() + 120
while not h.status().is_seeding and time.monotonic() < end: time.sleep(0.1)
print('ready', flush=True)
h.connect_peer(('127.0.0.1', int(sys.stdin.readline())))
time.sleep(300)
"""


class VariantDaemon(Daemon):
    """utserver through bench/variant.py, so UTB_VARIANT picks the disk back-end."""

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, str(VARIANT), *super().command(*extra)[3:]]


def dirty_mib() -> int:
    with open("/proc/meminfo") as meminfo:
        return next(int(line.split()[1]) >> 10 for line in meminfo if line.startswith("Dirty:"))


def run(backend: str, args, work: Path, torrent: bytes, seed_dir: Path) -> dict:
    os.environ["UTB_VARIANT"] = f"disk{backend}"
    daemon = VariantDaemon(work / backend, {"bt.transp_disposition": 5}).start()
    seeder = subprocess.Popen([sys.executable, "-c", SEEDER, str(work / "a.torrent"), str(seed_dir)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    sink = Path(args.scratch) / f"utserver-writeback-{os.getpid()}"
    writer = subprocess.Popen(["dd", "if=/dev/zero", f"of={sink}", "bs=1M", f"count={args.writer_mb}"],
                              stderr=subprocess.DEVNULL)
    try:
        assert seeder.stdout.readline().strip() == "ready"
        wait_for(lambda: dirty_mib() >= args.dirty_mib or writer.poll() is not None, 120, 0.2, "dirty pages")
        row = {"backend": backend, "dirty_mib": dirty_mib()}
        start = time.monotonic()
        daemon.add_torrent(torrent)
        seeder.stdin.write(f"{daemon.bind_port}\n")
        seeder.stdin.flush()
        latencies, ih = [], info_hash(torrent)
        while time.monotonic() - start < 120:
            asked = time.monotonic()
            listed = daemon.torrents().get(ih)
            latencies.append(time.monotonic() - asked)
            if listed and listed[4] == 1000:
                row["done_s"] = round(time.monotonic() - start, 2)
                break
            time.sleep(0.25)
        latencies.sort()
        row.update(list_median_ms=round(latencies[len(latencies) // 2] * 1000),
                   list_max_ms=round(latencies[-1] * 1000), writer_running=writer.poll() is None)
        return row
    finally:
        writer.kill()
        writer.wait()
        sink.unlink(missing_ok=True)
        seeder.kill()
        seeder.wait()
        daemon.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default="posix,pread", help="comma list: posix, pread, mmap")
    ap.add_argument("--writer-mb", type=int, default=14000, help="MB the other writer writes")
    ap.add_argument("--dirty-mib", type=int, default=2000, help="add the torrent once this much is dirty")
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--scratch", default="/var/tmp", help="where the other writer writes")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="utserver-writeback-"))
    try:
        seed_dir = work / "seed"
        make_files(seed_dir, {"a.bin": args.size_mib << 20})
        torrent = make_torrent(seed_dir / "a.bin")
        (work / "a.torrent").write_bytes(torrent)
        for backend in args.backends.split(","):
            print(run(backend, args, work, torrent, seed_dir), flush=True)
            subprocess.run(["sync"], check=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
