"""getsettings / setsetting over the settings catalog."""

from __future__ import annotations

from collections.abc import Callable

from utserver.settings import Kind
from utserver.settings.values import format_api
from utserver.web import access
from utserver.web.utorrent.call import Call, Reply
from utserver.web.utorrent.errors import ApiError

_LISTED = ("Y", "R", "W")
_KIND_OF = {bool: Kind.BOOL, int: Kind.INT, str: Kind.STR}


def get_all(call: Call) -> Reply:
    """[name, type, value, {"access": A}]; a write-only value (the password) is never shown."""
    entries = [[s.name, int(s.kind), "" if s.api == "W" or s.secret else format_api(value), {"access": s.api}]
               for s, value in call.settings.items() if s.api in _LISTED]
    if call.parts.portmap is not None:
        entries += [[name, int(_KIND_OF[type(value)]), format_api(value), {"access": "R"}]
                    for name, value in call.parts.portmap.api_values().items()]
    return [("settings", entries)]


def set_some(call: Call) -> Reply:
    """All pairs apply or none (Settings.set_from_api); values the web part owns are checked first."""
    pairs = call.query.setting_pairs()
    if not pairs:
        raise ApiError("setsetting: missing s= and v=")
    for setting, value in pairs:
        _CHECKS.get(setting, _accept)(call, value)
    call.settings.set_from_api(pairs)
    return []


def _accept(call: Call, value: str) -> None:
    pass


def _check_restrict(call: Call, value: str) -> None:
    try:
        access.parse_restrict(value)
    except ValueError as exc:
        raise ApiError(str(exc)) from None
    if not access.RestrictList(value).allows(call.remote):
        raise ApiError(f"webui.restrict: the list leaves out your own address {call.remote}; "
                       "add it, or you would lock yourself out")


def _names_differ(other: str) -> Callable[[Call, str], None]:
    """The guest and the admin never share a name: a wrong admin password would log in as guest."""
    def check(call: Call, value: str) -> None:
        pending = dict(call.query.setting_pairs())
        if value.strip() and value == pending.get(other, call.settings.get(other)):
            raise ApiError("webui.guest and admin_name must differ (an empty webui.guest means no guest)")
    return check


# Values whose meaning the web part owns: checked before anything is applied.
_CHECKS: dict[str, Callable[[Call, str], None]] = {
    "webui.restrict": _check_restrict,
    "webui.guest": _names_differ("admin_name"),
    "admin_name": _names_differ("webui.guest"),
}
