"""torrents/* reads: info (filters, sort, paging), properties, files, trackers, webseeds, pieceStates.

Facts: docs/reference/qbittorrent-clients.md §3.1-3.2 and §4.2-4.4.
"""

from __future__ import annotations

import bottle

from utserver.engine import TorrentView
from utserver.web.qbittorrent import fields
from utserver.web.qbittorrent.call import Call, QbtError, one_hash
from utserver.web.qbittorrent.table import Endpoint, read

# µTorrent file priority (0 skip, 1 low, 2 normal, 3 high) -> qBittorrent's (0, 1 normal, 6 high, 7 max).
PRIORITY_TO_QBT = {0: 0, 1: 1, 2: 1, 3: 6}
# TrackerView.status -> qBittorrent's tracker status integers.
TRACKER_STATUS = {"not_contacted": 1, "working": 2, "updating": 3, "not_working": 4}


def info(call: Call):
    snapshot = call.engine.snapshot()
    glob = fields.globals_of(call.parts.settings)
    cache: fields.RowCache = call.front.rows
    cache.prune(snapshot)
    keep = fields.FILTERS.get((call.get("filter") or "all").lower(), fields.FILTERS["all"])
    category, tag = call.get("category"), call.get("tag")
    rows = []
    for view in _wanted(call, snapshot):
        if category is not None and view.label != category:
            continue
        if tag is not None and (tag not in view.tags if tag else view.tags):
            continue
        state, text = cache.get(view, glob)
        if keep(state, view):
            rows.append((view, text))
    rows = _sorted(call, rows, glob)
    offset, limit = call.number("offset", 0), call.number("limit", 0)
    if offset < 0:
        offset = max(len(rows) + offset, 0)
    rows = rows[offset:offset + limit] if limit > 0 else rows[offset:]
    trackers, files = call.flag("includeTrackers"), call.flag("includeFiles")
    if not (trackers or files):  # the common case: the cached JSON of each row, joined
        body = "[" + ",".join(text for _, text in rows) + "]"
        return bottle.HTTPResponse(body.encode(), 200, {"Content-Type": "application/json"})
    extended = [fields.as_dict(fields.values(view, glob)) for view, _ in rows]
    for item in extended:
        if trackers:
            item["trackers"] = _tracker_rows(call, item["hash"].upper())
        if files:
            item["files"] = _file_rows(call, item["hash"].upper(), None)
    return extended


def _wanted(call: Call, snapshot) -> list:
    hashes = call.get("hashes")
    if hashes is None or hashes.strip().lower() == "all":
        return list(snapshot.values())
    return [snapshot[h] for h in (item.strip().upper() for item in hashes.split("|")) if h in snapshot]


def _sorted(call: Call, rows: list[tuple[TorrentView, str]], glob: fields.Globals) -> list[tuple[TorrentView, str]]:
    key = call.get("sort")
    if not key:
        return rows
    if key not in fields.KEYS:
        raise QbtError(400, f"sort: no field {key!r}")

    def order(pair: tuple[TorrentView, str]) -> tuple[bool, object]:
        found = fields.value(pair[0], glob, key)
        return found is None, found
    return sorted(rows, key=order, reverse=bool(call.flag("reverse")))


def properties(call: Call) -> dict:
    info_hash, view = one_hash(call)
    details = call.engine.details(info_hash)
    done = fields.finished(view)
    return {
        "hash": view.hash.lower(), "name": view.name, "infohash_v1": details.info_hash_v1.lower(),
        "infohash_v2": details.info_hash_v2.lower(), "save_path": view.save_path, "download_path": "",
        "creation_date": details.creation_date or -1, "piece_size": details.piece_length,
        "comment": details.comment, "created_by": details.created_by, "total_wasted": details.wasted,
        "total_uploaded": view.uploaded, "total_uploaded_session": details.uploaded_session,
        "total_downloaded": view.downloaded, "total_downloaded_session": details.downloaded_session,
        "up_limit": view.ul_limit if view.ul_limit > 0 else -1,
        "dl_limit": view.dl_limit if view.dl_limit > 0 else -1,
        "time_elapsed": details.active_time, "seeding_time": details.seeding_time,
        "nb_connections": details.connections, "nb_connections_limit": details.connections_limit,
        "share_ratio": round(view.ratio / 1000, 3), "addition_date": view.added_on or -1,
        "completion_date": view.completed_on or -1, "dl_speed": view.down_rate, "up_speed": view.up_rate,
        "dl_speed_avg": view.downloaded // details.active_time if details.active_time > 0 else 0,
        "up_speed_avg": view.uploaded // details.active_time if details.active_time > 0 else 0,
        "eta": 0 if done else (view.eta if 0 <= view.eta < fields.ETA_UNKNOWN else fields.ETA_UNKNOWN),
        "last_seen": details.last_seen_complete or -1, "peers": view.peers_connected,
        "peers_total": view.peers_swarm, "seeds": view.seeds_connected, "seeds_total": view.seeds_swarm,
        "pieces_have": details.pieces_have, "pieces_num": details.num_pieces,
        "reannounce": details.next_announce, "total_size": details.total_size,
        "is_private": details.private, "private": details.private if view.has_metadata else None,
        "has_metadata": view.has_metadata, "progress": fields.progress(view),
        "popularity": fields.value(view, fields.globals_of(call.parts.settings), "popularity"),
    }


