"""session-get / session-set: Transmission's session keys <-> utserver's catalog settings, a table.

Units: Transmission's speeds are kB/s (1000 B/s), the catalog's KiB/s; its ratio is a number, the
catalog's seed_ratio percent; its idle limit minutes, the catalog's seed_time seconds. A switch
that is off keeps its value in the front's memory (Transmission shows it greyed out).
Keys that map to no settable setting are accepted unchanged (clients send the whole preferences
dialog back) and refused with the setting's name when changed. Unknown keys are ignored, as
Transmission does. Every change is checked first; then they all go to the catalog at once.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from utserver import __version__
from utserver.web.transmission import checks
from utserver.web.transmission.call import Call
from utserver.web.transmission.errors import RpcError

# What utserver claims (docs/reference/transmission-clients.md): 4.0's numbers unlock labels in the
# *arr apps and the 4.0 field set; no client refuses them; JSON-RPC (4.1, rpc 18+) is not spoken.
RPC_VERSION, RPC_VERSION_MINIMUM, RPC_SEMVER = 17, 14, "5.3.0"
VERSION = f"4.0.6 (utserver {__version__})"
UNITS = {"speed-units": ["kB/s", "MB/s", "GB/s", "TB/s"], "speed-bytes": 1000,
         "size-units": ["kB", "MB", "GB", "TB"], "size-bytes": 1000,
         "memory-units": ["KiB", "MiB", "GiB", "TiB"], "memory-bytes": 1024}
ENCRYPTION = {0: "tolerated", 1: "preferred", 2: "required"}
ENCRYPTION_MODE = {**{name: mode for mode, name in ENCRYPTION.items()}, "allowed": 0}
UTP_BITS = 2 | 8  # bt.transp_disposition: outgoing and incoming uTP
TCP_BITS = 1 | 4


def download_dir(settings) -> str:
    """Where a new torrent's data ends up: dir_completed when set, else dir_active."""
    return str(settings.path("dir_completed" if settings.get("dir_completed") else "dir_active"))


def _kb(kib: int) -> int:
    return round(kib * 1.024)


def _kib(kb: int) -> int:
    return max(1, round(kb / 1.024))


def _switched(setting: str, kind: str, to_value: Callable[[int], Any], default: float):
    """(value getter, enabled getter) for a catalog number where <= 0 means off."""
    def value(call: Call):
        raw = int(call.settings.get(setting))
        return to_value(raw) if raw > 0 else call.front.memory.get("", kind, default)
    return value, lambda call: int(call.settings.get(setting)) > 0


