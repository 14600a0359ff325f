"""What every port-mapping backend offers: the narrow Mapper protocol, its state, a null object."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from utserver import logs
from utserver.services.netif import Interface

PROTOCOLS = ("TCP", "UDP")
# Where to map: called at each check, so an address that DHCP changed, or an interface that
# came up after the daemon, is picked up without a reload.
Where = Callable[[], Interface | None]


@dataclass(frozen=True)
class MapState:
    """One mechanism's view (UPnP or NAT-PMP); replaced whole, so readers need no lock."""
    backend: str = "off"
    gateway: str = ""  # the IGD control URL (UPnP) or the gateway address (NAT-PMP)
    internal_ip: str = ""  # the address the router forwards to
    external_ip: str = ""
    external_port: int = 0
    protocols: tuple[str, ...] = ()  # mapped now, e.g. ("TCP", "UDP")
    last_error: str = ""

    def as_dict(self) -> dict[str, str | int]:
        return {"backend": self.backend, "gateway": self.gateway,
                "internal_ip": self.internal_ip, "external_ip": self.external_ip,
                "external_port": self.external_port, "protocols": ",".join(self.protocols),
                "last_error": self.last_error}


class Mapper(Protocol):
    """A port-mapping backend. update() and stop() are called from any thread and return
    promptly; the work happens on the backend's own thread (or in libtorrent)."""

    def start(self, port: int, where: Where) -> None: ...
    def update(self, port: int, where: Where) -> None: ...
    def stop(self) -> None: ...
    def state(self) -> MapState: ...


class NoPortMap:
    """The mechanism is switched off: same methods, nothing happens."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        pass

    def start(self, port: int, where: Where) -> None:
        pass

    def update(self, port: int, where: Where) -> None:
        pass

    def stop(self) -> None:
        pass

    def state(self) -> MapState:
        return MapState()


class CategoryLog:
    """Log lines in the manual's logmask categories (22 UPnP, 23 UPnP error, 24 NATPMP,
    25 NATPMP error): written only when the bit is set in logmask."""

    def __init__(self, info_bit: int, error_bit: int) -> None:
        self._info, self._error = logs.category(info_bit), logs.category(error_bit)

    def info(self, msg: str, *args: object) -> None:
        _log.info(msg, *args, **self._info)

    def error(self, msg: str, *args: object) -> None:
        _log.warning(msg, *args, **self._error)


_log = logging.getLogger("utserver.portmap")
UPNP_LOG = CategoryLog(logs.UPNP, logs.UPNP_ERROR)
NATPMP_LOG = CategoryLog(logs.NATPMP, logs.NATPMP_ERROR)
