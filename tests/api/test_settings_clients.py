"""Every setting name that real µTorrent clients read from getsettings is there, with the type
they parse (docs/reference/utorrent-clients.md#settings-clients-read). The lists come from the
clients' published source: utorrentctl (twistedfall/utorrentctl, utorrentctl.py), the µTorrent
WebUI (bittorrent/webui, webui.js and index.html's settings dialog) and Sonarr/Radarr
(UTorrentProxy.cs)."""

from __future__ import annotations

import pytest

from tests.api.support import add_file, make_torrent, rows

INT, BOOL, STR = 0, 1, 2

UTORRENTCTL = {"net.limit_excludeslocal": BOOL, "dir_active_download": STR, "webui.uconnect_enable": BOOL,
               "torrents_start_stopped": BOOL, "dir_torrent_files_flag": BOOL, "dir_active_download_flag": BOOL}
WEBUI = {
    "webui.cookie": STR, "webui.uconnect_enable": BOOL, "webui.port": INT, "webui.enable_listen": BOOL,
    "webui.enable": BOOL, "bind_port": INT, "confirm_when_deleting": BOOL, "gui.default_del_action": INT,
    "dht_per_torrent": BOOL, "resolve_peerips": BOOL, "search_list": STR, "search_list_sel": INT,
    "max_dl_rate": INT, "max_ul_rate": INT, "net.limit_excludeslocal": BOOL, "bt.transp_disposition": INT,
    # the settings dialog's fields that utserver has
    "max_ul_rate_seed": INT, "conns_per_torrent": INT, "max_total_connections": INT, "ul_slots_per_torrent": INT,
    "max_active_torrent": INT, "max_active_downloads": INT, "seed_ratio": INT, "seed_time": INT,
    "encryption_mode": INT, "encryption_allow_legacy": BOOL, "dir_add_label": BOOL, "finish_cmd": STR,
    "state_cmd": STR, "webui.enable_guest": BOOL, "webui.guest": STR, "webui.restrict": STR,
    "rss.update_interval": INT, "rss.smart_repack_filter": BOOL, "rss.feed_as_default_label": BOOL,
    "dir_active_download_flag": BOOL, "dir_completed_download_flag": BOOL, "dir_active_download": STR,
    "dir_completed_download": STR, "dir_torrent_files_flag": BOOL,
}
SONARR = {"dir_active_download_flag": BOOL, "dir_active_download": STR, "dir_completed_download_flag": BOOL,
          "dir_completed_download": STR, "dir_add_label": BOOL}


@pytest.mark.parametrize("client, names", [("utorrentctl", UTORRENTCTL), ("µTorrent WebUI", WEBUI),
                                           ("Sonarr", SONARR)])
def test_every_setting_a_client_reads_is_listed_with_its_type(shared_daemon, client, names):
    entries = shared_daemon.api({"action": "getsettings"})["settings"]
    served = {entry[0]: entry[1] for entry in entries}
    assert len(served) == len(entries), "a name listed twice breaks Sonarr's parsing"
    assert {name: served.get(name) for name in names} == names, client
    for name, kind, value, _access in (e for e in entries if e[0] in names):
        assert value in ("true", "false") if kind == BOOL else value.lstrip("-").isdigit() if kind == INT \
            else isinstance(value, str), name


def test_the_webui_port_check_matches_the_port_the_page_came_from(shared_daemon):
    served = {e[0]: e[2] for e in shared_daemon.api({"action": "getsettings"})["settings"]}
    assert (served["webui.enable_listen"], served["webui.port"]) == ("true", str(shared_daemon.webui_port))


def test_the_values_the_webui_writes_from_its_menus_are_accepted(shared_daemon):
    reply = shared_daemon.api([("action", "setsetting"), ("s", "resolve_peerips"), ("v", "1"),
                               ("s", "search_list_sel"), ("v", "2")])
    assert "error" not in reply
    served = {e[0]: e[2] for e in shared_daemon.api({"action": "getsettings"})["settings"]}
    assert (served["resolve_peerips"], served["search_list_sel"]) == ("true", "2")


def test_torrents_start_stopped_adds_them_stopped(make_daemon, tmp_path):
    daemon = make_daemon({"torrents_start_stopped": 1}).start()
    made = make_torrent(tmp_path / "src", "stopped.bin")
    assert "error" not in add_file(daemon, made)
    assert rows(daemon)[made.info_hash][21] == "Stopped"
