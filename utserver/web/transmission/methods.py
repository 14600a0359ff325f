"""Every Transmission RPC method on one screen: name -> handler and whether the guest may call it.

Handlers take a Call and return the reply's `arguments`; they raise RpcError (or the engine's
JobError / AddError / ValueError) for a failure, which dispatch() turns into the `result` string.
Methods utserver cannot honour answer with an error saying so, never a fake success.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from utserver.engine import AddError, JobError
from utserver.fetch import FetchError
from utserver.web.transmission import adding, checks, session, torrent_set, torrents
from utserver.web.transmission.call import Call
from utserver.web.transmission.errors import RpcError
from utserver.web.transmission.status import STOPPED, status
from utserver.web.transmission.torrents import each, queue_move

log = logging.getLogger("utserver.web")

FAILURES = (RpcError, JobError, AddError, FetchError, ValueError)
CLOSE_DELAY = 0.5  # s: session-close answers before the daemon stops


@dataclass(frozen=True)
class Method:
    run: Callable[[Call], dict]
    guest: bool = False


def session_stats(call: Call) -> dict:
    views = call.snapshot.values()
    totals = call.engine.totals()
    active = sum(1 for view in views if status(view) != STOPPED)
    current = {"uploadedBytes": totals["uploaded_session"], "downloadedBytes": totals["downloaded_session"],
               "filesAdded": 0, "secondsActive": max(int(time.time()) - totals["started_at"], 0), "sessionCount": 1}
    cumulative = {**current, "uploadedBytes": sum(v.uploaded for v in views),
                  "downloadedBytes": sum(v.downloaded for v in views)}  # all-time, torrents still here
    return {"activeTorrentCount": active, "pausedTorrentCount": len(views) - active, "torrentCount": len(views),
            "downloadSpeed": totals["down_rate"], "uploadSpeed": totals["up_rate"],
            "cumulative-stats": cumulative, "current-stats": current}


def free_space(call: Call) -> dict:
    path = checks.absolute("path", call.args.get("path"), "directory path is not absolute")
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        raise RpcError(exc.strerror or str(exc), {"path": path, "size-bytes": -1}) from None
    return {"path": path, "size-bytes": usage.free, "total_size": usage.total}


def _unsupported(message: str) -> Callable[[Call], dict]:
    def run(call: Call) -> dict:
        raise RpcError(message)
    return run


def session_close(call: Call) -> dict:
    """Transmission's daemon exits: so does utserver, by the one stop path (SIGTERM to itself)."""
    log.info("session-close from %s: stopping", call.user.name)
    threading.Timer(CLOSE_DELAY, os.kill, (os.getpid(), signal.SIGTERM)).start()
    return {}


METHODS: dict[str, Method] = {
    "torrent-get":          Method(torrents.torrent_get, guest=True),
    "torrent-set":          Method(torrent_set.torrent_set),
    "torrent-add":          Method(adding.torrent_add),
    "torrent-remove":       Method(torrents.remove),
    "torrent-start":        Method(each(lambda engine, h: engine.start(h))),
    "torrent-start-now":    Method(each(lambda engine, h: engine.forcestart(h))),
    "torrent-stop":         Method(each(lambda engine, h: engine.stop(h))),
    "torrent-verify":       Method(each(lambda engine, h: engine.recheck(h))),
    "torrent-reannounce":   Method(each(lambda engine, h: engine.reannounce(h))),
    "torrent-set-location": Method(torrents.set_location),
    "torrent-rename-path":  Method(torrents.rename_path),
    "queue-move-top":       Method(queue_move("top")),
    "queue-move-up":        Method(queue_move("up")),
    "queue-move-down":      Method(queue_move("down")),
    "queue-move-bottom":    Method(queue_move("bottom")),
    "session-get":          Method(session.session_get, guest=True),
    "session-set":          Method(session.session_set),
    "session-stats":        Method(session_stats, guest=True),
    "session-close":        Method(session_close),
    "free-space":           Method(free_space, guest=True),
    "group-get":            Method(lambda call: {"group": []}, guest=True),  # utserver has no bandwidth groups
    "group-set":            Method(_unsupported("utserver has no bandwidth groups")),
    "port-test":            Method(_unsupported(
        "port-test is not supported: utserver does not ask an outside service; the port mapping state "
        "is in the µTorrent API's getsettings (portmap.*)")),
    "blocklist-update":     Method(_unsupported("blocklist-update is not supported: utserver has no blocklist")),
}


def dispatch(name: str, call: Call) -> tuple[str, dict]:
    """(result, arguments) of method *name*."""
    method = METHODS.get(name)
    if method is None:
        return "method name not recognized", {}
    if not (method.guest or call.user.admin):
        return f"{name}: the guest account is read-only", {}
    try:
        return "success", method.run(call)
    except RpcError as exc:
        return str(exc), exc.arguments
    except FAILURES as exc:
        return str(exc) or type(exc).__name__, {}
