"""list=1 and cache ids, checked the way strict clients parse them (Sonarr's positional reader replayed)."""

from __future__ import annotations

import pytest

from tests.api.support import add_file, make_torrent
from tests.support.daemon import Daemon, wait_for

# Sonarr's UTorrentTorrentConverter reads a row by position with typed reads (ReadAsInt64 throws on
# a float, ReadAsString on a number); [26] is the root download path.
SONARR_ROW = [str, int, str, int, int, int, int, int, int, int, int, str, int, int, int, int, int, int, int,
              str, str, str, str, int, int, str, str]
FULL_KEYS = {"build", "label", "torrents", "rssfeeds", "rssfilters", "torrentc"}
DELTA_KEYS = {"build", "label", "torrentp", "torrentm", "rssfeedp", "rssfeedm", "rssfilterp", "rssfilterm", "torrentc"}


def sonarr_parse_row(row: list) -> dict:
    assert isinstance(row, list) and len(row) >= 28, row
    for index, kind in enumerate(SONARR_ROW):
        value = row[index]
        assert type(value) is kind, f"[{index}] is {value!r}, Sonarr reads {kind.__name__}"
    assert row[0] == row[0].upper() and len(row[0]) == 40
    return {"hash": row[0], "status": row[1], "name": row[2], "progress": row[4] / 1000, "label": row[11],
            "eta": row[10], "path": row[26]}


class SonarrCache:
    """Sonarr keeps the rows of the last full list and applies torrentp / torrentm with its cid."""

    def __init__(self, daemon: Daemon):
        self.daemon, self.cid, self.rows = daemon, None, {}

    def poll(self) -> dict:
        params = {"list": "1"} if self.cid is None else {"list": "1", "cid": self.cid}
        reply = self.daemon.api(params)
        assert isinstance(reply["torrentc"], str) and reply["torrentc"].isdigit()
        if "torrents" in reply:
            assert set(reply) == FULL_KEYS
            self.rows = {r[0]: sonarr_parse_row(r) for r in reply["torrents"]}
        else:
            assert set(reply) == DELTA_KEYS  # all six, even when empty
            self.rows.update({r[0]: sonarr_parse_row(r) for r in reply["torrentp"]})
            for gone in reply["torrentm"]:
                self.rows.pop(gone)
        self.cid = reply["torrentc"]
        return reply


@pytest.fixture
def daemon(make_daemon):
    return make_daemon().start()


def full_rows(daemon) -> dict:
    return {r[0]: sonarr_parse_row(r) for r in daemon.api({"list": "1"})["torrents"]}


def stable(rows: dict) -> dict:
    return {h: (r["name"], r["label"], r["status"] & 1) for h, r in rows.items()}


def test_sonarr_follows_the_list_through_deltas(daemon, tmp_path):
    made = [make_torrent(tmp_path / str(i), f"show.s01e0{i}.mkv") for i in range(3)]
    for m in made[:2]:
        add_file(daemon, m)
    sonarr = SonarrCache(daemon)
    assert "torrents" in sonarr.poll()
    add_file(daemon, made[2])
    daemon.api({"action": "removedata", "hash": made[0].info_hash})
    daemon.api({"action": "setprops", "hash": made[1].info_hash, "s": "label", "v": "tv-sonarr"})
    wait_for(lambda: full_rows(daemon)[made[1].info_hash]["label"] == "tv-sonarr", what="label")
    delta = sonarr.poll()
    assert made[0].info_hash in delta["torrentm"]
    assert {r[0] for r in delta["torrentp"]} >= {made[2].info_hash, made[1].info_hash}
    assert stable(sonarr.rows) == stable(full_rows(daemon))
    assert sonarr.rows[made[1].info_hash]["path"] == str(daemon.download_dir)


def test_unchanged_list_gives_empty_deltas(daemon, tmp_path):
    made = make_torrent(tmp_path, "idle.bin")
    add_file(daemon, made)
    daemon.api({"action": "stop", "hash": made.info_hash})
    first = daemon.api({"list": "1"})

    def quiet_delta():
        delta = daemon.api({"list": "1", "cid": daemon.api({"list": "1"})["torrentc"]})
        return delta if not delta["torrentp"] else None
    delta = wait_for(quiet_delta, what="a quiet list")
    assert delta["torrentm"] == [] and delta["rssfeedp"] == [] and delta["rssfilterm"] == []
    assert len(first["torrents"]) == 1


@pytest.mark.parametrize("cid", ["0", "123456789", "garbage", ""])
def test_unknown_cid_gets_the_full_list(daemon, cid):
    reply = daemon.api({"list": "1", "cid": cid})
    assert set(reply) == FULL_KEYS


def test_several_clients_each_with_their_own_cid(daemon, tmp_path):
    clients = [SonarrCache(daemon) for _ in range(3)]
    for client in clients:
        client.poll()
    for i in range(3):
        add_file(daemon, make_torrent(tmp_path / str(i), f"multi{i}.bin"))
        for client in clients[: i + 1]:
            client.poll()
    truth = stable(full_rows(daemon))
    for client in clients:
        client.poll()
        assert stable(client.rows) == truth


def test_rss_changes_come_as_deltas(daemon):
    cid = daemon.api({"list": "1"})["torrentc"]
    feed = daemon.api({"action": "rss-update", "url": "http://127.0.0.1:9/rss", "enabled": "0"})["rss_ident"]
    flt = daemon.api({"action": "filter-update", "name": "f", "filter": "*x*"})["filter_ident"]
    delta = daemon.api({"list": "1", "cid": cid})
    assert [row[0] for row in delta["rssfeedp"]] == [feed] and [row[0] for row in delta["rssfilterp"]] == [flt]
    daemon.api({"action": "rss-remove", "feed-id": str(feed)})
    daemon.api({"action": "filter-remove", "filter-id": str(flt)})
    delta = daemon.api({"list": "1", "cid": delta["torrentc"]})
    assert delta["rssfeedm"] == [feed] and delta["rssfilterm"] == [flt]


def test_rows_are_thirty_fields_with_documented_types(daemon, tmp_path):
    made = make_torrent(tmp_path, "typed.bin")
    add_file(daemon, made, path="typed")
    row = daemon.api({"list": "1"})["torrents"][0]
    assert len(row) == 30
    assert row[22] == row[0]  # stream id = hash: /proxy?sid=
    assert type(row[27]) is int and type(row[28]) is str and type(row[29]) is bool
    assert row[23] > 1_600_000_000 and row[24] == 0 and row[10] == -1
    labels = daemon.api({"list": "1"})["label"]
    assert labels == []


def test_labels_are_counted(daemon, tmp_path):
    for i in range(2):
        made = make_torrent(tmp_path / str(i), f"l{i}.bin")
        add_file(daemon, made)
        daemon.api({"action": "setprops", "hash": made.info_hash, "s": "label", "v": "linux"})
    wait_for(lambda: daemon.api({"list": "1"})["label"] == [["linux", 2]], what="label counts")


def test_sonarr_reads_its_settings_as_strings(daemon):
    """Sonarr's GetConfig: every value a string; it picks the download folder from these entries."""
    settings = daemon.api({"action": "getsettings"})["settings"]
    values = {}
    for name, kind, value, params in settings:
        assert type(name) is str and type(kind) is int and type(value) is str and set(params) == {"access"}
        values[name] = value
    assert values["dir_active_download_flag"] == "true"
    assert values["dir_active_download"] == str(daemon.download_dir)
    assert values["dir_completed_download_flag"] in ("true", "false")
    assert values["dir_add_label"] in ("true", "false")
