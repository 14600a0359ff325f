"""Where each kilobyte per torrent goes. N one-file torrents (no data, no peers) are added through
the µTorrent API one call each, then listed once on each front (their caches filled). Measured:
utserver's RSS per torrent (a run without tracing), a bare libtorrent session's RSS per torrent
holding the same N, and utserver's Python heap per torrent by source line (a second run under
tracemalloc, snapshots before the adds and after the listings). Memory only, no timings.

    .venv/bin/python bench/memory_per_torrent.py --n 2000 [--top 25]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import libtorrent as lt

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from tests.support.daemon import ADMIN, Daemon, wait_for  # noqa: E402

RESULTS = BENCH / "results"
SETTLE_S = 10  # after the listings: the pump's views and the fronts' caches are built


class VariantDaemon(Daemon):
    """utserver through bench/variant.py, so a knob (tracemalloc) can be set."""

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, str(BENCH / "variant.py"), *super().command(*extra)[3:]]


def torrents(n: int) -> list[bytes]:
    """n distinct one-file torrents of 64 KiB; piece hashes are random (there is no data)."""
    rng = random.Random(7)
    out = []
    for index in range(n):
        files = lt.file_storage()
        files.add_file(f"t{index:06d}/data.bin", 1 << 16)
        with warnings.catch_warnings():  # 2.1 deprecates it; 2.0.8 has no other constructor
            warnings.simplefilter("ignore", DeprecationWarning)
            creator = lt.create_torrent(files, 1 << 14)
        for piece in range(creator.num_pieces()):
            creator.set_hash(piece, rng.randbytes(20))
        out.append(lt.bencode(creator.generate()))
    return out


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def list_every_front(daemon: Daemon) -> None:
    daemon.api({"list": "1"})
    form = f"username={ADMIN[0]}&password={ADMIN[1]}".encode()
    daemon.request("/api/v2/auth/login", data=form, auth=None,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    for path in ("/api/v2/torrents/info", "/api/v2/sync/maindata?rid=0"):
        status, _, _ = daemon.request(path, auth=None)
        assert status == 200, path
    body = json.dumps({"method": "torrent-get", "arguments": {"fields": ["id", "name", "status", "percentDone"]}})
    status, headers, _ = daemon.request("/transmission/rpc", data=body.encode())
    if status == 409:
        sid = {"X-Transmission-Session-Id": headers["X-Transmission-Session-Id"]}
        status, _, _ = daemon.request("/transmission/rpc", data=body.encode(), headers=sid)
    assert status == 200, "torrent-get"


def utserver_run(work: Path, items: list[bytes], trace: bool) -> dict:
    os.environ["UTB_VARIANT"] = "tracemalloc" if trace else ""
    os.environ["UTB_TRACE_PREFIX"] = str(work / "trace-")
    daemon = VariantDaemon(work / ("traced" if trace else "plain"), {"max_active_downloads": -1,
                                                                    "max_active_torrent": -1}).start()
    try:
        time.sleep(5)
        before = rss_kib(daemon.proc.pid)
        if trace:
            snapshot(daemon, work / "trace-1.snap")
        for torrent in items:
            daemon.add_torrent(torrent)
        wait_for(lambda: len(daemon.torrents()) == len(items), timeout=120, what="every torrent listed")
        list_every_front(daemon)
        time.sleep(SETTLE_S)
        after = rss_kib(daemon.proc.pid)
        if trace:
            snapshot(daemon, work / "trace-2.snap")
        return {"rss_before_kib": before, "rss_after_kib": after}
    finally:
        daemon.stop(timeout=120)


def snapshot(daemon: Daemon, path: Path) -> None:
    daemon.proc.send_signal(signal.SIGUSR1)
    wait_for(path.exists, timeout=60, what=path.name)
    time.sleep(1)  # written by now: dump() returns before the next signal is sent


BARE = """
import sys, time, libtorrent as lt
from pathlib import Path
def rss():
    return int([l for l in open('/proc/self/status') if l.startswith('VmRSS:')][0].split()[1])
s = lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
                'enable_upnp': False, 'enable_natpmp': False, 'alert_mask': 0})
time.sleep(2)
before = rss()
for path in sorted(Path(sys.argv[1]).iterdir()):
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(lt.bdecode(path.read_bytes()))
    p.save_path = sys.argv[2]
    s.async_add_torrent(p)
while len(s.get_torrents()) < int(sys.argv[3]):
    time.sleep(0.2)
time.sleep(5)
print(before, rss())
"""


def bare_run(work: Path, items: list[bytes]) -> dict:
    folder = work / "bare-torrents"
    folder.mkdir()
    for index, torrent in enumerate(items):
        (folder / f"{index:06d}.torrent").write_bytes(torrent)
    (work / "bare-data").mkdir()
    out = subprocess.run([sys.executable, "-c", BARE, str(folder), str(work / "bare-data"), str(len(items))],
                         capture_output=True, text=True, timeout=600, check=True).stdout.split()
    return {"rss_before_kib": int(out[0]), "rss_after_kib": int(out[1])}


def python_heap(work: Path, n: int, top: int) -> tuple[float, list[dict]]:
    first = tracemalloc.Snapshot.load(str(work / "trace-1.snap"))
    second = tracemalloc.Snapshot.load(str(work / "trace-2.snap"))
    diffs = second.compare_to(first, "lineno")
    total = sum(d.size_diff for d in diffs)
    rows = [{"where": f"{_short(d.traceback[0].filename)}:{d.traceback[0].lineno}",
             "bytes_per_torrent": round(d.size_diff / n), "blocks_per_torrent": round(d.count_diff / n, 2)}
            for d in diffs[:top]]
    return total / n, rows


def _short(filename: str) -> str:
    for marker in ("/utserver/", "/site-packages/", "/lib/python3"):
        if marker in filename:
            return filename[filename.index(marker) + 1:]
    return filename


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="utserver-memory-"))
    try:
        items = torrents(args.n)
        plain = utserver_run(work, items, trace=False)
        bare = bare_run(work, items)
        utserver_run(work, items, trace=True)
        heap_per_torrent, rows = python_heap(work, args.n, args.top)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per = {name: (run["rss_after_kib"] - run["rss_before_kib"]) / args.n for name, run in
           (("utserver", plain), ("bare libtorrent", bare))}
    result = {"n": args.n, "utserver": plain, "bare_libtorrent": bare,
              "rss_kib_per_torrent": {k: round(v, 2) for k, v in per.items()},
              "python_heap_bytes_per_torrent": round(heap_per_torrent), "top_lines": rows}
    print(f"N = {args.n}: RSS per torrent utserver {per['utserver']:.1f} KiB, bare libtorrent "
          f"{per['bare libtorrent']:.1f} KiB; utserver's Python heap {heap_per_torrent / 1024:.1f} KiB per torrent")
    for row in rows:
        print(f"  {row['bytes_per_torrent']:7d} B  {row['blocks_per_torrent']:6.2f} blocks  {row['where']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory_per_torrent.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
