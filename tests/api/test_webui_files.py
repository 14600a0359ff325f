"""The web UI's files from ut_webui_dir: webui.zip with µTorrent's .gz members, a webui/ folder, a placeholder."""

from __future__ import annotations

import gzip
import zipfile

from tests.api.support import raw

INDEX = b"<!DOCTYPE html><html><body>zip ui</body></html>"
SCRIPT = b"function go() { return 42; }\n" * 50


def put_zip(folder, members: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "webui.zip", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_utorrent_style_zip_with_gz_members(make_daemon):
    daemon = make_daemon()
    put_zip(daemon.settings_path, {"index.html": INDEX, "main.js.gz": gzip.compress(SCRIPT),
                                   "images/logo.png": b"\x89PNG fake"})
    daemon.start()
    assert raw(daemon, "/gui/").body == INDEX
    zipped = raw(daemon, "/gui/main.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.status == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert "javascript" in zipped.headers["Content-Type"] and gzip.decompress(zipped.body) == SCRIPT
    plain = raw(daemon, "/gui/main.js")
    assert plain.body == SCRIPT and "Content-Encoding" not in plain.headers
    assert raw(daemon, "/gui/images/logo.png").headers["Content-Type"] == "image/png"
    assert raw(daemon, "/gui/missing.js").status == 404


def test_gui_without_slash_redirects(make_daemon):
    daemon = make_daemon().start()
    resp = raw(daemon, "/gui")
    assert resp.status in (301, 302, 303) and resp.headers["Location"].endswith("/gui/")


def test_new_zip_dropped_in_place_is_served(make_daemon):
    daemon = make_daemon()
    put_zip(daemon.settings_path, {"index.html": b"<html>one</html>"})
    daemon.start()
    assert raw(daemon, "/gui/").body == b"<html>one</html>"
    put_zip(daemon.settings_path, {"index.html": b"<html>two, longer</html>"})
    assert raw(daemon, "/gui/").body == b"<html>two, longer</html>"


def test_webui_folder_and_custom_webui_dir(make_daemon, tmp_path):
    folder = tmp_path / "ui"
    (folder / "webui" / "css").mkdir(parents=True)
    (folder / "webui" / "index.html").write_bytes(b"<html>folder</html>")
    (folder / "webui" / "css" / "a.css").write_bytes(b"body{}")
    daemon = make_daemon({"ut_webui_dir": str(folder)}).start()
    assert raw(daemon, "/gui/").body == b"<html>folder</html>"
    css = raw(daemon, "/gui/css/a.css")
    assert css.body == b"body{}" and css.headers["Content-Type"].startswith("text/css")


def test_placeholder_until_a_web_ui_is_installed(make_daemon):
    daemon = make_daemon().start()
    resp = raw(daemon, "/gui/")
    assert resp.status == 200 and b"webui.zip" in resp.body and b"token.html" in resp.body
