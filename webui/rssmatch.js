// The filter test: the same rules the daemon applies (utserver/rss/filters.py), run on the items
// the feeds already hold, so a person sees what a filter will pick before saving it.
//  - "*" any text, "?" one character, "|" alternatives, case ignored, the whole title must match;
//    an empty pattern matches nothing.
//  - Without "original name", "." and "_" in the title read as spaces.
//  - Feed (-1 = all), quality mask (-1/0 = any) and the episode expression ("1x2-8; 12-").

export const ITEM = { NAME: 0, FULL: 1, URL: 2, QUALITY: 3, TIME: 5, SEASON: 6, EPISODE: 7, FEED: 9, HISTORY: 11 };

function wildcard(pattern) {
  const alts = pattern.split('|').map((p) => p.trim()).filter(Boolean);
  if (!alts.length) return null;
  const body = alts.map((p) => p.replace(/[.+^${}()[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')).join('|');
  return new RegExp(`^(?:${body})$`, 'is');
}

const OPEN = 2 ** 30;
const TERM = /^(?:s?(\d+)\s*[xe]\s*)?(\d+)(?:\s*(-)\s*(?:(?:s?(\d+)\s*[xe]\s*)?(\d+))?)?$|^s?(\d+)\s*x$/i;

// [first season or null, first episode, last season, last episode]; throws on a bad term.
function termRange(term) {
  const m = TERM.exec(term);
  if (!m) throw new Error(`bad episode term “${term}” (use 5, 1-10, 12-, 2x3, 2x1-8, 3x)`);
  const [, s1, e1, dash, s2, e2, whole] = m;
  if (whole) return [+whole, 0, +whole, OPEN];
  const first = s1 ? +s1 : null;
  if (!dash) return [first, +e1, first ?? 0, +e1];
  if (!e2) return [first, +e1, OPEN, OPEN];
  return [first, +e1, s2 ? +s2 : first ?? 0, +e2];
}

const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

function episodeTest(expression) {
  const ranges = expression.split(/[;,]/).map((t) => t.trim()).filter(Boolean).map(termRange);
  return (season, ep) => ep > 0 && ranges.some(([s1, e1, s2, e2]) =>
    (s1 === null ? e1 <= ep && ep <= e2 : before([s1, e1], [season, ep]) && before([season, ep], [s2, e2])));
}

// f: the filter form's values (filter-update parameter names).
export function matcher(f) {
  const want = wildcard(f.filter || ''), not = wildcard(f['not-filter'] || '');
  const feed = Number(f['feed-id']), quality = Number(f.quality);
  const episodes = f['episode-filter'] ? episodeTest(f.episode || '') : null;
  return (item) => {
    const full = item[ITEM.FULL] || item[ITEM.NAME];
    const text = f.origname ? full : full.replace(/[._]+/g, ' ');
    const qbit = item[ITEM.QUALITY] > 0 ? 2 ** (item[ITEM.QUALITY] - 1) : 0;
    return (feed === -1 || feed === item[ITEM.FEED])
      && !!want && want.test(text) && !(not && not.test(text))
      && (quality === -1 || quality === 0 || (quality & qbit) !== 0)
      && (!episodes || episodes(item[ITEM.SEASON], item[ITEM.EPISODE]));
  };
}
