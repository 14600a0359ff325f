"""torrents/* actions: each a row of the table at the bottom, next to its handler.

Bulk actions take hashes=h1|h2 (any case) or all, and skip unknown torrents silently; single-torrent
actions answer 404 for an unknown hash (docs/reference/qbittorrent-clients.md §4.5).
The priority moves answer 409 when queueing is off (both µTorrent active limits unlimited).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from utserver.engine import JobError, TorrentView
from utserver.web.qbittorrent import ep_add, prefs
from utserver.web.qbittorrent.call import Call, QbtError, hashes_of, one_hash
from utserver.web.qbittorrent.table import Endpoint, act

# qBittorrent file priority -> µTorrent's (0 skip, 1 low, 2 normal, 3 high).
PRIORITY_FROM_QBT = {0: 0, 1: 2, 6: 3, 7: 3}


def each(command: Callable[[Call, str, TorrentView], None]) -> Callable[[Call], None]:
    """A bulk action: the command for every named torrent that still exists."""
    def handler(call: Call) -> None:
        names = hashes_of(call)
        snapshot = call.engine.snapshot()
        for info_hash in names:
            try:
                command(call, info_hash, snapshot[info_hash])
            except JobError:
                continue  # removed meanwhile: skipped, as unknown hashes are
    return handler


def start(call: Call, h: str, view) -> None:
    if view.paused:
        call.engine.unpause(h)  # qBittorrent has one "stopped": start also lifts µTorrent's Pause
    call.engine.start(h)


def delete(call: Call) -> None:
    data = bool(call.flag("deleteFiles", False))  # required by qBittorrent; Sonarr omits it: default false
    for info_hash in hashes_of(call):
        try:
            call.engine.remove(info_hash, data=data)
        except JobError:
            continue


def force_start(call: Call, h: str, view) -> None:
    call.engine.forcestart(h) if call.flag("value", False) else call.engine.start(h)


def set_limit(prop: str) -> Callable:
    def command(call: Call, h: str, view) -> None:
        call.engine.set_prop(h, prop, str(max(call.number("limit", 0), 0)))
    return command


def set_share_limits(call: Call, h: str, view) -> None:
    call.need("ratioLimit", "seedingTimeLimit")
    limits = ep_add.share_limits(call, call.number("ratioLimit", -2.0, float), call.number("seedingTimeLimit", -2))
    call.engine.set_prop(h, "seed_override", "1" if limits["seed_override"] else "0")
    if limits["seed_override"]:
        call.engine.set_prop(h, "seed_ratio", str(limits["seed_ratio"]))
        call.engine.set_prop(h, "seed_time", str(limits["seed_time"]))


def file_prio(call: Call) -> None:
    info_hash, view = one_hash(call)
    ids, priority = call.need("id", "priority")
    try:
        indices = [int(item) for item in ids.split("|")]
        wanted = PRIORITY_FROM_QBT[int(priority)]
    except (ValueError, KeyError):
        raise QbtError(400, "id must be numbers separated by |, priority one of 0, 1, 6, 7") from None
    count = len(call.engine.files(info_hash))
    if not view.has_metadata or any(not 0 <= index < count for index in indices):
        raise QbtError(409, "File IDs must be valid and the torrent must have metadata")
    call.engine.set_file_priority(info_hash, indices, wanted)


def rename(call: Call) -> None:
    info_hash, _ = one_hash(call)
    name = (call.need("name")[0] or "").strip()
    if not name:
        raise QbtError(409, "Incorrect torrent name")
    call.engine.rename(info_hash, name)


def rename_file(call: Call) -> None:
    info_hash, _ = one_hash(call)
    old, new = (text.strip("/") for text in call.need("oldPath", "newPath"))
    paths = [file.path for file in call.engine.files(info_hash)]
    if old not in paths or not new or new in paths:
        raise QbtError(409, "Invalid file path or name")
    _rename_files(call, info_hash, {paths.index(old): new})


def rename_folder(call: Call) -> None:
    info_hash, _ = one_hash(call)
    old, new = (text.strip("/") + "/" for text in call.need("oldPath", "newPath"))
    paths = [file.path for file in call.engine.files(info_hash)]
    moves = {index: new + path[len(old):] for index, path in enumerate(paths) if path.startswith(old)}
    if not moves or new == "/" or any(path.startswith(new) for path in paths):
        raise QbtError(409, "Invalid folder path or name")
    _rename_files(call, info_hash, moves)


def _rename_files(call: Call, info_hash: str, moves: dict[int, str]) -> None:
    for index, path in moves.items():
        try:
            call.engine.rename_file(info_hash, index, path)
        except ValueError as exc:
            raise QbtError(409, str(exc)) from None


def _location(call: Call, name: str) -> str:
    location = (call.need(name)[0] or "").strip()
    if not location or not os.path.isabs(location):
        raise QbtError(400, "Save path must be an absolute path")
    try:
        os.makedirs(location, exist_ok=True)
    except OSError as exc:
        raise QbtError(409, f"Cannot make save path: {exc.strerror}") from None
    return location


def set_location(call: Call) -> None:
    location = _location(call, "location")
    each(lambda c, h, v: c.engine.move(h, location))(call)


def set_save_path(call: Call) -> None:
    location = _location(call, "path")
    call.params["hashes"] = call.need("id")[0]
    each(lambda c, h, v: c.engine.move(h, location))(call)


def _tiers(call: Call, info_hash: str) -> list[list[str]]:
    tiers: dict[int, list[str]] = {}
    for tracker in call.engine.trackers(info_hash):
        tiers.setdefault(tracker.tier, []).append(tracker.url)
    return [tiers[tier] for tier in sorted(tiers)]


def _set_tiers(call: Call, info_hash: str, tiers: list[list[str]]) -> None:
    call.engine.set_prop(info_hash, "trackers", "\n\n".join("\n".join(tier) for tier in tiers if tier))


def add_trackers(call: Call) -> None:
    info_hash, _ = one_hash(call)
    tiers = _tiers(call, info_hash)
    known = {url for tier in tiers for url in tier}
    new = [url.strip() for url in call.need("urls")[0].splitlines() if url.strip() and url.strip() not in known]
    _set_tiers(call, info_hash, tiers + [[url] for url in new])


def remove_trackers(call: Call) -> None:
    info_hash, _ = one_hash(call)
    gone = set(call.need("urls")[0].split("|"))
    tiers = _tiers(call, info_hash)
    if not gone & {url for tier in tiers for url in tier}:
        raise QbtError(409, "No such trackers")
    _set_tiers(call, info_hash, [[url for url in tier if url not in gone] for tier in tiers])


def edit_tracker(call: Call) -> None:
    info_hash, _ = one_hash(call)
    old = call.get("url") or call.need("origUrl")[0]
    new = call.need("newUrl")[0].strip()
    tiers = _tiers(call, info_hash)
    if old not in {url for tier in tiers for url in tier} or not new:
        raise QbtError(409, "Tracker not found or new URL invalid")
    _set_tiers(call, info_hash, [[new if url == old else url for url in tier] for tier in tiers])


def set_auto_management(call: Call) -> None:
    """Automatic torrent management is always off in utserver: turning it off is a no-op."""
    hashes_of(call)
    if call.flag("enable", False):
        raise QbtError(409, "Automatic torrent management is not supported by utserver")


def queue(where: str) -> Callable:
    move = each(lambda call, h, view: call.engine.queue(h, where))

    def handler(call: Call) -> None:
        if not prefs.queueing(call.parts.settings):
            raise QbtError(409, "Torrent queueing must be enabled")
        move(call)
    return handler


ENDPOINTS: tuple[Endpoint, ...] = (
    act("torrents", "add", ep_add.add),
    act("torrents", "delete", delete),
    act("torrents", "stop", each(lambda call, h, view: call.engine.stop(h))),
    act("torrents", "pause", each(lambda call, h, view: call.engine.stop(h))),
    act("torrents", "start", each(start)),
    act("torrents", "resume", each(start)),
    act("torrents", "recheck", each(lambda call, h, view: call.engine.recheck(h))),
    act("torrents", "reannounce", each(lambda call, h, view: call.engine.reannounce(h))),
    act("torrents", "setForceStart", each(force_start)),
    act("torrents", "setSuperSeeding",
        each(lambda call, h, view: call.engine.set_prop(h, "superseed", "1" if call.flag("value") else "0"))),
    act("torrents", "toggleSequentialDownload",
        each(lambda call, h, view: call.engine.set_sequential(h, not view.sequential))),
    act("torrents", "toggleFirstLastPiecePrio",
        each(lambda call, h, view: call.engine.set_first_last(h, not view.first_last))),
    act("torrents", "setDownloadLimit", each(set_limit("dlrate"))),
    act("torrents", "setUploadLimit", each(set_limit("ulrate"))),
    act("torrents", "setShareLimits", each(set_share_limits)),
    act("torrents", "topPrio", queue("top")),
    act("torrents", "bottomPrio", queue("bottom")),
    act("torrents", "increasePrio", queue("up")),
    act("torrents", "decreasePrio", queue("down")),
    act("torrents", "filePrio", file_prio),
    act("torrents", "rename", rename),
    act("torrents", "renameFile", rename_file),
    act("torrents", "renameFolder", rename_folder),
    act("torrents", "setLocation", set_location),
    act("torrents", "setAutoManagement", set_auto_management),
    act("torrents", "setSavePath", set_save_path),
    act("torrents", "addTrackers", add_trackers),
    act("torrents", "removeTrackers", remove_trackers),
    act("torrents", "editTracker", edit_tracker),
)
