"""utserver's port-mapping service against a real miniupnpd gateway (Debian's), in namespaces.

The service runs in its own process in the LAN namespace with the real Settings; what is
checked is what a user checks on the router: its mapping table (`upnpc -l`, the lease file).
"""
from __future__ import annotations

import pytest

from tests.network.netlab import GW_LAN_IPS, GW_WAN_IP, LAN_IPS, wait_for

pytestmark = pytest.mark.netns

PORT = 41000
BASE = {"upnp": True, "natpmp": False, "lsd": False, "dht": False, "bind_port": PORT}


def mapped(lab, port: int, address: str, description: str = "utserver") -> bool:
    """Both TCP and UDP for port forward to address, as the gateway's lease file says."""
    found = {(lease.protocol, lease.internal_ip, lease.internal_port) for lease in lab.leases()
             if lease.external_port == port and description in lease.description}
    return {("TCP", address, port), ("UDP", address, port)} <= found


def test_upnp_maps_bind_port_to_the_lan_address_and_removes_it_at_stop(lab, portmap_host):
    host = portmap_host(BASE)
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "TCP+UDP mappings in miniupnpd")
    listing = lab.upnpc_list()
    assert f"TCP {PORT}->{LAN_IPS[0]}:{PORT} 'utserver'" in listing
    assert f"UDP {PORT}->{LAN_IPS[0]}:{PORT} 'utserver'" in listing

    upnp = wait_for(lambda: (s := host.state()["upnp"])["protocols"] == "TCP,UDP" and s, 5,
                    "the service to report the mapping")
    assert upnp["backend"] == "miniupnpc"
    assert GW_LAN_IPS[0] in upnp["gateway"]
    assert upnp["external_ip"] == GW_WAN_IP
    assert (upnp["internal_ip"], upnp["external_port"], upnp["last_error"]) == (LAN_IPS[0], PORT, "")
    assert host.state()["natpmp"]["backend"] == "off"
    assert "UPnP:" not in host.log_text()  # logmask 0: no UPnP log lines

    assert host.ask("stop") == {"stopped": True}
    assert lab.leases() == []
    assert f"{PORT}->" not in lab.upnpc_list()


def test_lease_is_renewed_before_it_expires(lab, portmap_host):
    portmap_host(BASE, upnp_options={"lease": 4, "verify_every": 60})
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "the first mapping")
    first = max(lease.expires for lease in lab.leases())
    # miniupnpd rewrites a renewed line as delete + add, so poll for both lines renewed.
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]) and len(lab.leases()) == 2
             and min(lease.expires for lease in lab.leases()) > first, 10, "both leases to be renewed")


def test_a_mapping_the_gateway_forgot_is_restored(lab, portmap_host):
    portmap_host(BASE, upnp_options={"lease": 3600, "verify_every": 1})
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "the first mapping")
    lab.upnpc_delete(PORT, "TCP")  # as a router reboot, or a user on the router, would
    wait_for(lambda: not mapped(lab, PORT, LAN_IPS[0]), 5, "the deletion")
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 10, "the service to map TCP again")


def test_bind_port_change_moves_the_mapping(lab, portmap_host):
    host = portmap_host(BASE)
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "the first mapping")
    assert host.ask(f"set bind_port {PORT + 7}") == {"ok": True}
    wait_for(lambda: mapped(lab, PORT + 7, LAN_IPS[0]), 10, "the new port's mapping")
    wait_for(lambda: {lease.external_port for lease in lab.leases()} == {PORT + 7}, 5,
             "the old port's mapping to go")
    wait_for(lambda: host.state()["upnp"]["external_port"] == PORT + 7, 5, "the state to follow")


def test_upnp_switched_off_and_on_by_conf_reload(lab, portmap_host):
    host = portmap_host(BASE)
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "the first mapping")
    assert "upnp" in host.ask("conf " + _json({**BASE, "upnp": False}))["changed"]
    wait_for(lambda: lab.leases() == [], 5, "the mappings to be deleted")
    assert host.state()["upnp"]["backend"] == "off"
    host.ask("conf " + _json(BASE))
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "the mapping to come back")


@pytest.mark.parametrize("preferred, address", [("l1", LAN_IPS[1]), ("", LAN_IPS[0])],
                         ids=["preferred-l1", "default-route-l0"])
