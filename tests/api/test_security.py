"""Security: credentials everywhere, the token against CSRF, the read-only guest, no path escapes,
the IP restriction list and the Host header rule (DNS rebinding)."""

from __future__ import annotations

import os
import zipfile

import pytest

from tests.api.support import add_file, gui, make_torrent, multipart, raw, raw_torrent, rows, token_of
from tests.support.daemon import wait_for

ROUTES = ["/gui/", "/gui/token.html", "/gui/index.html", "/gui/?list=1", "/gui/?action=getsettings",
          "/proxy?id=" + "A" * 40 + "&file=0", "/proxy?sid=" + "A" * 40, "/", "/gui", "/no-such-page"]
GUEST = ("guest", "")


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_refuses_requests_without_credentials(shared_daemon, path):
    resp = raw(shared_daemon, path, auth=None)
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="uTorrent"'


def test_upload_without_credentials_is_refused_and_adds_nothing(shared_daemon, tmp_path):
    made = make_torrent(tmp_path, "nocreds.bin")
    body, ctype = multipart(made.data)
    token, _ = token_of(shared_daemon)
    resp = raw(shared_daemon, f"/gui/?token={token}&action=add-file", auth=None, method="POST", body=body,
               headers={"Content-Type": ctype})
    assert resp.status == 401
    assert made.info_hash not in rows(shared_daemon)


def test_modifying_request_without_token_is_refused_and_changes_nothing(shared_daemon, tmp_path):
    """A forged cross-site request carries the browser's credentials and cookie, never the token."""
    made = make_torrent(tmp_path, "csrf.bin")
    _, guid = token_of(shared_daemon)
    cookie = {"Cookie": f"GUID={guid}"}
    body, ctype = multipart(made.data)
    resp = raw(shared_daemon, "/gui/?action=add-file", method="POST", body=body,
               headers={"Content-Type": ctype, **cookie})
    assert (resp.status, resp.body) == (400, b"invalid request")
    resp = gui(shared_daemon, [("action", "setsetting"), ("s", "max_dl_rate"), ("v", "7")], headers=cookie)
    assert resp.status == 400
    assert made.info_hash not in rows(shared_daemon)
    settings = {s[0]: s[2] for s in shared_daemon.api({"action": "getsettings"})["settings"]}
    assert settings["max_dl_rate"] != "7"


@pytest.fixture(scope="module")
def guest_daemon(tmp_path_factory):
    from tests.support.daemon import Daemon
    daemon = Daemon(tmp_path_factory.mktemp("guest"), {"webui.enable_guest": 1}).start()
    made = make_torrent(tmp_path_factory.mktemp("guest-src"), "guarded.bin")
    add_file(daemon, made)
    yield daemon, made
    daemon.stop()


MODIFYING = ["setsetting&s=max_dl_rate&v=5", "setprops&s=label&v=x", "setprio&p=0&f=0", "start", "stop", "pause",
             "unpause", "forcestart", "recheck", "remove", "removedata", "removetorrent", "removedatatorrent",
             "queueup", "queuedown", "queuetop", "queuebottom", "add-url&s=magnet:?xt=urn:btih:" + "b" * 40,
             "add-unknown-url&s=magnet:?xt=urn:btih:" + "c" * 40, "resetxferhist", "get-sessions",
             "rss-update&url=http://127.0.0.1:9/feed", "rss-remove&feed-id=1", "filter-update&name=x",
             "filter-remove&filter-id=1", "configremote&u=a&p=b"]


@pytest.mark.parametrize("action", MODIFYING)
def test_guest_cannot_modify(guest_daemon, action):
    daemon, made = guest_daemon
    before = rows(daemon)
    token, _ = token_of(daemon, auth=GUEST)
    resp = raw(daemon, f"/gui/?token={token}&action={action}&hash={made.info_hash}", auth=GUEST)
    assert resp.status == 403 and b"guest" in resp.body
    after = rows(daemon)
    assert after.keys() == before.keys() and after[made.info_hash][11] == before[made.info_hash][11]


