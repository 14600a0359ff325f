"""Real downloads between the engine and libtorrent peers on loopback, checked byte for byte."""

import time

import libtorrent as lt
import pytest

from tests.support.daemon import wait_for
from tests.support.swarm import Peer, info_hash, make_files, make_torrent
from utserver.engine import AddOptions
from utserver.engine.views import CHECKED, LOADED, QUEUED, STARTED


def test_a_download_completes_with_the_right_bytes_and_moves_to_dir_completed(make_engine, seeder, content):
    torrent, seed_dir, data = content
    env = make_engine({"dir_completed": "done"})
    h = env.engine.add_bytes(torrent, AddOptions(label="music"))
    assert h == info_hash(torrent)
    seeder.connect(seeder.seed(torrent, seed_dir), env.port)
    env.wait_view(h, lambda v: v.progress == 1000 and v.save_path.endswith("done"), "download + move")
    done = env.tmp / "done" / "album"
    assert (done / "one.bin").read_bytes() == data["one.bin"]
    assert (done / "sub" / "two.bin").read_bytes() == data["sub/two.bin"]
    view = env.view(h)
    assert view.status == LOADED | CHECKED | QUEUED | STARTED and view.status_message == "Seeding"
    assert view.label == "music" and view.completed_on >= view.added_on > 0
    assert not (env.tmp / "active" / "album" / "one.bin").exists()


def test_a_skipped_file_is_not_downloaded(make_engine, seeder, content):
    torrent, seed_dir, data = content
    env = make_engine()
    h = env.engine.add_bytes(torrent, AddOptions(stopped=True))
    names = [f.name for f in env.engine.files(h)]
    skipped = names.index("sub/two.bin")  # µTorrent names files inside the torrent's folder
    env.engine.set_file_priority(h, [skipped], 0)
    env.engine.start(h)
    seeder.connect(seeder.seed(torrent, seed_dir), env.port)
    env.wait_view(h, lambda v: v.progress == 1000, "the wanted file")
    files = {f.name: f for f in env.engine.files(h)}
    assert files["sub/two.bin"].priority == 0 and files["sub/two.bin"].downloaded < 900_000
    assert (env.tmp / "active" / "album" / "one.bin").read_bytes() == data["one.bin"]
    assert not (env.tmp / "active" / "album" / "sub" / "two.bin").exists()
    assert 600_000 <= env.view(h).size < 700_000  # SIZE counts the wanted pieces, not the skipped file


def test_data_already_on_disk_is_checked_and_seeded_not_downloaded_again(make_engine, content):
    torrent, seed_dir, data = content
    env = make_engine({"dir_active": str(seed_dir)})  # another client's finished download
    h = env.engine.add_bytes(torrent)
    view = env.wait_view(h, lambda v: v.progress == 1000 and v.state == 5, "check then seeding")
    assert view.downloaded == 0 and view.status_message == "Seeding"


def test_queueing_runs_one_download_at_a_time(make_engine, tmp_path):
    roots = [tmp_path / "q" / name for name in ("first", "second")]
    torrents = []
    for root in roots:
        make_files(root, {"data.bin": 1_500_000})
        torrents.append(make_torrent(root, piece_size=16384))
    slow = Peer(upload_rate_limit=300_000)  # slow enough that the first is still running
    slow.rate_limit_loopback()
    try:
        env = make_engine({"max_active_downloads": 1, "max_active_torrent": 5})
        first, second = (env.engine.add_bytes(t) for t in torrents)
        for t in torrents:
            slow.connect(slow.seed(t, roots[0].parent), env.port)
        env.wait_view(first, lambda v: v.status & STARTED and v.down_rate > 0, "first downloading")
        assert env.view(second).status == LOADED | CHECKED | QUEUED  # 200: queued, not started
        assert env.view(second).status_message == "Queued"
        env.wait_view(first, lambda v: v.progress == 1000, "first done", timeout=60)
        env.wait_view(second, lambda v: v.status & STARTED, "second started after the first", timeout=60)
    finally:
        slow.close()


def test_the_list_shows_progress_while_a_download_runs(make_engine, tmp_path):
    """The view follows the download second by second, not only when it ends (an idle pump once
    slept through the first five seconds of a download)."""
    root = tmp_path / "progress" / "payload"
    make_files(root, {"big.bin": 6_000_000})
    torrent = make_torrent(root, piece_size=16384)
    slow = Peer(upload_rate_limit=1_000_000)  # about six seconds
    slow.rate_limit_loopback()
    try:
        env = make_engine()
        # an engine that has gone quiet with nothing to do (libtorrent's slow tick shows it)
        wait_for(lambda: env.engine.session.get_settings()["tick_interval"] == 2000, what="a quiet engine")
        h = env.engine.add_bytes(torrent)
        slow.connect(slow.seed(torrent, root.parent), env.port)
        seen = set()
        deadline = time.monotonic() + 60
        while env.view(h).progress < 1000 and time.monotonic() < deadline:
            seen.add(env.view(h).progress)
            time.sleep(0.05)
        partial = sorted(p for p in seen if 0 < p < 1000)
        assert env.view(h).progress == 1000
        assert len(partial) >= 3, f"progress seen during the download: {partial}"
    finally:
        slow.close()


