"""app/preferences and app/setPreferences: qBittorrent preference keys <-> catalog settings, as a table.

Units (docs/reference/qbittorrent-clients.md §1.7): qBittorrent's rate limits are bytes/s with 0
for none, the catalog's are KiB/s with -1; its ratio is a float with -1 for none, the catalog's
seed_ratio is percent with 0 for none; its seeding time is minutes, the catalog's seconds.
A key that has no setting behind it reads as a constant and is ignored when set (VueTorrent and
Flood send back whole edited objects), as qBittorrent ignores unknown keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from utserver.settings import BY_NAME

Value = int | bool | str | float
Shown = Value | dict[str, Value]  # scan_dirs is an object (watched folder -> where its torrents go)


def kib_to_bytes(value: Value) -> int:
    return int(value) * 1024 if int(value) > 0 else 0


def bytes_to_kib(value) -> str:
    value = int(value)
    return str(-(-value // 1024)) if value > 0 else "-1"  # rounded up: a small limit stays a limit


@dataclass(frozen=True)
class Pref:
    key: str  # qBittorrent's name
    setting: str  # the catalog setting behind it
    read: Callable[[Value], Value] = lambda value: value
    write: Callable[[Value], str] | None = None  # None: read-only here (set it in utserver.conf)


_bool_text = lambda value: "1" if value in (True, "true", 1) else "0"  # noqa: E731
# qBittorrent's encryption: 0 prefer, 1 force on, 2 force off; µTorrent's: 0 off, 1 on, 2 forced.
_ENC_TO_QBT, _ENC_FROM_QBT = {0: 2, 1: 0, 2: 1}, {2: "0", 0: "1", 1: "2"}
# qBittorrent's bittorrent_protocol: 0 TCP and uTP, 1 TCP, 2 uTP; µTorrent's bits 1|4 TCP, 2|8 uTP.
_PROTO_TO_QBT = lambda bits: 0 if bits & 5 and bits & 10 else 1 if bits & 5 else 2  # noqa: E731
_PROTO_FROM_QBT = {0: "15", 1: "5", 2: "10"}

PREFS: tuple[Pref, ...] = (
    Pref("dl_limit", "max_dl_rate", kib_to_bytes, bytes_to_kib),
    Pref("up_limit", "max_ul_rate", kib_to_bytes, bytes_to_kib),
    Pref("listen_port", "bind_port", int, str),
    Pref("random_port", "randomize_bind_port", bool),
    Pref("dht", "dht", bool),
    Pref("pex", "pex", bool),
    Pref("lsd", "lsd", bool),
    Pref("upnp", "upnp", bool),
    Pref("max_connec", "max_total_connections", int, str),
    Pref("max_connec_per_torrent", "conns_per_torrent", int, str),
    Pref("max_uploads_per_torrent", "ul_slots_per_torrent", int, str),
    Pref("max_active_downloads", "max_active_downloads", int, str),
    Pref("max_active_torrents", "max_active_torrent", int, str),
    Pref("max_active_uploads", "max_active_torrent", int),
    Pref("encryption", "encryption_mode", lambda v: _ENC_TO_QBT[int(v)], lambda v: _ENC_FROM_QBT[int(v)]),
    Pref("bittorrent_protocol", "bt.transp_disposition", _PROTO_TO_QBT, lambda v: _PROTO_FROM_QBT[int(v)]),
    Pref("web_ui_port", "ut_webui_port", int),
    Pref("web_ui_address", "bind_ip", lambda v: v or "*"),
    Pref("web_ui_username", "admin_name", str, str),
    Pref("bypass_local_auth", "localhost_authentication", lambda v: not v),
    Pref("web_ui_host_header_validation_enabled", "webui.allowed_hosts", lambda v: True),
    Pref("web_ui_domain_list", "webui.allowed_hosts", lambda v: v or "*"),
    Pref("alternative_webui_enabled", "alternative_webui_enabled", bool, _bool_text),
    Pref("alternative_webui_path", "alternative_webui_path", str, str),
    Pref("autorun_enabled", "finish_cmd", bool),
    Pref("autorun_program", "finish_cmd", str, str),
)

# Keys with no setting behind them: what utserver does, as qBittorrent would report it.
CONSTANTS: dict[str, Shown] = {
    "app_instance_name": "utserver", "locale": "en",
    "add_stopped_enabled": False, "start_paused_enabled": False, "add_to_top_of_queue": False,
    "auto_tmm_enabled": False, "torrent_content_layout": "Original", "torrent_stop_condition": "None",
    "create_subfolder_enabled": True, "preallocate_all": False, "incomplete_files_ext": False,
    "resume_data_storage_type": "Legacy", "max_ratio_act": 0,
    "max_inactive_seeding_time_enabled": False, "max_inactive_seeding_time": -1,
    "max_uploads": -1, "dont_count_slow_torrents": False, "use_https": False,
    "web_ui_csrf_protection_enabled": False, "web_ui_clickjacking_protection_enabled": True,
    "web_ui_session_timeout": 3600, "web_ui_max_auth_fail_count": 5, "web_ui_ban_duration": 3600,
    "scheduler_enabled": False, "ip_filter_enabled": False, "proxy_type": "None", "anonymous_mode": False,
    "scan_dirs": {}, "export_dir": "", "export_dir_fin": "", "mail_notification_enabled": False,
    "limit_utp_rate": True, "limit_tcp_overhead": False, "limit_lan_peers": True,
}


def preferences(settings, alt: dict[str, int]) -> dict[str, Shown]:
    get = settings.get
    prefs: dict[str, Shown] = dict(CONSTANTS)
    prefs.update((pref.key, pref.read(get(pref.setting))) for pref in PREFS)
    completed = bool(get("dir_completed"))
    prefs["save_path"] = str(settings.path("dir_completed" if completed else "dir_active"))
    prefs["temp_path_enabled"] = completed
    prefs["temp_path"] = str(settings.path("dir_active")) if completed else ""
    ratio, seconds = int(get("seed_ratio")), int(get("seed_time"))
    prefs.update(max_ratio_enabled=ratio > 0, max_ratio=ratio / 100 if ratio > 0 else -1,
                 max_seeding_time_enabled=seconds > 0, max_seeding_time=seconds // 60 if seconds > 0 else -1)
    if alt["on"]:  # the settings hold the alternative limits meanwhile (transfer.py)
        prefs.update(dl_limit=kib_to_bytes(alt["dl_normal"]), up_limit=kib_to_bytes(alt["up_normal"]))
    prefs.update(alt_dl_limit=alt["dl"], alt_up_limit=alt["up"], queueing_enabled=queueing(settings))
    return prefs


def queueing(settings) -> bool:
    """µTorrent queues unless both active limits are unlimited (-1)."""
    return not (int(settings.get("max_active_downloads")) == -1 and int(settings.get("max_active_torrent")) == -1)


def setting_pairs(settings, changes: dict) -> list[tuple[str, str]]:
    """The catalog changes a setPreferences object asks for; keys with no writable setting are skipped."""
    by_key = {pref.key: pref for pref in PREFS}
    pairs = [(pref.setting, pref.write(value)) for key, value in changes.items()
             if (pref := by_key.get(key)) is not None and pref.write is not None]
    if "web_ui_password" in changes and changes["web_ui_password"]:
        pairs.append(("admin_password", str(changes["web_ui_password"])))
    pairs += _share_limits(settings, changes)
    if "queueing_enabled" in changes and bool(changes["queueing_enabled"]) != queueing(settings):
        # on: µTorrent's default limits, unless the same object sets them; off: both unlimited
        on = bool(changes["queueing_enabled"])
        pairs += [(name, default if on else "-1") for name, default, key in _QUEUE_LIMITS if key not in changes]
    return [(name, text) for name, text in pairs if BY_NAME[name].api in ("Y", "W")]


_QUEUE_LIMITS = (("max_active_downloads", str(BY_NAME["max_active_downloads"].default), "max_active_downloads"),
                 ("max_active_torrent", str(BY_NAME["max_active_torrent"].default), "max_active_torrents"))


def _share_limits(settings, changes: dict) -> list[tuple[str, str]]:
    pairs = []
    if "max_ratio_enabled" in changes or "max_ratio" in changes:
        enabled = changes.get("max_ratio_enabled", int(settings.get("seed_ratio")) > 0)
        ratio = float(changes.get("max_ratio", int(settings.get("seed_ratio")) / 100))
        pairs.append(("seed_ratio", str(round(ratio * 100)) if enabled and ratio > 0 else "0"))
    if "max_seeding_time_enabled" in changes or "max_seeding_time" in changes:
        enabled = changes.get("max_seeding_time_enabled", int(settings.get("seed_time")) > 0)
        minutes = int(changes.get("max_seeding_time", int(settings.get("seed_time")) // 60))
        pairs.append(("seed_time", str(minutes * 60) if enabled and minutes > 0 else "0"))
    return pairs
