"""A libtorrent peer for tests, run inside a test namespace; exits by itself.

argv[1] is JSON: {"settings": {...session settings...}, "torrent": PATH (optional),
"save": DIR, "seed": bool, "no_pex": bool, "connect": [[ip, port], ...], "lifetime": seconds}.
Prints "ready PORT" once listening with its torrent added.
"""
import json
import sys
import time

import libtorrent as lt

# Nothing that finds peers unless a test asks; TCP and uTP as the daemon's defaults.
QUIET = {"enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False}


def main() -> None:
    options = json.loads(sys.argv[1])
    session = lt.session({**QUIET, **options["settings"]})
    handle = None
    if options.get("torrent"):
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(options["torrent"])
        params.save_path = options["save"]
        if options.get("seed"):
            params.flags = lt.torrent_flags.seed_mode
        if options.get("no_pex"):  # learns no one through PEX, so dials no one it did not know
            params.flags |= lt.torrent_flags.disable_pex
        handle = session.add_torrent(params)
    print("ready", session.listen_port(), flush=True)
    end, last = time.monotonic() + options["lifetime"], ""
    while time.monotonic() < end:
        for address in options.get("connect", []) if handle else []:
            handle.connect_peer(tuple(address))  # again and again: the other side may start late
        session.wait_for_alert(1000)
        for alert in session.pop_alerts():
            if alert.category() & lt.alert.category_t.error_notification:
                print("alert", alert.message(), flush=True)
        if handle and (status := f"peers {sorted(p.ip for p in handle.get_peer_info())} "
                                 f"progress {handle.status().progress:.3f}") != last:
            print(status, flush=True)  # for the test log: who it is connected to
            last = status


if __name__ == "__main__":
    main()
