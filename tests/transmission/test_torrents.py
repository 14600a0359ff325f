"""Every torrent method against the running daemon: torrent-add, -get, -set, start/stop/verify,
-remove, -set-location, -rename-path, queue-move-*, with torrents whose data is on disk."""

from __future__ import annotations

import base64
import urllib.parse

import pytest

from tests.support.daemon import wait_for
from tests.transmission.support import CONF, Rpc, content
from utserver.web.transmission.fields import FIELDS


def _status(rpc, torrent_id) -> int:
    return rpc.one(torrent_id, "status")["status"]


def _wait_status(rpc, torrent_id, wanted: int, what: str) -> None:
    wait_for(lambda: _status(rpc, torrent_id) == wanted, timeout=30, what=what)


@pytest.fixture
def on_disk(shared_daemon, rpc, request):
    """A two-file torrent whose data is already in the download folder, added and checked: seeding."""
    name = f"disk-{request.node.name[:40]}"
    torrent, info_hash, data = content(shared_daemon.download_dir, name, {"a.bin": 40_000, "sub/b.bin": 70_000})
    added = rpc.add(torrent)
    wait_for(lambda: rpc.one(added["id"], "percentDone")["percentDone"] == 1, timeout=30, what="data checked")
    return added, info_hash, data


def test_add_by_metainfo_lists_the_torrent_in_transmission_types(tmp_path, rpc):
    torrent, info_hash, _ = content(tmp_path, "album", {"one.bin": 30_000, "two.bin": 20_000})
    added = rpc.add(torrent, paused=True, labels=["music", "flac"])
    assert added["hashString"] == info_hash.lower() and added["name"] == "album" and added["id"] >= 1
    assert rpc.add(torrent) == added  # the duplicate is named, nothing changes
    assert rpc.ok("torrent-add", {"metainfo": base64.b64encode(torrent).decode()}) == {"torrent-duplicate": added}
    row = rpc.one(added["id"], "id", "name", "hashString", "status", "labels", "totalSize", "sizeWhenDone",
                  "leftUntilDone", "percentDone", "files", "fileStats", "wanted", "priorities", "file-count",
                  "uploadRatio", "eta", "error", "errorString", "isFinished", "downloadDir", "pieceCount",
                  "pieceSize", "magnetLink", "isPrivate", "queuePosition", "bogusField")
    assert row["status"] == 0 and row["labels"] == ["music", "flac"]
    assert row["totalSize"] == row["sizeWhenDone"] == row["leftUntilDone"] == 50_000 and row["percentDone"] == 0
    assert sorted(f["name"] for f in row["files"]) == ["album/one.bin", "album/two.bin"]
    assert row["fileStats"] == [{"bytesCompleted": 0, "wanted": True, "priority": 0}] * 2
    assert row["wanted"] == [1, 1] and row["priorities"] == [0, 0] and row["file-count"] == 2
    assert row["uploadRatio"] == -1 and row["error"] == 0 and row["errorString"] == "" and row["isFinished"] is False
    assert row["pieceSize"] == 16384 and row["pieceCount"] == 4 and row["isPrivate"] is False
    assert row["magnetLink"].startswith("magnet:?xt=urn:btih:" + info_hash.lower())
    assert "bogusField" not in row  # unknown fields are dropped, as Transmission 4 does
    assert rpc.get(["id"], info_hash) == rpc.get(["id"], info_hash.lower()) == rpc.get(["id"], [added["id"]])
    assert rpc.get(["id"], row["magnetLink"]) == [{"id": added["id"]}]
    table = rpc.ok("torrent-get", {"fields": ["id", "name"], "ids": [added["id"]], "format": "table"})["torrents"]
    assert table == [["id", "name"], [added["id"], "album"]]


