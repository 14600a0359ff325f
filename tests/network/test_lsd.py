"""Local Service Discovery with the real daemon: a peer on the LAN (another namespace, over a
veth) is found through LSD alone (no tracker, no DHT), and the download completes."""
from __future__ import annotations

import time

import pytest

from tests.network.netlab import spawn_peer, wait_for
from tests.network.netns_daemon import NetnsDaemon
from tests.support.swarm import info_hash, make_files, make_torrent

pytestmark = [pytest.mark.netns, pytest.mark.no_gateway]

SIZE = 4 << 20
PROGRESS = 4  # list row: PERCENT PROGRESS, per mille


@pytest.fixture
def swarm(lab, tmp_path):
    """A seeder in the gateway namespace, one veth away from the daemon's namespace."""
    seed_dir = tmp_path / "seed"
    content = make_files(seed_dir, {"lsd.bin": SIZE})["lsd.bin"]
    torrent = make_torrent(seed_dir / "lsd.bin")
    (tmp_path / "lsd.torrent").write_bytes(torrent)
    spawn_peer(lab, "gw", "seeder", torrent=str(tmp_path / "lsd.torrent"), save=str(seed_dir),
               seed=True, settings={"listen_interfaces": "0.0.0.0:6881", "enable_lsd": True,
                                    "local_service_announce_interval": 1})  # announce every s
    return torrent, content


@pytest.fixture
def daemon(lab, tmp_path):
    daemons: list[NetnsDaemon] = []

    def start(lsd: bool) -> NetnsDaemon:
        daemons.append(NetnsDaemon(lab.ns["lan"], tmp_path / "daemon",
                                   {"lsd": int(lsd), "dht": 0, "upnp": 0, "natpmp": 0}))
        return daemons[-1].start()
    yield start
    for d in daemons:
        d.stop()
        d.close()


def progress(daemon: NetnsDaemon, torrent: bytes) -> int:
    row = daemon.torrents().get(info_hash(torrent))
    return row[PROGRESS] if row else 0


def test_lsd_finds_a_lan_peer_and_the_download_completes(swarm, daemon):
    torrent, content = swarm
    d = daemon(lsd=True)
    d.add_torrent(torrent)
    wait_for(lambda: progress(d, torrent) == 1000, 30, "the download through the LSD peer")
    assert (d.download_dir / "lsd.bin").read_bytes() == content


def test_lsd_switched_on_by_reload(swarm, daemon):
    torrent, content = swarm
    d = daemon(lsd=False)
    d.add_torrent(torrent)
    # The seeder announces every second; with LSD off the daemon must not hear it.
    end = time.monotonic() + 3
    while time.monotonic() < end:
        assert progress(d, torrent) == 0, "downloaded with lsd off: another way to the peer?"
        time.sleep(0.2)
    d.reload_conf(lsd=1)
    wait_for(lambda: progress(d, torrent) == 1000, 30, "the download once LSD is on")
    assert (d.download_dir / "lsd.bin").read_bytes() == content
