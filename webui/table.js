// The torrent list: columns, sorting, filtering (category, label, search), selection, keyboard.
import { $, h, field, openDialog, setText } from './dom.js';
import * as fmt from './format.js';
import { F, statusText, isError, CATEGORIES } from './status.js';
import { store, onChange } from './store.js';

// ETA only means something while a started, unpaused torrent is downloading.
const eta = (r) => (r[F.PROGRESS] < 1000 && (r[F.STATUS] & 33) === 1 ? fmt.duration(r[F.ETA]) : '');
const pair = (a, b) => (r) => `${r[a]} (${r[b]})`;
const bar = (r) => {
  const p = r[F.PROGRESS];
  return h('div', { class: `bar${p >= 1000 ? ' done' : ''}` },
    h('span', { style: `width:${p / 10}%` }), h('b', {}, fmt.percent(p)));
};

// id, title (label when the title is a symbol), sort value, cell text (or `node` for rich cells),
// num = right-aligned, opt = hidden on phones.
const COLUMNS = [
  { id: 'name', title: 'Name', val: (r) => r[F.NAME].toLowerCase(), text: (r) => r[F.NAME] },
  { id: 'size', title: 'Size', val: (r) => r[F.SIZE], text: (r) => fmt.size(r[F.SIZE]), num: 1, opt: 1 },
  { id: 'progress', title: 'Done', val: (r) => r[F.PROGRESS], node: bar, key: (r) => r[F.PROGRESS] },
  { id: 'status', title: 'Status', val: statusText, text: statusText, opt: 1 },
  { id: 'down', title: 'Down', val: (r) => r[F.DOWN], text: (r) => fmt.speed(r[F.DOWN]), num: 1 },
  { id: 'up', title: 'Up', val: (r) => r[F.UP], text: (r) => fmt.speed(r[F.UP]), num: 1, opt: 1 },
  { id: 'eta', title: 'ETA', val: (r) => (r[F.ETA] < 0 ? Infinity : r[F.ETA]), text: eta, num: 1, opt: 1 },
  { id: 'ratio', title: 'Ratio', val: (r) => r[F.RATIO], text: (r) => fmt.ratio(r[F.RATIO]), num: 1, opt: 1 },
  { id: 'seeds', title: 'Seeds', val: (r) => r[F.SEEDS], text: pair(F.SEEDS, F.SEEDS_SWARM), num: 1, opt: 1 },
  { id: 'peers', title: 'Peers', val: (r) => r[F.PEERS], text: pair(F.PEERS, F.PEERS_SWARM), num: 1, opt: 1 },
  { id: 'label', title: 'Label', val: (r) => r[F.LABEL], text: (r) => r[F.LABEL], opt: 1 },
  { id: 'queue', title: '#', label: 'Queue order', val: (r) => (r[F.QUEUE] < 0 ? Infinity : r[F.QUEUE]), text: (r) => (r[F.QUEUE] < 0 ? '*' : r[F.QUEUE]), num: 1, opt: 1 },
  { id: 'added', title: 'Added', val: (r) => r[F.ADDED], text: (r) => fmt.date(r[F.ADDED]), opt: 1 },
  { id: 'completed', title: 'Completed', val: (r) => r[F.COMPLETED], text: (r) => fmt.date(r[F.COMPLETED]), opt: 1 },
];

export const view = { category: 'all', label: null, search: '', sort: 'queue', desc: false, hidden: [] };
export const selection = new Set();
let anchor = null; // last clicked hash, for shift-click ranges and the details panel
let visible = []; // hashes in display order: every torrent that passes the filters
let rows = new Map(); // hash -> <tr>, only the rows in the rendered window
let sortedFor = ''; // the store revision and view that `visible` was computed for
// The table renders only the rows in view (plus OVERSCAN above and below); spacer rows stand for
// the rest, sized by the measured row height, so 100,000 torrents cost a page of DOM.
const OVERSCAN = 20;
let rowHeight = 25;
const selListeners = new Set();
export const onSelect = (fn) => selListeners.add(fn);
export const focused = () => (selection.has(anchor) ? anchor : [...selection][0] || null);

