"""PyPI's transmission-rpc (the library Home Assistant uses) through a whole flow against the
daemon and a loopback seeder: session, add by metainfo and by URL, fields, changes, stop, start,
verify, move, remove with data. Needs PyPI's package: skipped on Debian's stack (marker)."""

from __future__ import annotations

import pytest

from tests.support.daemon import ADMIN, wait_for
from tests.transmission.support import CONF
from tests.transmission.swarm import Swarm, same_bytes

transmission_rpc = pytest.importorskip("transmission_rpc")
pytestmark = pytest.mark.pypi_client


@pytest.fixture
def client(make_daemon):
    daemon = make_daemon(CONF).start()
    return daemon, transmission_rpc.Client(host="127.0.0.1", port=daemon.webui_port, username=ADMIN[0],
                                           password=ADMIN[1], timeout=30)


def test_transmission_rpc_full_flow(client, tmp_path, file_server):
    daemon, tc = client
    session = tc.get_session()
    assert session.rpc_version == 17 and session.version.startswith("4.0.6")
    assert session.download_dir == str(daemon.download_dir)

    swarm = Swarm(tmp_path / "seed")
    try:
        first, first_hash, first_data = swarm.torrent("lib-meta", {"a.bin": 400_000, "b/c.bin": 100_000})
        second, second_hash, second_data = swarm.torrent("lib-url", {"single.bin": 250_000})
        www, base = file_server
        (www / "second.torrent").write_bytes(second)
        by_meta = tc.add_torrent(first, labels=["lib"])
        by_url = tc.add_torrent(f"{base}/second.torrent")
        assert (by_meta.hash_string, by_url.hash_string) == (first_hash.lower(), second_hash.lower())
        swarm.deliver(daemon, lambda: all(t.percent_done == 1 for t in tc.get_torrents()))
        assert same_bytes(daemon.download_dir, "lib-meta", first_data)
        assert same_bytes(daemon.download_dir, "lib-url", second_data)

        torrent = tc.get_torrent(by_meta.id, arguments=["id", "name", "labels", "status", "totalSize", "files",
                                                         "priorities", "wanted"])
        assert (torrent.name, torrent.labels, torrent.total_size) == ("lib-meta", ["lib"], 500_000)
        assert sorted(f.name for f in torrent.get_files()) == ["lib-meta/a.bin", "lib-meta/b/c.bin"]
        wait_for(lambda: tc.get_torrent(by_meta.id).status == "seeding", timeout=20, what="seeding")

        tc.change_torrent(by_meta.id, download_limit=64, download_limited=True, upload_limit=32, upload_limited=True,
                          labels=["lib", "done"], seed_ratio_limit=2.5, seed_ratio_mode=1)
        changed = tc.get_torrent(by_meta.id)
        assert (changed.download_limit, changed.download_limited, changed.upload_limit) == (64, True, 32)
        assert changed.labels == ["lib", "done"]
        assert (changed.seed_ratio_limit, changed.seed_ratio_mode) == (2.5, 1)

        tc.stop_torrent(by_meta.id)
        assert tc.get_torrent(by_meta.id).status == "stopped"
        tc.start_torrent(by_meta.id)
        wait_for(lambda: tc.get_torrent(by_meta.id).status == "seeding", timeout=20, what="started")
        tc.verify_torrent(by_meta.id)
        wait_for(lambda: tc.get_torrent(by_meta.id).status == "seeding" and tc.get_torrent(by_meta.id).percent_done == 1,
                 timeout=30, what="verified")

        target = tmp_path / "moved"
        target.mkdir()
        tc.move_torrent_data(by_meta.id, str(target))
        wait_for(lambda: same_bytes(target, "lib-meta", first_data), timeout=30, what="moved data")
        wait_for(lambda: tc.get_torrent(by_meta.id).download_dir == str(target), timeout=20, what="new location")

        assert tc.session_stats().torrent_count == 2
        # at least the torrent nobody rechecked: libtorrent adds the last second's payload to a
        # torrent's totals at its next tick, and the engine's counters lag after a recheck (reported)
        wait_for(lambda: tc.session_stats().current_stats.downloaded_bytes >= 250_000, timeout=10,
                 what="the session's downloaded bytes")
        tc.remove_torrent([by_meta.id, by_url.id], delete_data=True)
        assert tc.get_torrents() == []
        wait_for(lambda: not (target / "lib-meta").exists() and not (daemon.download_dir / "lib-url").exists(),
                 timeout=20, what="data deleted")
    finally:
        swarm.close()
