"""app/*, transfer/*, log/main, the missing features' answers and the alternative web UI."""

from __future__ import annotations

import json

from tests.api.support import raw
from tests.qbittorrent.support import Qbt, logged_in
from tests.support.daemon import wait_for


def test_versions_are_the_claimed_ones(qbt):
    assert qbt.get("app/version") == "v5.1.4"
    assert qbt.get("app/webapiVersion") == "2.11.4"
    info = qbt.get("app/buildInfo")
    assert isinstance(info["libtorrent"], str) and info["libtorrent"][0] == "2"
    assert isinstance(info["bitness"], int)


def test_preferences_carry_what_the_arr_apps_parse_with_their_types(qbt):
    prefs = qbt.get("app/preferences")
    types = {"save_path": str, "max_ratio_enabled": bool, "max_ratio": (int, float),
             "max_seeding_time_enabled": bool, "max_seeding_time": int, "max_inactive_seeding_time_enabled": bool,
             "max_inactive_seeding_time": int, "max_ratio_act": int, "queueing_enabled": bool, "dht": bool,
             "resume_data_storage_type": str, "app_instance_name": str, "temp_path_enabled": bool,
             "dl_limit": int, "up_limit": int, "listen_port": int, "max_connec": int, "pex": bool}
    for key, kind in types.items():
        assert isinstance(prefs[key], kind), (key, prefs[key])
    assert prefs["queueing_enabled"] is True and prefs["max_ratio_act"] == 0
    assert prefs["save_path"] == qbt.get("app/defaultSavePath")


def test_set_preferences_round_trips_through_the_catalog(qbt_daemon, qbt):
    qbt.post("app/setPreferences", json=json.dumps({
        "dl_limit": 204800, "up_limit": 0, "max_ratio_enabled": True, "max_ratio": 2.5,
        "max_seeding_time_enabled": True, "max_seeding_time": 90, "max_connec": 150,
        "app_instance_name": "ignored: no setting behind it", "save_path": "/ignored/read-only"}))
    prefs = qbt.get("app/preferences")
    assert (prefs["dl_limit"], prefs["up_limit"], prefs["max_ratio"], prefs["max_seeding_time"]) == (204800, 0, 2.5, 90)
    assert prefs["max_connec"] == 150 and prefs["app_instance_name"] == "utserver"
    settings = {row[0]: row[2] for row in qbt_daemon.api({"action": "getsettings"})["settings"]}
    assert (settings["max_dl_rate"], settings["max_ul_rate"], settings["seed_ratio"], settings["seed_time"]) == \
        ("200", "-1", "250", "5400")
    qbt.post("app/setPreferences", json='{"max_ratio_enabled": false, "max_seeding_time_enabled": false}')
    prefs = qbt.get("app/preferences")
    assert (prefs["max_ratio_enabled"], prefs["max_ratio"], prefs["max_seeding_time"]) == (False, -1, -1)


def test_bad_preferences_are_400_and_change_nothing(qbt):
    before = qbt.get("app/preferences")
    for body in ("not json", "[1, 2]", '{"listen_port": 80, "dl_limit": 1024}', '{"max_connec": "many"}'):
        resp = qbt.request("app/setPreferences", {"json": body})
        assert resp.status == 400, (body, resp.body)
    assert qbt.request("app/setPreferences", {}).body == b"Missing required parameters: json"
    assert qbt.get("app/preferences") == before


def test_alternative_limits_mode(qbt_daemon, qbt):
    qbt.post("app/setPreferences", json='{"dl_limit": 1048576, "alt_dl_limit": 51200, "alt_up_limit": 20480}')
    assert qbt.get("transfer/speedLimitsMode") == "0"
    qbt.post("transfer/toggleSpeedLimitsMode")
    assert qbt.get("transfer/speedLimitsMode") == "1"
    assert qbt.get("transfer/info")["dl_rate_limit"] == 51200
    assert qbt.get("app/preferences")["dl_limit"] == 1048576  # the normal pair, kept meanwhile
    qbt.post("transfer/setSpeedLimitsMode", mode="0")
    assert qbt.get("transfer/speedLimitsMode") == "0"
    assert qbt.get("transfer/info")["dl_rate_limit"] == 1048576
    assert qbt.request("transfer/setSpeedLimitsMode", {"mode": "2"}).status == 400