function header() {
  const tr = $('#torrents thead tr');
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select all shown torrents', onchange: (e) => selectAll(e.target.checked) });
  tr.append(h('th', { class: 'sel-col' }, all));
  for (const c of COLUMNS) {
    tr.append(h('th', { class: `c-${c.id} ${c.num ? 'num' : ''} ${c.opt ? 'opt' : ''}`, 'data-col': c.id },
      h('button', { type: 'button', 'aria-label': c.label, onclick: () => sortBy(c.id) }, c.title)));
  }
}

function sortBy(id) {
  view.desc = view.sort === id ? !view.desc : false;
  view.sort = id;
  render();
  selListeners.forEach((fn) => fn('view'));
}

function matcher() {
  const cat = CATEGORIES.find((c) => c[0] === view.category);
  const q = view.search.trim().toLowerCase();
  return (r) => (!cat || cat[2](r)) && (view.label === null || r[F.LABEL] === view.label)
    && (!q || r[F.NAME].toLowerCase().includes(q) || r[F.LABEL].toLowerCase().includes(q));
}

// The whole list sorted ascending on the view's column, as [value, hash, row] entries. It is kept
// while no torrent's value in that column changed: a poll that moved only speeds or clocks, a
// search, a category or the other direction then costs a pass over the rows, where a sort of
// 100,000 names costs ~0.3 s.
let sorted = { col: null, rev: -1, asc: [], byHash: null };

function sortAll(col) {
  const asc = [];
  for (const [hash, r] of store.torrents) asc.push([col.val(r), hash, r]);
  asc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  sorted = { col, rev: store.rev, asc, byHash: null };
}

// Rows the last list reply did not replace are the same objects: only replaced ones are looked at.
// The index by hash is built at the first such look, not with the first rows on screen.
function sortHolds(col) {
  if (sorted.col !== col || sorted.asc.length !== store.torrents.size) return false;
  if (sorted.rev === store.rev) return true;
  sorted.rev = store.rev;
  sorted.byHash ||= new Map(sorted.asc.map((e) => [e[1], e]));
  for (const [hash, r] of store.torrents) {
    const e = sorted.byHash.get(hash);
    if (!e) return false;
    if (e[2] !== r) {
      if (col.val(r) !== e[0]) return false;
      e[2] = r;
    }
  }
  return true;
}

// Descending: the runs of equal values in reverse, each in its own order, as the ascending sort
// keeps ties in list order.
function descending(asc) {
  const out = [];
  for (let end = asc.length; end > 0;) {
    let start = end - 1;
    while (start > 0 && asc[start - 1][0] === asc[end - 1][0]) start -= 1;
    for (let i = start; i < end; i++) out.push(asc[i]);
    end = start;
  }
  return out;
}

// Filters the list again only when the torrents or the view changed since the last time.
function order() {
  const key = JSON.stringify([store.rev, view.sort, view.desc, view.category, view.label, view.search]);
  if (key === sortedFor) return;
  sortedFor = key;
  const col = COLUMNS.find((c) => c.id === view.sort) || COLUMNS[0];
  if (!sortHolds(col)) sortAll(col);
  const ok = matcher();
  visible = [];
  for (const e of view.desc ? descending(sorted.asc) : sorted.asc) if (ok(e[2])) visible.push(e[1]);
  for (const hash of selection) if (!store.torrents.has(hash)) selection.delete(hash);
}