def files(call: Call) -> list[dict]:
    info_hash, _ = one_hash(call)
    indexes = call.get("indexes")
    try:
        wanted = {int(item) for item in indexes.split("|")} if indexes else None
    except ValueError:
        raise QbtError(400, "indexes: not a list of numbers") from None
    return _file_rows(call, info_hash, wanted)


def _file_rows(call: Call, info_hash: str, wanted: set[int] | None) -> list[dict]:
    listed = call.engine.files(info_hash)
    rows = []
    for index, file in enumerate(listed):
        if wanted is not None and index not in wanted:
            continue
        rows.append({"index": index, "name": file.path, "size": file.size,
                     "progress": 1 if file.size and file.downloaded >= file.size else
                     round(file.downloaded / file.size, 4) if file.size else 0,
                     "priority": PRIORITY_TO_QBT[file.priority],
                     "piece_range": [file.first_piece, file.first_piece + max(file.num_pieces, 1) - 1],
                     "availability": -1})
    if rows:
        view = call.engine.snapshot().get(info_hash)
        rows[0]["is_seed"] = bool(view and fields.finished(view))
    return rows


def trackers(call: Call) -> list[dict]:
    info_hash, _ = one_hash(call)
    return _tracker_rows(call, info_hash)


def _tracker_rows(call: Call, info_hash: str) -> list[dict]:
    details = call.engine.details(info_hash)
    settings = call.parts.settings
    private = "This torrent is private" if details.private else ""
    rows = [{"url": f"** [{name}] **", "tier": -1, "status": 0 if details.private or not settings.get(key) else 2,
             "msg": private, "num_peers": 0, "num_seeds": 0, "num_leeches": 0, "num_downloaded": 0}
            for name, key in (("DHT", "dht"), ("PeX", "pex"), ("LSD", "lsd"))]
    for tracker in call.engine.trackers(info_hash):
        rows.append({"url": tracker.url, "tier": tracker.tier, "status": TRACKER_STATUS.get(tracker.status, 1),
                     "msg": tracker.message, "num_peers": tracker.peers, "num_seeds": tracker.seeds,
                     "num_leeches": tracker.peers, "num_downloaded": tracker.downloaded})
    return rows


def webseeds(call: Call) -> list[dict]:
    info_hash, _ = one_hash(call)
    return [{"url": url} for url in call.engine.web_seeds(info_hash)]


def piece_states(call: Call) -> list[int]:
    info_hash, _ = one_hash(call)
    return list(call.engine.piece_states(info_hash))


def limits(kind: str):
    def handler(call: Call) -> dict:
        snapshot = call.engine.snapshot()
        names = (call.need("hashes")[0] or "").split("|")
        if names and names[0].strip().lower() == "all":
            names = list(snapshot)
        return {name.strip().lower(): max(getattr(snapshot[name.strip().upper()], kind), 0)
                if name.strip().upper() in snapshot else -1 for name in names if name.strip()}
    return handler


ENDPOINTS: tuple[Endpoint, ...] = (
    read("torrents", "info", info),
    read("torrents", "properties", properties),
    read("torrents", "files", files),
    read("torrents", "trackers", trackers),
    read("torrents", "webseeds", webseeds),
    read("torrents", "pieceStates", piece_states),
    read("torrents", "count", lambda call: str(len(call.engine.snapshot()))),
    read("torrents", "downloadLimit", limits("dl_limit")),
    read("torrents", "uploadLimit", limits("ul_limit")),
)
