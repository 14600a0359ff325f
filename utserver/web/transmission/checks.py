"""Type checks for RPC arguments: a wrong type is an error naming the argument, never a 500."""

from __future__ import annotations

import posixpath
from typing import Any

from utserver.web.transmission.errors import RpcError


def boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):  # some clients send 0/1
        return bool(value)
    raise RpcError(f"{name} must be true or false")


def integer(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RpcError(f"{name} must be an integer")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise RpcError(f"{name} must be between {lo} and {hi}" if hi is not None else f"{name} must be at least {lo}")
    return value


def number(name: str, value: Any, lo: float = 0.0) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < lo:
        raise RpcError(f"{name} must be a number of at least {lo:g}")
    return float(value)


def text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise RpcError(f"{name} must be a string")
    return value


def integers(name: str, value: Any) -> list[int]:
    if not isinstance(value, list):
        raise RpcError(f"{name} must be an array of integers")
    return [integer(name, item) for item in value]


def strings(name: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise RpcError(f"{name} must be an array of strings")
    return [text(name, item) for item in value]


def absolute(name: str, value: Any, message: str) -> str:
    path = text(name, value)
    if not path.startswith("/"):
        raise RpcError(message)
    return posixpath.normpath(path)


def labels(value: Any) -> list[str]:
    """Transmission's rule: trimmed, non-empty, no comma."""
    cleaned = [item.strip() for item in strings("labels", value)]
    if any("," in item for item in cleaned):
        raise RpcError("labels cannot contain comma (,) character")
    if any(not item for item in cleaned):
        raise RpcError("labels cannot be empty")
    return list(dict.fromkeys(cleaned))
