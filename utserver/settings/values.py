"""Text <-> typed value conversion for each setting kind, with bounds."""

from __future__ import annotations

from collections.abc import Callable

from utserver.settings.catalog import Kind, Setting

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse_int(text: str) -> int:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)  # clients send "15.0" (docs/reference/utorrent-clients.md#setprops-order)
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return int(number)


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (use 1 or 0)")


_PARSE: dict[Kind, Callable[[str], int | bool | str]] = {Kind.INT: _parse_int, Kind.BOOL: _parse_bool, Kind.STR: str}


def parse(setting: Setting, text: str) -> int | bool | str:
    """The typed value of *text* for *setting*; ValueError with a readable reason."""
    try:
        value = _PARSE[setting.kind](text)
    except ValueError as exc:
        raise ValueError(f"{setting.name}: {exc}" if setting.name not in str(exc) else str(exc)) from None
    check_bounds(setting, value)
    return value


def check_bounds(setting: Setting, value: int | bool | str) -> None:
    if setting.required and value == "":
        raise ValueError(f"{setting.name} may not be empty")
    if setting.kind is not Kind.INT or not isinstance(value, int):
        return
    if setting.lo is not None and value < setting.lo:
        raise ValueError(f"{setting.name}: {value} is below the minimum {setting.lo}")
    if setting.hi is not None and value > setting.hi:
        raise ValueError(f"{setting.name}: {value} is above the maximum {setting.hi}")


def format_api(value: int | bool | str) -> str:
    """getsettings shows every value as a string, booleans as "true"/"false"
    (docs/reference/utorrent-clients.md#settings-values)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
