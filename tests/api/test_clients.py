"""Real third-party µTorrent API clients against the real daemon: FlexGet's utorrent plugin,
autoremove-torrents, and npm's @ctrl/utorrent. Each is installed once under build/clients."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.api.support import add_file, make_torrent, rows
from tests.support.daemon import ADMIN, wait_for

HERE = Path(__file__).parent / "clients"
BUILD = Path(__file__).resolve().parents[2] / "build" / "clients"
CTRL_UTORRENT = "@ctrl/utorrent@6.6.2"
INSTALL_TIMEOUT = 900


def _installed(name: str, spec: str, install) -> Path:
    """build/clients/<name>, (re)installed when *spec* changed; the stamp is written last."""
    target, stamp = BUILD / name, BUILD / f"{name}.installed"
    if not (stamp.exists() and stamp.read_text() == spec):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        install(target)
        stamp.write_text(spec)
    return target


def _venv(name: str, requirements: Path) -> Path:
    def install(target: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(target)], check=True, timeout=120)
        subprocess.run([str(target / "bin" / "pip"), "install", "-q", "-r", str(requirements)],
                       check=True, timeout=INSTALL_TIMEOUT)
    return _installed(name, requirements.read_text(), install) / "bin"


@pytest.fixture(scope="session")
def flexget() -> Path:
    return _venv("flexget", HERE / "flexget.txt") / "flexget"


@pytest.fixture(scope="session")
def autoremove() -> Path:
    return _venv("autoremove", HERE / "autoremove.txt") / "autoremove-torrents"


@pytest.fixture(scope="session")
def ctrl_utorrent() -> Path:
    def install(target: Path) -> None:
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", str(target),
                        CTRL_UTORRENT], check=True, timeout=INSTALL_TIMEOUT, capture_output=True)
    package = _installed("npm", CTRL_UTORRENT, install) / "node_modules" / "@ctrl" / "utorrent"
    return package / "dist" / "src" / "index.js"


@pytest.fixture
def file_server(tmp_path):
    """A loopback HTTP server for .torrent files (FlexGet downloads them itself)."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run(command: list, cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={"HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_flexget_adds_a_torrent_file_and_a_magnet(daemon, flexget, file_server, tmp_path):
    folder, base = file_server
    made = make_torrent(tmp_path / "src", "linux.iso")
    (folder / "linux.torrent").write_bytes(made.data)
    magnet_hash = "C0FFEE" + "0" * 34
    config = tmp_path / "fg"
    config.mkdir()
    (config / "config.yml").write_text(f"""
tasks:
  grab:
    mock:
      - {{title: "Linux ISO", url: "{base}/linux.torrent"}}
      - {{title: "Show S01E01", url: "magnet:?xt=urn:btih:{magnet_hash}&dn=Show+S01E01"}}
    accept_all: yes
    utorrent:
      url: {daemon.url}/gui/
      username: {ADMIN[0]}
      password: {ADMIN[1]}
      path: {daemon.download_dir / 'flexget'}
""")
    result = run([flexget, "-c", config / "config.yml", "--logfile", config / "flexget.log", "execute"], config)
    assert "Added" in (config / "flexget.log").read_text() + result.stdout + result.stderr
    listed = rows(daemon)
    assert listed[made.info_hash][2] == "linux.iso"
    assert listed[made.info_hash][26] == str(daemon.download_dir / "flexget")  # "/flexget" stays inside
    assert listed[magnet_hash][2] == "Show S01E01"


def test_autoremove_torrents_removes_by_condition(daemon, autoremove, tmp_path):
    doomed, kept = make_torrent(tmp_path / "a", "old.bin"), make_torrent(daemon.download_dir, "keep.bin")
    for made, label in ((doomed, "remove-me"), (kept, "keep")):
        add_file(daemon, made)
        daemon.api({"action": "setprops", "hash": made.info_hash, "s": "label", "v": label})
    wait_for(lambda: rows(daemon)[doomed.info_hash][11] == "remove-me", what="labels applied")
    (tmp_path / "arm.yml").write_text(f"""
cleanup:
  client: utorrent
  host: {daemon.url}
  username: {ADMIN[0]}
  password: {ADMIN[1]}
  strategies:
    labelled:
      categories:
        - remove-me
      remove: ratio < 1
  delete_data: true
""")
    (tmp_path / "logs").mkdir()
    run([autoremove, "--conf", tmp_path / "arm.yml", "--log", tmp_path / "logs"], tmp_path)
    listed = rows(daemon)
    assert doomed.info_hash not in listed and kept.info_hash in listed
    assert (daemon.download_dir / "keep.bin").exists()


def test_ctrl_utorrent_drives_the_api(daemon, ctrl_utorrent, tmp_path):
    made = make_torrent(tmp_path / "src", "npm.bin")
    (tmp_path / "npm.torrent").write_bytes(made.data)
    magnet_hash = "BEEF" + "1" * 36
    result = run(["node", HERE / "ctrl_utorrent.mjs", ctrl_utorrent, daemon.url, ADMIN[1], tmp_path / "npm.torrent",
                  f"magnet:?xt=urn:btih:{magnet_hash.lower()}&dn=From+npm"], tmp_path)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["version"]["product_code"] == "server" and seen["settingsCount"] > 50
    assert seen["maxUlRate"] == "77"
    assert seen["added"] == {"id": made.info_hash.lower(), "name": "npm.bin", "label": "ctrl",
                             "savePath": str(daemon.download_dir)}
    assert seen["magnet"] == {"id": magnet_hash.lower(), "name": "From npm"}
    assert seen["ulrate"] == 4096
    states = {t["id"]: t for t in seen["listed"]}
    assert states[made.info_hash.lower()]["state"] == "paused"  # stopped: @ctrl maps it so
    assert states[magnet_hash.lower()]["state"] == "paused"
    assert seen["labels"] == [{"id": "ctrl", "name": "ctrl", "count": 1}]
    assert seen["after"] == []
