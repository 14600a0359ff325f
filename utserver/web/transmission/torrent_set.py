"""torrent-set: Transmission's per-torrent keys onto engine commands, as a table.

Every key is checked before anything changes (a bad value changes nothing). Keys for things the
engine does not have (bandwidth priority, groups, ignoring session limits, a per-torrent peer
limit) are accepted only with the value utserver reports, so a client that sends its whole
properties dialog back works, and a real change gets an error saying it is not supported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from utserver.web.transmission import checks
from utserver.web.transmission.call import Call
from utserver.web.transmission.errors import RpcError
from utserver.web.transmission.subobjects import UT_PRIORITY, by_tier, tracker_list

FILE_KEYS = ("files-wanted", "files-unwanted", "priority-high", "priority-normal", "priority-low")


def _only(expected: Any, why: str) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        if value != expected:
            raise RpcError(f"{name} {value!r} is not supported: {why}")
        return value
    return check


# key -> check(name, value) -> normalised value
KEYS: dict[str, Callable[[str, Any], Any]] = {
    "bandwidthPriority": lambda n, v: _only(0, "utserver has no bandwidth priorities")(n, checks.integer(n, v, -1, 1)),
    "downloadLimit": lambda n, v: checks.integer(n, v, 0),
    "downloadLimited": checks.boolean,
    "uploadLimit": lambda n, v: checks.integer(n, v, 0),
    "uploadLimited": checks.boolean,
    **{key: checks.integers for key in FILE_KEYS},
    "group": _only("", "utserver has no bandwidth groups"),
    "honorsSessionLimits": _only(True, "every torrent obeys the session's limits"),
    "labels": lambda n, v: checks.labels(v),
    "location": checks.text,  # documented, ignored by Transmission 3.00-4.1: torrent-set-location moves
    "peer-limit": lambda n, v: checks.integer(n, v, 1),
    "queuePosition": lambda n, v: checks.integer(n, v, 0),
    "seedRatioMode": lambda n, v: checks.integer(n, v, 0, 2),
    "seedRatioLimit": checks.number,
    "seedIdleMode": lambda n, v: checks.integer(n, v, 0, 2),
    "seedIdleLimit": lambda n, v: checks.integer(n, v, 0),
    "sequential_download": checks.boolean,
    "trackerAdd": checks.strings,
    "trackerRemove": checks.integers,
    "trackerReplace": lambda n, v: v if isinstance(v, list) and len(v) % 2 == 0 else _bad(n, "[id, url, ...]"),
    "trackerList": checks.text,
}


def _bad(name: str, shape: str):
    raise RpcError(f"{name} must be {shape}")


Step = Callable[[], None]  # one engine command, planned before any runs


def torrent_set(call: Call) -> dict:
    args = {key: check(key, call.args[key]) for key, check in KEYS.items() if key in call.args}
    steps: list[Step] = []
    for info_hash in call.selected():  # plan every torrent's changes (checks raise here), then run them
        _check_peer_limit(call, info_hash, args)
        view = call.snapshot[info_hash]
        for keys, plan in GROUPS:
            present = {key: args[key] for key in keys if key in args}
            if present:
                steps += plan(call, view, present)
    for step in steps:
        step()
    return {}


def _check_peer_limit(call: Call, info_hash: str, args: dict) -> None:
    if "peer-limit" in args and args["peer-limit"] != call.engine.details(info_hash).connections_limit:
        raise RpcError("peer-limit per torrent is not supported: the session's peer-limit-per-torrent "
                       "(conns_per_torrent) applies to every torrent")


def _speed(kind: str, key: str, prop: str):
    def plan(call: Call, view, present: dict) -> list[Step]:
        memory = call.front.memory
        limit = present.get(f"{key}Limit", memory.get(view.hash, kind))
        current = view.dl_limit if kind == "down" else view.ul_limit
        rate = limit * 1000 if present.get(f"{key}Limited", current > 0) else 0  # kB/s = 1000 B/s
        return [lambda: memory.put(view.hash, kind, limit), lambda: call.engine.set_prop(view.hash, prop, str(rate))]
    return plan


def _labels(call: Call, view, present: dict) -> list[Step]:
    """µTorrent's one label takes the first, the tags the rest (fields._labels reads them back)."""
    labels = present["labels"]
    return [functools.partial(call.engine.set_prop, view.hash, "label", labels[0] if labels else ""),
            functools.partial(call.engine.set_tags, view.hash, tuple(labels[1:]))]


