"""Parsing of rss-update / filter-update parameter values as clients send them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

# The WebUI sends 1/0; other clients send true/false (docs/reference/utorrent-clients.md#rss-ids).
_BOOLS = {"1": True, "true": True, "yes": True, "on": True,
          "0": False, "false": False, "no": False, "off": False, "": False}


def parse_bool(value: str) -> bool:
    try:
        return _BOOLS[value.strip().lower()]
    except KeyError:
        raise ValueError("expected 1/0 or true/false") from None


def parse_int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError("expected an integer") from None


def parse_int_or_bool(value: str) -> int:
    """An integer field that the manual documents as boolean (postpone-mode)."""
    try:
        return parse_int(value)
    except ValueError:
        return int(parse_bool(value))


def parse_params(table: Mapping[str, tuple[str, Callable[[str], object]]], params: Mapping[str, str],
                 action: str) -> dict[str, object]:
    """Attribute -> parsed value for each parameter of *table* present in *params*."""
    changes = {}
    for key, (attr, parse) in table.items():
        if key in params:
            try:
                changes[attr] = parse(params[key])
            except ValueError as exc:
                raise ValueError(f"{action}: bad {key}={params[key]!r}: {exc}") from None
    return changes
