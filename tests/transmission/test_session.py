"""session-get / session-set over the catalog settings, session-stats, free-space, the methods
utserver answers with an honest error, and session-close."""

from __future__ import annotations

from tests.support.daemon import wait_for
from tests.transmission.support import Rpc

# Keys the 3.00 web UI, Tremotesf, TrguiNG and the *arr apps read, with their JSON types.
TYPES = {
    "alt-speed-down": int, "alt-speed-enabled": bool, "alt-speed-time-begin": int, "alt-speed-time-day": int,
    "blocklist-enabled": bool, "blocklist-size": int, "cache-size-mb": int, "config-dir": str,
    "dht-enabled": bool, "download-dir": str, "download-dir-free-space": int, "download-queue-enabled": bool,
    "download-queue-size": int, "encryption": str, "idle-seeding-limit": int, "idle-seeding-limit-enabled": bool,
    "incomplete-dir": str, "incomplete-dir-enabled": bool, "lpd-enabled": bool, "peer-limit-global": int,
    "peer-limit-per-torrent": int, "peer-port": int, "peer-port-random-on-start": bool, "pex-enabled": bool,
    "port-forwarding-enabled": bool, "queue-stalled-enabled": bool, "rename-partial-files": bool,
    "rpc-version": int, "rpc-version-minimum": int, "rpc-version-semver": str, "script-torrent-done-enabled": bool,
    "script-torrent-done-filename": str, "seed-queue-enabled": bool, "seed-queue-size": int,
    "seedRatioLimit": float, "seedRatioLimited": bool, "session-id": str, "speed-limit-down": int,
    "speed-limit-down-enabled": bool, "speed-limit-up": int, "speed-limit-up-enabled": bool,
    "start-added-torrents": bool, "trash-original-torrent-files": bool, "units": dict, "utp-enabled": bool,
    "version": str,
}


def test_session_get_answers_every_key_in_transmissions_types(shared_daemon, rpc):
    values = rpc.ok("session-get")
    for key, kind in TYPES.items():
        assert type(values[key]) is kind, (key, values[key])
    assert (values["rpc-version"], values["rpc-version-minimum"], values["rpc-version-semver"]) == (17, 14, "5.3.0")
    assert values["version"].startswith("4.0.6 (utserver ")  # *arr apps parse the first dotted number
    assert values["session-id"] == rpc.session_id
    assert values["download-dir"] == str(shared_daemon.download_dir)
    assert values["peer-port"] == shared_daemon.bind_port
    assert values["units"]["speed-bytes"] == 1000
    assert rpc.ok("session-get", {"fields": ["version", "peer-port", "nonsense"]}) == {
        "version": values["version"], "peer-port": shared_daemon.bind_port}


def _settings(daemon) -> dict:
    """getsettings as typed values (it sends every value as text)."""
    kinds = {0: int, 1: lambda text: text == "true", 2: str}
    return {name: kinds[kind](value) for name, kind, value, *_ in daemon.api({"action": "getsettings"})["settings"]}


def test_session_set_changes_the_catalog_settings(make_daemon):
    daemon = make_daemon().start()
    rpc = Rpc(daemon)
    rpc.ok("session-set", {"speed-limit-down": 1024, "speed-limit-down-enabled": True, "speed-limit-up": 100,
                           "seedRatioLimit": 1.5, "seedRatioLimited": True, "idle-seeding-limit": 45,
                           "idle-seeding-limit-enabled": True, "peer-limit-global": 300, "peer-limit-per-torrent": 60,
                           "encryption": "required", "utp-enabled": False, "download-queue-size": 7,
                           "unknown-key": "ignored"})
    settings = _settings(daemon)
    assert settings["max_dl_rate"] == 1000 and settings["max_ul_rate"] == -1  # KiB/s; up stays off
    assert (settings["seed_ratio"], settings["seed_time"]) == (150, 2700)
    assert (settings["max_total_connections"], settings["conns_per_torrent"]) == (300, 60)
    assert settings["encryption_mode"] == 2 and settings["bt.transp_disposition"] & 10 == 0
    assert settings["max_active_downloads"] == 7
    values = rpc.ok("session-get")
    assert (values["speed-limit-down"], values["speed-limit-down-enabled"]) == (1024, True)
    assert (values["speed-limit-up"], values["speed-limit-up-enabled"]) == (100, False)
    assert (values["seedRatioLimit"], values["idle-seeding-limit"], values["encryption"]) == (1.5, 45, "required")
    rpc.ok("session-set", {"speed-limit-down-enabled": False})
    assert _settings(daemon)["max_dl_rate"] == -1
    assert rpc.ok("session-get", {"fields": ["speed-limit-down"]}) == {"speed-limit-down": 1024}


def test_session_set_refuses_changes_it_cannot_make_and_changes_nothing(rpc):
    before = rpc.ok("session-get")
    rpc.ok("session-set", {key: before[key] for key in ("dht-enabled", "download-dir", "version", "alt-speed-enabled")})
    for arguments, words in (({"alt-speed-enabled": True}, "alt-speed-enabled"),
                             ({"download-dir": "/elsewhere"}, "utserver.conf"),
                             ({"rpc-version": 99}, "rpc-version"),
                             ({"encryption": "sometimes"}, "encryption"),
                             ({"peer-port": 80}, "bind_port"),
                             ({"utp-enabled": False, "tcp-enabled": False}, "both be false")):
        assert words in rpc.error("session-set", {"speed-limit-up": 77, "speed-limit-up-enabled": True, **arguments})
    after = rpc.ok("session-get")
    assert {k: v for k, v in after.items() if k != "download-dir-free-space"} == \
        {k: v for k, v in before.items() if k != "download-dir-free-space"}


def test_session_stats_free_space_and_the_honest_refusals(shared_daemon, rpc):
    stats = rpc.ok("session-stats")
    assert stats["torrentCount"] == stats["activeTorrentCount"] + stats["pausedTorrentCount"]
    for kind in ("current-stats", "cumulative-stats"):
        assert set(stats[kind]) == {"uploadedBytes", "downloadedBytes", "filesAdded", "secondsActive", "sessionCount"}
    assert stats["current-stats"]["secondsActive"] >= 0
    space = rpc.ok("free-space", {"path": str(shared_daemon.download_dir)})
    assert space["path"] == str(shared_daemon.download_dir) and space["size-bytes"] > 0
    missing = rpc.call("free-space", {"path": "/no/such/folder"})
    assert missing["result"] == "No such file or directory" and missing["arguments"]["size-bytes"] == -1
    assert "not supported" in rpc.error("port-test")
    assert "no blocklist" in rpc.error("blocklist-update")
    assert rpc.ok("group-get") == {"group": []}
    assert "no bandwidth groups" in rpc.error("group-set", {"name": "x"})


def test_session_close_stops_the_daemon(make_daemon):
    daemon = make_daemon().start()
    assert Rpc(daemon).ok("session-close") == {}
    wait_for(lambda: daemon.proc.poll() is not None, timeout=30, what="the daemon to exit")
    assert daemon.proc.returncode == 0
