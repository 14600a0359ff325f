"""torrents/* actions, categories and tags: each changes what torrents/info shows, bad input changes nothing."""

from __future__ import annotations

import os

from tests.qbittorrent.helpers import add, add_complete, info, made, wait_info
from tests.support.daemon import wait_for

UNKNOWN = "ab" * 20


def test_stop_start_and_the_4x_names_and_force_start(qbt, tmp_path):
    torrent = made(tmp_path)
    add(qbt, torrent, stopped="true")
    h = torrent.info_hash.lower()
    qbt.post("torrents/start", hashes=h)
    wait_info(qbt, torrent, lambda r: not r["state"].startswith("stopped"), "started")
    qbt.post("torrents/setForceStart", hashes=h, value="true")
    row = wait_info(qbt, torrent, lambda r: r["force_start"], "forced")
    assert row["state"] in ("forcedDL", "forcedMetaDL")
    qbt.post("torrents/setForceStart", hashes=h, value="false")
    row = wait_info(qbt, torrent, lambda r: not r["force_start"], "back under the queue")
    assert not row["state"].startswith("stopped")
    qbt.post("torrents/pause", hashes=h)
    wait_info(qbt, torrent, lambda r: r["state"] == "stoppedDL", "stopped by pause")
    qbt.post("torrents/resume", hashes="all")
    wait_info(qbt, torrent, lambda r: r["state"] != "stoppedDL", "started by resume")
    qbt.post("torrents/stop", hashes=f"{UNKNOWN}|{h.upper()}")  # unknown hashes are skipped
    wait_info(qbt, torrent, lambda r: r["state"] == "stoppedDL", "stopped")


def test_start_lifts_a_utorrent_pause(qbt_daemon, qbt, tmp_path):
    torrent = made(tmp_path)
    add(qbt, torrent)
    qbt_daemon.api({"action": "pause", "hash": torrent.info_hash})
    wait_info(qbt, torrent, lambda r: r["state"] == "stoppedDL", "paused through /gui/ reads as stopped")
    qbt.post("torrents/start", hashes=torrent.info_hash)
    wait_info(qbt, torrent, lambda r: r["state"] != "stoppedDL", "running again")


def test_delete_keeps_or_removes_the_data(qbt, tmp_path):
    keep, drop = made(tmp_path), made(tmp_path)
    add_complete(qbt, keep)
    add_complete(qbt, drop)
    qbt.post("torrents/delete", hashes=keep.info_hash)  # no deleteFiles: Sonarr's call, data kept
    qbt.post("torrents/delete", hashes=drop.info_hash.lower(), deleteFiles="true")
    wait_for(lambda: not qbt.get("torrents/info", hashes=f"{keep.info_hash}|{drop.info_hash}"), what="both gone")
    assert (keep.folder / next(iter(keep.files))).read_bytes() == next(iter(keep.files.values()))
    wait_for(lambda: not (drop.folder / next(iter(drop.files))).exists(), what="the data deleted")
    assert qbt.request("torrents/delete", {"hashes": UNKNOWN, "deleteFiles": "false"}).status == 200


def test_recheck_reannounce_and_bulk_all(qbt, tmp_path):
    torrent = made(tmp_path)
    add_complete(qbt, torrent)
    qbt.post("torrents/recheck", hashes=torrent.info_hash)
    wait_info(qbt, torrent, lambda r: r["progress"] == 1 and not r["state"].startswith("checking"), "rechecked")
    qbt.post("torrents/reannounce", hashes="all")
    assert qbt.request("torrents/recheck", {}).body == b"Missing required parameters: hashes"


def test_toggles_limits_and_super_seeding(qbt, tmp_path):
    torrent = made(tmp_path)
    add_complete(qbt, torrent)
    h = torrent.info_hash
    qbt.post("torrents/toggleSequentialDownload", hashes=h)
    qbt.post("torrents/toggleFirstLastPiecePrio", hashes=h)
    wait_info(qbt, torrent, lambda r: r["seq_dl"] and r["f_l_piece_prio"], "both flags on")
    qbt.post("torrents/toggleSequentialDownload", hashes=h)
    wait_info(qbt, torrent, lambda r: not r["seq_dl"] and r["f_l_piece_prio"], "sequential off again")
    qbt.post("torrents/setDownloadLimit", hashes=h, limit="51200")
    qbt.post("torrents/setUploadLimit", hashes=h, limit="25600")
    row = wait_info(qbt, torrent, lambda r: r["dl_limit"] == 51200 and r["up_limit"] == 25600, "limits")
    assert qbt.get("torrents/downloadLimit", hashes=f"{h}|{UNKNOWN}") == {h.lower(): 51200, UNKNOWN: -1}
    assert qbt.get("torrents/uploadLimit", hashes=h) == {h.lower(): 25600}
    assert qbt.get("torrents/properties", hash=h)["up_limit"] == 25600
    qbt.post("torrents/setUploadLimit", hashes=h, limit="0")
    wait_info(qbt, torrent, lambda r: r["up_limit"] == 0, "no upload limit")
    qbt.post("torrents/setSuperSeeding", hashes=h, value="true")
    wait_info(qbt, torrent, lambda r: r["super_seeding"], "super seeding")
    assert row["dl_limit"] == 51200


