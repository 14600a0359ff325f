"""Every action of the manual and docs/reference/utorrent-clients.md against the running daemon, with its error
paths."""

from __future__ import annotations

import os

import pytest

from tests.api.support import WebServerFixture, add_file, gui, make_torrent, multipart, raw, rows, token_of
from tests.support.daemon import wait_for
from utserver import BUILD

OK = {"build": BUILD}
MISSING = "F" * 40


@pytest.fixture
def made(tmp_path):
    return make_torrent(tmp_path, "job", {"job/a.txt": os.urandom(30000), "job/sub/b.bin": os.urandom(50000)})


@pytest.fixture
def added(shared_daemon, made):
    assert add_file(shared_daemon, made) == OK
    return made.info_hash


def status(daemon, info_hash):
    return rows(daemon)[info_hash][1]


def test_add_file_is_synchronous_and_lists_the_torrent(shared_daemon, added):
    row = rows(shared_daemon)[added]
    assert row[2] == "job" and row[3] == 80000


def test_add_file_accepts_bodies_bottle_would_reject(shared_daemon, tmp_path):
    """docs/reference/utorrent-clients.md#multipart: no closing boundary; an extra part without Content-Disposition."""
    for case, kw in (("noclose", {"close": False}), ("extra", {"extra": b"--x\r\nX-Other: 1\r\n\r\nzz\r\n"})):
        made = make_torrent(tmp_path / case, case + ".bin")
        body, ctype = multipart(made.data, **kw)
        assert shared_daemon.api({"action": "add-file"}, data=body, headers={"Content-Type": ctype}) == OK
        assert made.info_hash in rows(shared_daemon)


def test_add_file_refuses_what_is_not_a_torrent(shared_daemon):
    body, ctype = multipart(b"<html>not a torrent</html>")
    reply = shared_daemon.api({"action": "add-file"}, data=body, headers={"Content-Type": ctype})
    assert "error" in reply


def test_add_url_magnet_is_listed_at_once_named_by_dn(shared_daemon):
    info_hash = "1234567890ABCDEF1234567890ABCDEF12345678"
    reply = shared_daemon.api({"action": "add-url", "s": f"magnet:?xt=urn:btih:{info_hash.lower()}&dn=My+Show+S01"})
    assert reply == OK
    assert rows(shared_daemon)[info_hash][2] == "My Show S01"


def test_add_url_errors(shared_daemon):
    assert "error" in shared_daemon.api({"action": "add-url"})
    assert "error" in shared_daemon.api({"action": "add-url", "s": "file:///etc/passwd"})
    assert "error" in shared_daemon.api({"action": "add-url", "s": "http://127.0.0.1:9/none.torrent"})


def test_add_unknown_url_takes_a_magnet(shared_daemon):
    info_hash = "ABCDEF1234567890ABCDEF1234567890ABCDEF12"
    assert shared_daemon.api({"action": "add-unknown-url", "s": f"magnet:?xt=urn:btih:{info_hash}"}) == OK
    assert info_hash in rows(shared_daemon)


def test_download_dir_and_path(shared_daemon, made):
    reply = add_file(shared_daemon, made, download_dir="0", path="movies")
    assert reply == OK
    assert rows(shared_daemon)[made.info_hash][26] == str(shared_daemon.download_dir / "movies")


def test_unknown_download_dir_is_an_error(shared_daemon, made):
    reply = add_file(shared_daemon, made, download_dir="7")
    assert "download_dir=7" in reply["error"]
    assert made.info_hash not in rows(shared_daemon)


def test_list_dirs_with_free_space(make_daemon, tmp_path):
    extra = tmp_path / "extra"
    daemon = make_daemon({"dir_download": [str(extra)]}).start()
    dirs = daemon.api({"action": "list-dirs"})["download-dirs"]
    assert [d["path"] for d in dirs] == [str(daemon.download_dir), str(extra)]
    assert all(isinstance(d["available"], int) and d["available"] > 0 for d in dirs)
    made = make_torrent(tmp_path / "src", "second-dir.bin")
    assert add_file(daemon, made, download_dir="1") == OK  # completed data goes there (manual, dir_download)
    assert made.info_hash in rows(daemon)