function makeRow(hash) {
  const box = h('input', { type: 'checkbox', onclick: (e) => { e.stopPropagation(); toggle(hash); } });
  const tr = h('tr', { 'data-hash': hash, tabindex: -1, 'aria-selected': 'false', onclick: (e) => onRowClick(e, hash), ondblclick: () => selListeners.forEach((fn) => fn('open')) },
    h('td', { class: 'sel-col' }, box));
  for (const c of COLUMNS) {
    const td = h('td', { class: `${c.id} c-${c.id} ${c.num ? 'num' : ''} ${c.opt ? 'opt' : ''}` });
    if (c.id === 'name') td.append(h('span', { class: 'n' }), h('span', { class: 'sub' }));
    tr.append(td);
  }
  return tr;
}

function updateRow(tr, r) {
  const cells = tr.children;
  cells[0].firstChild.setAttribute('aria-label', `Select ${r[F.NAME]}`);
  COLUMNS.forEach((c, i) => {
    const td = cells[i + 1];
    if (c.node) {
      const k = c.key(r);
      if (td.dataset.k !== String(k)) { td.dataset.k = k; td.replaceChildren(c.node(r)); }
    } else if (c.id === 'name') {
      setText(td.firstChild, r[F.NAME]);
      setText(td.lastChild, [statusText(r), fmt.size(r[F.SIZE]), r[F.UP] > 0 && `↑ ${fmt.speed(r[F.UP])}`].filter(Boolean).join(' · '));
    } else setText(td, c.text(r));
  });
  tr.classList.toggle('error', isError(r));
}

// [first, end) of `visible` that is on screen, with the overscan. The list scrolls inside
// #list-wrap on wide screens and with the page on phones: both are clipped here.
function inView() {
  const wrap = $('#list-wrap').getBoundingClientRect();
  const top = $('#torrents tbody').getBoundingClientRect().top;
  const from = Math.max(wrap.top, 0) - top;
  const to = Math.min(wrap.bottom, window.innerHeight) - top;
  const n = visible.length;
  const first = Math.min(n, Math.max(0, Math.floor(from / rowHeight) - OVERSCAN));
  return [first, Math.min(n, Math.max(first, Math.ceil(to / rowHeight) + OVERSCAN))];
}

function spacer(px) {
  return h('tr', { class: 'spacer', 'aria-hidden': 'true' },
    h('td', { colspan: COLUMNS.length + 1, style: `height:${px}px` }));
}

let shown = ''; // the window last put in the DOM: first, end and its hashes
function paint() {
  const [first, end] = inView();
  const next = new Map();
  for (const hash of visible.slice(first, end)) {
    const tr = rows.get(hash) || makeRow(hash);
    next.set(hash, tr);
    updateRow(tr, store.torrents.get(hash));
  }
  rows = next;
  const key = `${first}:${end}:${[...next.keys()].join()}`;
  if (key !== shown) {
    shown = key;
    const body = $('#torrents tbody');
    const trs = [...next.values()];
    const had = body.contains(document.activeElement) && document.activeElement; // re-inserting blurs
    body.replaceChildren(...(first ? [spacer(first * rowHeight)] : []), ...trs,
      ...(end < visible.length ? [spacer((visible.length - end) * rowHeight)] : []));
    if (had && had.isConnected) had.focus({ preventScroll: true });
    if (trs.length) rowHeight = Math.max(16, (trs[trs.length - 1].getBoundingClientRect().bottom - trs[0].getBoundingClientRect().top) / trs.length);
  }
  paintSelection();
}

let frame = 0;
function onScroll() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); });
}

export function render() {
  order();
  paint();
  document.querySelectorAll('#torrents thead th[data-col]').forEach((th) =>
    th.setAttribute('aria-sort', th.dataset.col === view.sort ? (view.desc ? 'descending' : 'ascending') : 'none'));
  $('#empty').hidden = visible.length > 0;
}

