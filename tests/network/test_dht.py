"""The dht switch with the real daemon, in a namespace on its loopback (as measured in
network-test-notes §3): DHT is the only way to the seeder, so a completed download shows the
switch works."""
from __future__ import annotations

import time

import pytest

from tests.network.netlab import spawn_peer, wait_for
from tests.network.netns_daemon import NetnsDaemon
from tests.network.test_lsd import progress
from tests.support.swarm import make_files, make_torrent

pytestmark = [pytest.mark.netns, pytest.mark.no_gateway]

SIZE = 4 << 20
HUB = "127.0.0.10:7000"  # the DHT node everyone bootstraps from; it lists nobody
DAEMON = {"bind_ip": "127.0.0.1", "lsd": 0, "dht": 0, "pex": 0, "upnp": 0, "natpmp": 0,
          "dht_bootstrap_nodes": HUB}


@pytest.fixture
def content(tmp_path):
    """(torrent bytes, torrent path, seed folder, file content): no tracker in the torrent."""
    seed_dir = tmp_path / "seed"
    data = make_files(seed_dir, {"file.bin": SIZE})["file.bin"]
    torrent = make_torrent(seed_dir / "file.bin")
    (tmp_path / "file.torrent").write_bytes(torrent)
    return torrent, str(tmp_path / "file.torrent"), str(seed_dir), data


@pytest.fixture
def start_daemon(lab, tmp_path):
    daemons: list[NetnsDaemon] = []

    def start(conf: dict) -> NetnsDaemon:
        daemons.append(NetnsDaemon(lab.ns["lan"], tmp_path / "daemon", {**DAEMON, **conf}))
        return daemons[-1].start()
    yield start
    for d in daemons:
        d.stop()
        d.close()


def nothing_for(daemon: NetnsDaemon, torrent: bytes, seconds: float) -> None:
    """While the way to the seeder is switched off, nothing arrives (polled, bounded)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert progress(daemon, torrent) == 0, "downloaded with the switch off: another way in?"
        time.sleep(0.2)


def dht_swarm(lab, content) -> None:
    _, path, seed_dir, _ = content
    spawn_peer(lab, "lan", "hub", settings={"listen_interfaces": HUB, "enable_dht": True,
                                            "dht_bootstrap_nodes": ""})
    spawn_peer(lab, "lan", "seeder", torrent=path, save=seed_dir, seed=True,
               settings={"listen_interfaces": "127.0.0.11:6881", "enable_dht": True,
                         "dht_bootstrap_nodes": HUB, "outgoing_interfaces": "127.0.0.11"})


def test_dht_finds_the_seeder_and_the_download_completes(lab, content, start_daemon):
    torrent, _, _, data = content
    dht_swarm(lab, content)
    daemon = start_daemon({"dht": 1})
    daemon.add_torrent(torrent)
    wait_for(lambda: progress(daemon, torrent) == 1000, 30, "the download through DHT")
    assert (daemon.download_dir / "file.bin").read_bytes() == data


@pytest.mark.xfail(strict=True, reason="torrents already added do not announce on the DHT when "
                   "it is switched on at runtime (libtorrent waits dht_announce_interval, 15 min); "
                   "the engine should force_dht_announce() them")
def test_dht_switched_on_by_reload(lab, content, start_daemon):
    torrent, _, _, _ = content
    dht_swarm(lab, content)
    daemon = start_daemon({"dht": 0})
    daemon.add_torrent(torrent)
    nothing_for(daemon, torrent, 3)
    daemon.reload_conf(dht=1)
    wait_for(lambda: progress(daemon, torrent) == 1000, 15, "the download through DHT")