def test_share_limits(qbt, tmp_path):
    torrent = made(tmp_path)
    add(qbt, torrent, stopped="true")
    h = torrent.info_hash
    qbt.post("torrents/setShareLimits", hashes=h, ratioLimit="2", seedingTimeLimit="-1",
             inactiveSeedingTimeLimit="-2")
    row = wait_info(qbt, torrent, lambda r: r["ratio_limit"] == 2, "ratio limit 2")
    assert (row["seeding_time_limit"], row["max_ratio"], row["max_seeding_time"]) == (-1, 2, -1)
    qbt.post("torrents/setShareLimits", hashes=h, ratioLimit="-1", seedingTimeLimit="120")
    wait_info(qbt, torrent, lambda r: (r["ratio_limit"], r["seeding_time_limit"]) == (-1, 120), "time limit")
    qbt.post("torrents/setShareLimits", hashes=h, ratioLimit="-2", seedingTimeLimit="-2")
    wait_info(qbt, torrent, lambda r: (r["ratio_limit"], r["seeding_time_limit"]) == (-2, -2), "global limits")
    qbt.post("app/setPreferences", json='{"max_ratio_enabled": true, "max_ratio": 3}')
    assert info(qbt, torrent)["max_ratio"] == 3  # the effective limit follows the global one at once
    qbt.post("app/setPreferences", json='{"max_ratio_enabled": false}')
    assert info(qbt, torrent)["max_ratio"] == -1
    resp = qbt.request("torrents/setShareLimits", {"hashes": h, "ratioLimit": "1"})
    assert (resp.status, resp.body) == (400, b"Missing required parameters: seedingTimeLimit")
    assert qbt.request("torrents/setShareLimits", {"hashes": h, "ratioLimit": "x", "seedingTimeLimit": "1"}
                       ).status == 400


def test_queue_moves(qbt, tmp_path):
    torrents = [made(tmp_path) for _ in range(3)]
    for torrent in torrents:
        add(qbt, torrent)
    for torrent in torrents:
        wait_info(qbt, torrent, lambda r: r["priority"] > 0, "a queue position")
    last = torrents[-1].info_hash
    qbt.post("torrents/topPrio", hashes=last)
    top = wait_info(qbt, torrents[-1], lambda r: r["priority"] == 1, "at the top")
    qbt.post("torrents/bottomPrio", hashes=last)
    wait_info(qbt, torrents[-1], lambda r: r["priority"] > top["priority"], "at the bottom")
    for action in ("increasePrio", "decreasePrio"):
        assert qbt.request(f"torrents/{action}", {"hashes": last}).status == 200


def test_file_priorities(qbt, tmp_path):
    torrent = made(tmp_path, {"pack/a.bin": os.urandom(20_000), "pack/b.bin": os.urandom(20_000)})
    add(qbt, torrent, stopped="true")
    h = torrent.info_hash
    qbt.post("torrents/filePrio", hash=h, id="0", priority="0")
    qbt.post("torrents/filePrio", hash=h, id="1", priority="6")
    assert [f["priority"] for f in qbt.get("torrents/files", hash=h)] == [0, 6]
    assert 20_000 <= info(qbt, torrent)["size"] < 40_000  # libtorrent counts wanted bytes by whole pieces
    assert qbt.request("torrents/filePrio", {"hash": h, "id": "0", "priority": "5"}).status == 400
    assert qbt.request("torrents/filePrio", {"hash": h, "id": "x", "priority": "1"}).status == 400
    assert qbt.request("torrents/filePrio", {"hash": h, "id": "7", "priority": "1"}).status == 409
    assert qbt.request("torrents/filePrio", {"hash": UNKNOWN, "id": "0", "priority": "1"}).status == 404
    assert [f["priority"] for f in qbt.get("torrents/files", hash=h)] == [0, 6]


