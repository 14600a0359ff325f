// How settings are grouped for people: [group id, title, [[name, label, rule], ...]].
// Settings getsettings does not return are left out; every setting also appears under Advanced.
// rule: min/max bounds for integers, hint shown under the field, secret for passwords.

const RATE = { min: -1, hint: 'KiB/s; -1 or 0 = unlimited' };
const CONNS = { min: 1, max: 65535 };

export const GROUPS = [
  ['connection', 'Connection', [
    ['bind_port', 'Listening port', { min: 1025, max: 65000, hint: 'Port for incoming BitTorrent connections (1025–65000)' }],
    ['randomize_bind_port', 'Random port at each start'],
    ['upnp', 'UPnP port mapping'],
    ['natpmp', 'NAT-PMP port mapping'],
    ['max_total_connections', 'Connections, total', CONNS],
    ['conns_per_torrent', 'Connections per torrent', CONNS],
    ['ul_slots_per_torrent', 'Upload slots per torrent', { min: 0 }],
  ]],
  ['bandwidth', 'Bandwidth', [
    ['max_dl_rate', 'Download limit', RATE],
    ['max_ul_rate', 'Upload limit', RATE],
    ['max_ul_rate_seed_flag', 'Different upload limit when only seeding'],
    ['max_ul_rate_seed', 'Upload limit when seeding', RATE],
    ['auto_bandwidth_management', 'Automatic upload management', { hint: 'Throttle uploads so other traffic stays fast' }],
    ['rate_limit_local_peers', 'Apply limits to local peers too'],
  ]],
  ['bittorrent', 'BitTorrent', [
    ['dht', 'DHT network'],
    ['dht_per_torrent', 'DHT for new torrents'],
    ['pex', 'Peer exchange'],
    ['lsd', 'Local peer discovery'],
    ['bt.transp_disposition', 'Transports (TCP/uTP bit mask)', { min: 0, max: 31 }],
    ['encryption_mode', 'Protocol encryption (0 off, 1 enabled, 2 forced)', { min: 0, max: 2 }],
    ['encryption_allow_legacy', 'Allow legacy incoming connections'],
  ]],
  ['queueing', 'Queueing', [
    ['max_active_torrent', 'Active torrents at most', { min: -1, hint: 'Downloading and seeding together; -1 = no limit' }],
    ['max_active_downloads', 'Active downloads at most', { min: -1, hint: '-1 = no limit' }],
    ['seed_ratio', 'Seed until ratio', { min: 0, hint: 'Percent, e.g. 150 = 1.5; 0 = no limit' }],
    ['seed_time', 'Seed at least', { min: 0, hint: 'Seconds; 0 = no limit' }],
    ['seeds_prioritized', 'Seeding tasks before downloads'],
    ['seed_prio_limitul_flag', 'Limit upload when the goal is reached'],
    ['seed_prio_limitul', 'Upload limit after the goal', RATE],
  ]],
  ['directories', 'Directories', [
    ['dir_active_download_flag', 'Put new downloads in'],
    ['dir_active_download', 'Folder for new downloads'],
    ['dir_completed_download_flag', 'Move completed downloads'],
    ['dir_completed_download', 'Folder for completed downloads'],
    ['dir_add_label', 'Append the label to the completed folder'],
    ['move_if_defdir', 'Only move from the default download folder'],
    ['dir_torrent_files_flag', 'Store .torrent files'],
    ['dir_torrent_files', 'Folder for .torrent files'],
    ['dir_completed_torrents_flag', 'Move .torrent files of completed jobs'],
    ['dir_completed_torrents', 'Folder for completed .torrent files'],
    ['dir_autoload_flag', 'Load .torrent files automatically'],
    ['dir_autoload', 'Folder to watch for .torrent files'],
    ['dir_autoload_delete', 'Delete loaded .torrent files'],
    ['finish_cmd', 'Run when a torrent finishes'],
    ['state_cmd', 'Run when a torrent changes state'],
  ]],
  ['webui', 'Web UI & password', [
    ['admin_name', 'User name', { hint: 'Changing it asks your browser to log in again' }],
    ['admin_password', 'Password', { secret: true }],
    ['webui.enable_guest', 'Enable guest account'],
    ['webui.guest', 'Guest user name'],
    ['webui.restrict', 'Allowed IP addresses (empty = all)'],
    ['webui.enable_listen', 'Alternative listening port'],
    ['webui.port', 'Alternative port', { min: 1, max: 65535 }],
  ]],
];

// Settings the UI manages itself: not offered for editing.
export const HIDDEN = new Set(['webui.cookie']);
