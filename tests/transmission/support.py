"""A minimal Transmission RPC client for the tests: the session-id handshake, the envelope,
and torrents made from data written here."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.support.daemon import ADMIN, Daemon
from tests.support.swarm import info_hash, make_files, make_torrent

RPC = "/transmission/rpc"
SESSION_HEADER = "X-Transmission-Session-Id"
# TCP only: uTP crawls on loopback (as in tests/engine); the web UI folder Debian installs.
CONF = {"bt.transp_disposition": 5}
DEBIAN_WEB = Path("/usr/share/transmission/web")


class Rpc:
    """Speaks to /transmission/rpc as the apps do: a 409 gives the id, the request is sent again."""

    def __init__(self, daemon: Daemon, auth: tuple[str, str] | None = ADMIN, path: str = RPC):
        self.daemon, self.auth, self.path = daemon, auth, path
        self.session_id = ""

    def post(self, body: bytes, headers: dict | None = None):
        """(status, headers, body) after at most one handshake retry."""
        for _ in range(2):
            sent = {SESSION_HEADER: self.session_id, **(headers or {})}
            status, reply_headers, data = self.daemon.request(self.path, data=body, headers=sent, auth=self.auth)
            if status != 409:
                return status, reply_headers, data
            self.session_id = reply_headers[SESSION_HEADER]
        return status, reply_headers, data

    def call(self, method: str, arguments: dict | None = None, **envelope) -> dict:
        """The whole reply ({"arguments", "result", "tag"?}) of one method."""
        request = {"method": method, **({"arguments": arguments} if arguments is not None else {}), **envelope}
        status, _, data = self.post(json.dumps(request).encode())
        assert status == 200, (status, data[:300])
        return json.loads(data)

    def ok(self, method: str, arguments: dict | None = None) -> dict:
        reply = self.call(method, arguments)
        assert reply["result"] == "success", reply
        return reply["arguments"]

    def error(self, method: str, arguments: dict | None = None) -> str:
        reply = self.call(method, arguments)
        assert reply["result"] != "success", reply
        assert reply["arguments"] is not None
        return reply["result"]

    def get(self, fields: list[str], ids=None) -> list[dict]:
        arguments = {"fields": fields, **({"ids": ids} if ids is not None else {})}
        return self.ok("torrent-get", arguments)["torrents"]

    def one(self, ids, *fields: str) -> dict:
        torrents = self.get(list(fields), ids)
        assert len(torrents) == 1, torrents
        return torrents[0]

    def add(self, torrent: bytes, **arguments) -> dict:
        """torrent-add by metainfo; returns the torrent-added (or -duplicate) object."""
        reply = self.ok("torrent-add", {"metainfo": base64.b64encode(torrent).decode(), **arguments})
        return reply.get("torrent-added") or reply["torrent-duplicate"]


def content(folder: Path, name: str, files: dict[str, int]) -> tuple[bytes, str, dict[str, bytes]]:
    """Random files under folder/name and a v1 .torrent of them: (torrent, HASH, {rel: bytes})."""
    data = make_files(folder / name, files)
    torrent = make_torrent(folder / name, piece_size=16384)
    return torrent, info_hash(torrent), data