def test_guest_can_read(guest_daemon):
    daemon, made = guest_daemon
    token, _ = token_of(daemon, auth=GUEST)
    for action in ("getsettings", "getfiles", "getprops", "getpeers", "getversion", "list-dirs"):
        resp = raw(daemon, f"/gui/?token={token}&action={action}&hash={made.info_hash}", auth=GUEST)
        assert resp.status == 200 and "error" not in resp.json(), action
    listing = raw(daemon, f"/gui/?token={token}&list=1", auth=GUEST).json()
    assert made.info_hash in [row[0] for row in listing["torrents"]]


def test_guest_cannot_upload(guest_daemon, tmp_path):
    daemon, _ = guest_daemon
    made = make_torrent(tmp_path, "guest-upload.bin")
    token, _ = token_of(daemon, auth=GUEST)
    body, ctype = multipart(made.data)
    resp = raw(daemon, f"/gui/?token={token}&action=add-file", auth=GUEST, method="POST", body=body,
               headers={"Content-Type": ctype})
    assert resp.status == 403
    assert made.info_hash not in rows(daemon)


def test_guest_is_off_by_default(shared_daemon):
    assert raw(shared_daemon, "/gui/token.html", auth=GUEST, source="127.0.0.31").status == 401


@pytest.mark.parametrize("path", ["../outside", "a/../../outside", "/../outside", "..", "a/..\\..\\outside"])
def test_add_path_cannot_climb_out_of_the_download_folder(shared_daemon, tmp_path, path):
    made = make_torrent(tmp_path, "climb.bin")
    reply = add_file(shared_daemon, made, path=path)
    assert "error" in reply and ".." in reply["error"]
    assert made.info_hash not in rows(shared_daemon)
    assert not (shared_daemon.workdir / "outside").exists()


def test_add_path_with_leading_slash_is_relative_to_the_download_folder(shared_daemon, tmp_path):
    made = make_torrent(tmp_path, "slash.bin")
    assert add_file(shared_daemon, made, path="/tv/show") == {"build": shared_daemon.api()["build"]}
    assert rows(shared_daemon)[made.info_hash][26] == str(shared_daemon.download_dir / "tv" / "show")


