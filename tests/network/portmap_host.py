"""Runs utserver's PortMapService in a namespace, driven line by line over stdin/stdout.

It uses the real Settings (from a conf file the test writes) and, with "session": true, a real
libtorrent session whose alerts reach the service the way the engine's pump delivers them
(the daemon-level tests in test_daemon_portmap.py use the real engine).

argv[1] is JSON: {"conf": {...}, "settings_path": "...", "session": bool, "upnp_backend": str|null,
                  "upnp_options": {...}}
Commands: `state` -> one JSON line; `conf {json}` -> rewrite the conf and reload it;
`set NAME VALUE` -> setsetting; `stop` -> stop and exit. Every reply is one JSON line.
"""
from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import libtorrent as lt

from utserver import logs
from utserver.services.portmap import PortMapService
from utserver.settings import Settings, load_conf


def write_conf(path: Path, conf: dict) -> None:
    path.write_text("".join(f"{k}: {int(v) if isinstance(v, bool) else v}\n" for k, v in conf.items()))


class Engine:
    """What the engine does for port mapping: enable_* from the settings, alerts to subscribers."""

    def __init__(self) -> None:
        self.subscribers: dict[type, Callable] = {}
        self.session: lt.session | None = None

    def subscribe_alert(self, alert_class: type, handler: Callable) -> None:
        self.subscribers[alert_class] = handler

    def open(self, settings: Settings, lt_upnp: bool) -> None:
        def pack() -> dict:
            return {"listen_interfaces": f"0.0.0.0:{settings.get('bind_port')}",
                    "enable_upnp": bool(settings.get("upnp")) and lt_upnp,
                    "enable_natpmp": bool(settings.get("natpmp")), "enable_lsd": False,
                    "enable_dht": False,
                    "alert_mask": int(lt.alert_category.port_mapping | lt.alert_category.status
                                      | lt.alert_category.error)}
        self.session = lt.session(pack())
        settings.subscribe(lambda changed: self.session.apply_settings(pack()))
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        while True:
            self.session.wait_for_alert(1000)
            for alert in self.session.pop_alerts():
                handler = self.subscribers.get(type(alert))
                if handler:
                    handler(alert)

    def close(self) -> None:
        if self.session:  # libtorrent deletes its own mappings when they are switched off
            self.session.apply_settings({"enable_upnp": False, "enable_natpmp": False})


def main() -> None:
    options = json.loads(sys.argv[1])
    if options.get("hide_miniupnpc"):  # as on OpenWrt, whose feed has no miniupnpc binding
        sys.modules["miniupnpc"] = None  # type: ignore[assignment]
    logs.setup(None)
    settings_path = Path(options["settings_path"])
    conf_path = settings_path / "utserver.conf"
    write_conf(conf_path, options["conf"])
    settings = Settings(load_conf(conf_path), settings_path)
    logs.set_mask(int(settings.get("logmask")))  # as server.py does
    engine = Engine()
    service = PortMapService(settings, options.get("upnp_backend"), **options.get("upnp_options", {}))
    for alert_class, handler in service.alert_handlers().items():  # before the session maps, as server.py
        engine.subscribe_alert(alert_class, handler)
    if options.get("session"):
        engine.open(settings, service.libtorrent_upnp)
    service.start()
    reply({"ready": True})
    for line in sys.stdin:
        command, _, rest = line.strip().partition(" ")
        if command == "state":
            reply(service.state())
        elif command == "conf":
            write_conf(conf_path, json.loads(rest))
            reply({"changed": sorted(settings.reload(load_conf(conf_path)))})
        elif command == "set":
            settings.set_from_api([tuple(rest.split(" ", 1))])
            reply({"ok": True})
        elif command == "stop":
            service.stop()
            engine.close()
            reply({"stopped": True})
            return


def reply(data: dict) -> None:
    print(json.dumps(data), flush=True)


if __name__ == "__main__":
    main()
