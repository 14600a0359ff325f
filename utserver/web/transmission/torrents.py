"""torrent-get and the torrent commands: start, stop, verify, remove, move, rename, queue moves."""

from __future__ import annotations

from collections.abc import Callable

from utserver.engine import Engine, JobError
from utserver.web.transmission import checks, fields
from utserver.web.transmission.call import Call
from utserver.web.transmission.errors import RpcError
from utserver.web.transmission.ids import RECENTLY_ACTIVE


def torrent_get(call: Call) -> dict:
    names = call.args.get("fields")
    if not isinstance(names, list) or not names:
        raise RpcError("no fields specified", {"torrents": []})
    wanted = fields.known(checks.strings("fields", names))
    table = call.args.get("format", "objects")
    if table not in ("objects", "table"):
        raise RpcError('format must be "objects" or "table"')
    snapshot = call.snapshot
    rows = []
    for info_hash in call.selected():
        try:
            rows.append(fields.values(call, snapshot[info_hash], wanted))
        except JobError:
            continue  # removed while this reply was being built
    torrents = [wanted, *rows] if table == "table" else [dict(zip(wanted, row, strict=False)) for row in rows]
    reply: dict = {"torrents": torrents}
    if call.args.get("ids") == RECENTLY_ACTIVE:
        reply["removed"] = call.front.ids.recent()[1]
    return reply


def each(command: Callable[[Engine, str], None]) -> Callable[[Call], dict]:
    """A method that runs one engine command on every torrent `ids` names."""
    def run(call: Call) -> dict:
        for info_hash in call.selected():
            command(call.engine, info_hash)
        return {}
    return run


def remove(call: Call) -> dict:
    data = checks.boolean("delete-local-data", call.args.get("delete-local-data", False))
    for info_hash in call.selected():
        call.engine.remove(info_hash, data=data, torrent=False)  # dir_torrent_files is the user's archive
    return {}


def queue_move(where: str) -> Callable[[Call], dict]:
    """queue-move-*: moving several keeps their order (the first named ends highest for top/up)."""
    def run(call: Call) -> dict:
        positions = call.queue_positions  # every torrent of the snapshot call.selected() picks from
        hashes = sorted(call.selected(), key=positions.__getitem__, reverse=where in ("top", "down"))
        for info_hash in hashes:
            call.engine.queue(info_hash, where)
        return {}
    return run


def set_location(call: Call) -> dict:
    folder = checks.absolute("location", call.args.get("location"), "new location path is not absolute")
    if not checks.boolean("move", call.args.get("move", False)):
        raise RpcError("torrent-set-location with move=false (look for the data there) is not supported; "
                       "send move=true to move the data")
    for info_hash in call.selected():
        call.engine.move(info_hash, folder)
    return {}


def rename_path(call: Call) -> dict:
    hashes = call.selected()
    if len(hashes) != 1:
        raise RpcError("torrent-rename-path requires 1 torrent")
    path = checks.text("path", call.args.get("path")).strip("/")
    name = checks.text("name", call.args.get("name"))
    if not name or "/" in name or name in (".", ".."):
        raise RpcError(f"invalid name {name!r}: one path component, not . or ..")
    info_hash = hashes[0]
    renamed = _rename_files(call, info_hash, path, name)
    if path == call.snapshot[info_hash].name:  # the torrent's folder or single file: its name too
        call.engine.rename(info_hash, name)
    elif not renamed:
        raise RpcError(f"no file or folder {path!r} in this torrent")
    return {"id": call.front.ids.id_of(info_hash), "path": path, "name": name}


def _rename_files(call: Call, info_hash: str, path: str, name: str) -> int:
    """A file, or every file under a folder, gets *path*'s last component replaced by *name*."""
    head = path.rpartition("/")[0]
    target = f"{head}/{name}" if head else name
    matches = [(index, f.path) for index, f in enumerate(call.engine.files(info_hash))
               if f.path == path or f.path.startswith(path + "/")]
    for index, current in matches:
        call.engine.rename_file(info_hash, index, target + current[len(path):])
    return len(matches)
