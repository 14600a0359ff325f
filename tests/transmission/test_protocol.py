"""The wire contract of /transmission/rpc: the session-id handshake, the envelope, and every
refusal in Transmission's own form (docs/transmission.md)."""

from __future__ import annotations

import gzip
import json

from tests.support.daemon import ADMIN
from tests.transmission.support import RPC, SESSION_HEADER, Rpc


def test_a_request_without_the_session_id_gets_409_and_the_id(shared_daemon):
    for method, body in (("POST", b'{"method":"session-get"}'), ("GET", None)):
        status, headers, data = shared_daemon.request(RPC, data=body, method=method)
        assert status == 409
        session_id = headers[SESSION_HEADER]
        assert len(session_id) == 48 and session_id.isalnum()
        assert f"{SESSION_HEADER}: {session_id}".encode() in data
    status, headers, _ = shared_daemon.request(RPC, data=b"{}", headers={SESSION_HEADER: "stale"})
    assert status == 409


def test_the_id_is_accepted_in_any_header_case_and_on_the_trailing_slash_path(shared_daemon):
    _, headers, _ = shared_daemon.request(RPC, data=b"{}")
    session_id = headers[SESSION_HEADER]
    for path in (RPC, RPC + "/"):
        status, _, data = shared_daemon.request(path, data=b'{"method":"session-get","arguments":{"fields":["version"]}}',
                                                headers={"x-transmission-session-id": session_id})
        assert status == 200
        assert json.loads(data)["arguments"]["version"].startswith("4.0.")


def test_get_with_the_id_is_405_and_content_type_is_ignored(shared_daemon, rpc):
    rpc.ok("session-get", {"fields": ["version"]})
    status, headers, _ = shared_daemon.request(RPC, headers={SESSION_HEADER: rpc.session_id})
    assert status == 405 and headers["Allow"] == "POST"
    for content_type in ("json", "application/x-www-form-urlencoded", "text/plain"):  # web UI 3.00, CLI, others
        status, _, data = rpc.post(b'{"method":"session-get","arguments":{"fields":["version"]}}', {"Content-Type": content_type})
        assert status == 200 and json.loads(data)["result"] == "success"


def test_the_reply_echoes_an_integer_tag_only(rpc):
    assert rpc.call("session-get", {"fields": ["version"]}, tag=5)["tag"] == 5
    assert rpc.call("session-get", {"fields": ["version"]}, tag=-1)["tag"] == -1
    assert rpc.call("no-such-method", tag=2 ** 40)["tag"] == 2 ** 40  # errors too
    for tag in (5.5, "x", True):
        assert "tag" not in rpc.call("session-get", {"fields": ["version"]}, tag=tag)


def test_bad_requests_get_a_result_string_and_change_nothing(rpc):
    before = rpc.ok("session-get")
    for body, words in ((b"not json", "not JSON"), (b'"text"', "not a JSON object"), (b'{"arguments":{}}', "no method name"),
                        (b'{"method":5}', "no method name"), (b'{"method":"session-set","arguments":[1]}', "arguments"),
                        (b'\xff\xfe', "not JSON")):
        status, headers, data = rpc.post(body)
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        reply = json.loads(data)
        assert reply["arguments"] == {} and words in reply["result"], (body, reply)
    assert rpc.call("torrent-explode")["result"] == "method name not recognized"
    after = rpc.ok("session-get")
    assert {k: v for k, v in after.items() if k != "download-dir-free-space"} == \
        {k: v for k, v in before.items() if k != "download-dir-free-space"}


