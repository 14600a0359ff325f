"""The dht and pex switches with the real daemon, in a namespace on its loopback (as measured in
docs/reference/network-tests.md#dht-hub and #pex-on-loopback). DHT: it is the only way to the
seeder, so a completed download shows it works. PEX: the peers list shows the seeder flagged "X" (learned via PEX)."""
from __future__ import annotations

import time

import pytest

from tests.network.netlab import spawn_peer, wait_for
from tests.network.netns_daemon import NetnsDaemon
from tests.network.test_lsd import progress
from tests.support.swarm import info_hash, make_files, make_torrent

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


def test_dht_switched_on_by_reload(lab, content, start_daemon):
    torrent, _, _, _ = content
    dht_swarm(lab, content)
    daemon = start_daemon({"dht": 0})
    daemon.add_torrent(torrent)
    nothing_for(daemon, torrent, 3)
    daemon.reload_conf(dht=1)
    wait_for(lambda: progress(daemon, torrent) == 1000, 15, "the download through DHT")


# --- PEX ---------------------------------------------------------------------------------
# The daemon downloads slowly (100 KiB/s, local peers included), so it still wants data, and
# stays connected to the peers it learns, while the test reads its peers list.
SLOW = {"max_dl_rate": 100, "rate_limit_local_peers": 1}
# B downloads slowly too: a finished B would drop seeder A (seed to seed), and PEX names only
# connected peers.
SLOW_PEER = {"ignore_limits_on_local_network": False, "download_rate_limit": 20_000}


def peers_list(daemon: NetnsDaemon, torrent: bytes) -> dict[str, str]:
    """{peer address: flags} as the web UI's peers tab shows them ("X": learned via PEX)."""
    reply = daemon.api({"action": "getpeers", "hash": info_hash(torrent)})
    return {row[1]: row[6] for row in reply["peers"][1]}


def spawn_seeder_a(lab, content) -> None:
    """Seeder A, PEX off: it never learns of the daemon, so never dials it."""
    _, path, seed_dir, _ = content
    spawn_peer(lab, "lan", "seeder-a", torrent=path, save=seed_dir, seed=True, no_pex=True,
               settings={"listen_interfaces": "127.0.0.21:6881",
                         "outgoing_interfaces": "127.0.0.21"})


def spawn_peer_b(lab, content, daemon: NetnsDaemon, address: str = "127.0.0.22") -> None:
    """A peer that connects to A and to the daemon: only its PEX can name A to the daemon."""
    spawn_peer(lab, "lan", f"peer-{address}", torrent=content[1],
               save=str(daemon.workdir.parent / address),
               connect=[["127.0.0.21", 6881], ["127.0.0.1", daemon.bind_port]],
               settings={"listen_interfaces": f"{address}:6881",
                         "outgoing_interfaces": address, **SLOW_PEER})


def test_pex_names_a_peer(lab, content, start_daemon):
    torrent = content[0]
    daemon = start_daemon({"pex": 1, **SLOW})
    daemon.add_torrent(torrent)
    spawn_seeder_a(lab, content)
    spawn_peer_b(lab, content, daemon)
    peers = wait_for(lambda: "X" in (p := peers_list(daemon, torrent)).get("127.0.0.21", "")
                     and p, 15, "seeder A in the peers list, learned via PEX",
                     on_timeout=lambda: peers_list(daemon, torrent))
    assert "X" not in peers["127.0.0.22"]  # B dialled the daemon itself


def test_pex_switched_on_by_reload(lab, content, start_daemon):
    torrent = content[0]
    daemon = start_daemon({"pex": 0, **SLOW})
    daemon.add_torrent(torrent)
    spawn_seeder_a(lab, content)
    spawn_peer_b(lab, content, daemon)
    wait_for(lambda: "127.0.0.22" in peers_list(daemon, torrent), 15, "peer B to connect")
    end = time.monotonic() + 3  # with PEX on, B names A within about a second
    while time.monotonic() < end:
        assert "127.0.0.21" not in peers_list(daemon, torrent), "A learned with pex off"
        time.sleep(0.2)
    daemon.reload_conf(pex=1)
    # libtorrent offers PEX in the handshake, so it applies to connections made from now on.
    wait_for(lambda: "settings changed: pex" in daemon.log(), 10, "the reload")
    spawn_peer_b(lab, content, daemon, "127.0.0.23")
    wait_for(lambda: "X" in peers_list(daemon, torrent).get("127.0.0.21", ""), 15,
             "seeder A learned via PEX once it is on", on_timeout=lambda: peers_list(daemon, torrent))
