"""Unit tests of the web part's pure logic (the behaviour itself is tested against the daemon)."""

from __future__ import annotations

import io
from pathlib import Path

import bottle
import pytest

from utserver.engine import AddError
from utserver.engine.adding import safe_sub_path
from utserver.engine.views import FileSource
from utserver.web import access, proxy
from utserver.web.auth import FREE_FAILURES, MAX_WAIT, Brake
from utserver.web.server import _with_sock_ip
from utserver.web.sessions import TOKEN_TTL, Sessions
from utserver.web.utorrent import multipart
from utserver.web.utorrent.errors import ApiError
from utserver.web.utorrent.query import Query

pytestmark = pytest.mark.unit  # the pure layer: `make unit`


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_query_keeps_order_repeats_and_raw_json():
    query = Query('action=setsetting&s=webui.cookie&v={"a":"b:c","d":[1,2]}&hash=x&hash=Y')
    assert query.get("v") == '{"a":"b:c","d":[1,2]}'
    assert query.hashes() == ["X", "Y"]
    assert [k for k, _ in query.pairs] == ["action", "s", "v", "hash", "hash"]


def test_query_decodes_utf8_sent_raw_or_percent_encoded():
    raw_utf8 = "s=caf\u00e9".encode().decode("latin-1")  # how WSGI hands raw UTF-8 over
    assert Query(raw_utf8).get("s") == "café" == Query("s=caf%C3%A9").get("s")


@pytest.mark.parametrize("value,inside,outside", [
    ("192.168.1.*", "192.168.1.200", "192.168.2.1"),
    ("10.0.0.1-10.0.0.5", "10.0.0.5", "10.0.0.6"),
    ("172.16.0.0/12", "172.31.1.1", "172.32.0.1"),
    ("::1, 127.0.0.1", "::ffff:127.0.0.1", "127.0.0.2"),
    ("fd00::/8", "fd12::1", "fe80::1"),
])
def test_restrict_list_entries(value, inside, outside):
    allowed = access.RestrictList(value)
    assert allowed.allows(inside) and not allowed.allows(outside)


def test_unreadable_restrict_list_lets_nobody_in():
    assert not access.RestrictList("10.0.0.1, bogus").allows("10.0.0.1")
    assert access.RestrictList("").allows("203.0.113.9")


@pytest.mark.parametrize("header,name", [("[::1]:8080", "::1"), ("Box.LAN.:80", "box.lan"), ("::1", "::1"),
                                         ("example.org", "example.org")])
def test_host_name(header, name):
    assert access.host_name(header) == name


def test_brake_waits_double_up_to_a_cap_and_forgets_on_success():
    clock = Clock()
    brake = Brake(clock)
    for _ in range(FREE_FAILURES):
        brake.failed("198.51.100.7")
    assert brake.wait("198.51.100.7") == 0
    waits = []
    for _ in range(10):
        brake.failed("198.51.100.7")
        waits.append(brake.wait("198.51.100.7"))
    assert waits[:3] == [1, 2, 4] and max(waits) == MAX_WAIT
    assert brake.wait("198.51.100.8") == 0  # another address is not slowed
    brake.succeeded("198.51.100.7")
    assert brake.wait("198.51.100.7") == 0


def test_brake_counts_an_ipv6_client_by_its_slash_64():
    clock = Clock()
    brake = Brake(clock)
    for i in range(FREE_FAILURES + 1):
        brake.failed(f"2001:db8:1:2::{i + 1:x}")
    assert brake.wait("2001:db8:1:2:ffff::1") > 0 and brake.wait("2001:db8:1:3::1") == 0


def test_tokens_expire_thirty_minutes_after_last_use():
    clock = Clock()
    sessions = Sessions(clock)
    session = sessions.session_for(None, "admin", "127.0.0.1", "127.0.0.1", "ua")
    token = sessions.new_token(session)
    clock.now += TOKEN_TTL - 1
    assert sessions.token_valid(token)  # use slides the expiry
    clock.now += TOKEN_TTL - 1
    assert sessions.token_valid(token)
    clock.now += TOKEN_TTL + 1
    assert not sessions.token_valid(token)