STARTED_OR_QUEUED = 1 | 64


@pytest.mark.parametrize("action,bit_set,bit_clear", [("stop", 0, STARTED_OR_QUEUED), ("start", STARTED_OR_QUEUED, 0),
                                                      ("pause", 32, 0)])
def test_state_commands(shared_daemon, added, action, bit_set, bit_clear):
    assert shared_daemon.api({"action": action, "hash": added}) == OK
    wait_for(lambda: (not bit_set or status(shared_daemon, added) & bit_set)
             and not status(shared_daemon, added) & bit_clear, what=f"{action} in the status bits")


def test_pause_then_unpause(shared_daemon, added):
    shared_daemon.api({"action": "start", "hash": added})
    shared_daemon.api({"action": "pause", "hash": added})
    wait_for(lambda: status(shared_daemon, added) & 32, what="paused")
    assert shared_daemon.api({"action": "unpause", "hash": added}) == OK
    wait_for(lambda: not status(shared_daemon, added) & 32, what="unpaused")


def test_forcestart_and_recheck(shared_daemon, added):
    assert shared_daemon.api({"action": "forcestart", "hash": added}) == OK
    wait_for(lambda: status(shared_daemon, added) & 1, what="started")
    assert shared_daemon.api({"action": "recheck", "hash": added}) == OK


def test_commands_take_several_hashes_in_any_case(shared_daemon, tmp_path):
    one, two = make_torrent(tmp_path / "1", "one.bin"), make_torrent(tmp_path / "2", "two.bin")
    add_file(shared_daemon, one), add_file(shared_daemon, two)
    reply = shared_daemon.api([("action", "stop"), ("hash", one.info_hash.lower()), ("hash", two.info_hash)])
    assert reply == OK
    wait_for(lambda: not status(shared_daemon, one.info_hash) & 1 and not status(shared_daemon, two.info_hash) & 1,
             what="both stopped")


@pytest.mark.parametrize("action", ["start", "stop", "pause", "unpause", "forcestart", "recheck", "remove",
                                    "removedata", "removetorrent", "removedatatorrent", "queueup", "queuedown",
                                    "queuetop", "queuebottom", "getfiles", "getpeers", "getprops"])
def test_unknown_hash_is_an_error_reply(shared_daemon, action):
    reply = shared_daemon.api({"action": action, "hash": MISSING})
    assert reply["build"] == BUILD and MISSING in reply["error"]


@pytest.mark.parametrize("action", ["start", "getfiles", "setprops", "setprio"])
def test_missing_hash_is_an_error_reply(shared_daemon, action):
    assert "hash" in shared_daemon.api({"action": action, "p": "1", "f": "0", "s": "label", "v": "x"})["error"]


@pytest.mark.parametrize("action,data,torrent", [("remove", True, True), ("removedata", False, True),
                                                 ("removetorrent", True, False), ("removedatatorrent", False, False)])
def test_remove_variants(make_daemon, tmp_path, action, data, torrent):
    """Each variant removes the job; data and the stored .torrent go only when asked."""
    daemon = make_daemon().start()
    made = make_torrent(daemon.download_dir, "keepme.bin")  # the data is already in place: a seed
    add_file(daemon, made)
    stored = daemon.workdir / "torrents"
    wait_for(lambda: list(stored.glob("*.torrent")), what="the stored .torrent")
    assert daemon.api({"action": action, "hash": made.info_hash}) == OK
    assert made.info_hash not in rows(daemon)
    wait_for(lambda: (daemon.download_dir / "keepme.bin").exists() == data, what=f"data kept={data}")
    wait_for(lambda: bool(list(stored.glob("*.torrent"))) == torrent, what=f".torrent kept={torrent}")


