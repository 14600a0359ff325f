"""torrent-add: a .torrent as base64 `metainfo`, or a URL / magnet link as `filename`.

The reply names the torrent as `torrent-added`, or `torrent-duplicate` when the engine had it
already (it then changes nothing). Only the administrator adds, so an absolute `download-dir`
is taken as given, as transmission-daemon does; the session's own download-dir means "the
default folders" (dir_active, then dir_completed when set).
"""

from __future__ import annotations

import base64
import binascii

from utserver.engine import AddError, AddOptions
from utserver.web.transmission import checks, session
from utserver.web.transmission.call import Call
from utserver.web.transmission.errors import RpcError
from utserver.web.transmission.torrent_set import FILE_KEYS, KEYS, plan_files

URL_SCHEMES = ("http://", "https://", "magnet:")


def torrent_add(call: Call) -> dict:
    args = call.args
    options = _options(call)
    wanted_files = {key: KEYS[key](key, args[key]) for key in FILE_KEYS if key in args}
    if "bandwidthPriority" in args:
        KEYS["bandwidthPriority"]("bandwidthPriority", args["bandwidthPriority"])
    if "peer-limit" in args and KEYS["peer-limit"]("peer-limit", args["peer-limit"]) != call.settings.get("conns_per_torrent"):
        raise RpcError("peer-limit per torrent is not supported: the session's peer-limit-per-torrent applies")
    before = call.snapshot
    if "metainfo" in args:
        try:
            info_hash = call.engine.add_bytes(_metainfo(args["metainfo"]), options)
        except AddError as exc:  # Transmission's words first: apps may match them
            raise RpcError(f"invalid or corrupt torrent file: {exc}") from None
    elif "filename" in args:
        info_hash = call.engine.add_url(_url(args["filename"]), options)
    else:
        raise RpcError("no filename or metainfo specified")
    duplicate = info_hash in before
    view = call.refreshed().get(info_hash)
    if wanted_files and not duplicate and view is not None and view.has_metadata:
        for step in plan_files(call, view, wanted_files):
            step()
    key = "torrent-duplicate" if duplicate else "torrent-added"
    name = view.name if view is not None else info_hash.lower()
    return {key: {"hashString": info_hash.lower(), "id": call.front.ids.id_of(info_hash), "name": name}}


def _options(call: Call) -> AddOptions:
    args = call.args
    labels = checks.labels(args["labels"]) if "labels" in args else []
    paused = checks.boolean("paused", args.get("paused", False))
    folder = None
    if "download-dir" in args:
        folder = checks.absolute("download-dir", args["download-dir"], "download directory path is not absolute")
        if folder == session.download_dir(call.settings):
            folder = None  # the default: keep the active/completed folders
    # Transmission downloads into download-dir from the start
    return AddOptions(save_path=folder, in_place=True, label=labels[0] if labels else "", tags=tuple(labels[1:]),
                      stopped=paused)


def _metainfo(value) -> bytes:
    try:
        data = base64.b64decode(checks.text("metainfo", value), validate=False)
    except (binascii.Error, ValueError):
        raise RpcError("invalid or corrupt torrent file: metainfo is not base64") from None
    if not data:
        raise RpcError("invalid or corrupt torrent file: metainfo is empty")
    return data


def _url(value) -> str:
    url = checks.text("filename", value).strip()
    if not url.lower().startswith(URL_SCHEMES):
        raise RpcError("filename must be an http(s) URL or a magnet link: utserver does not read "
                       "files named by path; send the file's bytes as metainfo")
    return url
