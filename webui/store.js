// Client-side state: torrents, labels, RSS feeds and filters, merged from `list=1&cid=` replies.
import * as api from './api.js';
import { F } from './status.js';

const HISTORY = 150; // speed samples kept per torrent (5 minutes at one per 2 s)

export const store = {
  torrents: new Map(), // hash -> row
  labels: [], // [name, count]
  feeds: new Map(), // ident -> row
  filters: new Map(),
  history: new Map(), // hash -> [[down, up], ...]
  total: [], // [[down, up], ...] for all torrents
  settings: new Map(), // name -> [name, type, value, {access}]
  cid: 0,
  rev: 0, // counts the list replies that changed a torrent: views re-sort only when it moves
};

const listeners = new Set();
export const onChange = (fn) => listeners.add(fn);
export const offChange = (fn) => listeners.delete(fn);
const emit = (what) => listeners.forEach((fn) => fn(what));

// Merge one "full" (torrents) or "delta" (torrentp/torrentm) part into a Map keyed by row[0].
function merge(map, full, changed, removed) {
  if (full) { map.clear(); changed = full; }
  for (const row of changed || []) map.set(row[0], row);
  for (const key of removed || []) map.delete(key);
}

// Speed history is kept only for torrents that moved in the last HISTORY samples: with 100,000
// idle seeds, a history each would cost the page hundreds of megabytes.
function sample() {
  let down = 0, up = 0;
  for (const [hash, r] of store.torrents) {
    down += r[F.DOWN]; up += r[F.UP];
    let h = store.history.get(hash);
    const moving = r[F.DOWN] > 0 || r[F.UP] > 0;
    if (!h && !moving) continue;
    if (!h) store.history.set(hash, (h = []));
    h.push([r[F.DOWN], r[F.UP]]);
    if (h.length > HISTORY) h.shift();
    if (!moving && h.every(([d, u]) => !d && !u)) store.history.delete(hash);
  }
  for (const hash of store.history.keys()) if (!store.torrents.has(hash)) store.history.delete(hash);
  store.total.push([down, up]);
  if (store.total.length > HISTORY) store.total.shift();
}

function applyList(reply) {
  if (reply.torrents || reply.torrentp?.length || reply.torrentm?.length) store.rev += 1;
  merge(store.torrents, reply.torrents, reply.torrentp, reply.torrentm);
  merge(store.feeds, reply.rssfeeds, reply.rssfeedp, reply.rssfeedm);
  merge(store.filters, reply.rssfilters, reply.rssfilterp, reply.rssfilterm);
  if (reply.label) store.labels = reply.label;
  if (reply.torrentc !== undefined) store.cid = reply.torrentc;
  sample();
  emit('list');
}

// Requests are chained so two list replies never race on the same cid.
let chain = Promise.resolve();
let early = null; // the first list, asked for before the page is ready to show it
export function refresh() {
  chain = chain.catch(() => {}).then(async () => {
    const asked = early || api.get({ list: 1, cid: store.cid });
    early = null;
    applyList(await asked);
  });
  return chain;
}

// The first list leaves beside the settings, not after them (with 100,000 torrents it is the
// page's longest wait); the first refresh() shows it.
export function askFirstList() {
  early = api.get({ list: 1, cid: 0 });
  early.catch(() => {}); // a failure is reported by the refresh that awaits it
}

export async function loadSettings() {
  const reply = await api.action('getsettings');
  store.settings = new Map(reply.settings.map((s) => [s[0], s]));
  emit('settings');
  return store.settings;
}

export const setting = (name) => store.settings.get(name)?.[2];
