"""Issue 14 item 2 (settings side): no accepted value can brick the daemon.

Every integer setting the API may change refuses out-of-range, non-finite and non-numeric values
with the API's error reply, changing nothing in memory or on disk; a bad value stored in
settings.dat is skipped at start with a log line, never an exit."""

from __future__ import annotations

import pytest

from tests.hostile.support import tracebacks
from utserver import storage
from utserver.settings import CATALOG, Kind
from utserver.settings.values import INT32_MAX, parse_number

WRITABLE_INTS = [s for s in CATALOG if s.kind is Kind.INT and s.api in ("Y", "W")]
HOSTILE = ["1e300", "-1e300", "1e999", "inf", "-inf", "nan", "NaN", "abc", "", " ", "0x10", "1e20",
           "4611686018427387904", "9" * 5000, "1.5", str(2**63)]


def test_every_integer_setting_has_bounds_libtorrent_accepts():
    for setting in (s for s in CATALOG if s.kind is Kind.INT):
        assert setting.lo is not None and setting.hi is not None, setting.name
        assert -INT32_MAX <= setting.lo <= setting.default <= setting.hi <= INT32_MAX, setting.name


@pytest.mark.parametrize("text", ["15", " 15 ", "15.0", "-1"])
def test_the_shared_parser_takes_what_clients_send(text):
    assert parse_number(text, -1, 100) == int(float(text))


@pytest.mark.parametrize("text", HOSTILE + ["101", "-2"])
def test_the_shared_parser_refuses_the_rest(text):
    with pytest.raises(ValueError):
        parse_number(text, -1, 100, "x")


def _settings(daemon) -> dict[str, str]:
    return {row[0]: row[2] for row in daemon.api({"action": "getsettings"})["settings"]}


def test_hostile_values_are_refused_and_change_nothing(daemon):
    before, stored = _settings(daemon), (daemon.settings_path / "settings.dat").read_bytes()
    refused = 0
    for setting in WRITABLE_INTS:
        for text in HOSTILE + [str(setting.hi + 1), str(setting.lo - 1)]:
            reply = daemon.api([("action", "setsetting"), ("s", setting.name), ("v", text)])
            assert "error" in reply, (setting.name, text[:40], reply)
            refused += 1
        # all or nothing: a good pair next to a bad one changes nothing either
        reply = daemon.api([("action", "setsetting"), ("s", "max_dl_rate"), ("v", "77"),
                            ("s", setting.name), ("v", "1e300")])
        assert "error" in reply
    assert _settings(daemon) == before
    assert (daemon.settings_path / "settings.dat").read_bytes() == stored
    assert refused >= 18 * len(WRITABLE_INTS)
    reply = daemon.api([("action", "setsetting"), ("s", "max_dl_rate"), ("v", "2097151")])  # the maximum
    assert "error" not in reply and _settings(daemon)["max_dl_rate"] == "2097151"
    assert daemon.restart().proc.poll() is None
    assert not tracebacks(daemon)


def test_a_bad_stored_value_is_skipped_with_a_log_line(daemon):
    assert daemon.stop() == 0
    path = daemon.settings_path / "settings.dat"
    stored = storage.bdecode_dict(path.read_bytes())
    stored.update({"max_dl_rate": 4611686018427387904, "max_ul_rate": [1, 2], "bind_port": "nan",
                   "seed_time": {"a": 1}, "conns_per_torrent": 70})
    path.write_bytes(storage.bencode(stored))
    daemon.start()
    settings = _settings(daemon)
    assert settings["max_dl_rate"] == "-1" and settings["max_ul_rate"] == "-1" and settings["seed_time"] == "0"
    assert settings["bind_port"] == str(daemon.bind_port) or settings["bind_port"] == "6881"
    assert settings["conns_per_torrent"] == "70"  # the good ones are kept
    log = daemon.log()
    for name in ("max_dl_rate", "max_ul_rate", "bind_port", "seed_time"):
        assert f"{path}: setting {name} skipped" in log, name
    assert not tracebacks(daemon)


INT_PROPS = ["ulrate", "dlrate", "seed_ratio", "seed_time", "ulslots", "superseed", "dht", "pex", "seed_override"]


def test_hostile_prop_values_are_refused_and_the_torrent_still_saves(daemon, tmp_path):
    from tests.api.support import make_torrent
    made = make_torrent(tmp_path / "src", "props.bin")
    daemon.add_torrent(made.data)
    h = made.info_hash
    before = daemon.api({"action": "getprops", "hash": h})["props"]
    for key in INT_PROPS:
        for text in HOSTILE + [str(INT32_MAX + 1), "-2"]:
            reply = daemon.api([("action", "setprops"), ("hash", h), ("s", key), ("v", text)])
            assert "error" in reply, (key, text[:40], reply)
    assert daemon.api({"action": "getprops", "hash": h})["props"] == before
    daemon.api([("action", "setprops"), ("hash", h), ("s", "dlrate"), ("v", "51200")])
    assert daemon.restart().torrents()[h]  # its resume data still saves and loads
    assert daemon.api({"action": "getprops", "hash": h})["props"][0]["dlrate"] == 51200
    assert not tracebacks(daemon)