def test_rename_torrent_and_refused_file_renames(qbt, tmp_path):
    torrent = made(tmp_path, {"pack/a.bin": os.urandom(20_000), "pack/sub/b.bin": os.urandom(20_000)})
    add(qbt, torrent, stopped="true")
    h = torrent.info_hash
    qbt.post("torrents/rename", hash=h, name="New Name")
    wait_info(qbt, torrent, lambda r: r["name"] == "New Name", "renamed")
    assert qbt.request("torrents/rename", {"hash": h, "name": "  "}).status == 409
    assert qbt.request("torrents/rename", {"hash": UNKNOWN, "name": "x"}).status == 404
    assert qbt.request("torrents/renameFile", {"hash": h, "oldPath": "pack/none.bin", "newPath": "x"}).status == 409
    assert qbt.request("torrents/renameFile", {"hash": h, "oldPath": "pack/a.bin",
                                               "newPath": "pack/sub/b.bin"}).status == 409
    assert qbt.request("torrents/renameFolder", {"hash": h, "oldPath": "nothere", "newPath": "x"}).status == 409
    assert qbt.request("torrents/renameFile", {"hash": UNKNOWN, "oldPath": "a", "newPath": "b"}).status == 404


def test_rename_file_and_folder(qbt, tmp_path):
    torrent = made(tmp_path, {"pack/a.bin": os.urandom(20_000), "pack/sub/b.bin": os.urandom(20_000)})
    add(qbt, torrent, stopped="true")
    h = torrent.info_hash
    qbt.post("torrents/renameFile", hash=h, oldPath="pack/a.bin", newPath="pack/first.bin")
    qbt.post("torrents/renameFolder", hash=h, oldPath="pack/sub", newPath="pack/inner")
    names = lambda: [f["name"] for f in qbt.get("torrents/files", hash=h)]  # noqa: E731
    wait_for(lambda: names() == ["pack/first.bin", "pack/inner/b.bin"], timeout=10, what=f"renamed: {names()}")


def test_set_location_moves_the_data(qbt, tmp_path):
    torrent = made(tmp_path)
    add_complete(qbt, torrent)
    target = tmp_path / "moved" / "here"
    qbt.post("torrents/setLocation", hashes=torrent.info_hash, location=str(target))
    name, data = next(iter(torrent.files.items()))
    wait_info(qbt, torrent, lambda r: r["save_path"] == str(target) and r["state"] != "moving", "moved")
    wait_for(lambda: (target / name).is_file() and (target / name).read_bytes() == data, what="the data moved")
    assert qbt.request("torrents/setLocation", {"hashes": torrent.info_hash, "location": "relative/x"}).status == 400
    assert qbt.request("torrents/setLocation", {"hashes": torrent.info_hash, "location": ""}).status == 400
    (tmp_path / "afile").write_text("x")
    resp = qbt.request("torrents/setLocation", {"hashes": torrent.info_hash, "location": str(tmp_path / "afile")})
    assert resp.status == 409