def test_queue_moves(shared_daemon, tmp_path):
    hashes = []
    for i in range(3):
        made = make_torrent(tmp_path / str(i), f"q{i}.bin")
        add_file(shared_daemon, made)
        shared_daemon.api({"action": "stop", "hash": made.info_hash})
        shared_daemon.api({"action": "start", "hash": made.info_hash})
        hashes.append(made.info_hash)

    def order():
        listed = rows(shared_daemon)
        return sorted(hashes, key=lambda h: listed[h][17])
    assert shared_daemon.api({"action": "queuetop", "hash": hashes[2]}) == OK
    wait_for(lambda: order()[0] == hashes[2], what="queuetop")
    assert shared_daemon.api({"action": "queuebottom", "hash": hashes[2]}) == OK
    wait_for(lambda: order()[-1] == hashes[2], what="queuebottom")
    assert shared_daemon.api({"action": "queueup", "hash": hashes[2]}) == OK
    wait_for(lambda: order()[-2] == hashes[2], what="queueup")
    assert shared_daemon.api({"action": "queuedown", "hash": hashes[2]}) == OK
    wait_for(lambda: order()[-1] == hashes[2], what="queuedown")


def test_getfiles(shared_daemon, added):
    files = shared_daemon.api({"action": "getfiles", "hash": added})["files"]
    assert files[0] == added
    by_name = {f[0]: f for f in files[1]}
    assert by_name["a.txt"][1] == 30000 and by_name["sub/b.bin"][1] == 50000  # inside the torrent folder
    assert all(len(f) == 13 and f[3] == 2 and isinstance(f[6], bool) for f in files[1])


def test_getfiles_with_several_hashes_repeats_the_key(shared_daemon, added, tmp_path):
    other = make_torrent(tmp_path / "o", "other.bin")
    add_file(shared_daemon, other)
    token, _ = token_of(shared_daemon)
    body = gui(shared_daemon, [("token", token), ("action", "getfiles"), ("hash", added),
                               ("hash", other.info_hash)]).body.decode()
    assert body.count('"files":') == 2 and added in body and other.info_hash in body


def test_setprio(shared_daemon, added):
    files = shared_daemon.api({"action": "getfiles", "hash": added})["files"][1]
    index = [f[0] for f in files].index("sub/b.bin")
    assert shared_daemon.api([("action", "setprio"), ("hash", added), ("p", "0"), ("f", str(index))]) == OK
    wait_for(lambda: shared_daemon.api({"action": "getfiles", "hash": added})["files"][1][index][3] == 0,
             what="priority 0")
    assert shared_daemon.api([("action", "setprio"), ("hash", added), ("p", "3"), ("f", str(index))]) == OK
    wait_for(lambda: shared_daemon.api({"action": "getfiles", "hash": added})["files"][1][index][3] == 3,
             what="priority 3")


@pytest.mark.parametrize("params", [{"p": "9", "f": "0"}, {"p": "x", "f": "0"}, {"p": "1"}, {"p": "1", "f": "99"}])
def test_setprio_errors(shared_daemon, added, params):
    assert "error" in shared_daemon.api({"action": "setprio", "hash": added, **params})


def test_getprops_has_the_manual_keys_as_integers(shared_daemon, added):
    props = shared_daemon.api({"action": "getprops", "hash": added})["props"]
    assert len(props) == 1 and props[0]["hash"] == added
    for key in ("ulrate", "dlrate", "superseed", "dht", "pex", "seed_override", "seed_ratio", "seed_time", "ulslots"):
        assert type(props[0][key]) is int, key
    assert isinstance(props[0]["trackers"], str)


def test_setprops_in_order_with_floats_and_values_before_the_hash(shared_daemon, added, tmp_path):
    other = make_torrent(tmp_path / "o", "props-other.bin")
    add_file(shared_daemon, other)
    reply = shared_daemon.api([("action", "setprops"), ("s", "label"), ("v", "early"), ("hash", added),
                               ("s", "ulrate"), ("v", "10240"), ("s", "dlrate"), ("v", "20480.0"),
                               ("hash", other.info_hash), ("s", "ulslots"), ("v", "4")])
    assert reply == OK
    props = shared_daemon.api([("action", "getprops"), ("hash", added), ("hash", other.info_hash)])["props"]
    assert (props[0]["ulrate"], props[0]["dlrate"]) == (10240, 20480)
    assert props[1]["ulslots"] == 4 and props[1]["ulrate"] != 10240
    wait_for(lambda: rows(shared_daemon)[added][11] == "early", what="label applied")
    labels = dict(shared_daemon.api({"list": "1"})["label"])
    assert labels["early"] >= 1


