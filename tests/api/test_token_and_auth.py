"""Token, HTTP Basic, guest, sessions: what µTorrent API clients rely on
(docs/reference/utorrent-clients.md#token-page, #credentials, #bad-token, #sessions, #token-position, #bare-token)."""

from __future__ import annotations

import base64
import http.client
import re
import signal
import socket

from tests.api.support import gui, raw, token_of
from tests.support.daemon import ADMIN, free_port, wait_for, write_conf
from utserver import BUILD

TOKEN_PAGE = re.compile(r"<html><div id='token' style='display:none;'>([^<\s]+)</div></html>")


def test_token_page_is_exactly_what_clients_parse(shared_daemon):
    resp = raw(shared_daemon, "/gui/token.html")
    assert resp.status == 200
    assert TOKEN_PAGE.fullmatch(resp.body.decode()), resp.body
    assert resp.headers["Content-Type"] == "text/html"
    assert re.fullmatch(r"GUID=[0-9a-f]+; path=/", resp.headers["Set-Cookie"])


def test_no_credentials_get_the_basic_challenge(shared_daemon):
    resp = raw(shared_daemon, "/gui/token.html", auth=None)
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="uTorrent"'


def test_wrong_password_is_refused(shared_daemon):
    assert raw(shared_daemon, "/gui/token.html", auth=("admin", "nope"), source="127.0.0.9").status == 401
    assert raw(shared_daemon, "/gui/token.html", auth=("root", "testpass"), source="127.0.0.9").status == 401


def test_missing_or_bad_token_is_400_invalid_request(shared_daemon):
    for params in ({"list": "1"}, {"list": "1", "token": "not-a-token"}, {"action": "getsettings"}):
        resp = gui(shared_daemon, params)
        assert (resp.status, resp.body) == (400, b"invalid request")


def test_token_is_accepted_anywhere_in_the_query_and_without_its_cookie(shared_daemon):
    token, _ = token_of(shared_daemon)
    for params in ([("token", token), ("list", "1")], [("list", "1"), ("token", token)],
                   [("action", "getversion"), ("t", "123"), ("token", token)]):
        resp = gui(shared_daemon, params)
        assert resp.status == 200, params
        assert resp.json()["build"] == BUILD


def test_many_tokens_are_valid_at_once(shared_daemon):
    tokens = [token_of(shared_daemon)[0] for _ in range(5)]
    assert len(set(tokens)) == 5
    for token in tokens:
        assert gui(shared_daemon, {"token": token, "list": "1"}).status == 200


def test_token_without_action_or_list_answers_the_build(shared_daemon):
    token, _ = token_of(shared_daemon)
    resp = raw(shared_daemon, f"/gui/?token={token}&")
    assert resp.status == 200
    assert resp.body == b'{"build":%d}' % BUILD


def test_unknown_action_is_400(shared_daemon):
    token, _ = token_of(shared_daemon)
    assert gui(shared_daemon, {"token": token, "action": "format-disk"}).status == 400


def test_tokens_die_with_the_daemon(make_daemon):
    daemon = make_daemon().start()
    token, _ = token_of(daemon)
    daemon.restart()
    assert gui(daemon, {"token": token, "list": "1"}).status == 400


def test_setting_the_password_through_the_api_stores_only_a_hash(make_daemon):
    daemon = make_daemon().start()
    daemon.api([("action", "setsetting"), ("s", "admin_password"), ("v", "n3w-s3cret")])
    assert raw(daemon, "/gui/token.html", auth=("admin", "n3w-s3cret")).status == 200
    assert raw(daemon, "/gui/token.html", auth=ADMIN).status == 401
    daemon.restart()
    stored = (daemon.settings_path / "settings.dat").read_bytes()
    assert b"n3w-s3cret" not in stored and b"testpass" not in stored
    assert raw(daemon, "/gui/token.html", auth=("admin", "n3w-s3cret")).status == 200


def test_localhost_authentication_off_lets_local_clients_in(make_daemon):
    daemon = make_daemon({"localhost_authentication": 0}).start()
    token, _ = token_of(daemon, auth=None)
    assert gui(daemon, {"token": token, "list": "1"}, auth=None).status == 200