def test_add_by_url_and_magnet_and_the_add_errors(tmp_path, rpc, file_server):
    folder, base = file_server
    torrent, info_hash, _ = content(tmp_path, "from-url", {"x.bin": 20_000})
    (folder / "t.torrent").write_bytes(torrent)
    added = rpc.ok("torrent-add", {"filename": f"{base}/t.torrent", "paused": True,
                                   "download-dir": str(tmp_path / "elsewhere")})["torrent-added"]
    assert added["hashString"] == info_hash.lower()
    wait_for(lambda: rpc.one(added["id"], "downloadDir")["downloadDir"] == str(tmp_path / "elsewhere"), timeout=20,
             what="downloadDir is download-dir")
    magnet_hash = "0123456789abcdef0123456789abcdef01234567"
    magnet = f"magnet:?xt=urn:btih:{magnet_hash}&dn={urllib.parse.quote('a magnet')}"
    by_magnet = rpc.ok("torrent-add", {"filename": magnet, "paused": True})["torrent-added"]
    assert by_magnet["hashString"] == magnet_hash
    row = rpc.one(by_magnet["id"], "totalSize", "metadataPercentComplete", "files", "status")
    assert row == {"totalSize": 0, "metadataPercentComplete": 0.0, "files": [], "status": 0}
    errors = {
        "no filename or metainfo specified": {},
        "download directory path is not absolute": {"metainfo": base64.b64encode(torrent).decode(),
                                                    "download-dir": "relative"},
        "labels cannot contain comma (,) character": {"filename": magnet, "labels": ["a,b"]},
        "invalid or corrupt torrent file": {"metainfo": base64.b64encode(b"not a torrent").decode()},
        "magnet link": {"filename": "/etc/passwd"},
        "404": {"filename": f"{base}/missing.torrent"},
    }
    count = len(rpc.get(["id"]))
    for words, arguments in errors.items():
        assert words.lower() in rpc.error("torrent-add", arguments).lower(), words
    assert len(rpc.get(["id"])) == count


def test_ids_grow_are_never_reused_and_recently_active_reports_removals(tmp_path, rpc):
    first = rpc.add(content(tmp_path, "first", {"f.bin": 10_000})[0], paused=True)
    second = rpc.add(content(tmp_path, "second", {"s.bin": 10_000})[0], paused=True)
    assert second["id"] > first["id"]
    rpc.ok("torrent-remove", {"ids": [first["id"]]})
    third = rpc.add(content(tmp_path, "third", {"t.bin": 10_000})[0], paused=True)
    assert third["id"] > second["id"]
    assert rpc.get(["id"], []) == []  # an empty list names no torrent
    assert rpc.get(["id"], [first["id"], 999_999, second["id"]]) == [{"id": second["id"]}]  # unknown: skipped
    recent = rpc.ok("torrent-get", {"fields": ["id"], "ids": "recently-active"})
    assert {second["id"], third["id"]} <= {t["id"] for t in recent["torrents"]}
    assert first["id"] in recent["removed"]


def test_stop_start_start_now_verify_and_reannounce(rpc, on_disk):
    added, _, _ = on_disk
    torrent_id = added["id"]
    _wait_status(rpc, torrent_id, 6, "seeding after the check")
    rpc.ok("torrent-stop", {"ids": [torrent_id]})
    assert rpc.one(torrent_id, "status", "isFinished") == {"status": 0, "isFinished": True}
    rpc.ok("torrent-start", {"ids": torrent_id})
    _wait_status(rpc, torrent_id, 6, "seeding after start")
    rpc.ok("torrent-stop", {"ids": [added["hashString"]]})
    rpc.ok("torrent-start-now", {"ids": [torrent_id]})
    _wait_status(rpc, torrent_id, 6, "seeding after start-now")
    rpc.ok("torrent-verify", {"ids": [torrent_id]})
    _wait_status(rpc, torrent_id, 6, "seeding after the recheck")
    assert rpc.one(torrent_id, "percentDone", "haveValid") == {"percentDone": 1, "haveValid": 110_000}
    rpc.ok("torrent-reannounce", {"ids": [torrent_id]})


