"""How peers and data reach the engine: uTP, IPv6, an HTTP seed, a real tracker, DHT, PEX, and files
past 4 GiB. Every test downloads with the real engine from real libtorrent sessions (or a real HTTP
server, or a real opentracker) on loopback, and checks the bytes that land on disk.

Helper sessions that must look like separate machines get their own 127.0.0.x address, also for
their outgoing connections: libtorrent folds peers that share an IP into one peer-list entry
(docs/reference/network-tests.md#dht-hub), and the engine, like µTorrent, keeps allow_multiple_connections_per_ip off.
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import libtorrent as lt
import pytest

from tests.support import tracker as tracker_support
from tests.support.daemon import wait_for
from tests.support.httpseed import HttpSeed
from tests.support.swarm import Peer, info_hash, make_files, make_torrent
from tests.support.tracker import Tracker
from utserver.engine import AddOptions
from utserver.engine.status import ST_CHECKED


def _single_file(tmp_path: Path, folder: str, size: int):
    """(torrent, seed folder, bytes) of one random file in a folder of its own, 16 KiB pieces."""
    root = tmp_path / folder / "payload"
    data = make_files(root, {"data.bin": size})["data.bin"]
    return make_torrent(root, piece_size=16384), root.parent, data


def _downloaded(env, name: str = "payload/data.bin") -> bytes:
    return (env.tmp / "active" / name).read_bytes()


def _helper(address: str, **settings) -> Peer:
    """A helper session that is a machine of its own: listens on and dials from *address*."""
    peer = Peer(address, outgoing_interfaces=address, **settings)
    wait_for(lambda: peer.port, timeout=10, what=f"{address} to listen")
    return peer


# --- 1. uTP ---

def test_a_download_over_utp_only(make_engine, tmp_path):
    """Both sides speak uTP only, so the bytes can only have come over uTP (slow on loopback: 1.5 MB)."""
    torrent, seed_dir, data = _single_file(tmp_path, "utp", 1_500_000)
    env = make_engine({"bt.transp_disposition": 2 | 8})  # outgoing uTP + incoming uTP, no TCP
    h = env.engine.add_bytes(torrent)
    peer = Peer(enable_outgoing_utp=True, enable_incoming_utp=True,
                enable_outgoing_tcp=False, enable_incoming_tcp=False)
    try:
        peer.connect(peer.seed(torrent, seed_dir), env.port)
        env.wait_view(h, lambda v: v.progress == 1000, "the download over uTP", timeout=60)
        assert _downloaded(env) == data
    finally:
        peer.close()


# --- 2. IPv6 ---

def _has_ipv6_loopback() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_a_download_over_ipv6(make_engine, tmp_path):
    torrent, seed_dir, data = _single_file(tmp_path, "v6", 1_000_000)
    env = make_engine({"bind_ip": "::1"})  # the engine listens on [::1] only
    h = env.engine.add_bytes(torrent)
    peer = Peer("::1")
    try:
        handle = peer.seed(torrent, seed_dir)
        peer.connect(handle, env.port)
        seen = set()

        def done():
            seen.update(p.ip for p in env.engine.peers(h))
            return env.view(h).progress == 1000

        wait_for(done, timeout=30, what="the download over IPv6")
        assert _downloaded(env) == data
        assert seen <= {"::1"}  # whatever connected did so over IPv6
    finally:
        peer.close()


# --- 3. HTTP seed (BEP 19) ---

def test_a_download_from_an_http_seed_alone(make_engine, tmp_path):
    """No peer at all: every byte comes from a web server through Range requests."""
    web_root = tmp_path / "web"
    data = make_files(web_root / "album", {"one.bin": 300_000, "sub/two.bin": 450_000})
    with HttpSeed(web_root) as seed:
        torrent = make_torrent(web_root / "album", piece_size=16384, url_seeds=[seed.url])
        env = make_engine()
        h = env.engine.add_bytes(torrent)
        env.wait_view(h, lambda v: v.progress == 1000, "the download from the HTTP seed", timeout=60)
        assert _downloaded(env, "album/one.bin") == data["one.bin"]
        assert _downloaded(env, "album/sub/two.bin") == data["sub/two.bin"]
        served = seed.requests
    assert {path for path, _, status in served if status == 206} == {"/album/one.bin", "/album/sub/two.bin"}
    assert all(rng and rng.startswith("bytes=") for _, rng, status in served if status == 206)


# --- 4. a real tracker ---

def _with_tracker(torrent: bytes, url: str) -> bytes:
    """The same torrent (same info-hash: the announce URL is outside the info dict) with a tracker."""
    meta = lt.bdecode(torrent)
    meta[b"announce"] = url.encode()
    return lt.bencode(meta)


@pytest.mark.skipif(not tracker_support.available(), reason="opentracker is not installed "
                    "(tests/system-packages.txt; `make system-packages`)")
def test_peers_found_through_a_real_tracker(make_engine, tmp_path):
    """Engine and seeder never dial each other by hand: opentracker introduces them."""
    plain, seed_dir, data = _single_file(tmp_path, "tracked", 1_000_000)
    ih = info_hash(plain)
    with Tracker(tmp_path / "tracker", [ih]) as tracker:
        torrent = _with_tracker(plain, tracker.announce_url)
        seeder = _helper("127.0.0.2")
        try:
            seeder.seed(torrent, seed_dir)
            wait_for(lambda: tracker.scrape(ih)["complete"] == 1, timeout=20, what="the seeder's announce")
            env = make_engine()
            h = env.engine.add_bytes(torrent)
            env.wait_view(h, lambda v: v.progress == 1000, "the download from the tracker's peer", timeout=60)
            assert _downloaded(env) == data
            # the engine tells the tracker it completed: two seeds now
            wait_for(lambda: tracker.scrape(ih)["complete"] == 2, timeout=20, what="the engine's 'completed'")
        finally:
            seeder.close()


# --- 5. DHT ---

def _wait_dht_announce(hub: Peer, ih: str, timeout: float = 20) -> None:
    """Until the hub stores an announce of *ih* (dht_announce_alert, docs/reference/network-tests.md#dht-hub)."""
    def announced():
        hub.session.wait_for_alert(200)
        return any(isinstance(a, lt.dht_announce_alert) and str(a.info_hash).upper() == ih
                   for a in hub.session.pop_alerts())
    wait_for(announced, timeout=timeout, interval=0, what=f"a DHT announce of {ih} at the hub")


def test_peers_found_through_dht_without_a_tracker(make_engine, tmp_path):
    """A DHT hub on 127.0.0.3 (bootstrap nodes never enter a routing table, so the hub lists nobody);
    the seeder and the engine bootstrap from it, and find each other by the info-hash only."""
    torrent, seed_dir, data = _single_file(tmp_path, "dht", 1_000_000)
    ih = info_hash(torrent)
    dht_alerts = int(lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification)
    hub = _helper("127.0.0.3", enable_dht=True, dht_bootstrap_nodes="", alert_mask=dht_alerts)
    bootstrap = f"127.0.0.3:{hub.port}"
    seeder = _helper("127.0.0.2", enable_dht=True, dht_bootstrap_nodes=bootstrap)
    try:
        seeder_handle = seeder.seed(torrent, seed_dir)
        _wait_dht_announce(hub, ih)
        env = make_engine({"dht": 1, "dht_bootstrap_nodes": bootstrap})
        h = env.engine.add_bytes(torrent)
        env.wait_view(h, lambda v: v.progress == 1000, "the download from the DHT's peer", timeout=60)
        assert _downloaded(env) == data
        # upload counters settle on libtorrent's one-second tick
        wait_for(lambda: seeder_handle.status().all_time_upload >= len(data), timeout=10,
                 what="the seeder to count its upload")
    finally:
        seeder.close()
        hub.close()


# --- 6. PEX ---

def test_a_peer_learnt_through_pex_is_downloaded_from(make_engine, tmp_path):
    """A dials the engine and B; nothing else tells the engine about B. B serves the data (A serves
    next to nothing), B has PEX off so it cannot learn of the engine and dial it: the engine can only
    reach B by the address A's ut_pex message gave it."""
    torrent, seed_dir, data = _single_file(tmp_path, "pex", 1_500_000)
    env = make_engine({"pex": 1})
    h = env.engine.add_bytes(torrent)
    b = _helper("127.0.0.22")
    a = _helper("127.0.0.21", min_reconnect_time=1)  # re-dial at once if the queue had not started it
    try:
        hb = b.seed(torrent, seed_dir)
        hb.set_flags(lt.torrent_flags.disable_pex)
        hb.set_upload_limit(1_000_000)  # 1.5 s, so the engine's peer list can be watched
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(lt.bdecode(torrent))
        params.save_path = str(tmp_path / "peer-a")
        ha = a.session.add_torrent(params)  # A starts empty and stays a leecher: seeds drop each other
        ha.set_download_limit(20_000)
        ha.set_upload_limit(2_000)
        ha.connect_peer(("127.0.0.22", b.port))
        wait_for(lambda: any(p.ip[0] == "127.0.0.22" for p in ha.get_peer_info()), timeout=20,
                 what="A connected to B")
        wait_for(lambda: ha.connect_peer(("127.0.0.1", env.port))
                 or any(p.ip == "127.0.0.21" for p in env.engine.peers(h)),
                 timeout=20, interval=0.5, what="A connected to the engine")
        pex_peers = set()

        def done():
            pex_peers.update((p.ip, p.port) for p in env.engine.peers(h) if "X" in p.flags)
            return env.view(h).progress == 1000

        wait_for(done, timeout=60, what="the download with B's help")
        assert _downloaded(env) == data
        assert ("127.0.0.22", b.port) in pex_peers  # the peers list shows B, flagged X (from PEX)
        wait_for(lambda: hb.status().all_time_upload >= len(data) // 2, timeout=10,
                 what="B to count the bulk of the upload")
    finally:
        a.close()
        b.close()


# --- 8. files past 4 GiB ---

GiB = 1 << 30
BIG_PIECE = 4 << 20  # 4 MiB pieces: 1027 of them
BIG_SIZE = 4 * GiB + 8 * (1 << 20) + 123  # a.bin: not piece-aligned, so b.bin shares a piece with it
# random blocks of a.bin (offset, length); the rest of the 4 GiB are holes (zeros)
BIG_BLOCKS = ((4 * GiB - 20_000, 40_000),  # across the 2^32 byte offset itself
              (4 * GiB + (1 << 20), 65_536),
              (BIG_SIZE - 100, 100))  # the last bytes of a.bin, in the piece shared with b.bin
TAIL_SIZE = (1 << 20) + 77


def sparse_torrent(root: Path, piece_size: int) -> bytes:
    """A v1 .torrent of the files under *root*, hashed without reading the holes.

    libtorrent's set_piece_hashes reads and hashes all 4 GiB (26 s here); a piece that lies wholly
    in holes has the SHA-1 of zeros, so only pieces with data are read (SEEK_DATA): 0.05 s.
    """
    files = sorted(p for p in root.rglob("*") if p.is_file())
    sizes = [p.stat().st_size for p in files]
    fds = [os.open(p, os.O_RDONLY) for p in files]
    try:
        def has_data(fd, offset, length):
            try:
                return os.lseek(fd, offset, os.SEEK_DATA) < offset + length
            except OSError:  # ENXIO: only a hole from offset to the end
                return False

        zero_hashes: dict[int, bytes] = {}
        pieces = []
        index, file_offset, total = 0, 0, sum(sizes)
        for start in range(0, total, piece_size):
            length = min(piece_size, total - start)
            segments, need = [], length
            while need:
                take = min(sizes[index] - file_offset, need)
                if take:
                    segments.append((fds[index], file_offset, take))
                file_offset += take
                need -= take
                if file_offset == sizes[index]:
                    index, file_offset = index + 1, 0
            if any(has_data(*segment) for segment in segments):
                digest = hashlib.sha1()
                for fd, offset, take in segments:
                    digest.update(os.pread(fd, take, offset))
                pieces.append(digest.digest())
            else:
                if length not in zero_hashes:
                    zero_hashes[length] = hashlib.sha1(bytes(length)).digest()
                pieces.append(zero_hashes[length])
    finally:
        for fd in fds:
            os.close(fd)
    info = {b"name": root.name.encode(), b"piece length": piece_size, b"pieces": b"".join(pieces),
            b"files": [{b"length": size, b"path": [part.encode() for part in p.relative_to(root).parts]}
                       for p, size in zip(files, sizes, strict=True)]}
    return lt.bencode({b"info": info})


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """big/a.bin (4 GiB + 8 MiB + 123, sparse, random blocks past 2^32) and big/b.bin (1 MiB + 77,
    random, starting past 4 GiB in the torrent); made once for the module."""
    seed_dir = tmp_path_factory.mktemp("big-seed")
    root = seed_dir / "big"
    root.mkdir()
    blocks = {}
    with open(root / "a.bin", "wb") as stream:
        stream.truncate(BIG_SIZE)
        for offset, length in BIG_BLOCKS:
            blocks[offset] = os.urandom(length)
            os.pwrite(stream.fileno(), blocks[offset], offset)
    tail = make_files(root, {"b.bin": TAIL_SIZE})["b.bin"]
    torrent = sparse_torrent(root, BIG_PIECE)
    assert lt.torrent_info(lt.bdecode(torrent)).total_size() == BIG_SIZE + TAIL_SIZE
    return torrent, seed_dir, blocks, tail


def _read(path: Path, offset: int, length: int) -> bytes:
    with open(path, "rb") as stream:
        return os.pread(stream.fileno(), length, offset)


def test_a_file_that_starts_past_4_gib_in_the_torrent(make_engine, seeder, big):
    """The 4 GiB file is skipped; only b.bin, whose pieces lie past 2^32 bytes into the torrent, is
    downloaded (three 4 MiB pieces), and its bytes are right."""
    torrent, seed_dir, blocks, tail = big
    env = make_engine()
    h = env.engine.add_bytes(torrent, AddOptions(stopped=True))
    files = env.engine.files(h)
    assert [f.name for f in files] == ["a.bin", "b.bin"]  # inside the torrent folder, as µTorrent names them
    assert files[0].size == BIG_SIZE and files[1].first_piece == BIG_SIZE // BIG_PIECE == 1026
    env.engine.set_file_priority(h, [0], 0)
    env.engine.start(h)
    seeder.connect(seeder.seed(torrent, seed_dir), env.port)
    view = env.wait_view(h, lambda v: v.progress == 1000, "b.bin past 4 GiB", timeout=60)
    assert _downloaded(env, "big/b.bin") == tail
    assert view.size < 8 << 20 and view.downloaded < 16 << 20  # not the 4 GiB
    files = env.engine.files(h)
    assert files[1].downloaded == TAIL_SIZE and files[0].downloaded < BIG_SIZE


def test_a_4_gib_file_with_data_on_disk_gets_only_the_missing_pieces(make_engine, seeder, big):
    """a.bin is already on disk as zeros (say, another client's partial download): the engine checks
    it (about 7 s for 4 GiB of holes), downloads only the pieces it lacks, and writes them at their
    offsets past 2^32 in a.bin."""
    torrent, seed_dir, blocks, tail = big
    env = make_engine()
    partial = env.tmp / "active" / "big" / "a.bin"
    partial.parent.mkdir(parents=True)
    with open(partial, "wb") as stream:
        stream.truncate(BIG_SIZE)
    h = env.engine.add_bytes(torrent)
    handle = seeder.seed(torrent, seed_dir)
    # 1024 of 1027 pieces are zeros and pass; connect once the check is over (a checking torrent
    # refuses peers, and a refused peer waits a minute before it dials again)
    env.wait_view(h, lambda v: v.state != ST_CHECKED and v.progress > 990, "the check of 4 GiB", timeout=120)
    seeder.connect(handle, env.port)
    view = env.wait_view(h, lambda v: v.progress == 1000, "the missing pieces", timeout=60)
    assert view.downloaded < 16 << 20  # three 4 MiB pieces and b.bin's, not 4 GiB
    assert partial.stat().st_size == BIG_SIZE
    for offset, data in blocks.items():
        assert _read(partial, offset, len(data)) == data, f"a.bin at {offset:#x}"
    assert _read(partial, 4 * GiB + (1 << 20) - 4096, 4096) == bytes(4096)  # zeros before a block stay
    assert _downloaded(env, "big/b.bin") == tail