// Scrolls a row that may be outside the rendered window into view, so it can take the focus.
function reveal(hash) {
  if (!rows.has(hash)) {
    const i = visible.indexOf(hash);
    if (i < 0) return;
    const wrap = $('#list-wrap');
    const y = $('#torrents tbody').getBoundingClientRect().top + i * rowHeight;
    if (wrap.scrollHeight > wrap.clientHeight) wrap.scrollTop += y - wrap.getBoundingClientRect().top - wrap.clientHeight / 2;
    else window.scrollBy(0, y - window.innerHeight / 2);
    paint();
  }
  rows.get(hash)?.focus();
}

function paintSelection() {
  for (const [hash, tr] of rows) {
    const on = selection.has(hash);
    tr.setAttribute('aria-selected', String(on));
    tr.firstChild.firstChild.checked = on;
  }
  const all = $('#torrents thead input');
  all.checked = visible.length > 0 && visible.every((x) => selection.has(x));
}

function changed() { paintSelection(); selListeners.forEach((fn) => fn('selection')); }

function toggle(hash) {
  if (selection.has(hash)) selection.delete(hash); else selection.add(hash);
  anchor = hash;
  changed();
}

function selectAll(on) {
  selection.clear();
  if (on) visible.forEach((x) => selection.add(x));
  changed();
}

export function selectOnly(hash) {
  selection.clear();
  if (hash) selection.add(hash);
  anchor = hash;
  if (hash) reveal(hash);
  changed();
}

function onRowClick(e, hash) {
  if (e.ctrlKey || e.metaKey) return toggle(hash);
  if (e.shiftKey && anchor && visible.includes(anchor)) {
    const [a, b] = [visible.indexOf(anchor), visible.indexOf(hash)].sort((x, y) => x - y);
    selection.clear();
    visible.slice(a, b + 1).forEach((x) => selection.add(x));
    return changed();
  }
  selectOnly(hash);
}

// Keyboard: arrows move, Home/End jump, Space toggles, Ctrl+A selects all, Delete removes.
function onKey(e) {
  if (e.target.tagName === 'INPUT' && e.target.type !== 'checkbox') return;
  const i = visible.indexOf(anchor);
  const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: visible.length - 1 };
  if (e.key in moves && visible.length) {
    e.preventDefault();
    selectOnly(visible[Math.max(0, Math.min(visible.length - 1, moves[e.key]))]);
  } else if (e.key === ' ' && anchor) { e.preventDefault(); toggle(anchor); }
  else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); selectAll(true); }
  else if (e.key === 'Delete' && selection.size) selListeners.forEach((fn) => fn('delete'));
  else if (e.key === 'Enter' && anchor) selListeners.forEach((fn) => fn('open'));
}

// Hidden columns are one generated style rule, so rows need no per-cell work.
export function applyHidden() {
  const rule = view.hidden.map((id) => `#torrents .c-${id}`).join(', ');
  $('#column-style').textContent = rule ? `${rule} { display: none; }` : '';
}

export async function chooseColumns() {
  const boxes = COLUMNS.filter((c) => c.id !== 'name').map((c) =>
    [c, h('input', { type: 'checkbox', checked: !view.hidden.includes(c.id) })]);
  const ok = await openDialog({ title: 'Columns', body: boxes.map(([c, box]) => field(c.label || c.title, box)),
    buttons: [['Cancel', 'cancel'], ['Show', 'ok']] });
  if (!ok) return;
  view.hidden = boxes.filter(([, box]) => !box.checked).map(([c]) => c.id);
  applyHidden();
  selListeners.forEach((fn) => fn('view'));
}

export function initTable() {
  header();
  const table = $('#torrents');
  table.tabIndex = 0;
  table.addEventListener('keydown', onKey);
  table.addEventListener('focus', (e) => { if (e.target === table && !anchor && visible.length) selectOnly(visible[0]); });
  $('#search').addEventListener('input', (e) => { view.search = e.target.value; render(); });
  onChange((what) => what === 'list' && render());
  $('#list-wrap').addEventListener('scroll', onScroll, { passive: true });
  window.addEventListener('scroll', onScroll, { passive: true });
  new ResizeObserver(onScroll).observe($('#list-wrap'));
}