def test_setprops_bad_value_is_an_error(shared_daemon, added):
    assert "error" in shared_daemon.api({"action": "setprops", "hash": added, "s": "ulrate", "v": "fast"})
    assert "error" in shared_daemon.api({"action": "setprops", "hash": added, "s": "no_such_prop", "v": "1"})


def test_getpeers_shape(shared_daemon, added):
    peers = shared_daemon.api({"action": "getpeers", "hash": added})["peers"]
    assert peers == [added, []]


def test_getsettings_entries(shared_daemon):
    settings = shared_daemon.api({"action": "getsettings"})["settings"]
    by_name = {s[0]: s for s in settings}
    assert all(len(s) == 4 and isinstance(s[2], str) and s[3]["access"] in "YRW" for s in settings)
    for name in ("webui.uconnect_enable", "dir_active_download", "dir_active_download_flag",
                 "dir_completed_download", "dir_completed_download_flag", "dir_add_label", "webui.cookie"):
        assert name in by_name, name
    assert by_name["max_dl_rate"][1] == 0 and by_name["dht"][1] == 1 and by_name["admin_name"][1] == 2
    assert by_name["dht"][2] in ("true", "false")
    assert by_name["admin_password"][2] == ""  # write-only: never shown
    assert "uconnect_password" not in by_name
    assert by_name["portmap.upnp.external_ip"][3] == {"access": "R"}  # port mapping state, read-only


def test_setsetting_several_then_read_back(shared_daemon):
    reply = shared_daemon.api([("action", "setsetting"), ("s", "max_ul_rate"), ("v", "10"),
                               ("s", "max_dl_rate"), ("v", "40")])
    assert reply == OK
    values = {s[0]: s[2] for s in shared_daemon.api({"action": "getsettings"})["settings"]}
    assert (values["max_ul_rate"], values["max_dl_rate"]) == ("10", "40")


def test_setsetting_webui_cookie_raw_json_round_trips(shared_daemon):
    cookie = '{"cols":[1,2],"sort":"name:asc","x":"a b"}'
    token, _ = token_of(shared_daemon)
    resp = raw(shared_daemon, f"/gui/?token={token}&action=setsetting&s=webui.cookie&v={cookie.replace(' ', '%20')}")
    assert resp.json() == OK
    values = {s[0]: s[2] for s in shared_daemon.api({"action": "getsettings"})["settings"]}
    assert values["webui.cookie"] == cookie


@pytest.mark.parametrize("pairs,why", [
    ([("s", "max_dl_rate"), ("v", "fast")], "whole number"),
    ([("s", "bind_port"), ("v", "80")], "minimum"),
    ([("s", "no_such_setting"), ("v", "1")], "unknown"),
    ([("s", "ut_webui_port"), ("v", "9999")], "utserver.conf"),
    ([("s", "max_ul_rate"), ("v", "5"), ("s", "auto_bandwidth_management"), ("v", "maybe")], "boolean"),
    ([("s", "max_ul_rate")], "no v="),
])
def test_setsetting_bad_value_changes_nothing(shared_daemon, pairs, why):
    before = {s[0]: s[2] for s in shared_daemon.api({"action": "getsettings"})["settings"]}
    reply = shared_daemon.api([("action", "setsetting"), *pairs])
    assert why in reply["error"]
    after = {s[0]: s[2] for s in shared_daemon.api({"action": "getsettings"})["settings"]}
    assert after == before


def test_getversion_is_an_object(shared_daemon):
    version = shared_daemon.api({"action": "getversion"})["version"]
    assert version["product_code"] == "server"
    for key in ("major_version", "minor_version", "engine_version", "ui_version"):
        assert type(version[key]) is int
    for key in ("version_date", "user_agent", "peer_id", "device_id"):
        assert isinstance(version[key], str)


def test_transfer_history_and_reset(shared_daemon):
    history = shared_daemon.api({"action": "getxferhist"})["transfer_history"]
    assert isinstance(history, dict) and history
    assert shared_daemon.api({"action": "resetxferhist"}) == OK


