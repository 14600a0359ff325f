"""The reference seeder: one libtorrent session on loopback seeding one torrent, driven on stdin.

    python seeder_main.py TORRENT SAVE_PATH PORT     prints "ready", then answers one line per command:
      connect HOST PORT   dial a peer (the daemons under test are dialled, never dial out: transmission
                          refuses loopback peers, docs/reference/swarm.md#transmission)
      status              {"peers": N, "uploaded": BYTES}
      quit
Its settings follow docs/reference/swarm.md#seeder: TCP and plaintext only, no DHT/LSD/UPnP,
seed_mode, quick reconnects.
"""

from __future__ import annotations

import json
import sys
import time

import libtorrent as lt


def session(port: int) -> lt.session:
    settings = {
        "listen_interfaces": f"127.0.0.1:{port}", "enable_dht": False, "enable_lsd": False,
        "enable_upnp": False, "enable_natpmp": False, "allow_multiple_connections_per_ip": True,
        "ssrf_mitigation": False, "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "out_enc_policy": 2, "in_enc_policy": 2, "allowed_enc_level": 1,  # plaintext only
        "min_reconnect_time": 1, "max_failcount": 1000, "unchoke_slots_limit": -1,
        "max_allowed_in_request_queue": 2000, "send_buffer_watermark": 4 << 20,
        "alert_mask": int(lt.alert.category_t.error_notification),
    }
    return lt.session(settings)


def main(torrent: str, save_path: str, port: int) -> int:
    ses = session(port)
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_path
    params.flags = (params.flags | lt.torrent_flags.seed_mode) & ~lt.torrent_flags.auto_managed \
        & ~lt.torrent_flags.paused
    handle = ses.add_torrent(params)
    deadline = time.monotonic() + 60
    while not handle.status().is_seeding and time.monotonic() < deadline:
        time.sleep(0.05)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["connect"]:
            handle.connect_peer((words[1], int(words[2])))
            print("ok", flush=True)
        elif words[:1] == ["status"]:
            st = handle.status()
            print(json.dumps({"peers": st.num_peers, "uploaded": st.total_upload}), flush=True)
        elif words[:1] == ["quit"]:
            break
        ses.pop_alerts()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
