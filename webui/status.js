// What a torrent row's STATUS bits and fields mean to a person: status text and categories.
// Row positions are the µTorrent Web API's (see the manual's list format).

export const F = {
  HASH: 0, STATUS: 1, NAME: 2, SIZE: 3, PROGRESS: 4, DOWNLOADED: 5, UPLOADED: 6, RATIO: 7,
  UP: 8, DOWN: 9, ETA: 10, LABEL: 11, PEERS: 12, PEERS_SWARM: 13, SEEDS: 14, SEEDS_SWARM: 15,
  AVAIL: 16, QUEUE: 17, REMAINING: 18, URL: 19, RSS_URL: 20, MESSAGE: 21, SID: 22,
  ADDED: 23, COMPLETED: 24, SAVE_PATH: 26,
};

const STARTED = 1, CHECKING = 2, ERROR = 16, PAUSED = 32, QUEUED = 64;

const done = (r) => r[F.PROGRESS] >= 1000;

export function statusText(r) {
  const s = r[F.STATUS];
  if (s & CHECKING) return `Checking ${(r[F.PROGRESS] / 10).toFixed(1)}%`;
  if (s & ERROR) return `Error: ${r[F.MESSAGE] || 'unknown'}`;
  if (s & STARTED) {
    if (s & PAUSED) return 'Paused';
    // Started without QUEUED means forced: it ignores the queue limits.
    return `${s & QUEUED ? '' : '[F] '}${done(r) ? 'Seeding' : 'Downloading'}`;
  }
  if (s & QUEUED) return done(r) ? 'Queued seed' : 'Queued';
  return done(r) ? 'Finished' : 'Stopped';
}

export const isError = (r) => (r[F.STATUS] & ERROR) !== 0;
const isActive = (r) => r[F.UP] > 0 || r[F.DOWN] > 0;

// Sidebar categories: [id, title, predicate].
export const CATEGORIES = [
  ['all', 'All', () => true],
  ['downloading', 'Downloading', (r) => !done(r)],
  ['seeding', 'Seeding', (r) => done(r) && (r[F.STATUS] & STARTED) !== 0],
  ['completed', 'Completed', done],
  ['active', 'Active', isActive],
  ['inactive', 'Inactive', (r) => !isActive(r)],
  ['error', 'Error', isError],
];
