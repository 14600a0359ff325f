"""Real BitTorrent peers for tests: torrents made from files, seeding libtorrent sessions on loopback."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import libtorrent as lt

# Loopback only: no DHT/LSD/UPnP/NAT-PMP reaching out, TCP unless a test asks for uTP.
LOOPBACK = {
    "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
    "enable_outgoing_utp": False, "enable_incoming_utp": False,
    "alert_mask": int(lt.alert.category_t.error_notification | lt.alert.category_t.status_notification),
}


def make_files(folder: Path, files: dict[str, int | bytes]) -> dict[str, bytes]:
    """Write *files* (name -> size of random bytes, or content) under *folder*; returns the contents."""
    contents = {}
    for name, spec in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = os.urandom(spec) if isinstance(spec, int) else spec
        path.write_bytes(data)
        contents[name] = data
    return contents


def make_torrent(root: Path, *, piece_size: int = 0, trackers: list[str] = (), url_seeds: list[str] = (),
                 private: bool = False) -> bytes:
    """A v1 .torrent of *root* (a file or a folder), the format µTorrent-era clients read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # add_files / create_torrent(fs) in 2.1
        fs = lt.file_storage()
        lt.add_files(fs, str(root))
        flags = getattr(lt.create_torrent, "v1_only", 0)
        ct = lt.create_torrent(fs, piece_size, flags=flags)
        for tier, url in enumerate(trackers):
            ct.add_tracker(url, tier)
        for url in url_seeds:
            ct.add_url_seed(url)
        ct.set_priv(private)
        lt.set_piece_hashes(ct, str(root.parent))
        return lt.bencode(ct.generate())


def info_hash(torrent: bytes) -> str:
    return str(lt.torrent_info(lt.bdecode(torrent)).info_hashes().v1).upper()


class Peer:
    """A libtorrent session in the test process: a seeder (or a leecher) on loopback."""

    def __init__(self, address: str = "127.0.0.1", **settings):
        listen = f"[{address}]:0" if ":" in address else f"{address}:0"
        self.session = lt.session({**LOOPBACK, "listen_interfaces": listen, **settings})
        self.address = address

    @property
    def port(self) -> int:
        return self.session.listen_port()

    def seed(self, torrent: bytes, data_dir: Path) -> lt.torrent_handle:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(lt.bdecode(torrent))
        params.save_path = str(data_dir)
        params.flags = lt.torrent_flags.seed_mode  # trust the data, as a seeding client would
        return self.session.add_torrent(params)

    def rate_limit_loopback(self) -> None:
        """Apply this session's rate limits to loopback peers too (libtorrent exempts local ones)."""
        ip_filter = lt.ip_filter()
        ip_filter.add_rule("0.0.0.0", "255.255.255.255", 1 << self.session.global_peer_class_id)
        self.session.set_peer_class_filter(ip_filter)

    def connect(self, handle: lt.torrent_handle, port: int, address: str | None = None) -> None:
        handle.connect_peer((address or self.address, port))

    def close(self) -> None:
        self.session.pause()
        del self.session
