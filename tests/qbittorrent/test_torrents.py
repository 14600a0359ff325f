"""torrents/*: add and its options, the listing (fields, filters, sort, paging) and the reads."""

from __future__ import annotations

import os

import libtorrent as lt

from tests.qbittorrent.helpers import add, add_complete, info, made, wait_info
from tests.support.daemon import wait_for
from tests.support.swarm import make_torrent as swarm_torrent
from utserver.web.qbittorrent.fields import FIELDS

INT_FIELDS = ("size", "total_size", "dlspeed", "upspeed", "priority", "num_seeds", "num_leechs", "num_complete",
              "num_incomplete", "eta", "added_on", "completion_on", "last_activity", "dl_limit", "up_limit",
              "downloaded", "uploaded", "amount_left", "completed", "time_active", "seeding_time",
              "seeding_time_limit", "max_seeding_time", "inactive_seeding_time_limit")


def test_add_file_with_every_option_shows_them_in_info(qbt, tmp_path):
    torrent = made(tmp_path)
    target = tmp_path / "movies-dir"
    add(qbt, torrent, savepath=str(target), category="movies", tags="hd,new", stopped="true",
        sequentialDownload="true", firstLastPiecePrio="true", rename="Renamed Movie", upLimit="40960",
        dlLimit="81920", ratioLimit="1.5", seedingTimeLimit="60")
    row = wait_info(qbt, torrent, lambda r: r["save_path"] == str(target), "in its save path")
    assert row["hash"] == torrent.info_hash.lower() and row["infohash_v1"] == row["hash"]
    assert (row["name"], row["save_path"], row["category"], row["tags"]) == \
        ("Renamed Movie", str(target), "movies", "hd, new")
    assert row["state"] == "stoppedDL" and row["force_start"] is False
    assert (row["seq_dl"], row["f_l_piece_prio"], row["up_limit"], row["dl_limit"]) == (True, True, 40960, 81920)
    assert (row["ratio_limit"], row["seeding_time_limit"]) == (1.5, 60)
    assert row["content_path"] == os.path.join(str(target), "Renamed Movie")
    assert row["progress"] == 0 and row["amount_left"] == row["size"] == 50_000
    assert set(row) >= {key for key, _ in FIELDS}
    for key in INT_FIELDS:
        assert type(row[key]) is int, (key, row[key])
    assert qbt.get("torrents/categories")["movies"] == {"name": "movies", "savePath": ""}
    assert {"hd", "new"} <= set(qbt.get("torrents/tags"))


def test_add_with_paused_4x_spelling_and_category_save_path(qbt, tmp_path):
    qbt.post("torrents/createCategory", category="tv", savePath=str(tmp_path / "tv"))
    torrent = made(tmp_path)
    add(qbt, torrent, category="tv", paused="true")
    row = wait_info(qbt, torrent, lambda r: r["save_path"] == str(tmp_path / "tv"), "in the category's folder")
    assert row["state"] == "stoppedDL"


def test_add_magnet_and_the_failures(qbt, tmp_path):
    torrent = made(tmp_path)
    magnet = f"magnet:?xt=urn:btih:{torrent.info_hash.lower()}&dn=magnet-item"
    assert qbt.post("torrents/add", urls=magnet, stopped="true") == "Ok."
    row = info(qbt, torrent)
    assert row["has_metadata"] is False and row["state"] == "stoppedDL" and row["content_path"] == ""
    assert qbt.post("torrents/add", urls=magnet) == "Fails."  # already there
    assert qbt.post("torrents/add", urls="not a url\nftp://nowhere/x") == "Fails."
    resp = qbt.request("torrents/add", {}, files=[("torrents", "bad.torrent", b"<html>not a torrent</html>")])
    assert (resp.status, resp.body) == (415, b"Error: 'bad.torrent' is not a valid torrent file.")
    assert qbt.request("torrents/add", {"savepath": "/tmp"}).status == 400
    assert qbt.request("torrents/add", {"urls": magnet, "category": "bad//name"}).status == 400


def test_info_filters_category_tag_hashes_sort_and_paging(qbt, tmp_path):
    first, second, third = made(tmp_path, name="a-first.bin"), made(tmp_path, name="b-second.bin"), \
        made(tmp_path, name="c-third.bin")
    add(qbt, first, category="flt", tags="x", stopped="true")
    add_complete(qbt, second, category="flt")
    add(qbt, third, category="flt2", stopped="true")
    hashes = {t.info_hash.lower() for t in (first, second, third)}

    def names(**params) -> list[str]:
        return [row["name"] for row in qbt.get("torrents/info", **params) if row["hash"] in hashes]
    assert sorted(names(category="flt")) == ["a-first.bin", "b-second.bin"]
    assert names(tag="x") == ["a-first.bin"]
    assert "a-first.bin" not in names(tag="")
    assert sorted(names(filter="stopped")) == sorted(names(filter="paused")) == ["a-first.bin", "c-third.bin"]
    assert names(filter="completed") == ["b-second.bin"]
    assert "b-second.bin" in names(filter="running") and "a-first.bin" not in names(filter="resumed")
    assert sorted(names(filter="downloading")) == ["a-first.bin", "c-third.bin"]
    assert sorted(names(filter="no-such-filter")) == ["a-first.bin", "b-second.bin", "c-third.bin"]
    subset = "|".join(sorted(hashes)[:2]).upper()
    assert len(qbt.get("torrents/info", hashes=subset)) == 2
    listed = qbt.get("torrents/info", category="flt", sort="name", reverse="true")
    assert [row["name"] for row in listed] == ["b-second.bin", "a-first.bin"]
    assert [row["name"] for row in qbt.get("torrents/info", category="flt", sort="name", limit=1, offset=1)] == \
        ["b-second.bin"]
    assert [row["name"] for row in qbt.get("torrents/info", category="flt", sort="name", offset=-1)] == \
        ["b-second.bin"]
    assert qbt.request("torrents/info", {"sort": "no_such_field"}, method="GET").status == 400
    with_extras = qbt.get("torrents/info", hashes=first.info_hash, includeTrackers="true", includeFiles="true")
    assert with_extras[0]["files"][0]["name"] == "a-first.bin" and with_extras[0]["trackers"][0]["tier"] == -1


