"""A seeding libtorrent peer that can be found only by Local Service Discovery: no tracker,
no DHT. Runs inside a test namespace; announces on LSD every second; exits by itself.

Usage: lsd_seeder.py TORRENT DATA_DIR LIFETIME_S    (prints "seeding" when ready)
"""
import sys
import time

import libtorrent as lt


def main() -> None:
    torrent, data_dir, lifetime = sys.argv[1], sys.argv[2], float(sys.argv[3])
    session = lt.session({"listen_interfaces": "0.0.0.0:6881", "enable_lsd": True,
                          "local_service_announce_interval": 1, "enable_dht": False,
                          "enable_upnp": False, "enable_natpmp": False})
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = data_dir
    params.flags = lt.torrent_flags.seed_mode
    session.add_torrent(params)
    print("seeding", flush=True)
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        session.wait_for_alert(1000)
        session.pop_alerts()


if __name__ == "__main__":
    main()