_down, _down_on = _switched("max_dl_rate", "down", _kb, 100)
_up, _up_on = _switched("max_ul_rate", "up", _kb, 100)
_ratio, _ratio_on = _switched("seed_ratio", "ratio", lambda pct: pct / 100, 2.0)
_idle, _idle_on = _switched("seed_time", "idle", lambda s: s // 60, 30)


def _bits(setting: str, bits: int) -> Callable[[Call], bool]:
    return lambda call: bool(int(call.settings.get(setting)) & bits)


def _flag(setting: str) -> Callable[[Call], bool]:
    return lambda call: bool(call.settings.get(setting))


def _free(call: Call) -> int:
    try:
        return shutil.disk_usage(download_dir(call.settings)).free
    except OSError:
        return -1


def _queue_size(call: Call) -> int:
    size = int(call.settings.get("max_active_downloads"))
    return size if size >= 0 else call.front.memory.get("", "queue", 5)


GET: dict[str, Callable[[Call], Any]] = {
    "alt-speed-down": lambda c: 50, "alt-speed-up": lambda c: 50, "alt-speed-enabled": lambda c: False,
    "alt-speed-time-begin": lambda c: 540, "alt-speed-time-end": lambda c: 1020,
    "alt-speed-time-day": lambda c: 127, "alt-speed-time-enabled": lambda c: False,
    "blocklist-enabled": lambda c: False, "blocklist-size": lambda c: 0, "blocklist-url": lambda c: "",
    "cache-size-mb": lambda c: int(c.settings.get("disk_cache_max_size")),
    "config-dir": lambda c: str(c.settings.settings_path),
    "default-trackers": lambda c: "",
    "dht-enabled": _flag("dht"), "lpd-enabled": _flag("lsd"), "pex-enabled": _flag("pex"),
    "utp-enabled": _bits("bt.transp_disposition", UTP_BITS), "tcp-enabled": _bits("bt.transp_disposition", TCP_BITS),
    "download-dir": lambda c: download_dir(c.settings),
    "download-dir-free-space": _free,
    "download-queue-enabled": lambda c: int(c.settings.get("max_active_downloads")) >= 0,
    "download-queue-size": _queue_size,
    "encryption": lambda c: ENCRYPTION[int(c.settings.get("encryption_mode"))],
    "idle-seeding-limit": _idle, "idle-seeding-limit-enabled": _idle_on,
    "incomplete-dir": lambda c: str(c.settings.path("dir_active")),
    "incomplete-dir-enabled": lambda c: bool(c.settings.get("dir_completed")) and download_dir(c.settings) != str(
        c.settings.path("dir_active")),
    "peer-limit-global": lambda c: int(c.settings.get("max_total_connections")),
    "peer-limit-per-torrent": lambda c: int(c.settings.get("conns_per_torrent")),
    "peer-port": lambda c: int(c.settings.get("bind_port")),
    "peer-port-random-on-start": _flag("randomize_bind_port"),
    "port-forwarding-enabled": lambda c: bool(c.settings.get("upnp") or c.settings.get("natpmp")),
    "queue-stalled-enabled": lambda c: False, "queue-stalled-minutes": lambda c: 30,
    "rename-partial-files": lambda c: False,
    "rpc-version": lambda c: RPC_VERSION, "rpc-version-minimum": lambda c: RPC_VERSION_MINIMUM,
    "rpc-version-semver": lambda c: RPC_SEMVER,
    "script-torrent-done-enabled": lambda c: bool(c.settings.get("finish_cmd")),
    "script-torrent-done-filename": lambda c: str(c.settings.get("finish_cmd") or c.front.memory.get("", "script", "")),
    "seed-queue-enabled": lambda c: False, "seed-queue-size": lambda c: 10,
    "seedRatioLimit": _ratio, "seedRatioLimited": _ratio_on,
    "session-id": lambda c: c.front.session_id.current,
    "speed-limit-down": _down, "speed-limit-down-enabled": _down_on,
    "speed-limit-up": _up, "speed-limit-up-enabled": _up_on,
    "start-added-torrents": lambda c: True,
    "trash-original-torrent-files": _flag("dir_autoload_delete"),
    "units": lambda c: UNITS,
    "version": lambda c: VERSION,
}

READ_ONLY = {"blocklist-size", "config-dir", "rpc-version", "rpc-version-minimum", "rpc-version-semver",
             "session-id", "units", "version", "download-dir-free-space"}


def _switch_pairs(setting: str, value_key: str, on_key: str, to_catalog: Callable[[Any], int],
                  check_value: Callable[[str, Any], Any]):
    """A limit and its switch -> the catalog value (off = -1 or 0, the catalog's "none")."""
    off = -1 if setting in ("max_dl_rate", "max_ul_rate") else 0

    def pairs(call: Call, present: dict) -> list[tuple[str, str]]:
        value = check_value(value_key, present[value_key]) if value_key in present else GET[value_key](call)
        on = checks.boolean(on_key, present[on_key]) if on_key in present else GET[on_key](call)
        return [(setting, str(to_catalog(value) if on else off))]
    return pairs


def _int(lo: int = 0) -> Callable[[str, Any], int]:
    return lambda name, value: checks.integer(name, value, lo)


def _number(name: str, value: Any) -> float:
    return checks.number(name, value)


def _transport(call: Call, present: dict) -> list[tuple[str, str]]:
    bits = int(call.settings.get("bt.transp_disposition"))
    for key, mask in (("utp-enabled", UTP_BITS), ("tcp-enabled", TCP_BITS)):
        if key in present:
            bits = bits | mask if checks.boolean(key, present[key]) else bits & ~mask
    if not bits:
        raise RpcError("tcp-enabled and utp-enabled cannot both be false")
    return [("bt.transp_disposition", str(bits))]


def _queue(call: Call, present: dict) -> list[tuple[str, str]]:
    size = _queue_size(call)
    if "download-queue-size" in present:
        size = checks.integer("download-queue-size", present["download-queue-size"], 0)
    on = checks.boolean("download-queue-enabled",
                        present.get("download-queue-enabled", GET["download-queue-enabled"](call)))
    return [("max_active_downloads", str(size if on else -1))]


def _script(call: Call, present: dict) -> list[tuple[str, str]]:
    current = str(call.settings.get("finish_cmd")) or str(call.front.memory.get("", "script", ""))
    command = checks.text("script-torrent-done-filename", present.get("script-torrent-done-filename", current))
    on = checks.boolean("script-torrent-done-enabled",
                        present.get("script-torrent-done-enabled", GET["script-torrent-done-enabled"](call)))
    return [("finish_cmd", command if on else "")]


def _one(setting: str, convert: Callable[[str, Any], Any]):
    def pairs(call: Call, present: dict) -> list[tuple[str, str]]:
        (key, value), = present.items()
        return [(setting, str(convert(key, value)))]
    return pairs


def _encryption(name: str, value: Any) -> int:
    mode = ENCRYPTION_MODE.get(checks.text(name, value))
    if mode is None:
        raise RpcError('encryption must be "required", "preferred" or "tolerated"')
    return mode


# (keys, pairs(call, {key: value}) -> [(catalog setting, text)]): what session-set can change.
SET: tuple[tuple[tuple[str, ...], Callable], ...] = (
    (("speed-limit-down", "speed-limit-down-enabled"),
     _switch_pairs("max_dl_rate", "speed-limit-down", "speed-limit-down-enabled", _kib, _int(0))),
    (("speed-limit-up", "speed-limit-up-enabled"),
     _switch_pairs("max_ul_rate", "speed-limit-up", "speed-limit-up-enabled", _kib, _int(0))),
    (("seedRatioLimit", "seedRatioLimited"),
     _switch_pairs("seed_ratio", "seedRatioLimit", "seedRatioLimited", lambda r: max(1, round(r * 100)),
                   _number)),
    (("idle-seeding-limit", "idle-seeding-limit-enabled"),
     _switch_pairs("seed_time", "idle-seeding-limit", "idle-seeding-limit-enabled",
                   lambda m: max(1, m) * 60, _int(1))),
    (("peer-limit-global",), _one("max_total_connections", _int(2))),
    (("peer-limit-per-torrent",), _one("conns_per_torrent", _int(1))),
    (("peer-port",), _one("bind_port", _int(1))),
    (("encryption",), _one("encryption_mode", _encryption)),
    (("utp-enabled", "tcp-enabled"), _transport),
    (("download-queue-enabled", "download-queue-size"), _queue),
    (("script-torrent-done-enabled", "script-torrent-done-filename"), _script),
)
SETTABLE = {key for keys, _ in SET for key in keys}
# Values kept while their switch is off: key -> the front's memory slot (written once the set succeeded).
REMEMBERED = {"speed-limit-down": "down", "speed-limit-up": "up", "seedRatioLimit": "ratio",
              "idle-seeding-limit": "idle", "download-queue-size": "queue", "script-torrent-done-filename": "script"}


def session_get(call: Call) -> dict:
    names = call.args.get("fields")
    wanted = GET if names is None else [name for name in checks.strings("fields", names) if name in GET]
    return {name: GET[name](call) for name in wanted}


def session_set(call: Call) -> dict:
    args = {key: value for key, value in call.args.items() if key in GET}
    for key, value in args.items():
        if key not in SETTABLE and value != GET[key](call):
            raise RpcError(f"{key} cannot be changed through the Transmission RPC" +
                           ("" if key in READ_ONLY else ": utserver has no such setting, or it is set in "
                            "utserver.conf (see docs/transmission.md)"))
    pairs = [pair for keys, make in SET if any(key in args for key in keys)
             for pair in make(call, {key: args[key] for key in keys if key in args})]
    if pairs:
        try:
            call.settings.set_from_api(pairs)
        except ValueError as exc:
            raise RpcError(str(exc)) from None
    for key, slot in REMEMBERED.items():
        if key in args:
            call.front.memory.put("", slot, args[key])
    return {}
