// Details of the focused torrent: General, Files, Peers, Trackers and Speed tabs.
// Only the visible tab is fetched, and it refreshes with each list update.
import * as api from './api.js';
import { $, h } from './dom.js';
import * as fmt from './format.js';
import { F, statusText, isError } from './status.js';
import { store } from './store.js';
import { focused } from './table.js';
import { renderFiles } from './files.js';
import { lines } from './chart.js';

const TABS = ['general', 'files', 'peers', 'trackers', 'speed'];
let tab = 'general';
let shown = null; // hash shown
let lastData = ''; // JSON of the last rendered fetch, to skip identical redraws
let pieces = new Map(); // hash -> piece count (from getfiles)

const pane = (id) => $(`#pane-${id}`);
const kv = (pairs) => h('dl', { class: 'kv' }, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));

async function pieceCount(hash) {
  if (!pieces.has(hash)) {
    const rows = (await api.action('getfiles', { hash })).files[1];
    // Files list their first piece and piece count; the last file ends at the last piece.
    pieces.set(hash, rows.length ? Math.max(...rows.map((r) => (r[4] || 0) + (r[5] || 0))) : 0);
  }
  return pieces.get(hash);
}

async function general(hash, r) {
  const n = await pieceCount(hash).catch(() => 0);
  const rows = [
    ['Name', r[F.NAME]], ['Status', statusText(r)], ['Hash', hash], ['Save path', r[F.SAVE_PATH] ?? ''],
    ['Size', fmt.size(r[F.SIZE])], ['Downloaded', fmt.size(r[F.DOWNLOADED])], ['Uploaded', fmt.size(r[F.UPLOADED])],
    ['Remaining', fmt.size(r[F.REMAINING])], ['Ratio', fmt.ratio(r[F.RATIO])],
    ['Availability', (r[F.AVAIL] / 65536).toFixed(3)],
    ['Pieces', n ? `${n} × ${fmt.size(Math.ceil(r[F.SIZE] / n))}` : ''],
    ['Added', fmt.date(r[F.ADDED])], ['Completed', fmt.date(r[F.COMPLETED])],
    ['Label', r[F.LABEL]], ['Source', r[F.URL]], ['Error', isError(r) ? r[F.MESSAGE] : ''],
  ];
  return kv(rows.filter(([, v]) => v !== ''));
}

async function files(hash, r) {
  const rows = (await api.action('getfiles', { hash })).files[1];
  const draw = (el) => renderFiles(el, hash, rows, r[F.SID] || hash, () => { lastData = ''; update(); });
  return { key: JSON.stringify(rows), draw };
}

const PEER_COLS = [
  ['Address', (p) => `${p[1].includes(':') ? `[${p[1]}]` : p[1]}:${p[4]}`], ['Client', (p) => p[5]], ['Flags', (p) => p[6]],
  ['Done', (p) => fmt.percent(p[7])], ['Down', (p) => fmt.speed(p[8])], ['Up', (p) => fmt.speed(p[9])],
  ['Downloaded', (p) => fmt.size(p[14])], ['Uploaded', (p) => fmt.size(p[13])],
];

async function peers(hash) {
  const reply = await api.action('getpeers', { hash });
  const list = reply.peers?.[1] || [];
  if (!list.length) return h('p', { class: 'muted' }, 'No peers connected.');
  return h('table', { class: 'grid', 'aria-label': 'Peers' },
    h('thead', {}, h('tr', {}, PEER_COLS.map(([t]) => h('th', {}, t)))),
    h('tbody', {}, list.map((p) => h('tr', {}, PEER_COLS.map(([, f]) => h('td', {}, f(p)))))));
}

async function trackers(hash) {
  const text = (await api.action('getprops', { hash })).props[0].trackers || '';
  // Blank lines separate tiers, as in µTorrent's tracker box.
  let tier = 0;
  const rows = [];
  for (const line of text.split(/\r?\n/).map((s) => s.trim())) {
    if (!line) { if (rows.length) tier += 1; continue; }
    rows.push(h('tr', {}, h('td', {}, String(tier + 1)), h('td', {}, line)));
  }
  if (!rows.length) return h('p', { class: 'muted' }, 'No trackers (DHT and peer exchange only).');
  return h('table', { class: 'grid', 'aria-label': 'Trackers' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Tier'), h('th', {}, 'URL'))), h('tbody', {}, rows));
}

function speed(hash, r) {
  const canvas = $('#speed-chart');
  lines(canvas, store.history.get(hash) || []);
  canvas.setAttribute('aria-label', `Speed chart: down ${fmt.speed(r[F.DOWN]) || '0'}, up ${fmt.speed(r[F.UP]) || '0'}`);
  return null;
}

const LOADERS = { general, files, peers, trackers, speed };

// Redraws the visible tab; skips when nothing changed or the user is using a control inside it.
export async function update() {
  const hash = focused();
  const r = store.torrents.get(hash);
  $('#details').hidden = !r;
  if (!r) { shown = null; return; }
  if (hash !== shown) { shown = hash; lastData = ''; }
  const el = pane(tab);
  if (el.contains(document.activeElement) && document.activeElement.tagName === 'SELECT') return;
  try {
    const out = await LOADERS[tab](hash, r);
    if (out === null || shown !== hash) return;
    const key = out instanceof Node ? out.outerHTML : out.key;
    if (key === lastData) return;
    lastData = key;
    if (out instanceof Node) el.replaceChildren(out); else out.draw(el);
  } catch (e) {
    el.replaceChildren(h('p', { class: 'muted' }, `Could not load: ${e.message}`));
  }
}

function select(id) {
  tab = id;
  lastData = '';
  for (const t of TABS) {
    const on = t === id;
    $(`#tab-${t}`).setAttribute('aria-selected', String(on));
    $(`#tab-${t}`).tabIndex = on ? 0 : -1;
    pane(t).hidden = !on;
  }
  update();
}

export function initDetails() {
  const list = $('#details [role="tablist"]');
  list.addEventListener('click', (e) => { const t = e.target.closest('[role="tab"]'); if (t) select(t.id.slice(4)); });
  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  list.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length];
    select(next);
    $(`#tab-${next}`).focus();
  });
}