def test_max_dl_rate_holds_within_20_percent_for_local_peers_when_asked(make_engine, tmp_path):
    # About twenty seconds: libtorrent's counter moves in steps of up to two seconds' worth of
    # bytes, so a shorter transfer measures the steps more than the limit.
    size, limit = 8_000_000, 400 * 1024
    root = tmp_path / "rate" / "payload"
    make_files(root, {"big.bin": size})
    torrent = make_torrent(root, piece_size=16384)
    peer = Peer()
    try:
        env = make_engine({"max_dl_rate": limit // 1024, "rate_limit_local_peers": 1})
        h = env.engine.add_bytes(torrent)
        env.wait_view(h, lambda v: v.status & STARTED, "the queue to start the torrent")
        peer.connect(peer.seed(torrent, root.parent), env.port)
        # Timed from the first payload byte, polling libtorrent's own counter: the connection's
        # start-up (slower on a busy machine) and the one-second view refresh stay out of it.
        handle = env.engine.table.get(h).handle
        first = wait_for(lambda: handle.status().total_payload_download, 30, what="the first bytes")
        start = time.monotonic()
        wait_for(lambda: handle.status().total_payload_download >= size, 90, 0.02, "the whole file")
        rate = (size - first) / (time.monotonic() - start)
        assert 0.8 * limit <= rate <= 1.2 * limit, f"{rate / 1024:.0f} KiB/s for a {limit // 1024} KiB/s limit"
    finally:
        peer.close()


def test_seeding_stops_at_the_seed_ratio(make_engine, content, tmp_path):
    torrent, seed_dir, data = content
    env = make_engine({"dir_active": str(seed_dir), "seed_ratio": 100})  # stop at ratio 1.0
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    leecher = Peer()
    try:
        params = __import__("libtorrent").add_torrent_params()
        params.ti = __import__("libtorrent").torrent_info(__import__("libtorrent").bdecode(torrent))
        params.save_path = str(tmp_path / "leech")
        handle = leecher.session.add_torrent(params)
        leecher.connect(handle, env.port)
        view = env.wait_view(h, lambda v: v.state == 11, "Finished (stopped at its goal)", timeout=60)
        assert view.uploaded >= 1_500_000 and view.status_message == "Finished"
        wait_for(lambda: handle.status().is_seeding, what="the leecher to complete")
    finally:
        leecher.close()


def test_a_magnet_is_named_from_dn_then_gets_metadata_from_a_peer(make_engine, seeder, content):
    torrent, seed_dir, data = content
    env = make_engine({"dir_torrent_files": "torrents"})
    h = env.engine.add_url(f"magnet:?xt=urn:btih:{info_hash(torrent)}&dn=my+album")
    assert env.view(h).name == "my album"
    seeder.connect(seeder.seed(torrent, seed_dir), env.port)
    env.wait_view(h, lambda v: v.progress == 1000, "magnet download")
    assert env.view(h).name == "album"
    stored = list((env.tmp / "torrents").glob("*.torrent"))
    assert len(stored) == 1 and info_hash(stored[0].read_bytes()) == h
    assert (env.tmp / "active" / "album" / "one.bin").read_bytes() == data["one.bin"]


def test_peer_flags_say_who_downloads_from_whom(make_engine, tmp_path):
    """µTorrent's letters: the seed shows its leecher as U (we upload), the leecher its seed as D."""
    root = tmp_path / "flags" / "payload"
    make_files(root, {"big.bin": 3_000_000})
    torrent = make_torrent(root, piece_size=16384)
    seed_env = make_engine({"dir_active": str(root.parent), "max_ul_rate": 100, "rate_limit_local_peers": 1},
                           name="seed")
    h = seed_env.engine.add_bytes(torrent)
    seed_env.wait_view(h, lambda v: v.state == 5, "seeding")
    leech_env = make_engine({}, name="leech")
    leech_env.engine.add_bytes(torrent)
    leech_env.engine.table.get(h).handle.connect_peer(("127.0.0.1", seed_env.port))
    wait_for(lambda: any(p.up_rate > 0 and "U" in p.flags for p in seed_env.engine.peers(h)), timeout=30,
             what="the seed's leecher shown as U")
    wait_for(lambda: any(p.down_rate > 0 and "D" in p.flags for p in leech_env.engine.peers(h)), timeout=30,
             what="the leecher's seed shown as D")
    assert not any("u" in p.flags for p in seed_env.engine.peers(h) if p.up_rate > 0)


@pytest.mark.parametrize("slots", [1, 3])
def test_upload_slots_limit_the_peers_a_seed_unchokes(make_engine, tmp_path, slots):
    """setprops ulslots with 4 leechers (each its own 127.0.0.x): the seed unchokes that many,
    optimistic unchokes aside. libtorrent 2.1 takes no fewer than 2 slots per torrent."""
    root = tmp_path / "slots" / "payload"
    make_files(root, {"big.bin": 8 << 20})
    torrent = make_torrent(root, piece_size=16384)
    env = make_engine({"dir_active": str(root.parent), "max_ul_rate": 200, "rate_limit_local_peers": 1})
    h = env.engine.add_bytes(torrent)
    env.wait_view(h, lambda v: v.state == 5, "seeding")
    env.engine.set_prop(h, "ulslots", str(slots))
    assert env.engine.props(h)["ulslots"] == slots
    expected = max(slots, 1 if lt.__version__.startswith("2.0") else 2)
    leechers = [Peer(f"127.0.0.{30 + i}", outgoing_interfaces=f"127.0.0.{30 + i}") for i in range(4)]
    try:
        for peer in leechers:
            peer.session.add_torrent(_leech_params(torrent, tmp_path / peer.address)).connect_peer(
                ("127.0.0.1", env.port))
        wait_for(lambda: len(env.engine.peers(h)) == 4, timeout=15, what="4 leechers connected")
        unchoked = []
        for _ in range(10):
            time.sleep(0.5)
            unchoked.append(sum("U" in p.flags and "O" not in p.flags for p in env.engine.peers(h)))
        assert max(unchoked) == expected, unchoked
    finally:
        for peer in leechers:
            peer.close()


def _leech_params(torrent: bytes, folder):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(lt.bdecode(torrent))
    params.save_path = str(folder)
    params.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)
    return params
