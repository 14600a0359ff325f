"""Text <-> typed value conversion for each setting kind, with bounds."""

from __future__ import annotations

import math
from collections.abc import Callable

from utserver.settings.catalog import INT32_MAX, Kind, Setting

__all__ = ["INT32_MAX", "parse_number", "parse", "check_bounds", "format_api"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


_MAX_DIGITS = 24  # longer text is no number a client means (and int() of 5,000 digits is slow)


def _named(what: str) -> str:
    return f"{what}: " if what else ""


def parse_number(text: str, lo: int | None = None, hi: int | None = None, what: str = "") -> int:
    """A whole number as clients send it ("15", " 15 ", "15.0"), within [lo, hi] when given.

    The one parser of client numbers: settings (catalog bounds) and per-torrent props use it.
    ValueError, naming *what*, for text that is not a finite whole number or is out of range."""
    text = str(text).strip()
    if not text or len(text) > _MAX_DIGITS:
        raise ValueError(f"{_named(what)}{text[:32]!r} is not a whole number")
    try:
        number = int(text)
    except ValueError:
        try:
            real = float(text)  # clients send "15.0" (docs/reference/utorrent-clients.md#setprops-order)
        except ValueError:
            real = math.nan
        if not math.isfinite(real) or not real.is_integer():
            raise ValueError(f"{_named(what)}{text!r} is not a whole number") from None
        number = int(real)
    if lo is not None and number < lo:
        raise ValueError(f"{_named(what)}{number} is below the minimum {lo}")
    if hi is not None and number > hi:
        raise ValueError(f"{_named(what)}{number} is above the maximum {hi}")
    return number


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (use 1 or 0)")


_PARSE: dict[Kind, Callable[[str], int | bool | str]] = {Kind.INT: parse_number, Kind.BOOL: _parse_bool, Kind.STR: str}


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
    if setting.kind is Kind.INT:
        parse_number(str(value), setting.lo, setting.hi, setting.name)


def format_api(value: int | bool | str) -> str:
    """getsettings shows every value as a string, booleans as "true"/"false" (docs/reference/utorrent-clients.md#settings-values)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
