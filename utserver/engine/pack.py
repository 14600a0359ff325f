"""The libtorrent settings_pack as one pure function of utserver's settings.

The engine diffs a new pack against the last one applied and calls
apply_settings once with the difference.
"""

from __future__ import annotations

import libtorrent as lt

from utserver import __version__

KIB = 1024
MIB = 1024 * 1024

# Frugal defaults for a 128 MB device: the "router4" preset measured in
# docs/reference/libtorrent.md#memory (about 20 MB private memory at 166-238 MB/s). Never
# disk_io_write_mode 2/3 here: both open files O_SYNC in libtorrent 2.x.
FRUGAL = {
    "max_queued_disk_bytes": 2 * MIB,
    "aio_threads": 4,
    "hashing_threads": 1,
    "checking_mem_usage": 8,
    "file_pool_size": 8,
    "send_buffer_watermark": 128 * KIB,
    "send_buffer_low_watermark": 16 * KIB,
    "send_buffer_watermark_factor": 50,
    "max_peer_recv_buffer_size": 128 * KIB,
    "alert_queue_size": 1000,
    "max_peerlist_size": 500,
    "max_paused_peerlist_size": 50,
    "max_out_request_queue": 200,
    "max_allowed_in_request_queue": 200,
    "recv_socket_buffer_size": 64 * KIB,
    "send_socket_buffer_size": 64 * KIB,
}
# libtorrent's own timer (tick_interval, ms) by what the torrents do; the pump picks the row each
# turn. Rate-limit quotas, choking and connection attempts are handed out per tick: at 1 s with
# peers, downloads ran 9-12 % under max_dl_rate (98 % at 500 ms, libtorrent's default). Without
# peers each tick is mostly a wake-up, and with nothing downloading or checking one every 2 s.
TICK_MS = {"exchanging": 500, "waiting": 1000, "quiet": 2000}

# low_cpu: libtorrent has no single switch; fewer parallel disk jobs and connection attempts.
LOW_CPU = {"aio_threads": 2, "connection_speed": 5}

ALERTS = (lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
          | lt.alert.category_t.storage_notification | lt.alert.category_t.port_mapping_notification)
# Only while waiting for the DHT to bootstrap: the category also brings an alert per incoming
# DHT query, several a second on the real network, which would wake the pump all day.
DHT_ALERTS = lt.alert.category_t.dht_notification
# Only while quiet: the pump then refreshes every 10 s even while a client watches, and shows a
# peer's connection (rare then, each one a change) at once.
CONNECT_ALERTS = lt.alert.category_t.connect_notification

# encryption_mode (0 disabled, 1 enabled, 2 forced) -> (out_enc_policy, in_enc_policy);
# lt: 0 forced, 1 enabled, 2 disabled. Disabled still accepts encrypted incoming peers.
_ENCRYPTION = {0: (2, 1), 1: (1, 1), 2: (0, 0)}

# Settings accepted, stored and shown, but with no libtorrent mechanism (README, "Settings").
NOT_APPLICABLE = {
    "compact_allocation": "compact storage was removed from libtorrent; files are sparse",
    "write_coalesce_max_size": "libtorrent merges writes in its own disk cache",
    "progressive_piece_span": "use sequential_download for in-order downloading",
    "encrypt_buffer_size": "libtorrent encrypts in place, without a separate buffer",
}


