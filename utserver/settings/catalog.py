"""Every setting utserver knows, as data: one row a setting.

Conf parsing, settings.dat, getsettings/setsetting and the engine's settings
pack are loops over this table; adding a setting is adding a row.

`applies` says when a value in utserver.conf takes effect (manual, "Reloadable
Settings"):
  ALWAYS     read at every start and every reload; never saved in settings.dat
  FIRST_RUN  read only while settings.dat does not exist; saved in settings.dat
  STARTUP    read at program start only (a reload leaves the running value)
Internal settings the manual does not place in one of these groups can only be
changed in the conf, so they apply ALWAYS: otherwise an edit after the first
run would be silently ignored forever.
`api` is the getsettings access: Y read/write, R read-only, W write-only,
"" not exposed at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum


class Kind(IntEnum):
    """The type codes getsettings reports."""

    INT = 0
    BOOL = 1
    STR = 2


class Applies(Enum):
    ALWAYS = "always"
    FIRST_RUN = "first_run"
    STARTUP = "startup"


# Every INT row has lo and hi that libtorrent accepts: its settings are C ints (rates in bytes/s,
# so KiB/s stops at INT32_MAX // 1024); seed_ratio is percent, libtorrent's ratio per mille.
INT32_MAX = 2**31 - 1
MAX_KIB_S = INT32_MAX // 1024

ALWAYS, FIRST_RUN, STARTUP = Applies.ALWAYS, Applies.FIRST_RUN, Applies.STARTUP
INT, BOOL, STR = Kind.INT, Kind.BOOL, Kind.STR


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: int | bool | str
    applies: Applies = FIRST_RUN
    api: str = "Y"
    lo: int | None = None
    hi: int | None = None
    repeatable: bool = False  # dir_download: every line adds an entry
    required: bool = False  # a string that may not be empty
    secret: bool = False  # stored hashed, never shown
    doc: str = ""

    @property
    def persisted(self) -> bool:
        return self.applies is FIRST_RUN


def _internal(name, kind, default, applies=ALWAYS, api="R", **kw) -> Setting:
    return Setting(name, kind, default, applies, api, **kw)


CATALOG: tuple[Setting, ...] = (
    # --- internal settings (manual: set in utserver.conf only) ---
    _internal("bind_ip", STR, "", doc="address for peer and web sockets; empty = all"),
    _internal("ut_webui_port", INT, 8080, lo=1, hi=65535),
    _internal("token_auth_enable", BOOL, True),
    _internal("dir_root", STR, ""),
    _internal("dir_active", STR, "./"),
    _internal("dir_completed", STR, ""),
    _internal("dir_download", STR, "", repeatable=True),
    _internal("dir_torrent_files", STR, ""),
    _internal("dir_temp_files", STR, ""),
    _internal("dir_autoload", STR, ""),
    _internal("dir_autoload_delete", BOOL, False),
    _internal("dir_request", STR, ""),
    _internal("upnp", BOOL, True),
    _internal("natpmp", BOOL, True),
    _internal("lsd", BOOL, True),
    _internal("dht", BOOL, True),
    _internal("pex", BOOL, True),
    _internal("rate_limit_local_peers", BOOL, False),
    _internal("disk_cache_max_size", INT, 0, lo=0, hi=512, doc="MB; 0 = frugal default"),
    _internal("write_coalesce_max_size", INT, 0, lo=-1, hi=32, doc="MB; accepted, see README"),
    _internal("progressive_piece_span", INT, 0, lo=-1, hi=1024),
    _internal("preferred_interface", STR, ""),
    Setting("admin_name", STR, "admin", FIRST_RUN, "Y", required=True),  # empty would lock everyone out
    Setting("admin_password", STR, "", FIRST_RUN, "W", secret=True),
    _internal("localhost_authentication", BOOL, True),
    _internal("logmask", INT, 0, lo=0, hi=INT32_MAX),
    _internal("ut_webui_dir", STR, ""),
    _internal("tr_webui_dir", STR, "", doc="Transmission's own web UI folder (index.html), served at "
              "/transmission/web/; empty = off (docs/transmission.md)"),
    Setting("finish_cmd", STR, "", FIRST_RUN, "Y"),
    Setting("state_cmd", STR, "", FIRST_RUN, "Y"),
    _internal("uconnect_enable", BOOL, False),
    _internal("uconnect_username", STR, "", api=""),
    _internal("uconnect_password", STR, "", api=""),
    Setting("low_cpu", BOOL, False, FIRST_RUN, "Y"),
    _internal("sequential_download", BOOL, False),
    _internal("compact_allocation", BOOL, False),
    _internal("prealloc_space", BOOL, False),
    _internal("minimize_kernel_caching", BOOL, False),
    _internal("all_writes_sync", BOOL, False),
    _internal("randomize_bind_port", BOOL, False, STARTUP),
    _internal("token_auth_filter", STR, "all", STARTUP),
    _internal("encrypt_buffer_size", INT, 102400, STARTUP, lo=4096, hi=16 * 1024 * 1024),
    # --- regular settings (manual) ---
    Setting("bind_port", INT, 6881, lo=1025, hi=65000),
    Setting("max_ul_rate", INT, -1, lo=-1, hi=MAX_KIB_S, doc="KiB/s; -1 unlimited"),
    Setting("max_ul_rate_seed", INT, -1, lo=-1, hi=MAX_KIB_S, doc="KiB/s per seeding torrent; -1 unlimited"),
    Setting("conns_per_torrent", INT, 50, lo=1, hi=65535),
    Setting("max_total_connections", INT, 200, lo=2, hi=65535),
    Setting("auto_bandwidth_management", BOOL, True),
    Setting("max_dl_rate", INT, -1, lo=-1, hi=MAX_KIB_S, doc="KiB/s; -1 unlimited"),
    Setting("seed_ratio", INT, 0, lo=0, hi=INT32_MAX // 10, doc="percent; 0 = seed forever"),
    Setting("seed_time", INT, 0, lo=0, hi=INT32_MAX, doc="seconds; 0 = seed forever"),
    # --- µTorrent settings the engine needs (queueing, per-torrent defaults, transports) ---
    Setting("max_active_downloads", INT, 3, lo=-1, hi=1000, doc="-1 unlimited"),
    Setting("max_active_torrent", INT, 8, lo=-1, hi=1000, doc="-1 unlimited"),
    Setting("ul_slots_per_torrent", INT, 4, lo=1, hi=1000),
    Setting("bt.transp_disposition", INT, 15, lo=1, hi=15,
            doc="bits: 1 outgoing TCP, 2 outgoing uTP, 4 incoming TCP, 8 incoming uTP"),
    Setting("encryption_mode", INT, 1, lo=0, hi=2, doc="0 disabled, 1 enabled, 2 forced"),
    Setting("encryption_allow_legacy", BOOL, True),
    Setting("ipv6", BOOL, True, doc="also listen on IPv6"),
    Setting("dir_add_label", BOOL, False, doc="completed data goes to a sub-folder named by the label"),
    _internal("dht_bootstrap_nodes", STR,
              "router.bittorrent.com:6881,dht.transmissionbt.com:6881,dht.libtorrent.org:25401"),
    # --- read by real clients (docs/reference/utorrent-clients.md#web-ui-cookie, #settings-clients-read) ---
    Setting("webui.cookie", STR, "{}"),
    Setting("webui.uconnect_enable", BOOL, False, api="R"),
    Setting("dir_active_download_flag", BOOL, True, api="R"),
    Setting("dir_active_download", STR, "", api="R", doc="= dir_active, resolved"),
    Setting("dir_completed_download_flag", BOOL, False, api="R"),
    Setting("dir_completed_download", STR, "", api="R", doc="= dir_completed, resolved"),
    Setting("dir_torrent_files_flag", BOOL, False, api="R", doc="= dir_torrent_files is set"),
    Setting("webui.port", INT, 8080, lo=1, hi=65535, api="R", doc="= ut_webui_port (the WebUI compares it after a save)"),
    Setting("webui.enable_listen", BOOL, True, api="R", doc="the web UI has its own port"),
    Setting("webui.enable", BOOL, True, api="R"),
    Setting("torrents_start_stopped", BOOL, False, doc="new torrents are added stopped"),
    Setting("net.limit_excludeslocal", BOOL, False,
            doc="stored: clients' transfer totals leave out local peers' traffic (µTorrent's transfer cap)"),
    Setting("confirm_when_deleting", BOOL, True, doc="stored for web UIs: ask before removing"),
    Setting("gui.default_del_action", INT, 0, lo=0, hi=3, doc="stored for web UIs: the default remove"),
    Setting("dht_per_torrent", BOOL, True, doc="stored for web UIs: offer the per-torrent DHT switch"),
    Setting("resolve_peerips", BOOL, False, doc="stored for web UIs; peer lists show addresses"),
    Setting("search_list", STR, "", doc="stored for web UIs: the search box's engines"),
    Setting("search_list_sel", INT, 0, lo=0, hi=1000, doc="stored for web UIs: the chosen engine"),
    # --- web access control ---
    Setting("webui.enable_guest", BOOL, False),
    Setting("webui.guest", STR, "guest"),
    Setting("webui.restrict", STR, "", doc="allowed client IPs/ranges, comma separated; empty = all"),
    Setting("webui.allowed_hosts", STR, "",
            doc="extra Host header names accepted (DNS-rebinding defence), comma separated"),
    # --- qBittorrent front (its preference names): a web UI folder served at "/" beside /gui/ ---
    Setting("alternative_webui_enabled", BOOL, False),
    Setting("alternative_webui_path", STR, "", doc="folder holding the alternative web UI's index.html"),
    # --- RSS ---
    Setting("rss.update_interval", INT, 15, lo=1, hi=1440, doc="minutes"),
    Setting("rss.smart_repack_filter", BOOL, True),
    Setting("rss.feed_as_default_label", BOOL, False),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in CATALOG}

