"""UPnP IGD port mapping with the miniupnpc binding, on a thread of its own.

The thread sleeps on an Event until the next check: the lease's half-life or VERIFY_EVERY
(whichever is sooner), a settings change, or stop. Each check asks the gateway for our
mappings and re-adds what is missing, wrong or due for renewal, so a gateway that rebooted
and forgot them is fixed at the next check.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import miniupnpc

from utserver.services.netif import Interface
from utserver.services.portmap.base import PROTOCOLS, UPNP_LOG, MapState, Where

DESCRIPTION = "utserver"
LEASE = 3600  # seconds asked for; libtorrent asks the same
VERIFY_EVERY = 300  # seconds between checks that the gateway still has the mappings
RETRY_DELAYS = (5, 15, 60, 300)  # after failures in a row: no gateway, refused mapping...
DISCOVER_MS = 1000
STOP_WAIT = 5  # seconds stop() waits for the deletions
PERMANENT_ONLY = "OnlyPermanentLeasesSupported"  # UPnP error 725: the router wants lease 0


@dataclass(frozen=True)
class _Want:
    port: int
    interface: Interface | None


class MiniupnpcMapper:
    """Maps one port for TCP and UDP on the gateway found on the chosen interface."""

    def __init__(self, lease: int = LEASE, verify_every: float = VERIFY_EVERY,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        self._lease, self._verify_every, self._retry_delays = lease, verify_every, retry_delays
        self._request: tuple[int, Where] = (0, _nowhere)  # replaced whole: set by other threads
        self._wake = threading.Event()
        self._stopping = False
        self._state = MapState(backend="miniupnpc")
        self._thread: threading.Thread | None = None
        # Worker-thread only:
        self._igd: miniupnpc.UPnP | None = None
        self._igd_for: Interface | None = None
        self._mapped: _Want | None = None
        self._renew_at = 0.0
        self._failures = 0

    # --- called from other threads ---------------------------------------------------------
    def start(self, port: int, where: Where) -> None:
        self._request = (port, where)
        self._thread = threading.Thread(target=self._run, name="portmap-upnp", daemon=True)
        self._thread.start()

    def update(self, port: int, where: Where) -> None:
        self._request = (port, where)
        self._wake.set()

    def stop(self) -> None:
        """Delete the mappings and end the thread; waits at most STOP_WAIT seconds."""
        self._stopping = True
        self._wake.set()
        if self._thread:
            self._thread.join(STOP_WAIT)

    def state(self) -> MapState:
        return self._state

    # --- the worker ------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            port, where = self._request
            delay = self._step(_Want(port, where()))
            self._wake.wait(delay)
        self._unmap()

    def _step(self, want: _Want) -> float:
        """One check; returns the seconds until the next one. A changed port or interface
        address moves the mappings: the old ones are deleted first."""
        try:
            if self._mapped and self._mapped != want:
                self._unmap()
            if self._igd is None or self._igd_for != want.interface:
                self._discover(want.interface)
            self._ensure(want)
        except Exception as exc:  # miniupnpc raises bare Exception with the UPnP error text
            return self._failed(want, exc)
        self._failures = 0
        return max(0.0, min(self._renew_at - time.monotonic(), self._verify_every))

    def _failed(self, want: _Want, exc: Exception) -> float:
        message = f"{exc} (port {want.port}, gateway {self._state.gateway or 'not found'})"
        UPNP_LOG.error("UPnP: %s", message)
        self._state = replace(self._state, last_error=message, protocols=())
        self._igd = None  # look for the gateway again: it may have moved or restarted
        self._mapped = None
        delay = self._retry_delays[min(self._failures, len(self._retry_delays) - 1)]
        self._failures += 1
        return delay

    def _discover(self, interface: Interface | None) -> None:
        # multicastif is read-only after construction, so each interface gets a new object.
        options = {"multicastif": interface.ipv4} if interface else {}
        igd = miniupnpc.UPnP(discoverdelay=DISCOVER_MS, **options)
        found, cause = 0, ""
        try:
            found = igd.discover()
        except Exception as exc:  # 2.3 raises with errno's text (often "Success") for none
            cause = "" if str(exc) == "Success" else f" ({exc})"
        if not found:
            where = f"on {interface.name}" if interface else "on the default interface"
            raise RuntimeError(f"no UPnP gateway answered {where}{cause}")
        url = igd.selectigd()  # also accepts an IGD whose WAN address is private
        self._igd, self._igd_for = igd, interface
        self._state = replace(self._state, gateway=url, external_ip=igd.externalipaddress())
        UPNP_LOG.info("UPnP: gateway %s, external address %s", url, self._state.external_ip)

    def _ensure(self, want: _Want) -> None:
        igd = self._igd
        assert igd is not None
        address = want.interface.ipv4 if want.interface else igd.lanaddr
        renew = time.monotonic() >= self._renew_at
        for proto in PROTOCOLS:
            if renew or not _points_to(igd.getspecificportmapping(want.port, proto), address, want.port):
                self._add(igd, want.port, proto, address)
        if renew:
            self._renew_at = time.monotonic() + (self._lease / 2 if self._lease else 1e9)
        self._mapped = want
        self._state = replace(self._state, internal_ip=address, external_port=want.port,
                              protocols=PROTOCOLS, last_error="",
                              external_ip=igd.externalipaddress())

    def _add(self, igd: miniupnpc.UPnP, port: int, proto: str, address: str) -> None:
        try:
            igd.addportmapping(port, proto, address, port, DESCRIPTION, "", self._lease)
        except Exception as exc:
            if PERMANENT_ONLY not in str(exc):
                raise
            self._lease = 0  # this router only keeps permanent mappings; verify them instead
            igd.addportmapping(port, proto, address, port, DESCRIPTION, "", 0)
        UPNP_LOG.info("UPnP: mapped %s %d -> %s:%d (lease %d s)", proto, port, address, port,
                      self._lease)

    def _unmap(self) -> None:
        """Delete our mappings (best effort: the gateway may be gone). A mapping of the same
        port made since by someone else, e.g. libtorrent's NAT-PMP/PCP when a reload switches
        from UPnP to NAT-PMP, is left alone: the gateway deletes by port, not by owner."""
        mapped, igd, self._mapped = self._mapped, self._igd, None
        if not mapped or not igd:
            return
        for proto in PROTOCOLS:
            try:
                if _ours(igd.getspecificportmapping(mapped.port, proto)):
                    igd.deleteportmapping(mapped.port, proto)
                    UPNP_LOG.info("UPnP: removed %s %d", proto, mapped.port)
            except Exception as exc:
                UPNP_LOG.error("UPnP: removing %s %d failed: %s", proto, mapped.port, exc)
        self._renew_at = 0.0
        self._state = replace(self._state, protocols=(), external_port=0)


def _points_to(entry: tuple | None, address: str, port: int) -> bool:
    """Whether a getspecificportmapping() answer forwards to address:port."""
    return entry is not None and entry[0] == address and entry[1] == port


def _ours(entry: tuple | None) -> bool:
    return entry is not None and entry[2] == DESCRIPTION


def _nowhere() -> Interface | None:
    return None