def test_global_limits(qbt):
    qbt.post("transfer/setDownloadLimit", limit="307200")
    qbt.post("transfer/setUploadLimit", limit="0")
    assert (qbt.get("transfer/downloadLimit"), qbt.get("transfer/uploadLimit")) == ("307200", "0")
    info = qbt.get("transfer/info")
    for key in ("dl_info_speed", "dl_info_data", "up_info_speed", "up_info_data", "dl_rate_limit", "dht_nodes"):
        assert isinstance(info[key], int), key
    assert info["connection_status"] in ("connected", "firewalled", "disconnected")


def test_log_main_lists_the_daemon_log_with_filters_and_last_known_id(qbt):
    entries = qbt.get("log/main")
    assert any("utserver started" in entry["message"] for entry in entries)
    assert all(set(entry) == {"id", "message", "timestamp", "type"} for entry in entries)
    last = entries[-1]["id"]
    qbt.post("app/setPreferences", json='{"max_connec": 151}')  # logs "settings changed"
    newer = qbt.get("log/main", last_known_id=last)
    assert newer and all(entry["id"] > last for entry in newer)
    assert any("settings changed" in entry["message"] for entry in newer)
    assert qbt.get("log/main", normal="false", info="false", warning="false", critical="false") == []


def test_missing_features_answer_as_qbittorrent_does(qbt):
    assert qbt.get("search/plugins") == []
    resp = qbt.request("search/start", {"pattern": "x", "plugins": "all", "category": "all"})
    assert (resp.status, resp.body) == (409, b"Python must be installed to use the Search Engine.")
    assert qbt.request("search/status", {"id": "1"}, method="GET").status == 404
    assert qbt.get("rss/items") == {} and qbt.get("rss/rules") == {}


def test_alternative_web_ui_served_at_root_when_enabled(qbt_daemon, qbt, tmp_path):
    folder = tmp_path / "vuetorrent"
    (folder / "public" / "assets").mkdir(parents=True)
    (folder / "public" / "index.html").write_text("<html>alt ui</html>")
    (folder / "public" / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside")
    assert raw(qbt_daemon, "/", auth=None).status == 401  # off: the µTorrent front's answer
    qbt.post("app/setPreferences", json=json.dumps({"alternative_webui_enabled": True,
                                                     "alternative_webui_path": str(folder)}))
    prefs = qbt.get("app/preferences")
    assert (prefs["alternative_webui_enabled"], prefs["alternative_webui_path"]) == (True, str(folder))
    index = raw(qbt_daemon, "/", auth=None)
    assert (index.status, index.body) == (200, b"<html>alt ui</html>")
    script = raw(qbt_daemon, "/assets/app.js", auth=None)
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt", "/backend/ping"):
        resp = raw(qbt_daemon, path, auth=None)
        assert resp.status == 404 and b"outside" not in resp.body, path
        assert "WWW-Authenticate" not in resp.headers  # no password dialog in the browser
    assert raw(qbt_daemon, "/gui/", auth=None).status == 401  # its own UI keeps its rules
    assert raw(qbt_daemon, "/", auth=None, host="evil.example").status == 403
    qbt.post("app/setPreferences", json='{"alternative_webui_enabled": false}')
    assert raw(qbt_daemon, "/", auth=None).status == 401


def test_shutdown_stops_the_daemon_cleanly(make_daemon):
    daemon = make_daemon().start()
    client = logged_in(daemon)
    assert client.request("app/shutdown", method="GET").status == 405
    assert client.request("app/shutdown").status == 200
    wait_for(lambda: daemon.proc.poll() is not None, timeout=30, what="the daemon to exit")
    assert daemon.proc.returncode == 0
    assert Qbt  # the module's client stays importable for the other tests


def test_vuetorrent_settings_reads_and_auto_management(qbt):
    assert qbt.get("app/networkInterfaceList") == [] and qbt.get("app/cookies") == []
    assert qbt.get("app/networkInterfaceAddressList", iface="") == []
    assert qbt.request("torrents/setAutoManagement", {"hashes": "all", "enable": "false"}).status == 200
    resp = qbt.request("torrents/setAutoManagement", {"hashes": "all", "enable": "true"})
    assert resp.status == 409 and b"not supported" in resp.body
