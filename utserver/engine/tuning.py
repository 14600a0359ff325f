"""The session's settings: utserver's settings -> one settings_pack (pack.py), applied as a diff;
the local-peer rate class; the settings libtorrent cannot honour, logged once each."""

from __future__ import annotations

import logging
import threading

import libtorrent as lt

from utserver.engine import pack
from utserver.settings import BY_NAME, Settings

log = logging.getLogger("utserver.engine")


class Tuning:
    def __init__(self, settings: Settings, port: int, lt_upnp: bool):
        self.settings, self.port, self.lt_upnp = settings, port, lt_upnp
        self.awaiting_dht = True  # until the DHT bootstraps: then every torrent announces
        self.activity = "waiting"  # a row of pack.TICK_MS, which the pump picks
        self.applied: dict = {}
        self._lock = threading.Lock()  # the settings' thread and the pump (activity) both apply
        self._reported_na: set[str] = set()
        self._local_limits_set = False

    def pack(self) -> dict:
        return pack.build_pack(self.settings.get, self.port, self.lt_upnp, self.awaiting_dht, self.activity)

    def opened(self, session: lt.session, packed: dict) -> None:
        self.applied = packed
        self.apply_local_peer_limits(session)
        self.log_not_applicable()

    def apply(self, session: lt.session, changed: set[str]) -> None:
        if "dht" in changed:
            self.awaiting_dht = True
        if "bind_port" in changed and not self.settings.get("randomize_bind_port"):
            self.port = int(self.settings.get("bind_port"))  # reaches listen_interfaces
        with self._lock:
            packed = self.pack()
            diff = {k: v for k, v in packed.items() if self.applied.get(k) != v}
            if diff:
                session.apply_settings(diff)  # type: ignore[arg-type]  # a dict works; the stubs want a pack
                self.applied = packed
        if "rate_limit_local_peers" in changed:
            self.apply_local_peer_limits(session)
        self.log_not_applicable()

    def apply_local_peer_limits(self, session: lt.session) -> None:
        """rate_limit_local_peers: LAN and loopback peers leave libtorrent's unlimited local class."""
        limited = self.settings.get("rate_limit_local_peers")
        if not limited and not self._local_limits_set:
            return  # libtorrent's own default filter is already the "off" state
        glob, local = 1 << session.global_peer_class_id, 1 << session.local_peer_class_id
        ip_filter = lt.ip_filter()
        ip_filter.add_rule("0.0.0.0", "255.255.255.255", glob)
        ip_filter.add_rule("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", glob)
        if not limited:
            for first, last in pack.LOCAL_RANGES:
                ip_filter.add_rule(first, last, local)
        session.set_peer_class_filter(ip_filter)
        self._local_limits_set = True

    def log_not_applicable(self) -> None:
        """Once per setting: a value libtorrent cannot honour is kept, and the log says so."""
        for name, why in pack.NOT_APPLICABLE.items():
            if self.settings.get(name) != BY_NAME[name].default and name not in self._reported_na:
                log.warning("%s is accepted but has no effect: %s", name, why)
                self._reported_na.add(name)
