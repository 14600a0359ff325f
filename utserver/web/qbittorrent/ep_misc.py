"""transfer/*, sync/*, log/main, and the answers for what utserver does not have (search, RSS).

Alternative speed limits are this front's: while the mode is on, the catalog's max_dl_rate and
max_ul_rate hold the alternative pair and the normal pair waits in the front's store.
Missing features answer as qBittorrent answers when it lacks them (§4.7 of
docs/reference/qbittorrent-clients.md): empty lists and objects, 409 for search/start, 404 for jobs.
"""

from __future__ import annotations

import shutil

from utserver import logs
from utserver.web.qbittorrent import fields, prefs, sync
from utserver.web.qbittorrent.call import Call, QbtError, one_hash
from utserver.web.qbittorrent.ep_labels import all_tags, category_map
from utserver.web.qbittorrent.table import Endpoint, act, read

LOG_TYPES = {"normal": 1, "info": 2, "warning": 4, "critical": 8}


def _limits(call: Call) -> tuple[int, int]:
    get = call.parts.settings.get
    return prefs.kib_to_bytes(get("max_dl_rate")), prefs.kib_to_bytes(get("max_ul_rate"))


def transfer_info(call: Call) -> dict:
    totals = call.engine.totals()
    dl_limit, up_limit = _limits(call)
    return {"dl_info_speed": totals["down_rate"], "dl_info_data": totals["downloaded_session"],
            "up_info_speed": totals["up_rate"], "up_info_data": totals["uploaded_session"],
            "dl_rate_limit": dl_limit, "up_rate_limit": up_limit, "dht_nodes": totals["dht_nodes"],
            "connection_status": "connected"}


def set_alt_mode(call: Call, on: bool) -> None:
    alt, settings = call.front.store.alt_limits, call.parts.settings
    if bool(alt["on"]) == on:
        return
    if on:
        alt.update(dl_normal=int(settings.get("max_dl_rate")), up_normal=int(settings.get("max_ul_rate")))
        pairs = [("max_dl_rate", prefs.bytes_to_kib(alt["dl"])), ("max_ul_rate", prefs.bytes_to_kib(alt["up"]))]
    else:
        pairs = [("max_dl_rate", str(alt["dl_normal"])), ("max_ul_rate", str(alt["up_normal"]))]
    settings.set_from_api(pairs)
    alt["on"] = int(on)
    call.front.store.save()


def set_speed_limits_mode(call: Call) -> None:
    mode = call.need("mode")[0].strip()
    if mode not in ("0", "1"):
        raise QbtError(400, "mode must be 0 or 1")
    set_alt_mode(call, mode == "1")


def set_global_limit(setting: str, slot: str):
    def handler(call: Call) -> None:
        call.need("limit")
        limit = max(call.number("limit", 0), 0)
        call.parts.settings.set_from_api([(setting, prefs.bytes_to_kib(limit))])
        if call.front.store.alt_limits["on"]:
            call.front.store.alt_limits[slot] = limit
            call.front.store.save()
    return handler


def server_state(call: Call, digest: sync.Digest) -> dict:
    info = transfer_info(call)
    uploaded, downloaded = digest.uploaded, digest.downloaded
    return {**info, "alltime_dl": downloaded, "alltime_ul": uploaded,
            "global_ratio": f"{uploaded / downloaded:.2f}" if downloaded else "-",
            "total_peer_connections": digest.connections,
            "queueing": prefs.queueing(call.parts.settings), "use_alt_speed_limits": bool(call.front.store.alt_limits["on"]),
            "refresh_interval": 1500, "free_space_on_disk": _free_space(call),
            "read_cache_hits": "0", "read_cache_overload": "0", "write_cache_overload": "0",
            "total_buffers_size": 0, "queued_io_jobs": 0, "average_time_queue": 0, "total_queued_size": 0,
            "total_wasted_session": 0}


def _free_space(call: Call) -> int:
    try:
        return shutil.disk_usage(call.parts.settings.path("dir_active")).free
    except OSError:
        return 0


def maindata(call: Call) -> dict:
    session = call.session
    if session.sync is None:
        session.sync = sync.SyncState()
    snapshot = call.engine.snapshot()
    glob = fields.globals_of(call.parts.settings)

    def render(view) -> dict:
        return {key: value for key, value in fields.as_dict(fields.values(view, glob)).items() if key != "hash"}
    digest = call.front.digests.of(snapshot)
    sections = {"categories": category_map(call, digest.labels), "tags": all_tags(call, digest.tags),
                "server_state": server_state(call, digest)}
    return sync.delta(session.sync, call.number("rid", 0), digest.snapshot, render, sections,
                      "torrents", "torrents_removed", lambda view: call.front.rows.bare_text(view, glob),
                      kept=True, reply_key=str.lower)


def torrent_peers(call: Call) -> dict:
    info_hash, _ = one_hash(call)
    state = call.session.peers_sync.setdefault(info_hash, sync.SyncState())
    peers = {f"{peer.ip}:{peer.port}": peer for peer in call.engine.peers(info_hash)}
    reply = sync.delta(state, call.number("rid", 0), peers, _peer_row, {}, "peers", "peers_removed")
    reply["show_flags"] = True
    return reply


def _peer_row(peer) -> dict:
    return {"ip": peer.ip, "port": peer.port, "client": peer.client, "peer_id_client": "",
            "connection": "μTP" if peer.utp else "BT", "country": "", "country_code": "",
            "dl_speed": peer.down_rate, "up_speed": peer.up_rate, "downloaded": peer.downloaded,
            "uploaded": peer.uploaded, "progress": round(peer.progress / 1000, 3), "relevance": 0,
            "flags": " ".join(peer.flags), "flags_desc": "", "files": ""}


def log_main(call: Call) -> list[dict]:
    wanted = {code for name, code in LOG_TYPES.items() if call.flag(name, True)}
    return [{"id": entry.id, "message": entry.message, "timestamp": entry.timestamp, "type": entry.type}
            for entry in logs.recent(call.number("last_known_id", -1)) if entry.type in wanted]


def _search_start(call: Call):
    raise QbtError(409, "Python must be installed to use the Search Engine.")


def _no_job(call: Call):
    raise QbtError(404)


ENDPOINTS: tuple[Endpoint, ...] = (
    read("transfer", "info", transfer_info),
    read("transfer", "speedLimitsMode", lambda call: "1" if call.front.store.alt_limits["on"] else "0"),
    act("transfer", "toggleSpeedLimitsMode", lambda call: set_alt_mode(call, not call.front.store.alt_limits["on"])),
    act("transfer", "setSpeedLimitsMode", set_speed_limits_mode),
    read("transfer", "downloadLimit", lambda call: str(_limits(call)[0])),
    read("transfer", "uploadLimit", lambda call: str(_limits(call)[1])),
    act("transfer", "setDownloadLimit", set_global_limit("max_dl_rate", "dl")),
    act("transfer", "setUploadLimit", set_global_limit("max_ul_rate", "up")),
    read("sync", "maindata", maindata),
    read("sync", "torrentPeers", torrent_peers),
    read("log", "main", log_main),
    read("log", "peers", lambda call: []),
    read("search", "plugins", lambda call: []),
    act("search", "start", _search_start),
    *(read("search", action, _no_job) for action in ("status", "results")),
    *(act("search", action, _no_job) for action in ("stop", "delete")),
    read("rss", "items", lambda call: {}),
    read("rss", "rules", lambda call: {}),
)