# libtorrent's "local" peer class ranges (exempt from rate limits by default; docs/reference/libtorrent.md#local-peers).
LOCAL_RANGES = (
    ("10.0.0.0", "10.255.255.255"), ("172.16.0.0", "172.31.255.255"), ("192.168.0.0", "192.168.255.255"),
    ("169.254.0.0", "169.254.255.255"), ("127.0.0.0", "127.255.255.255"),
    ("fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ("fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ("::1", "::1"),
)


def _rate(kib_per_s: int) -> int:
    """µTorrent KiB/s, -1 or 0 unlimited -> libtorrent bytes/s, 0 unlimited."""
    return kib_per_s * KIB if kib_per_s > 0 else 0


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def listen_interfaces(bind_ip: str, port: int, ipv6: bool) -> str:
    if bind_ip:
        return f"{_host(bind_ip)}:{port}"
    return f"0.0.0.0:{port},[::]:{port}" if ipv6 else f"0.0.0.0:{port}"


def _limit(value: int) -> int:
    return -1 if value < 0 else value


def _unqueued(get) -> bool:
    """No queue limit at all: nothing counts started torrents."""
    return get("max_active_torrent") < 0 and get("max_active_downloads") < 0


def build_pack(get, port: int, lt_upnp: bool, awaiting_dht: bool = False, activity: str = "waiting") -> dict:
    """The whole settings_pack; *get* reads a setting, *port* is the peer port in use,
    *lt_upnp* says whether libtorrent's own UPnP is the chosen port-mapping backend,
    *awaiting_dht* whether to hear of the DHT's bootstrap, *activity* a row of TICK_MS."""
    disposition = get("bt.transp_disposition")
    out_enc, in_enc = _ENCRYPTION[get("encryption_mode")]
    if get("encryption_mode") == 2 and get("encryption_allow_legacy"):
        in_enc = 1
    bind_ip = get("bind_ip")
    pack: dict[str, object] = dict(FRUGAL)
    pack.update({
        "user_agent": f"utserver/{__version__} libtorrent/{lt.__version__}",
        "peer_fingerprint": lt.generate_fingerprint(  # type: ignore[call-arg]  # the stubs miss the version numbers
            "US", *map(int, __version__.split(".")), 0),
        "alert_mask": int(ALERTS | (DHT_ALERTS if awaiting_dht and get("dht") else 0)
                          | (CONNECT_ALERTS if activity == "quiet" else 0)),
        "listen_interfaces": listen_interfaces(bind_ip, port, get("ipv6")),
        "outgoing_interfaces": bind_ip,
        "listen_system_port_fallback": False,
        "enable_dht": get("dht"),
        "enable_lsd": get("lsd"),
        "enable_natpmp": get("natpmp"),
        "enable_upnp": get("upnp") and lt_upnp,
        "dht_bootstrap_nodes": get("dht_bootstrap_nodes"),
        "download_rate_limit": _rate(get("max_dl_rate")),
        "upload_rate_limit": _rate(get("max_ul_rate")),
        "connections_limit": get("max_total_connections"),
        "active_downloads": _limit(get("max_active_downloads")),
        "active_seeds": _limit(get("max_active_torrent")),
        "active_limit": _limit(get("max_active_torrent")),
        # µTorrent counts every started torrent against the queue limits. With no limit there is
        # nothing to count, and libtorrent 2.1 lets a torrent go inactive (no more ticks) only when
        # slow ones are not counted: 10,000 idle seeds cost its thread 9 ms/s, then 1 (docs/bench.md).
        "dont_count_slow_torrents": _unqueued(get),
        # Its queue pass walks every auto-managed torrent (counted in ticks: 60 s at the idle 2 s
        # tick); 100,000 seeds took 0.5 s of CPU each time. With no limit the pass has nothing to
        # decide, and a torrent's change of state triggers one at once anyway.
        "auto_manage_interval": 600 if _unqueued(get) else 30,
        "enable_outgoing_tcp": bool(disposition & 1),
        "enable_outgoing_utp": bool(disposition & 2),
        "enable_incoming_tcp": bool(disposition & 4),
        "enable_incoming_utp": bool(disposition & 8),
        "out_enc_policy": out_enc,
        "in_enc_policy": in_enc,
        # auto_bandwidth_management: let uTP's delay-based congestion control throttle TCP too.
        "mixed_mode_algorithm": 1 if get("auto_bandwidth_management") else 0,
        "disk_io_read_mode": 2 if get("minimize_kernel_caching") else 0,
        "disk_io_write_mode": 3 if get("all_writes_sync") else 0,
    })
    if get("disk_cache_max_size") > 0:
        pack["max_queued_disk_bytes"] = get("disk_cache_max_size") * MIB
    if get("low_cpu"):
        pack.update(LOW_CPU)
    pack["tick_interval"] = TICK_MS[activity]
    return pack