def test_bad_argument_types_are_errors_naming_the_argument(rpc):
    assert rpc.error("torrent-get", {"fields": "name"}) == "no fields specified"
    assert "fields" in rpc.error("torrent-get", {"fields": [1, 2]})
    assert "format" in rpc.error("torrent-get", {"fields": ["id"], "format": "csv"})
    assert "invalid torrent id" in rpc.error("torrent-get", {"fields": ["id"], "ids": ["not-a-hash"]})
    assert "invalid torrent id" in rpc.error("torrent-stop", {"ids": [{"id": 1}]})
    assert "invalid torrent id" in rpc.error("torrent-stop", {"ids": 1.5})
    assert "delete-local-data" in rpc.error("torrent-remove", {"ids": [], "delete-local-data": "yes"})
    assert "speed-limit-down" in rpc.error("session-set", {"speed-limit-down": "fast"})
    assert "not absolute" in rpc.error("free-space", {"path": "relative/dir"})


def test_guest_may_read_but_not_change(make_daemon):
    daemon = make_daemon({"webui.enable_guest": 1, "localhost_authentication": 1}).start()
    guest = Rpc(daemon, auth=("guest", ""))
    assert guest.ok("session-get", {"fields": ["rpc-version"]}) == {"rpc-version": 17}
    assert guest.ok("torrent-get", {"fields": ["id"]}) == {"torrents": []}
    assert guest.ok("session-stats")["torrentCount"] == 0
    for method, arguments in (("session-set", {"speed-limit-down": 5, "speed-limit-down-enabled": True}),
                              ("torrent-add", {"filename": "magnet:?xt=urn:btih:" + "a" * 40}),
                              ("torrent-stop", {}), ("session-close", {})):
        assert guest.error(method, arguments) == f"{method}: the guest account is read-only"
    admin = Rpc(daemon)
    assert admin.ok("session-get", {"fields": ["speed-limit-down-enabled"]}) == {"speed-limit-down-enabled": False}
    assert admin.ok("torrent-get", {"fields": ["id"]}) == {"torrents": []}
    assert daemon.proc.poll() is None


def test_wrong_or_missing_credentials_get_401_with_transmissions_realm(make_daemon):
    daemon = make_daemon({"localhost_authentication": 1}).start()
    for auth in (None, (ADMIN[0], "wrong")):
        status, headers, _ = daemon.request(RPC, data=b"{}", auth=auth)
        assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="Transmission"'
    status, _, _ = daemon.request("/transmission/web/", auth=None)
    assert status == 401


def test_repeated_wrong_passwords_are_braked_with_403(make_daemon):
    daemon = make_daemon({"localhost_authentication": 1}).start()
    statuses = [daemon.request(RPC, data=b"{}", auth=(ADMIN[0], "wrong"))[0] for _ in range(6)]
    assert statuses == [401] * 6  # the sixth failure starts the brake: 1 s before the next try
    status, headers, data = daemon.request(RPC, data=b"{}", auth=ADMIN)  # even the right password waits
    assert status == 403 and int(headers["Retry-After"]) >= 1 and b"wait" in data


def test_a_foreign_host_name_gets_421_and_ip_literals_and_localhost_pass(shared_daemon):
    status, _, data = shared_daemon.request(RPC, data=b"{}", headers={"Host": "evil.example"})
    assert status == 421 and b"webui.allowed_hosts" in data
    for host in ("localhost", f"127.0.0.1:{shared_daemon.webui_port}", "[::1]"):
        assert shared_daemon.request(RPC, data=b"{}", headers={"Host": host})[0] == 409


def test_an_address_outside_webui_restrict_gets_403(make_daemon):
    daemon = make_daemon({"webui.restrict": "10.1.2.3"}).start()
    for path in (RPC, "/transmission/web/"):
        status, _, data = daemon.request(path, data=b"{}")
        assert status == 403 and b"webui.restrict" in data


