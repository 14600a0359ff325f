"""The real utserver daemon behind a real miniupnpd gateway: what a user sees on the router.

The daemon runs in the LAN namespace (netns_daemon.py) with the usual command line; the
gateway's lease file, `upnpc -l`, and a connection from the WAN side are what is checked.
"""
from __future__ import annotations

import signal

import pytest

from tests.network.netlab import GW_LAN_IPS, GW_WAN_IP, LAN_IPS, wait_for
from tests.network.netns_daemon import NetnsDaemon
from tests.network.test_portmap_service import mapped

pytestmark = pytest.mark.netns

UPNP_ONLY = {"upnp": 1, "natpmp": 0, "lsd": 0, "dht": 0}


@pytest.fixture
def start_daemon(lab, tmp_path):
    """Factory: a utserver in the LAN namespace; stopped (SIGTERM) after the test."""
    started: list[NetnsDaemon] = []

    def start(conf: dict, name: str = "daemon", **options) -> NetnsDaemon:
        daemon = NetnsDaemon(lab.ns["lan"], tmp_path / name, conf, **options)
        started.append(daemon)
        daemon.start()
        # utserver/server.py starts the port-mapping service with the engine: a daemon without it is a bug.
        assert "port mapping: UPnP by" in daemon.log(), f"the port-mapping service did not start:\n{daemon.log()}"
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
        daemon.close()


def reachable_from_wan(lab, port: int) -> bool:
    """A TCP connection from the internet side to the router's external address and port."""
    probe = (f"import socket,sys\ntry: socket.create_connection(('{GW_WAN_IP}', {port}), timeout=2).close()\n"
             "except OSError: sys.exit(1)")
    return lab.exec("wan", "python3", "-c", probe, check=False).returncode == 0


def test_daemon_maps_its_peer_port_and_removes_it_at_shutdown(lab, start_daemon):
    daemon = start_daemon(UPNP_ONLY)
    port = daemon.bind_port
    wait_for(lambda: mapped(lab, port, LAN_IPS[0]), 15, "the daemon's UPnP mappings")
    assert f"TCP {port}->{LAN_IPS[0]}:{port} 'utserver'" in lab.upnpc_list()
    assert reachable_from_wan(lab, port)  # the point of it all: peers can connect

    assert daemon.stop() == 0
    assert [lease for lease in lab.leases() if lease.external_port == port] == []
    assert not reachable_from_wan(lab, port)


def test_defaults_upnp_and_natpmp_together(lab, start_daemon):
    """Both on, as shipped: the port is forwarded, and nothing is left behind at shutdown."""
    daemon = start_daemon({"upnp": 1, "natpmp": 1, "lsd": 0, "dht": 0})
    port = daemon.bind_port
    wait_for(lambda: {(lease.protocol, lease.internal_ip) for lease in lab.leases() if lease.external_port == port}
             == {("TCP", LAN_IPS[0]), ("UDP", LAN_IPS[0])}, 15, "TCP and UDP forwarded")
    wait_for(lambda: daemon.settings()["portmap.upnp.protocols"] == "TCP,UDP", 10,
             "UPnP to report the mapping", on_timeout=daemon.settings)
    # NAT-PMP's state in getsettings: test_upnp_and_natpmp_switch_on_and_off_on_reload.
    assert reachable_from_wan(lab, port)
    assert daemon.stop() == 0
    wait_for(lambda: lab.leases() == [], 5, "every mapping gone at shutdown")
    assert not reachable_from_wan(lab, port)


def test_libtorrent_upnp_when_the_miniupnpc_binding_is_missing(lab, start_daemon):
    daemon = start_daemon(UPNP_ONLY, without_miniupnpc=True)
    port = daemon.bind_port
    # libtorrent's UPnP describes its mappings with the user agent, "utserver/... libtorrent/..."
    wait_for(lambda: mapped(lab, port, LAN_IPS[0], "libtorrent/"), 15, "libtorrent's UPnP mappings")
    assert "port mapping: UPnP by libtorrent" in daemon.log()
    state = wait_for(lambda: (s := daemon.settings())["portmap.upnp.protocols"] == "TCP,UDP" and s,
                     5, "getsettings to show libtorrent's mapping")
    assert (state["portmap.upnp.backend"], state["portmap.upnp.external_port"]) == \
        ("libtorrent", str(port))
    assert daemon.stop() == 0
    wait_for(lambda: lab.leases() == [], 5, "libtorrent to delete its mappings at shutdown")


def test_daemon_natpmp_with_upnp_off(lab, start_daemon):
    daemon = start_daemon({**UPNP_ONLY, "upnp": 0, "natpmp": 1})
    port = daemon.bind_port
    wait_for(lambda: mapped(lab, port, LAN_IPS[0], "PCP"), 15, "NAT-PMP/PCP mappings")
    assert not [lease for lease in lab.leases() if "utserver" in lease.description]  # no UPnP ones
    assert reachable_from_wan(lab, port)
    assert daemon.stop() == 0
    wait_for(lambda: lab.leases() == [], 5, "libtorrent to delete its mappings at shutdown")