def test_trackers_add_edit_remove(qbt, tmp_path):
    torrent = made(tmp_path)
    add(qbt, torrent, stopped="true")
    h = torrent.info_hash
    urls = lambda: [t["url"] for t in qbt.get("torrents/trackers", hash=h)[3:]]  # noqa: E731
    qbt.post("torrents/addTrackers", hash=h, urls="http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b")
    wait_for(lambda: urls() == ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"], what="trackers added")
    qbt.post("torrents/editTracker", hash=h, origUrl="http://127.0.0.1:1/a", newUrl="http://127.0.0.1:1/c")
    wait_for(lambda: urls() == ["http://127.0.0.1:1/c", "http://127.0.0.1:1/b"], what="tracker edited")
    qbt.post("torrents/removeTrackers", hash=h, urls="http://127.0.0.1:1/b")
    wait_for(lambda: urls() == ["http://127.0.0.1:1/c"], what="tracker removed")
    assert qbt.request("torrents/editTracker", {"hash": h, "origUrl": "http://none/", "newUrl": "http://x/"}
                       ).status == 409
    assert qbt.request("torrents/removeTrackers", {"hash": h, "urls": "http://none/"}).status == 409


def test_categories(qbt_daemon, qbt, tmp_path):
    assert qbt.request("torrents/createCategory", {"category": ""}).status == 400
    qbt.post("torrents/createCategory", category="cat-a", savePath="/srv/a")
    assert qbt.request("torrents/createCategory", {"category": "cat-a"}).status == 409
    assert qbt.request("torrents/createCategory", {"category": "bad//name"}).status == 409
    qbt.post("torrents/editCategory", category="cat-a", savePath="/srv/a2")
    assert qbt.get("torrents/categories")["cat-a"] == {"name": "cat-a", "savePath": "/srv/a2"}
    assert qbt.request("torrents/editCategory", {"category": "nope", "savePath": ""}).status == 409
    torrent = made(tmp_path)
    add(qbt, torrent, stopped="true")
    resp = qbt.request("torrents/setCategory", {"hashes": torrent.info_hash, "category": "unknown-cat"})
    assert (resp.status, resp.body) == (409, b"Incorrect category name")
    qbt.post("torrents/setCategory", hashes=torrent.info_hash, category="cat-a")
    wait_info(qbt, torrent, lambda r: r["category"] == "cat-a", "categorized")
    qbt.post("torrents/removeCategories", categories="cat-a\nnot-there")
    wait_info(qbt, torrent, lambda r: r["category"] == "", "uncategorized")
    assert "cat-a" not in qbt.get("torrents/categories")
    qbt_daemon.api({"action": "setprops", "hash": torrent.info_hash, "s": "label", "v": "from-gui"})
    assert qbt.get("torrents/categories")["from-gui"] == {"name": "from-gui", "savePath": ""}
    qbt.post("torrents/setCategory", hashes=torrent.info_hash, category="")
    wait_info(qbt, torrent, lambda r: r["category"] == "", "cleared")


def test_categories_survive_a_restart(make_daemon):
    from tests.qbittorrent.support import logged_in
    daemon = make_daemon().start()
    logged_in(daemon).post("torrents/createCategory", category="kept", savePath="/data/kept")
    daemon.restart()
    assert logged_in(daemon).get("torrents/categories")["kept"]["savePath"] == "/data/kept"


def test_tags(qbt, tmp_path):
    one, two = made(tmp_path), made(tmp_path)
    add(qbt, one, stopped="true")
    add(qbt, two, stopped="true")
    qbt.post("torrents/createTags", tags="made-1, made-2")
    assert {"made-1", "made-2"} <= set(qbt.get("torrents/tags"))
    qbt.post("torrents/addTags", hashes=f"{one.info_hash}|{two.info_hash}", tags="t1,t2")
    wait_info(qbt, two, lambda r: r["tags"] == "t1, t2", "tagged")
    qbt.post("torrents/removeTags", hashes=one.info_hash, tags="t1")
    wait_info(qbt, one, lambda r: r["tags"] == "t2", "t1 removed")
    qbt.post("torrents/setTags", hashes=one.info_hash, tags="s1,s2")
    wait_info(qbt, one, lambda r: r["tags"] == "s1, s2", "tags set")
    qbt.post("torrents/removeTags", hashes=one.info_hash)
    wait_info(qbt, one, lambda r: r["tags"] == "", "all tags removed")
    qbt.post("torrents/deleteTags", tags="t1")
    wait_info(qbt, two, lambda r: r["tags"] == "t2", "t1 deleted everywhere")
    assert "t1" not in qbt.get("torrents/tags")
    assert [row["name"] for row in qbt.get("torrents/info", tag="t2")] == [info(qbt, two)["name"]]


def test_queueing_off_makes_the_priority_moves_409(make_daemon, tmp_path):
    from tests.qbittorrent.support import logged_in
    daemon = make_daemon().start()
    client = logged_in(daemon)
    torrent = made(tmp_path)
    add(client, torrent)
    client.post("app/setPreferences", json='{"queueing_enabled": false}')
    prefs = client.get("app/preferences")
    assert (prefs["queueing_enabled"], prefs["max_active_downloads"], prefs["max_active_torrents"]) == (False, -1, -1)
    assert client.get("sync/maindata")["server_state"]["queueing"] is False
    for action in ("topPrio", "bottomPrio", "increasePrio", "decreasePrio"):
        resp = client.request(f"torrents/{action}", {"hashes": torrent.info_hash})
        assert (resp.status, resp.body) == (409, b"Torrent queueing must be enabled"), action
    client.post("app/setPreferences", json='{"queueing_enabled": true, "max_active_downloads": 5}')
    prefs = client.get("app/preferences")
    assert (prefs["queueing_enabled"], prefs["max_active_downloads"], prefs["max_active_torrents"]) == (True, 5, 8)
    assert client.request("torrents/topPrio", {"hashes": torrent.info_hash}).status == 200
