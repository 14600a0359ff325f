"""JSON-RPC 2.0, the form Transmission 4.1 added (docs/reference/transmission-clients.md).

Only Transmission 4.1's own clients send it (its web UI always; its CLI and Qt client only after a
409 carrying X-Transmission-Rpc-Version, which this server never sends). Names are snake_case
versions of the classic ones, so a request is translated to the classic form, run by the same
method table, and its reply translated back: every key to snake_case, `wanted` as booleans,
encryption "tolerated" as "allowed", `cache-size-mb` as `cache_size_mib`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from utserver.web.transmission import fields, session, torrent_set
from utserver.web.transmission.ids import RECENTLY_ACTIVE

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SYSTEM_ERROR = 5  # Transmission's code for a failure of the method itself
RENAMED = {"cache-size-mb": "cache_size_mib"}  # the only key not named by the rule
ARGUMENTS = ("ids", "fields", "format", "delete-local-data", "location", "move", "path", "name", "metainfo",
             "filename", "download-dir", "paused", "labels", "peer-limit", "bandwidthPriority", "cookies")
_UPPER = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(key: str) -> str:
    return RENAMED.get(key) or _UPPER.sub(r"_\1", key).lower().replace("-", "_")


_CLASSIC = {snake(key): key for key in (*fields.FIELDS, *session.GET, *torrent_set.KEYS, *ARGUMENTS)}


def to_classic(params: dict) -> dict:
    """JSON-RPC params -> the classic method's arguments (keys and the names inside `fields`)."""
    args = {_CLASSIC.get(key, key): value for key, value in params.items()}
    if isinstance(args.get("fields"), list):
        args["fields"] = [_CLASSIC.get(name, name) if isinstance(name, str) else name for name in args["fields"]]
    if args.get("ids") == "recently_active":
        args["ids"] = RECENTLY_ACTIVE
    return args


def to_snake(value: Any, key: str = "") -> Any:
    """A classic reply -> JSON-RPC's: snake_case keys all the way down, 4.1's value spellings."""
    if isinstance(value, dict):
        return {snake(k): to_snake(v, k) for k, v in value.items()}
    if key == "wanted" and isinstance(value, list):
        return [bool(item) for item in value]
    if key == "encryption" and value == "tolerated":
        return "allowed"
    if key == "torrents" and value and isinstance(value[0], list):  # table format: the names row
        return [[snake(name) for name in value[0]], *[to_snake(row) for row in value[1:]]]
    if isinstance(value, list):
        return [to_snake(item) for item in value]
    return value


def error(code: int, message: str, request_id: Any = None, result: str = "") -> dict:
    data = {"data": {"error_string": result, "result": result}} if result else {}
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message, **data}, "id": request_id}


def handle(request: Any, run: Callable[[str, dict], tuple[str, dict]]) -> dict | None:
    """One JSON-RPC request; *run(classic method, arguments)* -> (result, arguments).
    None for a notification (no id): nothing is sent back."""
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
        return error(INVALID_REQUEST, "Invalid Request", request.get("id") if isinstance(request, dict) else None)
    request_id, params = request.get("id"), request.get("params", {})
    if not isinstance(params, dict):
        return error(INVALID_PARAMS, "Invalid params: params must be an object", request_id)
    result, arguments = run(request["method"].replace("_", "-"), to_classic(params))
    if "id" not in request:
        return None
    if result == "success":
        return {"jsonrpc": "2.0", "result": to_snake(arguments), "id": request_id}
    if result == "method name not recognized":
        return error(METHOD_NOT_FOUND, "Method not found", request_id)
    return error(SYSTEM_ERROR, result, request_id, result)
