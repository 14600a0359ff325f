"""Issue 14 item 4: CSRF and the guest account.

Tokens belong to the account (and session) that fetched them; an action sent from a foreign page
(Origin or Referer) is refused; the guest never shares the admin's name; an empty guest name
means no guest; an unknown name costs what a wrong password costs; one account's tokens never
push out another's."""

from __future__ import annotations

import http.client
import re
import statistics
import time

import pytest

from tests.hostile.support import basic
from tests.support.daemon import ADMIN, Daemon

GUEST = ("guest", "")
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def guest_daemon(tmp_path_factory):
    daemon = Daemon(tmp_path_factory.mktemp("csrf"), {"webui.enable_guest": 1}).start()
    yield daemon
    daemon.stop()


def _request(daemon, path: str, auth=ADMIN, headers: dict | None = None, source: str = "127.0.0.1",
             conn: http.client.HTTPConnection | None = None) -> tuple[int, dict, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", daemon.webui_port, timeout=10, source_address=(source, 0))
    try:
        all_headers = {"Authorization": basic(auth), **(headers or {})} if auth else dict(headers or {})
        conn.request("GET", path, headers=all_headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        if own:
            conn.close()


def _token(daemon, auth=ADMIN, conn=None) -> tuple[str, str]:
    status, headers, body = _request(daemon, "/gui/token.html", auth, conn=conn)
    assert status == 200, body
    return re.search(rb">([^<]+)<", body).group(1).decode(), re.search(r"GUID=([^;]+)", headers["Set-Cookie"]).group(1)


def _max_dl(daemon) -> str:
    return {row[0]: row[2] for row in daemon.api({"action": "getsettings"})["settings"]}["max_dl_rate"]


def _set(daemon, token: str, value: str, auth=ADMIN, headers: dict | None = None) -> tuple[int, bytes]:
    status, _, body = _request(daemon, f"/gui/?token={token}&action=setsetting&s=max_dl_rate&v={value}", auth, headers)
    return status, body


def test_a_guest_token_does_not_authorize_the_admin(guest_daemon):
    guest_token, _ = _token(guest_daemon, GUEST)
    before = _max_dl(guest_daemon)
    assert _set(guest_daemon, guest_token, "123") == (400, b"invalid request")
    assert _max_dl(guest_daemon) == before


def test_a_token_with_another_sessions_cookie_is_refused(guest_daemon):
    token, _ = _token(guest_daemon)
    _, other_guid = _token(guest_daemon)
    before = _max_dl(guest_daemon)
    assert _set(guest_daemon, token, "124", headers={"Cookie": f"GUID={other_guid}"}) == (400, b"invalid request")
    assert _max_dl(guest_daemon) == before


def test_the_admins_own_token_still_works_with_and_without_its_cookie(guest_daemon):
    token, guid = _token(guest_daemon)
    assert _set(guest_daemon, token, "125", headers={"Cookie": f"GUID={guid}"})[0] == 200
    assert _set(guest_daemon, token, "126")[0] == 200
    assert _max_dl(guest_daemon) == "126"


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL}, {"Referer": EVIL + "/page.html"}, {"Origin": "null"},
    {"Origin": "http://203.0.113.9:8080"},  # an IP literal that is not the Host: any site has one
    {"Origin": EVIL, "Referer": "http://127.0.0.1/"},
])
def test_an_action_from_a_foreign_page_is_refused(guest_daemon, headers):
    token, _ = _token(guest_daemon)
    before = _max_dl(guest_daemon)
    status, body = _set(guest_daemon, token, "127", headers=headers)
    assert status == 403 and b"webui.allowed_hosts" in body
    assert _max_dl(guest_daemon) == before


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}"])
def test_an_action_from_our_own_page_is_served(guest_daemon, origin):
    token, _ = _token(guest_daemon)
    headers = {"Origin": origin.format(port=guest_daemon.webui_port),
               "Referer": origin.format(port=guest_daemon.webui_port) + "/gui/"}
    assert _set(guest_daemon, token, "128", headers=headers)[0] == 200


def test_the_csrf_of_the_issue_no_longer_runs_a_command(guest_daemon):
    guest_token, _ = _token(guest_daemon, GUEST)
    admin_token, _ = _token(guest_daemon)
    for token in (guest_token, admin_token):
        status, _, _ = _request(guest_daemon, f"/gui/?token={token}&action=setsetting&s=finish_cmd&v=touch%20PWNED",
                                headers={"Origin": EVIL})
        assert status == 403
    settings = {row[0]: row[2] for row in guest_daemon.api({"action": "getsettings"})["settings"]}
    assert settings["finish_cmd"] == ""


def test_one_account_fetching_1024_tokens_keeps_the_others(guest_daemon):
    admin_token, _ = _token(guest_daemon)
    conn = http.client.HTTPConnection("127.0.0.1", guest_daemon.webui_port, timeout=10)
    try:
        for _ in range(1024):
            _token(guest_daemon, GUEST, conn=conn)
    finally:
        conn.close()
    assert _set(guest_daemon, admin_token, "129")[0] == 200


def test_setsetting_refuses_a_guest_named_like_the_admin(guest_daemon):
    reply = guest_daemon.api([("action", "setsetting"), ("s", "webui.guest"), ("v", "admin")])
    assert "error" in reply
    settings = {row[0]: row[2] for row in guest_daemon.api({"action": "getsettings"})["settings"]}
    assert settings["webui.guest"] == "guest"


def test_a_guest_named_like_the_admin_never_logs_in_on_a_wrong_password(make_daemon):
    daemon = make_daemon({"webui.enable_guest": 1, "webui.guest": "admin"}).start()
    assert _request(daemon, "/gui/token.html", ("admin", "wrong"))[0] == 401
    assert _request(daemon, "/gui/token.html", ("admin", ""), source="127.0.0.5")[0] == 401
    assert _request(daemon, "/gui/token.html", ADMIN)[0] == 200


def test_an_empty_guest_name_means_no_guest(make_daemon):
    daemon = make_daemon({"webui.enable_guest": 1, "webui.guest": ""}).start()
    assert _request(daemon, "/gui/token.html", ("", ""))[0] == 401
    assert _request(daemon, "/gui/token.html", ("", "x"), source="127.0.0.6")[0] == 401


def test_an_unknown_name_answers_in_the_time_of_a_wrong_password(guest_daemon):
    """Both below the brake's 5 free failures: each address tries twice of each kind."""
    timings: dict[str, list[float]] = {"unknown": [], "wrong": []}
    for n in range(10):
        source = f"127.0.1.{n + 10}"
        for kind, auth in (("unknown", ("nobody", "x")), ("wrong", ("admin", "x"))) * 2:
            started = time.perf_counter()
            assert _request(guest_daemon, "/gui/token.html", auth, source=source)[0] == 401
            timings[kind].append(time.perf_counter() - started)
    unknown, wrong = statistics.median(timings["unknown"]), statistics.median(timings["wrong"])
    print(f"median 401: unknown name {unknown * 1000:.1f} ms, wrong password {wrong * 1000:.1f} ms")
    assert 0.6 < unknown / wrong < 1.6
