"""Maintenance requests in dir_request (manual): each file acts once and is deleted."""

from __future__ import annotations

from tests.api.support import raw
from tests.support.daemon import ADMIN, wait_for


def request(daemon, name: str) -> None:
    folder = daemon.workdir / "requests"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(b"")
    wait_for(lambda: not (folder / name).exists(), timeout=10, what=f"{name} handled")


def test_c_utmr_resets_credentials_to_admin_with_blank_password(make_daemon):
    daemon = make_daemon({"dir_request": "requests"}).start()
    daemon.api([("action", "setsetting"), ("s", "admin_name"), ("v", "boss"), ("s", "admin_password"), ("v", "lost")])
    assert raw(daemon, "/gui/token.html", auth=ADMIN).status == 401
    request(daemon, "c.utmr")
    wait_for(lambda: raw(daemon, "/gui/token.html", auth=("admin", "")).status == 200, what="admin with blank password")
    assert raw(daemon, "/gui/token.html", auth=("boss", "lost"), source="127.0.0.3").status == 401


def test_wipl_utmr_clears_the_ip_restriction_list(make_daemon):
    daemon = make_daemon({"dir_request": "requests"}).start()
    daemon.api([("action", "setsetting"), ("s", "webui.restrict"), ("v", "127.0.0.1")])
    assert raw(daemon, "/gui/token.html", source="127.0.0.4").status == 403
    request(daemon, "wipl.utmr")
    wait_for(lambda: raw(daemon, "/gui/token.html", source="127.0.0.4").status == 200, what="list cleared")


def test_rcf_utmr_reloads_the_conf(make_daemon):
    daemon = make_daemon({"dir_request": "requests"}).start()
    daemon.conf["localhost_authentication"] = 0  # a setting that always applies from the conf
    from tests.support.daemon import write_conf
    write_conf(daemon.conf_path, daemon.conf)
    request(daemon, "rcf.utmr")
    wait_for(lambda: raw(daemon, "/gui/token.html", auth=None).status == 200, what="conf reloaded")


def test_sp_utmr_stops_the_daemon_cleanly(make_daemon):
    daemon = make_daemon({"dir_request": "requests"}).start()
    request(daemon, "sp.utmr")
    wait_for(lambda: daemon.proc.poll() is not None, timeout=30, what="the daemon to exit")
    assert daemon.proc.returncode == 0 and "utserver stopped" in daemon.log()
    assert not (daemon.workdir / "requests" / "sp.utmr").exists()  # a restart does not stop again