def test_upnp_and_natpmp_switch_on_and_off_on_reload(lab, start_daemon):
    daemon = start_daemon(UPNP_ONLY)
    port = daemon.bind_port
    wait_for(lambda: mapped(lab, port, LAN_IPS[0]), 15, "the UPnP mappings")
    daemon.reload_conf(upnp=0, natpmp=1)  # edit utserver.conf, SIGHUP
    wait_for(lambda: mapped(lab, port, LAN_IPS[0], "PCP")
             and not mapped(lab, port, LAN_IPS[0], "utserver"), 15,
             "UPnP mappings gone and NAT-PMP ones made")
    state = wait_for(lambda: (s := daemon.settings())["portmap.natpmp.protocols"] == "TCP,UDP"
                     and s, 5, "getsettings to show the NAT-PMP mapping", on_timeout=daemon.settings)
    assert (state["portmap.natpmp.backend"], state["portmap.natpmp.gateway"]) == \
        ("libtorrent", GW_LAN_IPS[0])
    assert (state["portmap.natpmp.external_port"], state["portmap.upnp.backend"]) == \
        (str(port), "off")
    daemon.reload_conf(natpmp=0)
    wait_for(lambda: lab.leases() == [], 10, "every mapping gone")


def test_daemon_maps_on_the_preferred_interface(lab, start_daemon):
    daemon = start_daemon({**UPNP_ONLY, "preferred_interface": "l1"})
    wait_for(lambda: mapped(lab, daemon.bind_port, LAN_IPS[1]), 15, "a mapping to l1's address")
    assert {lease.internal_ip for lease in lab.leases()} == {LAN_IPS[1]}


def test_unknown_preferred_interface_is_logged_and_the_daemon_keeps_running(lab, start_daemon):
    daemon = start_daemon({**UPNP_ONLY, "preferred_interface": "eth9"})
    wait_for(lambda: mapped(lab, daemon.bind_port, LAN_IPS[0]), 15,
             "a mapping via the default route's interface")
    assert "preferred_interface 'eth9' does not exist; using l0 (10.213.1.2)" in daemon.log()
    assert daemon.proc.poll() is None


def test_logmask_bits_22_and_23_show_upnp_lines(lab, start_daemon):
    quiet = start_daemon(UPNP_ONLY, name="quiet")
    wait_for(lambda: mapped(lab, quiet.bind_port, LAN_IPS[0]), 15, "the first daemon's mappings")
    assert "UPnP: mapped" not in quiet.log()  # logmask 0 (the default)
    quiet.stop()
    loud = start_daemon({**UPNP_ONLY, "logmask": 1 << 22 | 1 << 23}, name="loud")
    wait_for(lambda: mapped(lab, loud.bind_port, LAN_IPS[0]), 15, "the second daemon's mappings")
    wait_for(lambda: f"UPnP: mapped UDP {loud.bind_port} -> {LAN_IPS[0]}" in loud.log(), 5,
             "the UPnP log line")
    assert f"gateway http://{GW_LAN_IPS[0]}:5000/" in loud.log()
    loud.proc.send_signal(signal.SIGTERM)


def test_mapping_state_is_in_getsettings(lab, start_daemon):
    daemon = start_daemon(UPNP_ONLY)
    wait_for(lambda: mapped(lab, daemon.bind_port, LAN_IPS[0]), 15, "the UPnP mappings")
    state = wait_for(lambda: (s := daemon.settings())["portmap.upnp.protocols"] == "TCP,UDP" and s,
                     5, "getsettings to show the mapping")
    assert state["portmap.upnp.backend"] == "miniupnpc"
    assert state["portmap.upnp.gateway"] == f"http://{GW_LAN_IPS[0]}:5000/ctl/IPConn"
    assert state["portmap.upnp.external_ip"] == GW_WAN_IP
    assert state["portmap.upnp.internal_ip"] == LAN_IPS[0]
    assert state["portmap.upnp.external_port"] == str(daemon.bind_port)  # µTorrent sends strings
    assert state["portmap.upnp.last_error"] == ""
    assert state["portmap.natpmp.backend"] == "off"
    rows = {row[0]: row for row in daemon.api({"action": "getsettings"})["settings"]}
    assert rows["portmap.upnp.external_port"][1:] == [0, str(daemon.bind_port), {"access": "R"}]


def test_bind_port_set_through_the_api_moves_the_mapping(lab, start_daemon):
    daemon = start_daemon(UPNP_ONLY)
    old, new = daemon.bind_port, daemon.bind_port + 1
    wait_for(lambda: mapped(lab, old, LAN_IPS[0]), 15, "the first mapping")
    daemon.set_setting("bind_port", str(new))
    wait_for(lambda: mapped(lab, new, LAN_IPS[0]) and not mapped(lab, old, LAN_IPS[0]), 10,
             "the mapping to move to the new port")
    assert reachable_from_wan(lab, new)
