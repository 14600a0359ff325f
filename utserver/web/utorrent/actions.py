"""Every action= of the API on one screen: name -> handler and who may call it.

`guest=True` marks the read-only actions the guest account may call (manual: no action that
modifies torrents or settings). Handlers raise ApiError (or the engine's and settings' own
errors); dispatch() turns them into µTorrent's answers in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from utserver.engine import AddError, JobError
from utserver.fetch import FetchError
from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError, Kind
from utserver.web.utorrent.handlers import adding, info, rss_api, settings_api, torrents
from utserver.web.utorrent.handlers.torrents import on_each


@dataclass(frozen=True)
class Action:
    run: Callable[[Call], Reply]
    guest: bool = False


def _remove(data: bool, torrent: bool):
    return on_each(lambda engine, h: engine.remove(h, data=data, torrent=torrent))


def _queue(where: str):
    return on_each(lambda engine, h: engine.queue(h, where))


ACTIONS: dict[str, Action] = {
    "getsettings":       Action(settings_api.get_all, guest=True),
    "setsetting":        Action(settings_api.set_some),
    "getfiles":          Action(torrents.get_files, guest=True),
    "getpeers":          Action(torrents.get_peers, guest=True),
    "getprops":          Action(torrents.get_props, guest=True),
    "setprops":          Action(torrents.set_props),
    "setprio":           Action(torrents.set_priority),
    "start":             Action(on_each(lambda engine, h: engine.start(h))),
    "stop":              Action(on_each(lambda engine, h: engine.stop(h))),
    "pause":             Action(on_each(lambda engine, h: engine.pause(h))),
    "unpause":           Action(on_each(lambda engine, h: engine.unpause(h))),
    "forcestart":        Action(on_each(lambda engine, h: engine.forcestart(h))),
    "recheck":           Action(on_each(lambda engine, h: engine.recheck(h))),
    "remove":            Action(_remove(data=False, torrent=False)),
    "removedata":        Action(_remove(data=True, torrent=False)),
    "removetorrent":     Action(_remove(data=False, torrent=True)),
    "removedatatorrent": Action(_remove(data=True, torrent=True)),
    "queueup":           Action(_queue("up")),
    "queuedown":         Action(_queue("down")),
    "queuetop":          Action(_queue("top")),
    "queuebottom":       Action(_queue("bottom")),
    "add-url":           Action(adding.add_url),
    "add-unknown-url":   Action(adding.add_unknown_url),
    "add-file":          Action(adding.add_file),
    "list-dirs":         Action(adding.list_dirs, guest=True),
    "getxferhist":       Action(info.get_xfer_history, guest=True),
    "resetxferhist":     Action(info.reset_xfer_history),
    "get-sessions":      Action(info.get_sessions),
    "logout":            Action(info.logout, guest=True),
    "getversion":        Action(info.get_version, guest=True),
    "configremote":      Action(info.config_remote),
    "rss-update":        Action(rss_api.update_feed),
    "rss-remove":        Action(rss_api.remove_feed),
    "filter-update":     Action(rss_api.update_filter),
    "filter-remove":     Action(rss_api.remove_filter),
}

# Failures of an action that ran: 200 with "error" (docs/reference/utorrent-clients.md#action-errors). OSError: the file system
# refused (a name too long, a full disk), which the user fixes, never a 500.
FAILURES = (ApiError, JobError, AddError, FetchError, ValueError, OSError)


def dispatch(name: str, call: Call) -> Reply:
    """Run action *name*; an unknown name is a malformed request (400), the guest is refused (403)."""
    action = ACTIONS.get(name)
    if action is None:
        raise ApiError(f"unknown action {name!r}", Kind.BAD_REQUEST)
    if not (action.guest or call.user.admin):
        raise ApiError(f"{name}: the guest account is read-only", Kind.FORBIDDEN)
    try:
        return action.run(call)
    except ApiError as exc:
        if exc.kind is not Kind.FAILED:
            raise
        return [("error", str(exc))]
    except FAILURES as exc:
        return [("error", f"{name}: {exc}")]
