"""Port-mapping pieces that need no namespace (they run without root too)."""
from __future__ import annotations

import sys

import pytest

from utserver.services import netif
from utserver.services.portmap import PortMapService, default_upnp_backend
from utserver.settings import Settings, parse_conf

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

KEYS = {"backend", "gateway", "internal_ip", "external_ip", "external_port", "protocols",
        "last_error"}


def settings(tmp_path, conf: str) -> Settings:
    return Settings(parse_conf(conf), tmp_path)


def test_an_unknown_preferred_interface_is_reported_not_raised():
    choice = netif.choose("nosuch0")
    assert choice.problem.startswith("preferred_interface 'nosuch0' does not exist; ")
    assert "set preferred_interface in utserver.conf" in choice.problem


def test_switched_off_mechanisms_report_off_in_the_api_entries(tmp_path):
    service = PortMapService(settings(tmp_path, "upnp: false\nnatpmp: false\n"))
    service.start()
    values = service.api_values()
    assert set(values) == {f"portmap.{m}.{k}" for m in ("upnp", "natpmp") for k in KEYS}
    assert values["portmap.upnp.backend"] == values["portmap.natpmp.backend"] == "off"
    assert values["portmap.upnp.external_port"] == 0  # an int: getsettings types it 0
    service.stop()


def test_libtorrent_upnp_is_chosen_without_the_miniupnpc_binding(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "miniupnpc", None)  # as on OpenWrt
    assert default_upnp_backend() == "libtorrent"
    assert PortMapService(settings(tmp_path, "")).libtorrent_upnp