def test_torrent_set_limits_labels_goals_files_and_trackers(shared_daemon, rpc, on_disk):
    added, info_hash, _ = on_disk
    tid = added["id"]
    rpc.ok("torrent-set", {"ids": [tid], "downloadLimit": 50, "downloadLimited": True, "uploadLimit": 20})
    row = rpc.one(tid, "downloadLimit", "downloadLimited", "uploadLimit", "uploadLimited")
    assert row == {"downloadLimit": 50, "downloadLimited": True, "uploadLimit": 20, "uploadLimited": False}
    props = shared_daemon.api({"action": "getprops", "hash": info_hash})["props"][0]
    assert props["dlrate"] == 50_000 and props["ulrate"] == 0  # kB/s = 1000 B/s
    rpc.ok("torrent-set", {"ids": [tid], "downloadLimited": False})
    assert rpc.one(tid, "downloadLimit", "downloadLimited") == {"downloadLimit": 50, "downloadLimited": False}

    rpc.ok("torrent-set", {"ids": [tid], "labels": [" tv ", "hd"]})
    assert rpc.one(tid, "labels")["labels"] == ["tv", "hd"]
    assert shared_daemon.torrents()[info_hash][11] == "tv"  # µTorrent's label column

    rpc.ok("torrent-set", {"ids": [tid], "seedRatioMode": 1, "seedRatioLimit": 1.5, "seedIdleMode": 1,
                           "seedIdleLimit": 90})
    row = rpc.one(tid, "seedRatioMode", "seedRatioLimit", "seedIdleMode", "seedIdleLimit")
    assert row == {"seedRatioMode": 1, "seedRatioLimit": 1.5, "seedIdleMode": 1, "seedIdleLimit": 90}
    props = shared_daemon.api({"action": "getprops", "hash": info_hash})["props"][0]
    assert (props["seed_override"], props["seed_ratio"], props["seed_time"]) == (1, 1500, 5400)
    rpc.ok("torrent-set", {"ids": [tid], "seedRatioMode": 0, "seedIdleMode": 0})
    assert rpc.one(tid, "seedRatioMode", "seedIdleMode") == {"seedRatioMode": 0, "seedIdleMode": 0}

    rpc.ok("torrent-set", {"ids": [tid], "files-unwanted": [1], "priority-high": [0]})
    assert rpc.one(tid, "wanted", "priorities") == {"wanted": [1, 0], "priorities": [1, 0]}
    assert rpc.error("torrent-set", {"ids": [tid], "files-wanted": [7]}) == "file index out of range"
    rpc.ok("torrent-set", {"ids": [tid], "files-wanted": []})
    assert rpc.one(tid, "wanted")["wanted"] == [1, 1]

    rpc.ok("torrent-set", {"ids": [tid], "trackerAdd": ["http://127.0.0.1:9/announce"]})
    # two hosts: libtorrent 2.0.8 puts a udp tracker of the same host before the http one whatever its tier
    rpc.ok("torrent-set", {"ids": [tid], "trackerList": "http://127.0.0.1:9/announce\n\nudp://127.0.0.2:9"})
    row = rpc.one(tid, "trackerList", "trackers", "trackerStats")
    assert row["trackerList"] == "http://127.0.0.1:9/announce\n\nudp://127.0.0.2:9"
    assert [(t["announce"], t["tier"], t["scrape"]) for t in row["trackers"]] == [
        ("http://127.0.0.1:9/announce", 0, "http://127.0.0.1:9/scrape"), ("udp://127.0.0.2:9", 1, "")]
    assert row["trackerStats"][0]["host"] == "http://127.0.0.1:9"
    rpc.ok("torrent-set", {"ids": [tid], "trackerRemove": [0]})
    assert rpc.one(tid, "trackerList")["trackerList"] == "udp://127.0.0.2:9"


def test_torrent_set_refuses_what_utserver_lacks_and_changes_nothing(rpc, on_disk):
    added, _, _ = on_disk
    tid = added["id"]
    before = rpc.one(tid, "labels", "downloadLimited", "bandwidthPriority", "peer-limit")
    rpc.ok("torrent-set", {"ids": [tid], "bandwidthPriority": 0, "honorsSessionLimits": True,
                           "peer-limit": before["peer-limit"], "group": "", "location": "/ignored"})
    for key, value, words in (("bandwidthPriority", 1, "bandwidth priorities"), ("honorsSessionLimits", False, "obeys"),
                              ("peer-limit", before["peer-limit"] + 1, "peer-limit-per-torrent"),
                              ("labels", ["a,b"], "comma"), ("downloadLimit", -5, "at least 0"),
                              ("seedRatioMode", 7, "between 0 and 2"), ("trackerRemove", [99], "no tracker")):
        assert words in rpc.error("torrent-set", {"ids": [tid], "labels": ["changed"], "downloadLimited": True,
                                                   key: value}), key
        assert rpc.one(tid, "labels", "downloadLimited", "bandwidthPriority", "peer-limit") == before


def test_set_location_moves_the_data(tmp_path, rpc, on_disk):
    added, _, data = on_disk
    target = tmp_path / "moved"
    target.mkdir()
    assert "not absolute" in rpc.error("torrent-set-location", {"ids": [added["id"]], "location": "rel", "move": True})
    assert "move=false" in rpc.error("torrent-set-location", {"ids": [added["id"]], "location": str(target)})
    rpc.ok("torrent-set-location", {"ids": [added["id"]], "location": str(target), "move": True})
    wait_for(lambda: rpc.one(added["id"], "downloadDir")["downloadDir"] == str(target), timeout=30, what="moved")
    wait_for(lambda: (target / added["name"] / "sub" / "b.bin").is_file(), timeout=30, what="data moved")
    assert (target / added["name"] / "a.bin").read_bytes() == data["a.bin"]


