"""The engine's faults as a user meets them: a full disk, a crash mid-download, names longer than
a file system takes. Each test states what the user checks."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import time

import libtorrent as lt
import pytest

from tests.api.support import bencode
from tests.hostile.support import tracebacks
from tests.support.daemon import wait_for
from tests.support.swarm import Peer, info_hash, make_files, make_torrent

STATUS, PROGRESS, LABEL, MESSAGE = 1, 4, 11, 21
ERROR = 16
PIECE = 16384


def _slow_seeder(rate: int) -> Peer:
    peer = Peer(upload_rate_limit=rate)
    peer.rate_limit_loopback()
    return peer


def _named_torrent(name: str, data: bytes) -> bytes:
    pieces = b"".join(hashlib.sha1(data[i:i + PIECE]).digest() for i in range(0, len(data), PIECE))
    return bencode({"info": {"name": name, "length": len(data), "piece length": PIECE, "pieces": pieces}})


# --- item 6: long non-ASCII names ---
@pytest.mark.parametrize("name", ["中" * 160 + ".mkv", "\U0001f600" * 100 + ".mkv"])
def test_a_long_non_ascii_name_is_cut_by_bytes_and_downloads(make_daemon, tmp_path, name):
    data = os.urandom(200_000)
    torrent = _named_torrent(name, data)
    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "short.mkv").write_bytes(data)
    seeder = Peer()
    try:
        daemon = make_daemon().start()
        reply = daemon.add_torrent(torrent)
        assert "error" not in reply, reply
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(lt.bdecode(torrent))
        params.save_path = str(tmp_path / "seed")
        params.renamed_files = {0: "short.mkv"}  # the seeder's disk has the same 255-byte limit
        params.flags = lt.torrent_flags.seed_mode
        seeder.connect(seeder.session.add_torrent(params), daemon.bind_port)
        h = info_hash(torrent)
        wait_for(lambda: daemon.torrents()[h][PROGRESS] == 1000, timeout=60, what="the download")
        files = [p for p in daemon.download_dir.rglob("*") if p.is_file()]
        assert len(files) == 1 and files[0].read_bytes() == data
        stored = files[0].name.encode()
        assert len(stored) <= 255 and stored.decode() and files[0].suffix == ".mkv"
    finally:
        seeder.close()


# --- item 5: a crash loses at most 30 s of progress; setprops is saved before its reply ---
def test_a_label_set_then_a_crash_is_kept(make_daemon, tmp_path):
    root = tmp_path / "seed" / "lbl"
    make_files(root, {"a.bin": 50_000})
    torrent = make_torrent(root, piece_size=PIECE)
    h = info_hash(torrent)
    daemon = make_daemon().start()
    daemon.add_torrent(torrent)
    daemon.api([("action", "setprops"), ("hash", h), ("s", "label"), ("v", "kept")])
    daemon.kill()
    daemon.start()
    assert daemon.torrents()[h][LABEL] == "kept"


def test_ten_kills_at_random_moments_of_one_download_lose_no_torrent_and_at_most_30_s_each(make_daemon, tmp_path):
    """kill -9 at 10 random moments: after each restart the torrent is there, shows its saved progress
    at once (no full recheck) minus at most 30 s of transfer, and the bytes end up right."""
    rate, size = 150_000, 20_000_000  # about 130 s of transfer in all
    root = tmp_path / "seed" / "slow"
    data = make_files(root, {"payload.bin": size})
    torrent = make_torrent(root, piece_size=PIECE)
    h = info_hash(torrent)
    allowance = 30 * rate * 1000 // size  # per mille in 30 s
    rng = random.Random(14)
    seeder = _slow_seeder(rate)
    try:
        daemon = make_daemon().start()
        daemon.add_torrent(torrent)
        handle = seeder.seed(torrent, root.parent)
        seeder.connect(handle, daemon.bind_port)
        wait_for(lambda: daemon.torrents()[h][PROGRESS] > 0, timeout=30, what="the download to start")
        for kill in range(10):
            moment = time.monotonic() + rng.uniform(2, 10)
            wait_for(lambda moment=moment: time.monotonic() > moment, timeout=15, interval=0.2, what="the moment")
            at_kill = daemon.torrents()[h][PROGRESS]
            daemon.kill()
            daemon.start()
            after = daemon.torrents()[h][PROGRESS]  # at once: from the resume data, not a recheck
            assert after >= at_kill - allowance, (kill, at_kill, after)
            seeder.connect(handle, daemon.bind_port)
        wait_for(lambda: daemon.torrents()[h][PROGRESS] == 1000, timeout=240, interval=1, what="the download")
        done = next(p for p in daemon.download_dir.rglob("payload.bin"))
        assert done.read_bytes() == data["payload.bin"]
        assert not tracebacks(daemon)
    finally:
        seeder.close()


# --- item 3: a full disk shows, and recovers ---
@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", str(mount)], check=True, timeout=10)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False, timeout=10)


def test_a_full_disk_shows_an_error_and_resumes_when_space_returns(make_daemon, tmp_path, small_disk):
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (22 << 20))  # leaves 8 MiB for a 16 MB torrent
    root = tmp_path / "seed" / "full"
    data = make_files(root, {"payload.bin": 16_000_000})
    torrent = make_torrent(root, piece_size=PIECE)
    h = info_hash(torrent)
    seeder = Peer()
    try:
        daemon = make_daemon({"dir_active": str(small_disk / "active")}).start()
        daemon.add_torrent(torrent)
        handle = seeder.seed(torrent, root.parent)
        seeder.connect(handle, daemon.bind_port)
        row = wait_for(lambda: (lambda r: r if r[STATUS] & ERROR else None)(daemon.torrents()[h]), timeout=60,
                       what="the error state")
        assert "space" in row[MESSAGE].lower()
        assert daemon.log().count("No space left on device") <= 1
        filler.unlink()
        daemon.api({"action": "start", "hash": h})
        seeder.connect(handle, daemon.bind_port)
        wait_for(lambda: daemon.torrents()[h][PROGRESS] == 1000, timeout=90, what="the download to complete")
        done = next(p for p in (small_disk / "active").rglob("payload.bin"))
        assert done.read_bytes() == data["payload.bin"]
        assert not tracebacks(daemon)
    finally:
        seeder.close()


def test_a_disk_mounted_after_the_start_gets_nothing_written_and_its_torrents_resume(make_daemon, tmp_path):
    """dir_active on a USB disk that is not mounted yet when the daemon starts (an empty mount
    point): its torrent shows the error, nothing is created in the mount point, and once the
    disk is there the torrent seeds again."""
    usb = tmp_path / "usb"
    root = usb / "torrents" / "album"
    make_files(root, {"track.bin": 2_000_000})
    torrent = make_torrent(root, piece_size=PIECE)
    h = info_hash(torrent)
    daemon = make_daemon({"dir_active": str(usb / "torrents")}).start()
    daemon.add_torrent(torrent)
    wait_for(lambda: daemon.torrents()[h][PROGRESS] == 1000, timeout=30, what="the data checked")
    daemon.stop()
    usb.rename(tmp_path / "usb-unplugged")
    usb.mkdir()

    daemon.start()
    row = wait_for(lambda: (lambda r: r if r[STATUS] & ERROR else None)(daemon.torrents()[h]), timeout=30,
                   what="the error state")
    assert "is its disk mounted?" in row[MESSAGE]
    daemon.api({"action": "start", "hash": h})
    time.sleep(1)
    assert daemon.torrents()[h][STATUS] & ERROR and list(usb.iterdir()) == []
    assert f"download folder {usb / 'torrents'} is missing" in daemon.log()

    usb.rmdir()
    (tmp_path / "usb-unplugged").rename(usb)
    daemon.api({"action": "start", "hash": h})  # or wait: the daemon looks again every 30 s
    wait_for(lambda: daemon.torrents()[h][STATUS] == 201, timeout=30, what="seeding again")
    assert not tracebacks(daemon)
