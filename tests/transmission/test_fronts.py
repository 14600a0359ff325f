"""One torrent seen and changed through both fronts: /transmission/rpc and µTorrent's /gui/."""

from __future__ import annotations

from tests.support.daemon import wait_for
from tests.transmission.support import Rpc, content

STATE = 21  # µTorrent list column: status string


def test_one_torrent_through_the_transmission_and_utorrent_fronts(shared_daemon, tmp_path):
    rpc = Rpc(shared_daemon)
    torrent, info_hash, _ = content(tmp_path, "both-fronts", {"x.bin": 50_000})
    shared_daemon.add_torrent(torrent, label="from-gui")
    row = rpc.one(info_hash, "id", "name", "labels", "totalSize", "status")
    assert (row["name"], row["labels"], row["totalSize"]) == ("both-fronts", ["from-gui"], 50_000)
    torrent_id = row["id"]

    rpc.ok("torrent-set", {"ids": [torrent_id], "labels": ["from-rpc"]})
    assert shared_daemon.torrents()[info_hash][11] == "from-rpc"

    shared_daemon.api({"action": "stop", "hash": info_hash})
    assert rpc.one(torrent_id, "status")["status"] == 0
    rpc.ok("torrent-start", {"ids": [torrent_id]})
    wait_for(lambda: shared_daemon.torrents()[info_hash][STATE] in ("Downloading", "Queued"), timeout=20,
             what="started in the µTorrent list")

    shared_daemon.api({"action": "remove", "hash": info_hash})
    recent = rpc.ok("torrent-get", {"fields": ["id"], "ids": "recently-active"})
    assert torrent_id in recent["removed"]
