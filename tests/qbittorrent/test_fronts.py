"""One engine, two fronts: what one front does, the other sees, changes and removes."""

from __future__ import annotations

from tests.api.support import add_file, rows
from tests.qbittorrent.helpers import add, info, made, wait_info
from tests.support.daemon import wait_for

# µTorrent list=1 row positions (manual): hash, status, name, ... label at 11.
LABEL, STATUS, NAME = 11, 1, 2
STARTED = 1


def test_added_through_api_v2_is_seen_changed_and_removed_through_gui(qbt_daemon, qbt, tmp_path):
    torrent = made(tmp_path)
    qbt.post("torrents/createCategory", category="both-fronts")
    add(qbt, torrent, category="both-fronts", stopped="true")
    row = rows(qbt_daemon)[torrent.info_hash]
    assert row[NAME] == info(qbt, torrent)["name"] and row[LABEL] == "both-fronts"
    assert not row[STATUS] & STARTED
    qbt_daemon.api({"action": "setprops", "hash": torrent.info_hash, "s": "label", "v": "relabelled"})
    qbt_daemon.api({"action": "start", "hash": torrent.info_hash})
    changed = wait_info(qbt, torrent, lambda r: r["category"] == "relabelled" and r["state"] != "stoppedDL",
                        "the /gui/ changes in torrents/info")
    assert "relabelled" in qbt.get("torrents/categories") and changed["force_start"] is False
    qbt_daemon.api({"action": "forcestart", "hash": torrent.info_hash})
    wait_info(qbt, torrent, lambda r: r["force_start"], "forced through /gui/")
    qbt_daemon.api({"action": "remove", "hash": torrent.info_hash})
    wait_for(lambda: not qbt.get("torrents/info", hashes=torrent.info_hash), what="removed through /gui/")


def test_added_through_gui_is_seen_changed_and_removed_through_api_v2(qbt_daemon, qbt, tmp_path):
    torrent = made(tmp_path)
    add_file(qbt_daemon, torrent, label="gui-label")
    row = info(qbt, torrent)
    assert row["category"] == "gui-label" and row["hash"] == torrent.info_hash.lower()
    qbt.post("torrents/createCategory", category="api-cat")
    qbt.post("torrents/setCategory", hashes=torrent.info_hash, category="api-cat")
    qbt.post("torrents/stop", hashes=torrent.info_hash)
    wait_for(lambda: rows(qbt_daemon)[torrent.info_hash][LABEL] == "api-cat"
             and not rows(qbt_daemon)[torrent.info_hash][STATUS] & STARTED, what="the /api/v2 changes in list=1")
    qbt.post("torrents/delete", hashes=torrent.info_hash, deleteFiles="false")
    wait_for(lambda: torrent.info_hash not in rows(qbt_daemon), what="removed through /api/v2")
