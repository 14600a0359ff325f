"""Mapping done by libtorrent itself (its UPnP, and NAT-PMP/PCP): the engine switches it on
through the settings pack; this records what libtorrent's alerts say about it."""
from __future__ import annotations

import threading
from dataclasses import replace

import libtorrent as lt

from utserver.services import netif
from utserver.services.portmap.base import CategoryLog, MapState, Where

TRANSPORTS = {lt.portmap_transport.upnp: "upnp", lt.portmap_transport.natpmp: "natpmp"}
PROTOCOL_NAMES = {lt.portmap_protocol.tcp: "TCP", lt.portmap_protocol.udp: "UDP"}
TITLES = {"upnp": "UPnP", "natpmp": "NAT-PMP"}


class AlertRecorder:
    """A Mapper whose work libtorrent does; fed from the alert-pump thread, started and updated
    from the service's: each change of the state is made under a lock, or an alert's mapping
    arriving while start() runs could be lost (the state would show no protocols)."""

    def __init__(self, transport: str, log: CategoryLog) -> None:
        self._transport, self._log = transport, log
        self._title = TITLES[transport]
        self._lock = threading.Lock()
        self._state = MapState(backend="libtorrent")

    def start(self, port: int, where: Where) -> None:
        # libtorrent maps as soon as the engine opens, maybe before this: keep what it said.
        interface = where()
        gateway = netif.gateway_of(interface) if self._transport == "natpmp" else ""
        self._change(backend="libtorrent", gateway=gateway, internal_ip=interface.ipv4 if interface else "")

    def _change(self, **fields) -> None:
        with self._lock:
            self._state = replace(self._state, **fields)

    def update(self, port: int, where: Where) -> None:
        interface = where()
        address = interface.ipv4 if interface else ""
        if self._state.external_port not in (0, port) or address != self._state.internal_ip:
            self.stop()  # libtorrent maps again; its alerts fill this in
        self.start(port, lambda: interface)

    def stop(self) -> None:
        with self._lock:
            self._state = MapState(backend="libtorrent", external_ip=self._state.external_ip)

    def state(self) -> MapState:
        return self._state

    # --- alerts (called with data already copied out of the alert) -------------------------
    def mapped(self, protocol: str, external_port: int) -> None:
        with self._lock:
            protocols = tuple(sorted({*self._state.protocols, protocol}))
            self._state = replace(self._state, protocols=protocols, external_port=external_port,
                                  last_error="")
        self._log.info("%s: mapped %s, external port %d", self._title, protocol, external_port)

    def failed(self, message: str) -> None:
        self._change(last_error=message)
        self._log.error("%s: %s", self._title, message)

    def external_ip(self, address: str) -> None:
        self._change(external_ip=address)


def route(alert: lt.alert, recorders: dict[str, AlertRecorder]) -> None:
    """Hand one libtorrent alert to the recorder of its transport (copying its data now)."""
    if isinstance(alert, lt.external_ip_alert):
        for recorder in recorders.values():  # only the chosen backend's state is shown
            recorder.external_ip(str(alert.external_address))
        return
    if not isinstance(alert, (lt.portmap_alert, lt.portmap_error_alert)):
        return
    recorder = recorders[TRANSPORTS[alert.map_transport]]
    if isinstance(alert, lt.portmap_alert):
        recorder.mapped(PROTOCOL_NAMES[alert.map_protocol], int(alert.external_port))
    else:
        recorder.failed(alert.message())


ALERTS = (lt.portmap_alert, lt.portmap_error_alert, lt.external_ip_alert)