def test_rename_path_renames_a_file(shared_daemon, rpc, on_disk):
    added, _, data = on_disk
    name = added["name"]
    reply = rpc.ok("torrent-rename-path", {"ids": [added["id"]], "path": f"{name}/a.bin", "name": "renamed.bin"})
    assert reply == {"id": added["id"], "path": f"{name}/a.bin", "name": "renamed.bin"}
    wait_for(lambda: (shared_daemon.download_dir / name / "renamed.bin").is_file(), timeout=20, what="on disk")
    assert (shared_daemon.download_dir / name / "renamed.bin").read_bytes() == data["a.bin"]
    rpc.ok("torrent-rename-path", {"ids": [added["id"]], "path": name, "name": "new-folder"})
    wait_for(lambda: (shared_daemon.download_dir / "new-folder" / "sub" / "b.bin").is_file(), timeout=20,
             what="the torrent's folder renamed on disk")
    assert rpc.one(added["id"], "name")["name"] == "new-folder"
    wait_for(lambda: "new-folder/renamed.bin" in [f["name"] for f in rpc.one(added["id"], "files")["files"]],
             timeout=10, what="the file list with the new names")
    assert rpc.error("torrent-rename-path", {"ids": [], "path": "x", "name": "y"}) == "torrent-rename-path requires 1 torrent"
    assert "invalid name" in rpc.error("torrent-rename-path", {"ids": [added["id"]], "path": name, "name": "../x"})


def test_remove_keeps_or_deletes_the_data(shared_daemon, rpc, request):
    kept_torrent, _, _ = content(shared_daemon.download_dir, "kept-data", {"k.bin": 20_000})
    gone_torrent, _, _ = content(shared_daemon.download_dir, "gone-data", {"g.bin": 20_000})
    kept, gone = rpc.add(kept_torrent), rpc.add(gone_torrent)
    rpc.ok("torrent-remove", {"ids": [kept["id"]]})
    rpc.ok("torrent-remove", {"ids": [gone["hashString"]], "delete-local-data": True})
    assert rpc.get(["id"], [kept["id"], gone["id"]]) == []
    assert (shared_daemon.download_dir / "kept-data" / "k.bin").is_file()
    wait_for(lambda: not (shared_daemon.download_dir / "gone-data" / "g.bin").exists(), timeout=20, what="data deleted")


def test_queue_moves_renumber_the_dense_queue(tmp_path, make_daemon):
    rpc = Rpc(make_daemon(CONF).start())  # its own daemon: only these torrents in the queue
    ids = [rpc.add(content(tmp_path, f"q{n}", {"q.bin": 10_000 + n})[0])["id"] for n in range(3)]

    def order() -> list[int]:
        rows = rpc.get(["id", "queuePosition"], ids)
        return [row["id"] for row in sorted(rows, key=lambda row: row["queuePosition"])]
    start = order()
    everyone = sorted(row["queuePosition"] for row in rpc.get(["queuePosition"]))
    assert everyone == list(range(len(everyone)))  # dense, 0-based, over every torrent
    rpc.ok("queue-move-bottom", {"ids": [start[0]]})
    wait_for(lambda: order() == start[1:] + start[:1], timeout=10, what="moved to the bottom")
    rpc.ok("queue-move-top", {"ids": [start[0]]})
    wait_for(lambda: order() == start, timeout=10, what="back on top")
    rpc.ok("queue-move-down", {"ids": [start[0]]})
    wait_for(lambda: order() == [start[1], start[0], start[2]], timeout=10, what="one down")
    rpc.ok("queue-move-up", {"ids": [start[0]]})
    wait_for(lambda: order() == start, timeout=10, what="one up")
    rpc.ok("torrent-set", {"ids": [start[0]], "queuePosition": rpc.one(start[2], "queuePosition")["queuePosition"]})
    wait_for(lambda: order() == start[1:] + start[:1], timeout=10, what="queuePosition set")
    rpc.ok("torrent-remove", {"ids": ids})


def test_every_field_of_every_kind_of_torrent(tmp_path, rpc, on_disk):
    """Every field this front serves, for a seeding torrent, a stopped one and a magnet without
    metadata: one row each, every field present (a field that failed would drop the row)."""
    names = sorted(FIELDS)
    rpc.add(content(tmp_path, "stopped-one", {"s.bin": 30_000})[0], paused=True)
    rpc.ok("torrent-add", {"filename": "magnet:?xt=urn:btih:" + "b" * 40, "paused": True})
    rows = rpc.get(names)
    assert len(rows) == len(rpc.get(["id"])) >= 3
    for row in rows:
        assert sorted(row) == names
        assert isinstance(row["pieces"], str) and isinstance(row["trackerStats"], list)
    magnet = next(row for row in rows if row["hashString"] == "b" * 40)
    assert (magnet["pieceCount"], magnet["totalSize"], magnet["eta"], magnet["uploadRatio"]) == (0, 0, -2, -1)
