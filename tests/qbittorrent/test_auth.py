"""/api/v2 access rules: login and the SID cookie, 403 for everyone else, POST-only actions, the
read-only guest, the brute-force brake, the API key, the IP list and the Host rule."""

from __future__ import annotations

import re

import pytest

from tests.qbittorrent.support import Qbt, logged_in
from tests.support.daemon import ADMIN
from utserver.web.qbittorrent.routes import ENDPOINTS

GUEST = ("guest", "")
BANNED = b"Your IP address has been banned after too many failed authentication attempts."


@pytest.mark.parametrize("scope,action", sorted(key for key, e in ENDPOINTS.items() if not e.public))
def test_every_endpoint_answers_403_without_a_session(qbt_daemon, scope, action):
    resp = Qbt(qbt_daemon).request(f"{scope}/{action}", {"hashes": "all"})
    assert (resp.status, resp.body) == (403, b"Forbidden")


def test_a_wrong_or_ended_sid_is_403(qbt_daemon):
    assert Qbt(qbt_daemon, sid="not-a-session").request("app/version", method="GET").status == 403
    client = logged_in(qbt_daemon)
    assert client.get("app/version").startswith("v")
    resp = client.request("auth/logout")
    assert resp.status == 200 and "SID=;" in resp.headers["Set-Cookie"]
    assert client.request("app/version", method="GET").status == 403


def test_login_answers_ok_with_an_sid_cookie_as_qbittorrent_5_1(qbt_daemon):
    client = Qbt(qbt_daemon)
    resp = client.login()
    assert (resp.status, resp.body) == (200, b"Ok.")
    assert resp.headers["Content-Type"].startswith("text/plain")
    cookie = resp.headers["Set-Cookie"]
    assert re.fullmatch(r"SID=[A-Za-z0-9_-]{32}; HttpOnly; path=/; SameSite=Strict", cookie), cookie
    assert "Secure" not in cookie
    # A valid session logs in again without credentials being checked.
    assert client.request("auth/login", {"username": "x", "password": "y"}).body == b"Ok."


def test_wrong_credentials_answer_fails_with_200_and_no_cookie(qbt_daemon):
    resp = Qbt(qbt_daemon).login(("admin", "wrong"), source="127.0.0.4")
    assert (resp.status, resp.body) == (200, b"Fails.")
    assert resp.headers.get("Set-Cookie") is None
    assert Qbt(qbt_daemon).login(("nobody", "testpass"), source="127.0.0.4").body == b"Fails."


def test_login_is_post_only(qbt_daemon):
    resp = Qbt(qbt_daemon).request("auth/login", {"username": ADMIN[0], "password": ADMIN[1]}, method="GET")
    assert resp.status == 405


def test_cookie_sent_back_with_its_attributes_is_understood(qbt_daemon):
    """cross-seed and Flood send the raw Set-Cookie text back as their Cookie header."""
    resp = Qbt(qbt_daemon).login()
    client = Qbt(qbt_daemon)
    reply = client.request("app/version", method="GET", headers={"Cookie": resp.headers["Set-Cookie"]})
    assert reply.status == 200 and reply.body.startswith(b"v")


@pytest.mark.parametrize("path", ["torrents/add", "torrents/delete", "torrents/stop", "app/setPreferences",
                                  "torrents/createCategory", "transfer/setSpeedLimitsMode", "auth/logout"])
def test_actions_that_change_state_are_post_only(qbt, path):
    assert qbt.request(path, {"hashes": "all"}, method="GET").status == 405


def test_read_actions_accept_get_and_post(qbt):
    assert qbt.request("torrents/info", method="GET").status == 200
    assert qbt.request("torrents/info").status == 200


def test_unknown_endpoints_and_methods(qbt):
    assert qbt.request("torrents/noSuchAction", method="GET").status == 404
    assert qbt.request("nosuchscope/info", method="GET").status == 404
    assert qbt.request("torrents/info/extra", method="GET").status == 404
    assert qbt.request("torrents/info", method="PUT").status == 405


def test_guest_reads_but_changes_nothing(qbt_daemon, qbt):
    guest = logged_in(qbt_daemon, GUEST)
    assert isinstance(guest.get("torrents/info"), list)
    assert "dl_limit" in guest.get("app/preferences")
    resp = guest.request("torrents/createCategory", {"category": "guest-made"})
    assert (resp.status, resp.body) == (403, b"Forbidden")
    assert guest.request("app/setPreferences", {"json": '{"dl_limit": 1024}'}).status == 403
    assert guest.request("app/rotateAPIKey").status == 403
    assert "guest-made" not in qbt.get("torrents/categories")
    assert qbt.get("app/preferences")["dl_limit"] != 1024


def test_repeated_wrong_passwords_ban_the_address_and_only_it(qbt_daemon):
    source = "127.0.0.9"
    bodies = [Qbt(qbt_daemon).login(("admin", f"wrong{n}"), source=source).body for n in range(6)]
    assert bodies == [b"Fails."] * 6
    resp = Qbt(qbt_daemon).login(source=source)  # even the right password, while banned
    assert (resp.status, resp.body) == (403, BANNED)
    assert logged_in(qbt_daemon).get("app/version")  # another address is not slowed down


def test_a_foreign_host_header_is_refused(qbt_daemon):
    client = logged_in(qbt_daemon)
    resp = client.request("app/version", method="GET", host=f"evil.example:{qbt_daemon.webui_port}")
    assert resp.status == 403 and b"Host" in resp.body
    resp = Qbt(qbt_daemon).request("auth/login", {"username": ADMIN[0], "password": ADMIN[1]},
                                   host="evil.example")
    assert resp.status == 403 and resp.headers.get("Set-Cookie") is None


