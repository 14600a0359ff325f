// Human-readable numbers: sizes, speeds, durations, dates, ratios.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function size(bytes) {
  if (!(bytes > 0)) return '0 B';
  const i = Math.min(UNITS.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const v = bytes / 1024 ** i;
  return `${i ? v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0) : v} ${UNITS[i]}`;
}

export const speed = (bps) => (bps > 0 ? `${size(bps)}/s` : '');

const SPANS = [['y', 31536000], ['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];

// Two largest units, e.g. "3h 12m"; -1 is infinite (µTorrent's ETA convention).
export function duration(secs) {
  if (secs < 0) return '∞';
  if (!secs) return '';
  const parts = [];
  for (const [unit, n] of SPANS) {
    if (secs >= n && parts.length < 2) { parts.push(`${Math.floor(secs / n)}${unit}`); secs %= n; }
  }
  return parts.join(' ');
}

// toLocaleString()'s own fields, from one formatter: toLocaleString builds a new one per call.
const DATE = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
export const date = (epoch) => (epoch > 0 ? DATE.format(epoch * 1000) : '');
export const ratio = (permil) => (permil < 0 ? '∞' : (permil / 1000).toFixed(3));
export const percent = (permil) => `${(permil / 10).toFixed(1)}%`;