def test_replies_are_gzipped_for_clients_that_accept_it(rpc):
    status, headers, data = rpc.post(b'{"method":"session-get"}', {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(data))["arguments"]["rpc-version"] == 17


def test_other_paths_under_transmission_redirect_to_the_web_ui_or_are_404(shared_daemon):
    for path in ("/transmission", "/transmission/", "/transmission/web"):
        opener_status = _no_redirect_status(shared_daemon, path)
        assert opener_status == (301, "/transmission/web/"), path
    assert shared_daemon.request("/transmission/nothing-here")[0] == 404
    assert shared_daemon.request("/gui/token.html")[0] == 200  # the µTorrent front is still there


def _no_redirect_status(daemon, path: str) -> tuple[int, str]:
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", daemon.webui_port, timeout=10)
    connection.request("GET", path, headers={"Authorization": "Basic " + _basic(ADMIN)})
    response = connection.getresponse()
    connection.close()
    return response.status, response.getheader("Location", "")


def _basic(auth: tuple[str, str]) -> str:
    import base64
    return base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def _jsonrpc(rpc, request) -> tuple[int, object]:
    status, _, data = rpc.post(json.dumps(request).encode())
    return status, json.loads(data) if data else None


def test_json_rpc_2_as_transmission_4_1_speaks_it(rpc, tmp_path):
    from tests.transmission.support import content
    added = rpc.add(content(tmp_path, "jsonrpc-one", {"j.bin": 20_000})[0], paused=True)
    status, reply = _jsonrpc(rpc, {"jsonrpc": "2.0", "method": "session_get", "params": {"fields": ["rpc_version",
                                                                                                  "cache_size_mib", "encryption"]}, "id": 7})
    assert status == 200 and reply["id"] == 7
    assert reply["result"] == {"rpc_version": 17, "cache_size_mib": 0, "encryption": "preferred"}
    status, reply = _jsonrpc(rpc, {"jsonrpc": "2.0", "method": "torrent_get", "id": "x", "params": {
        "ids": [added["id"]], "fields": ["id", "hash_string", "wanted", "file_stats", "peer_limit"]}})
    torrent = reply["result"]["torrents"][0]
    assert torrent["hash_string"] == added["hashString"] and torrent["wanted"] == [True]
    assert torrent["file_stats"][0]["bytes_completed"] == 0 and torrent["peer_limit"] > 0
    reply = _jsonrpc(rpc, {"jsonrpc": "2.0", "method": "torrent_get", "id": 1,
                           "params": {"ids": "recently_active", "fields": ["id"]}})[1]
    assert "removed" in reply["result"]
    assert _jsonrpc(rpc, {"jsonrpc": "2.0", "method": "torrent_stop", "params": {"ids": [added["id"]]}}) == (204, None)
    errors = (({"jsonrpc": "2.0", "method": "no_such", "id": 2}, -32601),
              ({"jsonrpc": "1.0", "method": "session_get", "id": 3}, -32600),
              ({"jsonrpc": "2.0", "method": "session_get", "params": [1], "id": 4}, -32602),
              ({"jsonrpc": "2.0", "method": "free_space", "params": {"path": "rel"}, "id": 5}, 5))
    for request, code in errors:
        status, reply = _jsonrpc(rpc, request)
        assert status == 200 and reply["error"]["code"] == code and reply["id"] == request["id"], reply
    assert reply["error"]["data"]["error_string"] == "directory path is not absolute"
    status, replies = _jsonrpc(rpc, [{"jsonrpc": "2.0", "method": "session_stats", "id": 1},
                                     {"jsonrpc": "2.0", "method": "session_get", "params": {"fields": ["version"]}}])
    assert status == 200 and [r["id"] for r in replies] == [1] and "torrent_count" in replies[0]["result"]


def test_transmissions_web_ui_files_are_served_confined_and_off_by_default(shared_daemon, make_daemon):
    status, headers, data = shared_daemon.request("/transmission/web/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"transmission" in data.lower()
    assert headers["Expires"]
    status, headers, _ = shared_daemon.request("/transmission/web/javascript/transmission.js")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    for path in ("/transmission/web/../../../etc/passwd", "/transmission/web/%2e%2e/%2e%2e/etc/passwd",
                 "/transmission/web/no-such.js"):
        assert shared_daemon.request(path)[0] == 404, path
    status, _, data = make_daemon().start().request("/transmission/web/")
    assert status == 404 and b"tr_webui_dir" in data