def plan_files(call: Call, view, present: dict) -> list[Step]:
    files = call.engine.files(view.hash)
    count = len(files)
    chosen = {key: (list(range(count)) if value == [] else value) for key, value in present.items()}
    if any(not 0 <= index < count for indices in chosen.values() for index in indices):
        raise RpcError("file index out of range")
    priority = {index: f.priority for index, f in enumerate(files)}
    for index in chosen.get("files-unwanted", []):
        priority[index] = 0
    for index in chosen.get("files-wanted", []):
        priority[index] = priority[index] or 2
    for key, level in (("priority-high", 1), ("priority-normal", 0), ("priority-low", -1)):
        for index in chosen.get(key, []):
            if priority[index]:  # a priority leaves an unwanted file unwanted
                priority[index] = UT_PRIORITY[level]
    groups: dict[int, list[int]] = {}
    for index, level in priority.items():
        if level != files[index].priority:
            groups.setdefault(level, []).append(index)
    return [functools.partial(call.engine.set_file_priority, view.hash, indices, level)
            for level, indices in groups.items()]


def _queue_position(call: Call, view, present: dict) -> list[Step]:
    positions = call.queue_positions
    moves = min(present["queuePosition"], len(positions) - 1) - positions[view.hash]
    where = "down" if moves > 0 else "up"
    return [functools.partial(call.engine.queue, view.hash, where)] * abs(moves)


def _seeding(call: Call, view, present: dict) -> list[Step]:
    """Transmission's two goal modes onto µTorrent's one override and its two values."""
    ratio_mode = present.get("seedRatioMode", (1 if view.seed_ratio else 2) if view.seed_override else 0)
    idle_mode = present.get("seedIdleMode", (1 if view.seed_time else 2) if view.seed_override else 0)
    ratio = round(present["seedRatioLimit"] * 1000) if "seedRatioLimit" in present else view.seed_ratio
    seconds = present["seedIdleLimit"] * 60 if "seedIdleLimit" in present else view.seed_time
    settings = call.settings
    values = {
        "seed_override": "1" if ratio_mode or idle_mode else "0",
        # mode 0 beside an overridden other goal: copy the session's goal, the nearest µTorrent has
        "seed_ratio": str({0: int(settings.get("seed_ratio")) * 10, 1: ratio, 2: 0}[ratio_mode]
                          if ratio_mode or idle_mode else ratio),
        "seed_time": str({0: int(settings.get("seed_time")), 1: seconds, 2: 0}[idle_mode]
                         if ratio_mode or idle_mode else seconds),
    }
    return [functools.partial(call.engine.set_prop, view.hash, prop, values[prop])
            for prop in ("seed_ratio", "seed_time", "seed_override")]


def _trackers(call: Call, view, present: dict) -> list[Step]:
    current = by_tier(call.engine.trackers(view.hash))
    if "trackerList" in present:
        text = present["trackerList"]
    else:
        tiers = [[t.url] for t in current]
        for raw_id in present.get("trackerRemove", []):
            _tracker(tiers, raw_id)[:] = []
        replace = present.get("trackerReplace", [])
        for raw_id, url in zip(replace[::2], replace[1::2], strict=False):
            _tracker(tiers, raw_id)[:] = [checks.text("trackerReplace", url)]
        tiers += [[url] for url in present.get("trackerAdd", [])]
        text = "\n\n".join(t[0] for t in tiers if t)
    if text == tracker_list(current):
        return []
    return [functools.partial(call.engine.set_prop, view.hash, "trackers", text.replace("\n", "\r\n"))]


def _tracker(tiers: list[list[str]], raw_id: Any) -> list[str]:
    index = checks.integer("tracker id", raw_id)
    if not 0 <= index < len(tiers):
        raise RpcError(f"no tracker with id {index}")
    return tiers[index]


# (keys, plan(call, view, {key: value}) -> steps): one entry per engine concept, in the order run.
GROUPS: tuple[tuple[tuple[str, ...], Callable], ...] = (
    (("downloadLimit", "downloadLimited"), _speed("down", "download", "dlrate")),
    (("uploadLimit", "uploadLimited"), _speed("up", "upload", "ulrate")),
    (FILE_KEYS, plan_files),
    (("labels",), _labels),
    (("seedRatioMode", "seedRatioLimit", "seedIdleMode", "seedIdleLimit"), _seeding),
    (("sequential_download",),
     lambda call, view, p: [functools.partial(call.engine.set_sequential, view.hash, p["sequential_download"])]),
    (("trackerAdd", "trackerRemove", "trackerReplace", "trackerList"), _trackers),
    (("queuePosition",), _queue_position),
)
