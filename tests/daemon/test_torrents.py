"""Torrents through the real daemon: crash recovery without a recheck, the autoload folder."""

import libtorrent as lt

from tests.support.daemon import wait_for
from tests.support.swarm import Peer, info_hash, make_files, make_torrent

CHECKING = 2
PROGRESS, STATUS, DOWNLOADED = 4, 1, 5


def slow_seeder(rate: int) -> Peer:
    """A seeder whose upload limit also applies to loopback peers."""
    peer = Peer(upload_rate_limit=rate)
    ip_filter = lt.ip_filter()
    ip_filter.add_rule("0.0.0.0", "255.255.255.255", 1 << peer.session.global_peer_class_id)
    peer.session.set_peer_class_filter(ip_filter)
    return peer


def test_kill_9_mid_download_then_restart_resumes_without_recheck(make_daemon, tmp_path):
    root = tmp_path / "seed" / "big"
    data = make_files(root, {"payload.bin": 6_000_000})
    torrent = make_torrent(root, piece_size=16384)
    h = info_hash(torrent)
    seeder = slow_seeder(600_000)
    fresh = Peer()  # the first seeder keeps the killed connection in its peer list for a while
    try:
        daemon = make_daemon().start()
        assert daemon.add_torrent(torrent) == {"build": daemon.api()["build"]}
        handle = seeder.seed(torrent, root.parent)
        seeder.connect(handle, daemon.bind_port)
        wait_for(lambda: daemon.torrents()[h][PROGRESS] >= 300, timeout=60, what="30 % downloaded")
        resume = daemon.settings_path / "resume" / f"{h}.resume"
        # The daemon saves libtorrent's piece map once the torrent is checked (then every minute
        # while it changes): crash after that.
        wait_for(lambda: len(lt.bdecode(resume.read_bytes()).get(b"pieces", b"")) > 0,
                 what="the first resume save with the piece map")
        daemon.kill()  # no chance to save anything at exit: only what was saved on the way counts
        before = (daemon.download_dir / "big" / "payload.bin").stat().st_size
        assert before > 0
        daemon.start()
        fresh.connect(fresh.seed(torrent, root.parent), daemon.bind_port)
        seen = []

        def progress():
            seen.append(daemon.torrents()[h])
            return seen[-1][PROGRESS] == 1000
        wait_for(progress, timeout=90, what="the download to finish after the restart")
        assert not any(row[STATUS] & CHECKING for row in seen), "a recheck ran after the crash"
        assert (daemon.download_dir / "big" / "payload.bin").read_bytes() == data["payload.bin"]
    finally:
        seeder.close()
        fresh.close()


def test_the_autoload_folder_adds_torrents_and_sets_bad_files_aside(make_daemon, tmp_path):
    root = tmp_path / "seed" / "auto"
    make_files(root, {"a.bin": 20_000})
    torrent = make_torrent(root)
    watch = tmp_path / "watch"
    watch.mkdir()
    daemon = make_daemon({"dir_autoload": str(watch)}).start()
    (watch / "good.torrent").write_bytes(torrent)
    (watch / "broken.torrent").write_bytes(b"this is not a torrent")
    wait_for(lambda: info_hash(torrent) in daemon.torrents(), timeout=30, what="autoloaded torrent")
    wait_for(lambda: (watch / "good.torrent.loaded").exists() and (watch / "broken.torrent.bad").exists(),
             what="files renamed")
    assert "broken.torrent is not a usable torrent" in daemon.log()
    assert sorted(p.name for p in watch.iterdir()) == ["broken.torrent.bad", "good.torrent.loaded"]