def test_preferred_interface_chooses_the_mapped_address(lab, portmap_host, preferred, address):
    host = portmap_host({**BASE, "preferred_interface": preferred})
    wait_for(lambda: mapped(lab, PORT, address), 15, f"a mapping to {address}")
    assert all(lease.internal_ip == address for lease in lab.leases())
    upnp = wait_for(lambda: (s := host.state()["upnp"])["protocols"] == "TCP,UDP" and s, 5,
                    "the service to report the mapping")
    assert upnp["internal_ip"] == address
    assert GW_LAN_IPS[LAN_IPS.index(address)] in upnp["gateway"]  # found on that interface


def test_unknown_preferred_interface_is_logged_and_the_default_route_used(lab, portmap_host):
    host = portmap_host({**BASE, "preferred_interface": "nosuch0"})
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "a mapping via the default route")
    assert "preferred_interface 'nosuch0' does not exist; using l0" in host.log_text()
    host.ask("conf " + _json({**BASE, "preferred_interface": "l1"}))  # fixed on reload
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[1]), 15, "the mapping to move to l1")


def test_natpmp_by_libtorrent_with_upnp_off(lab, portmap_host):
    host = portmap_host({**BASE, "upnp": False, "natpmp": True}, session=True)
    # libtorrent speaks PCP first; miniupnpd describes such mappings "PCP MAP <nonce>".
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0], "PCP"), 15, "NAT-PMP/PCP mappings")
    natpmp = wait_for(lambda: (s := host.state()["natpmp"])["protocols"] == "TCP,UDP" and s, 5,
                      "the service to report libtorrent's mapping", on_timeout=host.state)
    assert (natpmp["backend"], natpmp["external_port"]) == ("libtorrent", PORT)
    assert natpmp["gateway"] == GW_LAN_IPS[0]
    assert host.state()["upnp"]["backend"] == "off"
    assert host.ask("stop") == {"stopped": True}
    wait_for(lambda: lab.leases() == [], 5, "libtorrent to delete its mappings")


def test_libtorrent_upnp_when_the_miniupnpc_binding_is_missing(lab, portmap_host):
    host = portmap_host(BASE, session=True, hide_miniupnpc=True)
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0], "libtorrent"), 15, "libtorrent's UPnP mappings")
    upnp = wait_for(lambda: (s := host.state()["upnp"])["protocols"] == "TCP,UDP" and s, 5,
                    "the service to report libtorrent's UPnP mapping")
    assert upnp["backend"] == "libtorrent"
    assert "UPnP by libtorrent" in host.log_text()


def test_preferred_interface_that_gets_its_address_late_is_used_when_it_does(lab, portmap_host):
    lab.ip("-n", lab.ns["lan"], "addr", "del", f"{LAN_IPS[1]}/24", "dev", "l1")  # as before DHCP
    host = portmap_host({**BASE, "preferred_interface": "l1"},
                        upnp_options={"verify_every": 1})
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "a mapping via l0 meanwhile")
    assert "preferred_interface 'l1' has no IPv4 address; using l0" in host.log_text()
    lab.ip("-n", lab.ns["lan"], "addr", "add", f"{LAN_IPS[1]}/24", "dev", "l1")
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[1]) and not mapped(lab, PORT, LAN_IPS[0]), 15,
             "the mapping to move to l1 without a reload")


@pytest.mark.no_gateway
def test_missing_gateway_is_reported_then_found_when_it_appears(lab, portmap_host):
    host = portmap_host({**BASE, "logmask": 1 << 22 | 1 << 23},  # UPnP, UPnP error
                        upnp_options={"retry_delays": [1]})
    upnp = wait_for(lambda: (s := host.state()["upnp"])["last_error"] and s, 15,
                    "the service to report the missing gateway")
    assert "no UPnP gateway answered on l0" in upnp["last_error"]
    assert (upnp["protocols"], upnp["gateway"]) == ("", "")
    assert "no UPnP gateway answered on l0" in host.log_text()  # bit 23

    lab.start_gateway()
    wait_for(lambda: mapped(lab, PORT, LAN_IPS[0]), 15, "the mapping once the gateway is up")
    wait_for(lambda: host.state()["upnp"]["last_error"] == "", 5, "the error to clear")
    assert f"UPnP: mapped TCP {PORT} -> {LAN_IPS[0]}" in host.log_text()  # bit 22


def _json(conf: dict) -> str:
    import json
    return json.dumps(conf)
