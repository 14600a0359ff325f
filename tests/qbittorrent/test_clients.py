"""Real clients against a real loopback swarm: qbittorrent-api (Home Assistant's library) driving an
*arr-like flow, and Sonarr's and Radarr's calls replayed as docs/reference/qbittorrent-clients.md
lists them, with the fields and types they parse. Bytes are checked on disk."""

from __future__ import annotations

import base64
import os
import re
import time
from pathlib import Path

import pytest

from tests.api.support import Seeder, make_torrent
from tests.qbittorrent.support import Qbt, needs_qbittorrent_api
from tests.support.daemon import ADMIN, wait_for

# Sonarr's and Radarr's state handling (QBittorrent.cs): every state they sort into a status.
ARR_COMPLETED = {"pausedUP", "stoppedUP", "uploading", "stalledUP", "queuedUP", "forcedUP"}
ARR_KNOWN = ARR_COMPLETED | {"queuedDL", "checkingDL", "checkingUP", "checkingResumeData", "metaDL", "forcedMetaDL",
                             "pausedDL", "stoppedDL", "error", "stalledDL", "missingFiles", "downloading",
                             "forcedDL", "moving"}


@pytest.fixture
def seeded(tmp_path):
    """A torrent of 3 MiB of random bytes and a loopback libtorrent seeder holding it."""
    made = make_torrent(tmp_path / "seed", "Show.S01E01.1080p.mkv", {"Show.S01E01.1080p.mkv": os.urandom(3 << 20)},
                        piece_length=65536)
    seeder = Seeder()
    handle = seeder.seed(made)
    seeder.wait_checked(handle, 48)
    yield made, seeder, handle
    seeder.close()


def _offer_until(seeder: Seeder, handle, daemon, done, what: str, timeout: float = 60) -> None:
    """Connect the seeder to the daemon's peer port until `done()`; bounded."""
    def check():
        if done():
            return True
        seeder.offer(handle, daemon.bind_port)
        return False
    wait_for(check, timeout=timeout, interval=0.5, what=what)


@needs_qbittorrent_api
def test_qbittorrent_api_drives_an_arr_like_flow(daemon, seeded, tmp_path):
    import qbittorrentapi
    made, seeder, handle = seeded
    client = qbittorrentapi.Client(host=f"http://127.0.0.1:{daemon.webui_port}", username=ADMIN[0],
                                   password=ADMIN[1], REQUESTS_ARGS={"timeout": 30})
    client.auth_log_in()
    assert client.app.version == "v5.1.4" and client.app.web_api_version == "2.11.4"
    prefs = client.app.preferences
    assert prefs["queueing_enabled"] is True and isinstance(prefs["save_path"], str)
    target = tmp_path / "tv-library"
    client.torrents_create_category(name="tv-sonarr", save_path=str(target))
    assert client.torrents_categories()["tv-sonarr"]["savePath"] == str(target)
    assert client.torrents_add(torrent_files=made.data, category="tv-sonarr", save_path=str(target)) == "Ok."
    h = made.info_hash.lower()
    listed = client.torrents_info(category="tv-sonarr")
    assert [t.hash for t in listed] == [h]
    _offer_until(seeder, handle, daemon, lambda: client.torrents_info(torrent_hashes=h)[0].progress == 1,
                 "the download to complete")
    data = next(iter(made.files.values()))
    assert (target / "Show.S01E01.1080p.mkv").read_bytes() == data
    wait_for(lambda: client.transfer_info().dl_info_data >= len(data), timeout=10, what="the session's download total")
    torrent = client.torrents_info(torrent_hashes=h)[0]
    assert torrent.state_enum.is_complete and torrent.amount_left == 0
    assert torrent.content_path == str(target / "Show.S01E01.1080p.mkv") != torrent.save_path
    props = client.torrents_properties(torrent_hash=h)
    assert props.save_path == str(target) and props.total_size == len(data) and props.pieces_num == 48
    files = client.torrents_files(torrent_hash=h)
    assert [(f.name, f.size, f.progress) for f in files] == [("Show.S01E01.1080p.mkv", len(data), 1)]
    client.torrents_set_share_limits(ratio_limit=1.0, seeding_time_limit=60, inactive_seeding_time_limit=-2,
                                     torrent_hashes=h)
    wait_for(lambda: client.torrents_info(torrent_hashes=h)[0].ratio_limit == 1, what="share limits")
    client.torrents_stop(torrent_hashes=h)
    wait_for(lambda: client.torrents_info(torrent_hashes=h)[0].state == "stoppedUP", what="stoppedUP")
    assert client.torrents_info(torrent_hashes=h)[0].state_enum.is_stopped
    client.torrents_start(torrent_hashes=h)
    wait_for(lambda: client.torrents_info(torrent_hashes=h)[0].state in ("stalledUP", "uploading", "queuedUP"),
             what="seeding again")
    maindata = client.sync_maindata(rid=0)
    assert h in maindata.torrents and maindata.torrents[h].state in ("stalledUP", "uploading", "queuedUP")
    assert client.transfer_speed_limits_mode() == "0"
    client.transfer_set_speed_limits_mode(True)
    assert client.transfer_speed_limits_mode() == "1"
    client.torrents_delete(delete_files=True, torrent_hashes=h)
    wait_for(lambda: not client.torrents_info(torrent_hashes=h), what="the torrent deleted")
    wait_for(lambda: not (target / "Show.S01E01.1080p.mkv").exists(), what="its data deleted")
    client.auth_log_out()