def test_properties_files_trackers_webseeds_piece_states(qbt, tmp_path):
    root = tmp_path / "multi"
    (root / "sub").mkdir(parents=True)
    (root / "one.bin").write_bytes(os.urandom(40_000))
    (root / "sub" / "two.bin").write_bytes(os.urandom(30_000))
    data = swarm_torrent(root, piece_size=16384, trackers=["http://127.0.0.1:1/announce"],
                         url_seeds=["http://127.0.0.1:1/seed/"])
    info_hash = str(lt.torrent_info(lt.bdecode(data)).info_hashes().v1)
    assert qbt.post("torrents/add", files=[("torrents", "m.torrent", data)], stopped="true",
                    savepath=str(tmp_path / "dl")) == "Ok."
    wait_for(lambda: qbt.get("torrents/properties", hash=info_hash)["save_path"] == str(tmp_path / "dl"),
             what="the torrent in its save path")
    props = qbt.get("torrents/properties", hash=info_hash.upper())
    assert (props["hash"], props["save_path"], props["piece_size"], props["total_size"]) == \
        (info_hash, str(tmp_path / "dl"), 16384, 70_000)
    assert props["pieces_num"] == 5 and props["dl_limit"] == -1 and props["addition_date"] > 0
    assert isinstance(props["seeding_time"], int) and props["is_private"] is False
    files = qbt.get("torrents/files", hash=info_hash)
    assert [f["index"] for f in files] == [0, 1] and files[0]["is_seed"] is False
    by_name = {f["name"]: f for f in files}  # the creator orders the files its own way
    assert {name: (f["size"], f["priority"], f["progress"]) for name, f in by_name.items()} == \
        {"multi/one.bin": (40_000, 1, 0), "multi/sub/two.bin": (30_000, 1, 0)}
    first, last = files[0]["piece_range"][0], files[-1]["piece_range"][1]
    assert (first, last) == (0, 4) and files[0]["piece_range"][1] >= files[1]["piece_range"][0] - 1
    assert [f["name"] for f in qbt.get("torrents/files", hash=info_hash, indexes="1")] == [files[1]["name"]]
    trackers = qbt.get("torrents/trackers", hash=info_hash)
    assert [t["url"] for t in trackers[:3]] == ["** [DHT] **", "** [PeX] **", "** [LSD] **"]
    assert trackers[3]["url"] == "http://127.0.0.1:1/announce" and trackers[3]["tier"] == 0
    assert isinstance(trackers[3]["status"], int)
    assert qbt.get("torrents/webseeds", hash=info_hash) == [{"url": "http://127.0.0.1:1/seed/"}]
    assert qbt.get("torrents/pieceStates", hash=info_hash) == [0] * 5
    for path in ("properties", "files", "trackers", "webseeds", "pieceStates"):
        resp = qbt.request(f"torrents/{path}", {"hash": "ab" * 20}, method="GET")
        assert resp.status == 404, path
        assert qbt.request(f"torrents/{path}", {}, method="GET").body == b"Missing required parameters: hash"


def test_a_complete_torrent_reads_as_finished(qbt, tmp_path):
    torrent = made(tmp_path)
    row = add_complete(qbt, torrent)
    assert row["progress"] == 1 and row["amount_left"] == 0 and row["completed"] == 50_000
    assert row["state"] in ("stalledUP", "uploading", "queuedUP")
    assert row["completion_on"] > 0 and row["content_path"] == str(torrent.folder / next(iter(torrent.files)))
    assert qbt.get("torrents/files", hash=torrent.info_hash)[0]["progress"] == 1
    assert qbt.get("torrents/pieceStates", hash=torrent.info_hash) == [2] * 4
    assert qbt.get("torrents/count") == str(len(qbt.get("torrents/info")))
    wait_info(qbt, torrent, lambda r: r["state"] == "stalledUP", "stalledUP with no peers")


def test_add_http_torrent_urls(qbt, tmp_path):
    from tests.api.support import WebServerFixture
    good, other = made(tmp_path), made(tmp_path)
    server = WebServerFixture({"/good.torrent": ("application/x-bittorrent", good.data),
                               "/other.torrent": ("application/x-bittorrent", other.data)})
    try:
        urls = f"{server.url}/good.torrent\n{server.url}/missing.torrent\n{server.url}/other.torrent"
        assert qbt.post("torrents/add", urls=urls, category="from-url", stopped="true") == "Ok."
        assert info(qbt, good)["category"] == info(qbt, other)["category"] == "from-url"
        assert qbt.post("torrents/add", urls=f"{server.url}/missing.torrent") == "Fails."
    finally:
        server.close()