def test_add_path_cannot_escape_through_a_symlink(shared_daemon, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shared_daemon.download_dir.mkdir(exist_ok=True)
    (shared_daemon.download_dir / "link").symlink_to(outside)
    made = make_torrent(tmp_path / "src", "symlinked.bin")
    reply = add_file(shared_daemon, made, path="link/inside")
    assert "error" in reply and "outside" in reply["error"]
    assert made.info_hash not in rows(shared_daemon)
    assert list(outside.iterdir()) == []


def test_hostile_file_names_in_a_torrent_stay_inside_the_download_folder(shared_daemon, tmp_path):
    payload = os.urandom(20000)
    import hashlib
    pieces = b"".join(hashlib.sha1(payload[i:i + 16384]).digest() for i in range(0, len(payload), 16384))
    data, info_hash = raw_torrent({"name": "..", "piece length": 16384, "pieces": pieces,
                                   "files": [{"length": len(payload), "path": ["..", "..", "escaped.txt"]}]})
    add_file(shared_daemon, data)
    listed = wait_for(lambda: rows(shared_daemon).get(info_hash), what="the hostile torrent listed")
    files = shared_daemon.api({"action": "getfiles", "hash": info_hash})["files"][1]
    assert all(".." not in name.split("/") for name, *_ in files)
    assert ".." not in listed[2].split("/")
    shared_daemon.api({"action": "recheck", "hash": info_hash})
    shared_daemon.api({"action": "forcestart", "hash": info_hash})
    assert not list(shared_daemon.workdir.parent.rglob("escaped.txt"))


def _webui_zip(folder, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(folder / "webui.zip", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("path", ["/gui/../settings.dat", "/gui/%2e%2e/settings.dat", "/gui/..%2fsettings.dat",
                                  "/gui/%2e%2e%2f%2e%2e%2fetc/passwd", "/gui/settings.dat", "/gui//etc/passwd",
                                  "/gui/..\\settings.dat", "/gui/webui.zip"])
def test_static_paths_cannot_read_outside_the_web_ui(shared_daemon, path):
    _webui_zip(shared_daemon.settings_path, {"index.html": b"<html>ui</html>"})
    resp = raw(shared_daemon, path)
    assert resp.status in (400, 404), (path, resp.status)
    assert b"admin_password" not in resp.body and b"root:" not in resp.body


def test_static_folder_symlink_does_not_lead_outside(make_daemon, tmp_path):
    daemon = make_daemon()
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    webui = daemon.settings_path / "webui"
    webui.mkdir(parents=True)
    (webui / "index.html").write_text("<html>folder ui</html>")
    (webui / "leak.txt").symlink_to(secret)
    daemon.start()
    assert raw(daemon, "/gui/index.html").body == b"<html>folder ui</html>"
    resp = raw(daemon, "/gui/leak.txt")
    assert resp.status == 404 and b"top secret" not in resp.body


def test_ip_restriction_list_is_honoured(make_daemon):
    daemon = make_daemon().start()
    daemon.api([("action", "setsetting"), ("s", "webui.restrict"), ("v", "127.0.0.1,10.0.0.0/8")])
    assert raw(daemon, "/gui/token.html", source="127.0.0.1").status == 200
    refused = raw(daemon, "/gui/token.html", source="127.0.0.2")
    assert refused.status == 403 and b"webui.restrict" in refused.body
    # X-Forwarded-For is anyone's to send: it must not open the door.
    assert raw(daemon, "/gui/token.html", source="127.0.0.2", headers={"X-Forwarded-For": "127.0.0.1"}).status == 403
    daemon.api([("action", "setsetting"), ("s", "webui.restrict"), ("v", "127.0.0.1-127.0.0.5")])
    assert raw(daemon, "/gui/token.html", source="127.0.0.2").status == 200
    assert raw(daemon, "/gui/token.html", source="127.0.0.6").status == 403


def test_a_restriction_list_that_would_lock_out_the_caller_is_refused(shared_daemon):
    for value in ("10.0.0.0/8", "not-an-address"):
        reply = shared_daemon.api([("action", "setsetting"), ("s", "webui.restrict"), ("v", value)])
        assert "error" in reply and "webui.restrict" in reply["error"]
    assert raw(shared_daemon, "/gui/token.html").status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.evil.example"])
def test_foreign_host_header_is_refused(shared_daemon, host):
    """DNS rebinding: a page on evil.example whose name now resolves to us must get nothing."""
    resp = raw(shared_daemon, "/gui/token.html", host=host)
    assert resp.status == 403 and b"webui.allowed_hosts" in resp.body


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8080", "localhost:1", "[::1]:8080", "LOCALHOST"])
def test_ip_and_localhost_host_headers_are_accepted(shared_daemon, host):
    assert raw(shared_daemon, "/gui/token.html", host=host).status == 200


def test_allowed_hosts_setting_admits_a_name(make_daemon):
    daemon = make_daemon().start()
    assert raw(daemon, "/gui/token.html", host="nas.example").status == 403
    daemon.api([("action", "setsetting"), ("s", "webui.allowed_hosts"), ("v", "nas.example, box.example")])
    assert raw(daemon, "/gui/token.html", host="NAS.example:8080").status == 200


def test_guest_cannot_end_other_sessions(guest_daemon):
    daemon, _ = guest_daemon
    admin_token, admin_guid = token_of(daemon)
    token, _ = token_of(daemon, auth=GUEST)
    resp = raw(daemon, f"/gui/?token={token}&action=logout&session={admin_guid}", auth=GUEST)
    assert resp.status == 403
    assert gui(daemon, {"token": admin_token, "list": "1"}).status == 200


def test_oversized_upload_is_refused(shared_daemon):
    token, _ = token_of(shared_daemon)
    body = b"d" + b"x" * (33 * 1024 * 1024)
    try:
        resp = raw(shared_daemon, f"/gui/?token={token}&action=add-file", method="POST", body=body,
                   headers={"Content-Type": "application/x-bittorrent"})
    except ConnectionError:  # the server may close before reading it all: also a refusal
        return
    assert resp.status == 413 or "error" in resp.json()


def test_answers_forbid_framing_and_sniffing(shared_daemon):
    for path in ("/gui/", "/gui/token.html"):
        headers = raw(shared_daemon, path).headers
        assert headers["X-Frame-Options"] == "SAMEORIGIN" and headers["X-Content-Type-Options"] == "nosniff"