@needs_qbittorrent_api
def test_qbittorrent_api_with_an_api_key(daemon):
    import qbittorrentapi
    client = qbittorrentapi.Client(host=f"http://127.0.0.1:{daemon.webui_port}", api_key=_rotate(daemon))
    assert client.app_version() == "v5.1.4"
    assert client.torrents_info() == []


def _rotate(daemon) -> str:
    client = Qbt(daemon)
    client.login()
    return client.post("app/rotateAPIKey")["apiKey"]


class Arr:
    """Requests as Sonarr/Radarr build them: form bodies, every cookie of the login reply kept;
    Radarr also sends Authorization: Basic on every request."""

    def __init__(self, daemon, basic: bool, api_key: str = ""):
        self.client = Qbt(daemon)
        self.basic = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()} \
            if basic else {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def get(self, path: str, **params):
        return self.client.ok(path, params, method="GET", headers=self.basic)

    def post(self, path: str, files=None, **params):
        return self.client.ok(path, params, files=files, headers=self.basic)


def _arr_replay(daemon, seeded, tmp_path, basic: bool, category: str, api_key: str = "") -> None:
    made, seeder, handle = seeded
    probe = Qbt(daemon).request("app/webapiVersion", method="GET")
    assert probe.status == 403  # unauthenticated: 403 tells Sonarr "API v2" (404 would mean v1)
    arr = Arr(daemon, basic, api_key)
    if not api_key:  # with a key Sonarr never logs in: the header goes with every call
        login = arr.client.login()
        assert login.status == 200 and login.body in (b"", b"Ok.")
    version = arr.get("app/webapiVersion")
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", version) and tuple(map(int, version.split("."))) >= (2, 11, 0)
    # Test connection: the preferences rules and the category.
    prefs = arr.get("app/preferences")
    assert isinstance(prefs["max_ratio_enabled"], bool) and isinstance(prefs["max_seeding_time_enabled"], bool)
    assert isinstance(prefs["max_ratio"], (int, float)) and isinstance(prefs["max_seeding_time"], int)
    limited = prefs["max_ratio_enabled"] or (prefs["max_seeding_time_enabled"] and prefs["max_seeding_time"] < 20160)
    assert not (limited and prefs["max_ratio_act"] in (1, 3)) and prefs["queueing_enabled"] is True
    assert isinstance(prefs["dht"], bool) and isinstance(prefs["save_path"], str)
    if category not in arr.get("torrents/categories"):
        arr.post("torrents/createCategory", category=category)
    assert category in arr.get("torrents/categories")
    assert arr.get("torrents/info", category=category) == []
    # Add the .torrent: multipart, field "torrents", stopped=false (WebAPI >= 2.11.0).
    reply = arr.post("torrents/add", files=[("torrents", "Show.S01E01.1080p.torrent", made.data)],
                     category=category, stopped="false", sequentialDownload="false", firstLastPiecePrio="false",
                     ratioLimit="2", seedingTimeLimit="1440")
    assert reply != "Fails."
    h = made.info_hash.lower()
    deadline = time.monotonic() + 1.0  # Sonarr polls properties 10 x 100 ms, then gives up
    while arr.client.request("torrents/properties", {"hash": h}, method="GET", headers=arr.basic).status != 200:
        assert time.monotonic() < deadline, "properties not ready within Sonarr's second"
        time.sleep(0.1)
    assert arr.client.request("torrents/topPrio", {"hashes": h}, headers=arr.basic).status in (200, 409)
    arr.post("torrents/setForceStart", hashes=h, value="true")
    arr.post("torrents/addTags", hashes=h, tags="sonarr")
    # Queue poll until complete, reading what QBittorrentTorrent parses.
    def polled():
        rows = arr.get("torrents/info", category=category)
        return rows if rows and rows[0]["state"] in ARR_COMPLETED else None
    _offer_until(seeder, handle, daemon, polled, "the download to complete")
    row = polled()[0]
    types = {"hash": str, "name": str, "size": int, "progress": (int, float), "eta": int, "state": str,
             "category": str, "save_path": str, "content_path": str, "ratio": (int, float),
             "ratio_limit": (int, float), "seeding_time_limit": int, "inactive_seeding_time_limit": int,
             "seeding_time": int, "last_activity": int}
    for key, kind in types.items():
        assert isinstance(row[key], kind), (key, row[key])
    assert row["hash"] == h and row["state"] in ARR_KNOWN and row["progress"] == 1
    assert (row["ratio_limit"], row["seeding_time_limit"]) == (2, 1440)
    assert row["content_path"] != row["save_path"]  # else Sonarr flags a "path error"
    data = next(iter(made.files.values()))
    assert Path(row["content_path"]).read_bytes() == data
    props = arr.get("torrents/properties", hash=h)
    assert isinstance(props["seeding_time"], int) and props["save_path"] == row["save_path"]
    assert arr.get("torrents/files", hash=h)[0]["name"] == "Show.S01E01.1080p.mkv"
    # Post-import: a category that exists; then remove with the data.
    arr.post("torrents/createCategory", category=f"{category}-imported")
    arr.post("torrents/setCategory", hashes=h, category=f"{category}-imported")
    assert arr.get("torrents/info", category=f"{category}-imported")[0]["hash"] == h
    arr.post("torrents/delete", hashes=h, deleteFiles="true")
    wait_for(lambda: not arr.get("torrents/info", hashes=h), what="removed")
    wait_for(lambda: not os.path.exists(row["content_path"]), what="the data removed")


def test_sonarr_calls_replayed(daemon, seeded, tmp_path):
    _arr_replay(daemon, seeded, tmp_path, basic=False, category="tv-sonarr")


def test_radarr_calls_replayed_with_basic_on_every_request(daemon, seeded, tmp_path):
    _arr_replay(daemon, seeded, tmp_path, basic=True, category="radarr")


def test_sonarr_calls_replayed_with_an_api_key(daemon, seeded, tmp_path):
    _arr_replay(daemon, seeded, tmp_path, basic=False, category="tv-keyed", api_key=_rotate(daemon))