def test_configremote_answers_a_clear_error(shared_daemon):
    assert "discontinued" in shared_daemon.api({"action": "configremote", "u": "me", "p": "pw"})["error"]


def test_action_and_list_in_one_request(shared_daemon, added):
    cid = shared_daemon.api({"list": "1"})["torrentc"]
    reply = shared_daemon.api({"action": "stop", "hash": added, "list": "1", "cid": cid})
    assert "torrentp" in reply and "torrentc" in reply and "error" not in reply


def test_unknown_parameters_are_ignored(shared_daemon):
    assert "torrents" in shared_daemon.api({"list": "1", "t": "1700000000000", "getmsg": "1"})


def test_rss_actions(shared_daemon):
    feed = shared_daemon.api({"action": "rss-update", "feed-id": "-1", "url": "http://127.0.0.1:9/feed.xml",
                              "alias": "Mine", "enabled": "false"})
    ident = feed["rss_ident"]
    assert isinstance(ident, int)
    listing = shared_daemon.api({"list": "1"})
    assert ident in [row[0] for row in listing["rssfeeds"]]
    flt = shared_daemon.api({"action": "filter-update", "filter-id": "-1", "name": "shows", "filter": "*show*",
                             "feed-id": str(ident)})
    assert isinstance(flt["filter_ident"], int)
    assert flt["filter_ident"] in [row[0] for row in shared_daemon.api({"list": "1"})["rssfilters"]]
    assert shared_daemon.api({"action": "filter-remove", "filter-id": str(flt["filter_ident"])}) == OK
    assert shared_daemon.api({"action": "rss-remove", "feedid": str(ident)}) == OK
    assert ident not in [row[0] for row in shared_daemon.api({"list": "1"})["rssfeeds"]]


def test_rss_action_errors(shared_daemon):
    assert "error" in shared_daemon.api({"action": "rss-remove", "feed-id": "9999"})
    assert "error" in shared_daemon.api({"action": "rss-remove"})
    assert "error" in shared_daemon.api({"action": "rss-update", "feed-id": "-1", "url": "file:///etc/passwd"})
    assert "error" in shared_daemon.api({"action": "filter-remove", "filter-id": "9999"})


def test_add_file_with_feed_id_records_the_feed_url(shared_daemon, made):
    ident = shared_daemon.api({"action": "rss-update", "url": "http://127.0.0.1:9/f.xml", "enabled": "0"})["rss_ident"]
    assert add_file(shared_daemon, made, **{"feed-id": str(ident)}) == OK
    assert rows(shared_daemon)[made.info_hash][20] == "http://127.0.0.1:9/f.xml"


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Shows</title>
<item><title>Show S01E01</title><link>http://127.0.0.1:9/s01e01.torrent</link></item></channel></rss>"""


def test_add_url_fetches_a_torrent_with_its_cookie(shared_daemon, made):
    site = WebServerFixture({"/t.torrent": ("application/x-bittorrent", made.data)}, need_cookie="uid=1;pass=x")
    try:
        assert shared_daemon.api({"action": "add-url", "s": f"{site.url}/t.torrent:COOKIE:uid=1;pass=x"}) == OK
    finally:
        site.close()
    row = rows(shared_daemon)[made.info_hash]
    assert row[19] == f"{site.url}/t.torrent"  # DOWNLOAD URL, without the cookie


def test_add_unknown_url_tells_a_feed_from_a_torrent(shared_daemon, made):
    site = WebServerFixture({"/feed.xml": ("application/rss+xml", RSS),
                             "/t.torrent": ("application/x-bittorrent", made.data)})
    try:
        assert shared_daemon.api({"action": "add-unknown-url", "s": f"{site.url}/feed.xml"}) == OK
        assert shared_daemon.api({"action": "add-unknown-url", "s": f"{site.url}/t.torrent"}) == OK
    finally:
        site.close()
    listing = shared_daemon.api({"list": "1"})
    assert any(f"{site.url}/feed.xml" in row[6] for row in listing["rssfeeds"])
    assert made.info_hash in [row[0] for row in listing["torrents"]]