def test_token_auth_disabled_needs_no_token_but_still_credentials(make_daemon):
    daemon = make_daemon({"token_auth_enable": 0}).start()
    assert gui(daemon, {"list": "1"}).status == 200
    assert gui(daemon, {"list": "1"}, auth=None).status == 401


def test_token_auth_filter_remote_spares_local_clients_only(make_daemon):
    daemon = make_daemon({"token_auth_filter": "remote"}).start()
    assert gui(daemon, {"list": "1"}).status == 200  # loopback: no token needed
    assert gui(daemon, {"list": "1"}, auth=None).status == 401  # credentials still are


def test_sessions_are_listed_and_logout_ends_them(shared_daemon):
    token, guid = token_of(shared_daemon)
    cookie = {"Cookie": f"GUID={guid}"}
    sessions = gui(shared_daemon, {"token": token, "action": "get-sessions"}, headers=cookie).json()["sessions"]
    mine = [s for s in sessions if s["guid"] == guid]
    assert mine and mine[0]["peer_ip"] == "127.0.0.1" and isinstance(mine[0]["created"], int)
    assert gui(shared_daemon, {"token": token, "action": "logout"}, headers=cookie).json() == {"build": BUILD}
    assert gui(shared_daemon, {"token": token, "list": "1"}, headers=cookie).status == 400  # its tokens died
    other_token, _ = token_of(shared_daemon)
    guids = [s["guid"] for s in gui(shared_daemon, {"token": other_token, "action": "get-sessions"}).json()["sessions"]]
    assert guid not in guids


def test_admin_logs_out_another_session(shared_daemon):
    victim_token, victim_guid = token_of(shared_daemon)
    token, _ = token_of(shared_daemon)
    gui(shared_daemon, {"token": token, "action": "logout", "session": victim_guid})
    assert gui(shared_daemon, {"token": victim_token, "list": "1"}).status == 400


def test_wrong_passwords_are_braked_per_address_without_locking_out_the_owner(shared_daemon):
    attacker = "127.0.0.77"
    statuses = []
    for attempt in range(12):
        guess = ("admin", f"guess{attempt}")
        statuses.append(raw(shared_daemon, "/gui/token.html", auth=guess, source=attacker).status)
        if statuses[-1] == 429:
            break
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429, statuses  # a few free tries, then the brake
    braked = raw(shared_daemon, "/gui/token.html", auth=ADMIN, source=attacker)
    assert braked.status == 429 and int(braked.headers["Retry-After"]) >= 1  # not even checked while braked
    assert raw(shared_daemon, "/gui/token.html", auth=ADMIN, source="127.0.0.1").status == 200  # the owner
    # The brake is a wait, not a lock-out: after it, the right password works from that address too.
    wait_for(lambda: raw(shared_daemon, "/gui/token.html", auth=ADMIN, source=attacker).status == 200,
             timeout=30, interval=0.5, what="the brake to release")


def test_ipv6_loopback_bind(make_daemon):
    daemon = make_daemon({"bind_ip": "::1"})
    daemon.start()
    conn = http.client.HTTPConnection("::1", daemon.webui_port, timeout=30)
    conn.request("GET", "/gui/token.html",
                 headers={"Authorization": "Basic " + base64.b64encode(b"admin:testpass").decode()})
    resp = conn.getresponse()
    assert resp.status == 200 and TOKEN_PAGE.fullmatch(resp.read().decode())
    conn.close()


def test_conf_reload_moves_the_web_port(make_daemon):
    daemon = make_daemon().start()
    old_port = daemon.webui_port
    daemon.conf["ut_webui_port"] = daemon.webui_port = free_port()
    write_conf(daemon.conf_path, daemon.conf)
    daemon.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: _answers(daemon.webui_port), what="the web API on the new port")
    assert not _answers(old_port)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /gui/token.html HTTP/1.0\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


def test_conf_reload_to_a_taken_port_keeps_the_old_one(make_daemon):
    daemon = make_daemon().start()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        daemon.conf["ut_webui_port"] = squatter.getsockname()[1]
        write_conf(daemon.conf_path, daemon.conf)
        daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "staying on the previous address" in daemon.log(), what="the refused move logged")
    assert _answers(daemon.webui_port)
    assert raw(daemon, "/gui/token.html").status == 200