def _upload(parts: list[bytes], close: bool = True) -> tuple[str, bytes]:
    body = b"".join(b"--B\r\n" + part + b"\r\n" for part in parts) + (b"--B--\r\n" if close else b"")
    return "multipart/form-data; boundary=B", body


TORRENT = b"d4:infod4:name1:xee"


@pytest.mark.parametrize("parts,close", [
    ([b'Content-Disposition: form-data; name="torrent_file"; filename="a"\r\n\r\n' + TORRENT], True),
    ([b'Content-Disposition: form-data; name="torrent_file"\r\n\r\n' + TORRENT], False),
    ([b"X-Nothing: 1\r\n\r\nzz", b'Content-Disposition: form-data; name="torrent_file"\r\n\r\n' + TORRENT], True),
    ([b'Content-Disposition: form-data; name="other"\r\n\r\n' + TORRENT], True),
])
def test_lenient_multipart(parts, close):
    assert multipart.torrent_from_upload(*_upload(parts, close)) == TORRENT


def test_multipart_without_a_torrent_is_refused():
    with pytest.raises(ApiError):
        multipart.torrent_from_upload(*_upload([b'Content-Disposition: form-data; name="x"\r\n\r\nhello']))


@pytest.mark.parametrize("header,size,expected", [("bytes=0-9", 100, (0, 10)), ("bytes=90-", 100, (90, 100)),
                                                  ("bytes=-10", 100, (90, 100)), ("bytes=0-999", 100, (0, 100)),
                                                  (None, 100, None), ("items=1-2", 100, None)])
def test_ranges(header, size, expected):
    assert proxy.requested_range(header, size) == expected


def test_range_past_the_end_is_refused():
    with pytest.raises(ApiError):
        proxy.requested_range("bytes=100-", 100)


def test_available_end_follows_the_pieces_on_disk():
    source = FileSource(Path("/x"), size=50, offset=10, piece_length=16, have=(True, True, False, True))
    assert proxy.available_end(source, 0, 50) == 22  # pieces 0-1 cover torrent bytes 0-31 = file bytes 0-21
    assert proxy.available_end(source, 30, 50) == 30  # piece 2 missing
    assert proxy.available_end(source, 40, 50) == 50


def test_safe_sub_path():
    assert str(safe_sub_path("/tv//show/./s1")) == "tv/show/s1"
    assert str(safe_sub_path("")) == "."
    for bad in ("../x", "a/../../x", "a\\..\\..\\x", "x\0y", "a" * 256, "a/" * 600):
        with pytest.raises(AddError):
            safe_sub_path(bad)


def test_setprops_order_semantics():
    query = Query("s=label&v=early&hash=aa&s=ulrate&v=10&s=dlrate&v=2.0&hash=BB&s=ulslots&v=4")
    assert query.prop_changes() == [("AA", "label", "early"), ("AA", "ulrate", "10"), ("AA", "dlrate", "2.0"),
                                    ("BB", "ulslots", "4")]


def test_setsetting_pairs():
    assert Query("s=a&v=1&s=b&v=2").setting_pairs() == [("a", "1"), ("b", "2")]
    with pytest.raises(ApiError):
        Query("s=a&s=b&v=2").setting_pairs()


def test_names_are_cut_by_bytes_at_a_character_boundary_keeping_the_extension():
    from utserver.engine.adding import cut_name
    assert cut_name("short.mkv") == "short.mkv"
    for long in ("中" * 160 + ".mkv", "\U0001f600" * 100 + ".mkv", "é" * 300):
        cut = cut_name(long)
        assert len(cut.encode()) <= 255 and long.startswith(cut.rsplit(".", 1)[0] if "." in long else cut)
        assert cut.endswith(".mkv") == long.endswith(".mkv")


def test_a_served_reply_body_is_not_kept_by_its_worker_thread():
    """bottle keeps a thread's last reply body until the thread's next request: a full listing of
    10,000 torrents is megabytes, and each of the web threads held its last one."""
    app = bottle.Bottle()
    app.route("/list", callback=lambda: bottle.HTTPResponse(b"x" * 1_000_000, 200))
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/list", "wsgi.input": io.BytesIO(),
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    served = _with_sock_ip(app, "127.0.0.1")(environ, lambda status, headers, exc_info=None: None)
    assert b"".join(served) == b"x" * 1_000_000  # the reply itself is whole
    assert not bottle.response.body
