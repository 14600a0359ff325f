"""The port-mapping service: one backend per mechanism (UPnP, NAT-PMP), chosen by name from a
table, kept in step with the settings upnp, natpmp, bind_port and preferred_interface."""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from utserver.services import netif
from utserver.services.portmap import lt_alerts
from utserver.services.portmap.base import NATPMP_LOG, UPNP_LOG, Mapper, NoPortMap, Where
from utserver.services.portmap.lt_alerts import AlertRecorder

if TYPE_CHECKING:
    import libtorrent as lt

log = logging.getLogger("utserver.portmap")

# (mechanism, backend name) -> where the class lives, imported only when chosen. RECORD: the
# engine switches libtorrent's own mapping on, and this service records what its alerts say.
# Every mechanism also has "off" (NoPortMap).
RECORD = "record"
BACKENDS = {("upnp", "miniupnpc"): "utserver.services.portmap.upnp_miniupnpc:MiniupnpcMapper",
            ("upnp", "libtorrent"): RECORD,
            ("natpmp", "libtorrent"): RECORD}  # libtorrent tries PCP first, then NAT-PMP
MECHANISMS = {"upnp": UPNP_LOG, "natpmp": NATPMP_LOG}  # also the names of their on/off settings
WATCHED = {"upnp", "natpmp", "bind_port", "preferred_interface"}


class SettingsView(Protocol):
    def get(self, name: str) -> int | bool | str: ...
    def subscribe(self, callback: Callable[[set[str]], None]) -> None: ...


def default_upnp_backend() -> str:
    """miniupnpc when its Python binding is installed (Debian); libtorrent's own UPnP otherwise
    (OpenWrt's feed has no binding)."""
    try:
        importlib.import_module("miniupnpc")
    except ImportError:
        return "libtorrent"
    return "miniupnpc"


class PortMapService:
    """start() / stop() like the other parts; state() for the API; alert_handlers() for the
    engine, subscribed before it opens (libtorrent maps as the session starts); `upnp_options`
    go to the miniupnpc backend (tests shorten its lease)."""

    def __init__(self, settings: SettingsView, upnp_backend: str | None = None,
                 local_port: Callable[[], int] | None = None, **upnp_options: float) -> None:
        self.upnp_backend = upnp_backend or default_upnp_backend()
        if ("upnp", self.upnp_backend) not in BACKENDS:
            raise ValueError(f"unknown UPnP backend {self.upnp_backend!r}")
        self._settings, self._upnp_options = settings, upnp_options
        # The peer port in use: the engine's (randomize_bind_port), else bind_port.
        self._local_port = local_port or (lambda: int(settings.get("bind_port")))
        self._recorders = {name: AlertRecorder(name, clog) for name, clog in MECHANISMS.items()}
        self._mappers: dict[str, Mapper] = {name: NoPortMap() for name in MECHANISMS}
        self._names = dict.fromkeys(MECHANISMS, "off")
        self._chosen = {"upnp": self.upnp_backend, "natpmp": "libtorrent"}
        self._lock = threading.Lock()
        self._running = False
        self._problem = ""
        # Release before the engine acts, claim after: _release is subscribed here, before the
        # engine exists, _on_settings at start(), after the engine's (which sets the new port and
        # libtorrent's own mapping). On a reload that turns UPnP off and NAT-PMP on, our UPnP
        # entries are so gone before libtorrent's PCP request: miniupnpd answers a PCP request
        # for a port it maps already by keeping that entry, which we would then delete.
        settings.subscribe(self._release)

    @property
    def libtorrent_upnp(self) -> bool:
        """Whether the engine should set enable_upnp (when the upnp setting is on)."""
        return self.upnp_backend == "libtorrent"

    def start(self) -> None:
        log.info("port mapping: UPnP by %s, NAT-PMP/PCP by libtorrent", self.upnp_backend)
        self._running = True
        self._settings.subscribe(self._on_settings)
        self._apply()

    def stop(self) -> None:
        """Remove the mappings (miniupnpc deletes them; libtorrent does so as its session ends)."""
        with self._lock:
            self._running = False
            for name in MECHANISMS:
                self._switch(name, "off", 0, lambda: None)

    def state(self) -> dict[str, dict[str, str | int]]:
        return {name: mapper.state().as_dict() for name, mapper in self._mappers.items()}

    def api_values(self) -> dict[str, str | int]:
        """Flat read-only entries for getsettings: portmap.upnp.external_ip and so on."""
        return {f"portmap.{name}.{key}": value for name, fields in self.state().items()
                for key, value in fields.items()}

    def alert_handlers(self) -> dict[type, Callable]:
        """{alert class: handler} for engine.subscribe_alert (runs on the pump thread)."""
        return {cls: self.on_alert for cls in lt_alerts.ALERTS}

    def on_alert(self, alert: lt.alert) -> None:
        lt_alerts.route(alert, self._recorders)

    # --- applying the settings -------------------------------------------------------------
    def _release(self, changed: set[str]) -> None:
        """Stop each mechanism whose setting went off."""
        if not changed & WATCHED:
            return
        with self._lock:
            for name in MECHANISMS:
                if self._running and not self._settings.get(name) and self._names[name] != "off":
                    self._switch(name, "off", 0, lambda: None)

    def _on_settings(self, changed: set[str]) -> None:
        if changed & WATCHED:
            self._apply()

    def _apply(self) -> None:
        with self._lock:
            if not self._running:
                return
            where = self._where(str(self._settings.get("preferred_interface")))
            port = self._local_port()
            for name in MECHANISMS:
                wanted = self._chosen[name] if self._settings.get(name) else "off"
                if wanted == self._names[name]:
                    self._mappers[name].update(port, where)
                else:
                    self._switch(name, wanted, port, where)

    def _switch(self, name: str, backend: str, port: int, where: Where) -> None:
        self._mappers[name].stop()
        self._mappers[name], self._names[name] = self._build(name, backend), backend
        self._mappers[name].start(port, where)

    def _build(self, mechanism: str, backend: str) -> Mapper:
        if backend == "off":
            return NoPortMap()
        where = BACKENDS[(mechanism, backend)]
        if where == RECORD:
            return self._recorders[mechanism]
        module, _, attr = where.partition(":")
        return getattr(importlib.import_module(module), attr)(**self._upnp_options)

    def _where(self, preferred: str) -> Where:
        """The interface lookup the backends call at each check; a problem with the
        preferred_interface setting is logged once, whatever the logmask: the user must fix it."""
        def where() -> netif.Interface | None:
            choice = netif.choose(preferred)
            if choice.problem != self._problem:
                self._problem = choice.problem
                if choice.problem:
                    log.warning("port mapping: %s", choice.problem)
            return choice.interface
        return where