def test_the_ip_restriction_list_applies(make_daemon):
    daemon = make_daemon({"webui.restrict": "127.0.0.1"}).start()
    assert logged_in(daemon).get("app/version")
    resp = Qbt(daemon).login(source="127.0.0.2")
    assert resp.status == 403 and resp.headers.get("Set-Cookie") is None


def test_localhost_bypass_when_localhost_authentication_is_off(make_daemon):
    daemon = make_daemon({"localhost_authentication": 0}).start()
    resp = Qbt(daemon).request("app/version", method="GET")
    assert resp.status == 200 and "SID=" in resp.headers["Set-Cookie"]


def test_basic_credentials_are_accepted_and_wrong_ones_are_403(qbt_daemon):
    """Radarr, Lidarr and Prowlarr send Basic on every request (qBittorrent 5.2 accepts it)."""
    from tests.api.support import raw
    assert raw(qbt_daemon, "/api/v2/app/webapiVersion", auth=ADMIN).status == 200
    resp = raw(qbt_daemon, "/api/v2/app/webapiVersion", auth=("admin", "bad"), source="127.0.0.10")
    assert (resp.status, resp.body) == (403, b"Forbidden")


def test_api_key_bearer_works_and_is_refused_on_auth_and_when_wrong(qbt_daemon, qbt):
    key = qbt.post("app/rotateAPIKey")["apiKey"]
    assert re.fullmatch(r"qbt_[A-Za-z0-9]{28}", key)
    bearer = {"Authorization": f"Bearer {key}"}
    keyed = Qbt(qbt_daemon)
    assert keyed.request("app/version", method="GET", headers=bearer).body.startswith(b"v")
    assert keyed.request("torrents/createCategory", {"category": "by-key"}, headers=bearer).status == 200
    assert keyed.request("auth/logout", headers=bearer).status == 403
    wrong = {"Authorization": "Bearer qbt_" + "x" * 28}
    assert keyed.request("app/version", method="GET", headers=wrong).status == 403
    qbt.post("app/deleteAPIKey")
    assert keyed.request("app/version", method="GET", headers=bearer).status == 403


GARBAGE = {"hashes": "zz|all", "hash": "zz", "id": "x|", "priority": "x", "limit": "1e999", "json": "{",
           "value": "maybe", "rid": "-x", "ratioLimit": "nan", "seedingTimeLimit": "x", "category": "//",
           "categories": "\n", "tags": ",,", "urls": "\n", "location": "rel", "path": "", "mode": "7",
           "name": "", "oldPath": "..", "newPath": "../..", "sort": "x", "offset": "y", "indexes": "a|b",
           "last_known_id": "z", "origUrl": "", "newUrl": "", "savePath": "\0"}


@pytest.fixture(scope="module")
def a_torrent(qbt_daemon, tmp_path_factory) -> str:
    from tests.qbittorrent.helpers import add, made
    torrent = made(tmp_path_factory.mktemp("garbage"), {"d/a.bin": b"a" * 20_000, "d/b.bin": b"b" * 30_000})
    add(logged_in(qbt_daemon), torrent, stopped="true")
    return torrent.info_hash


@pytest.mark.parametrize("scope,action", sorted(key for key in ENDPOINTS if key != ("app", "shutdown")))
def test_no_endpoint_answers_500_to_missing_or_garbage_parameters(qbt_daemon, a_torrent, scope, action):
    client = logged_in(qbt_daemon)
    on_torrent = {**GARBAGE, "hash": a_torrent, "hashes": a_torrent}
    keeps_it = (scope, action) != ("torrents", "delete")  # the later endpoints need the torrent
    for params in ({}, GARBAGE, on_torrent) if keeps_it else ({}, GARBAGE):
        resp = client.request(f"{scope}/{action}", params)
        assert resp.status < 500, (params, resp.status, resp.body[:200])


def test_cross_site_requests_are_401_even_with_a_session_or_basic(qbt_daemon, qbt):
    """A forged form on another site carries the cookie and the browser's cached Basic credentials,
    and its Origin: qBittorrent's rule refuses it. Apps send no Origin and pass."""
    from tests.api.support import raw
    here = f"127.0.0.1:{qbt_daemon.webui_port}"
    for header in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                   {"Referer": "http://evil.example/page"}, {"Origin": f"http://127.0.0.1:{qbt_daemon.webui_port + 1}"}):
        resp = qbt.request("torrents/createCategory", {"category": "forged"}, headers=header)
        assert (resp.status, resp.body) == (401, b"Unauthorized"), header
        body = b"category=forged"
        resp = raw(qbt_daemon, "/api/v2/torrents/createCategory", method="POST", body=body,
                   headers={"Content-Type": "application/x-www-form-urlencoded", **header})
        assert resp.status == 401
    assert "forged" not in qbt.get("torrents/categories")
    same = {"Origin": f"http://{here}", "Referer": f"http://{here}/index.html"}
    assert qbt.request("torrents/createCategory", {"category": "same-origin"}, headers=same).status == 200
    key = qbt.post("app/rotateAPIKey")["apiKey"]
    keyed = Qbt(qbt_daemon).request("app/version", method="GET",
                                    headers={"Authorization": f"Bearer {key}", "Origin": "http://elsewhere"})
    assert keyed.status == 200
    qbt.post("app/deleteAPIKey")
