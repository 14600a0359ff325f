"""make_app(): one bottle application carrying every API front on ut_webui_port.

Each front mounts its own routes with its own plugins (its auth and error form); the shared
Guard (IP list, Host rule) and the one account store sit under all of them. The µTorrent front
goes last: it owns "/" and the catch-all 404.
"""

from __future__ import annotations

import bottle

from utserver.web import qbittorrent, transmission, utorrent
from utserver.web.guard import Guard
from utserver.web.parts import Parts

FRONTS = (qbittorrent.mount, transmission.mount, utorrent.mount)


def make_app(parts: Parts, host_names: set[str]) -> bottle.Bottle:
    app = bottle.Bottle(autojson=False)
    app.default_error_handler = lambda error: f"{error.status_line}\n"
    guard = Guard(parts.settings, host_names)
    for mount in FRONTS:
        mount(app, parts, guard)
    return app
