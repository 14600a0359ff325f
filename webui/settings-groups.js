// How settings are grouped for people: [group id, title, [[name, label, rule], ...]].
// Names follow utserver/settings/catalog.py; settings getsettings does not return are left out,
// and every setting also appears under Advanced. rule: min/max for integers (the catalog's
// bounds, checked before sending), required for strings that may not be empty, hint shown under
// the field, secret for the password.

const RATE = { min: -1, hint: 'KiB/s; -1 = unlimited' };
const CONNS = { min: 2, max: 65535 };

export const GROUPS = [
  ['connection', 'Connection', [
    ['bind_port', 'Listening port', { min: 1025, max: 65000, hint: 'Port for incoming BitTorrent connections (1025–65000)' }],
    ['randomize_bind_port', 'Random port at each start'],
    ['upnp', 'UPnP port mapping'],
    ['natpmp', 'NAT-PMP port mapping'],
    ['max_total_connections', 'Connections, total', CONNS],
    ['conns_per_torrent', 'Connections per torrent', { min: 1, max: 65535 }],
    ['ul_slots_per_torrent', 'Upload slots per torrent', { min: 1, max: 1000 }],
    ['ipv6', 'Also use IPv6'],
    ['bind_ip', 'Bind address'],
  ]],
  ['bandwidth', 'Bandwidth', [
    ['max_dl_rate', 'Download limit', RATE],
    ['max_ul_rate', 'Upload limit', RATE],
    ['max_ul_rate_seed', 'Upload limit per seeding torrent', RATE],
    ['auto_bandwidth_management', 'Automatic upload management', { hint: 'Throttle uploads so other traffic stays fast' }],
    ['rate_limit_local_peers', 'Apply limits to local peers too'],
  ]],
  ['bittorrent', 'BitTorrent', [
    ['dht', 'DHT network'],
    ['pex', 'Peer exchange'],
    ['lsd', 'Local peer discovery'],
    ['encryption_mode', 'Protocol encryption', { min: 0, max: 2, hint: '0 disabled, 1 enabled, 2 forced' }],
    ['encryption_allow_legacy', 'Allow legacy (unencrypted) incoming connections'],
    ['bt.transp_disposition', 'Transports', { min: 1, max: 15, hint: 'Sum of: 1 outgoing TCP, 2 outgoing uTP, 4 incoming TCP, 8 incoming uTP' }],
    ['low_cpu', 'Low CPU use'],
  ]],
  ['queueing', 'Queueing', [
    ['max_active_torrent', 'Active torrents at most', { min: -1, max: 1000, hint: 'Downloading and seeding together; -1 = no limit' }],
    ['max_active_downloads', 'Active downloads at most', { min: -1, max: 1000, hint: '-1 = no limit' }],
    ['seed_ratio', 'Seed until ratio', { min: 0, hint: 'Percent, e.g. 150 = 1.5; 0 = no limit' }],
    ['seed_time', 'Seed at least', { min: 0, hint: 'Seconds; 0 = no limit' }],
  ]],
  ['directories', 'Directories', [
    ['dir_active_download', 'Folder for new downloads'],
    ['dir_completed_download_flag', 'Move completed downloads'],
    ['dir_completed_download', 'Folder for completed downloads'],
    ['dir_add_label', 'Put completed downloads in a sub-folder named by the label'],
    ['dir_torrent_files', 'Folder for .torrent files'],
    ['dir_autoload', 'Folder watched for .torrent files'],
    ['dir_autoload_delete', 'Delete loaded .torrent files'],
    ['finish_cmd', 'Run when a torrent finishes', { hint: '%F file, %D folder, %N name, %L label, %I hash…' }],
    ['state_cmd', 'Run when a torrent changes state', { hint: '%S state, %P previous state, %N name…' }],
  ]],
  ['rss', 'RSS', [
    ['rss.update_interval', 'Update feeds every', { min: 1, max: 1440, hint: 'Minutes' }],
    ['rss.smart_repack_filter', 'Smart filter takes REPACK/PROPER releases'],
    ['rss.feed_as_default_label', 'Label torrents with the feed name'],
  ]],
  ['webui', 'Web UI & password', [
    ['admin_name', 'User name', { required: true, hint: 'Changing it makes your browser ask for the login again' }],
    ['admin_password', 'New password', { secret: true, hint: 'Leave empty to keep the current password' }],
    ['webui.enable_guest', 'Enable the guest account (read-only)'],
    ['webui.guest', 'Guest user name'],
    ['webui.restrict', 'Allowed client addresses', { hint: 'Comma separated IPs or ranges; empty = all' }],
    ['webui.allowed_hosts', 'Extra host names', { hint: 'Names this UI is reached by, besides IP addresses' }],
  ]],
];

// Settings the UI manages itself: not offered for editing.
export const HIDDEN = new Set(['webui.cookie']);
