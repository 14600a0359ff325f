"""Debian's transmission-remote (package transmission-cli, 3.00) against the daemon: list, add,
info, stop, start, move and remove-and-delete, with a real download from a loopback seeder."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.support.daemon import ADMIN, wait_for
from tests.transmission.support import CONF
from tests.transmission.swarm import Swarm, same_bytes

REMOTE = shutil.which("transmission-remote") or "/usr/bin/transmission-remote"
pytestmark = pytest.mark.skipif(not shutil.which("transmission-remote"),
                                reason="transmission-cli is not installed (tests/system-packages.txt)")


def remote(daemon, *args: str) -> str:
    result = subprocess.run([REMOTE, f"127.0.0.1:{daemon.webui_port}", "--auth", f"{ADMIN[0]}:{ADMIN[1]}", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def listed(daemon) -> dict[str, list[str]]:
    """-l rows by name: [ID, Done, ..., Status] split on two or more spaces."""
    rows = {}
    for line in remote(daemon, "-l").splitlines()[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0] != "Sum:":
            rows[cells[-1]] = cells
    return rows


def test_transmission_remote_drives_a_download_end_to_end(make_daemon, tmp_path):
    daemon = make_daemon(CONF).start()
    swarm = Swarm(tmp_path / "seed")
    try:
        torrent, info_hash, data = swarm.torrent("cli-album", {"one.bin": 300_000, "two/three.bin": 200_000})
        torrent_file = tmp_path / "cli-album.torrent"
        torrent_file.write_bytes(torrent)
        assert listed(daemon) == {}
        assert "success" in remote(daemon, "-a", str(torrent_file))
        row = listed(daemon)["cli-album"]
        torrent_id = row[0].rstrip("*")
        swarm.deliver(daemon, lambda: listed(daemon)["cli-album"][1] == "100%")
        assert same_bytes(daemon.download_dir, "cli-album", data)

        info = remote(daemon, "-t", torrent_id, "-i")
        assert "Name: cli-album" in info and f"Hash: {info_hash.lower()}" in info and "Percent Done: 100%" in info
        assert f"Location: {daemon.download_dir}" in info

        remote(daemon, "-t", torrent_id, "-S")
        assert listed(daemon)["cli-album"][-2] in ("Stopped", "Finished")
        remote(daemon, "-t", torrent_id, "-s")
        wait_for(lambda: listed(daemon)["cli-album"][-2] in ("Idle", "Seeding"), timeout=20, what="seeding again")

        target = tmp_path / "moved"
        target.mkdir()
        remote(daemon, "-t", torrent_id, "--move", str(target))
        wait_for(lambda: same_bytes(target, "cli-album", data), timeout=30, what="data at the new place")
        wait_for(lambda: f"Location: {target}" in remote(daemon, "-t", torrent_id, "-i"), timeout=20, what="location")

        remote(daemon, "-t", torrent_id, "--remove-and-delete")
        assert listed(daemon) == {}
        wait_for(lambda: not (target / "cli-album").exists(), timeout=20, what="data deleted")
    finally:
        swarm.close()
