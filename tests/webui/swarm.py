"""A real BitTorrent seeder for the web UI tests: a libtorrent session on loopback in the test
process, and .torrent files made from data written here."""

from __future__ import annotations

import os
from pathlib import Path

import libtorrent as lt

from tests.support.daemon import free_port


def make_torrent(data_dir: Path, name: str, files: dict[str, int]) -> tuple[Path, str]:
    """Writes *files* (relative path -> size) of random bytes under data_dir/name and a v1
    .torrent for them; returns (torrent path, upper-case info-hash)."""
    root = data_dir / name
    for rel, size in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    # v1 only: what µTorrent-era clients expect; small pieces so small files span several.
    ct = lt.create_torrent(_file_list(root), 16384, flags=lt.create_torrent.v1_only)
    lt.set_piece_hashes(ct, str(data_dir))
    blob = lt.bencode(ct.generate())
    torrent = data_dir / f"{name}.torrent"
    torrent.write_bytes(blob)
    return torrent, str(lt.torrent_info(blob).info_hashes().v1).upper()


def _file_list(root: Path):
    """libtorrent 2.1's list_files; 2.0 (Debian 12) has only the older file_storage."""
    if hasattr(lt, "list_files"):
        return lt.list_files(str(root))
    fs = lt.file_storage()
    lt.add_files(fs, str(root))
    return fs


class Seeder:
    """Seeds torrents from data_dir on 127.0.0.1; `connect(port)` dials the daemon."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.session = lt.session({
            "listen_interfaces": f"127.0.0.1:{self.port}",
            "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
            "enable_outgoing_utp": False, "enable_incoming_utp": False,
            "alert_mask": 0,
        })
        self.handles: list = []

    def seed(self, torrent: Path) -> None:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(str(torrent))
        atp.save_path = str(self.data_dir)
        atp.flags |= lt.torrent_flags.seed_mode  # the data was just written: trust it
        self.handles.append(self.session.add_torrent(atp))

    def connect(self, port: int) -> None:
        """Dial the daemon for every seeded torrent (again after a drop: reconnects are delayed)."""
        for handle in self.handles:
            handle.connect_peer(("127.0.0.1", port))

    def close(self) -> None:
        for handle in self.handles:
            self.session.remove_torrent(handle)
        self.handles.clear()
        self.session.pause()
        del self.session
