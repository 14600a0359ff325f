// RSS: feeds with their items, filters with all their fields, and a test of a filter against
// the items the feeds hold. Feeds and filters arrive with the torrent list (rssfeeds/rssfilters).
import * as api from './api.js';
import { h, field, fieldError, openDialog, toast } from './dom.js';
import * as fmt from './format.js';
import { store, refresh, onChange, offChange } from './store.js';
import { ITEM, matcher } from './rssmatch.js';

// rssfeeds row: IDENT, ENABLED, USE FEED TITLE, USER SELECTED, PROGRAMMED, STATE, URL, NEXT, ITEMS.
// µTorrent packs an alias into the URL field as "alias|url".
function feedInfo(row) {
  const raw = row[6] || '';
  const m = /^(.*?)\|([a-z][a-z0-9+.-]*:.*)$/is.exec(raw);
  const [alias, url] = m ? [m[1], m[2]] : ['', raw];
  return { id: row[0], enabled: !!row[1], subscribe: !!row[3], smart: !!row[4], alias, url, next: row[7], items: row[8] || [] };
}
const feedName = (f) => f.alias || f.url;

// rssfilters row positions and the FLAGS bits µTorrent uses.
const FL = { ID: 0, FLAGS: 1, NAME: 2, FILTER: 3, NOT: 4, DIR: 5, FEED: 6, QUALITY: 7, LABEL: 8, POSTPONE: 9, SMART: 11, EPSTR: 13, EP: 14 };
const FLAG = { enabled: 1, origname: 2, prio: 4, 'smart-ep-filter': 8, 'add-stopped': 16 };

const itemTitle = (it) => it[ITEM.FULL] || it[ITEM.NAME];

const allItems = () => [...store.feeds.values()].flatMap((r) => feedInfo(r).items);

async function call(name, params) {
  try {
    const reply = await api.action(name, params);
    await refresh().catch(() => {});
    return reply;
  } catch (e) {
    toast(`${name}: ${e.message}`, 'error');
    return null;
  }
}

// --- Feeds page ------------------------------------------------------------------------------

function itemsTable(items) {
  if (!items.length) return h('p', { class: 'muted' }, 'No items (yet).');
  return h('table', { class: 'grid', 'aria-label': 'Feed items' },
    h('thead', {}, h('tr', {}, ['Title', 'Date', ''].map((t) => h('th', {}, t)))),
    h('tbody', {}, items.map((it) => h('tr', { class: it[ITEM.HISTORY] ? 'muted' : '' },
      h('td', { class: 'fname' }, itemTitle(it)), h('td', {}, fmt.date(it[ITEM.TIME])),
      h('td', {}, h('button', { type: 'button', 'aria-label': `Add ${itemTitle(it)}`, onclick: () => call('add-url', { s: it[ITEM.URL] }).then((r) => r && toast('Added.')) }, 'Add'))))));
}

// A checkbox that saves one rss-update parameter as soon as it changes.
function feedSwitch(f, param, on) {
  const box = h('input', { type: 'checkbox', checked: on, onchange: () => call('rss-update', { 'feed-id': f.id, [param]: box.checked ? 1 : 0 }) });
  return box;
}

function feedPane(f) {
  return [
    h('h3', {}, feedName(f)), h('p', { class: 'muted' }, f.url),
    field('Enabled', feedSwitch(f, 'enabled', f.enabled)),
    field('Add every item (subscribe)', feedSwitch(f, 'subscribe', f.subscribe)),
    field('Smart episode filter', feedSwitch(f, 'smart-filter', f.smart)),
    h('p', { class: 'muted' }, f.next > 0 ? `Next update: ${fmt.date(f.next)}` : ''),
    h('div', { class: 'rowbtns' },
      h('button', { type: 'button', onclick: () => call('rss-update', { 'feed-id': f.id, update: 1 }) }, 'Update now'),
      h('button', { type: 'button', class: 'danger', onclick: () => call('rss-remove', { 'feed-id': f.id }) }, 'Remove feed')),
    itemsTable(f.items),
  ];
}

function newFeedPane() {
  const url = h('input', { type: 'url', placeholder: 'https://example.org/rss' });
  const alias = h('input', { type: 'text' });
  const add = async () => {
    const ok = /^https?:\/\/\S+$/i.test(url.value.trim());
    fieldError(url, ok ? '' : 'Enter the feed’s http(s) address.');
    if (!ok) return;
    const reply = await call('rss-update', { 'feed-id': -1, url: url.value.trim(), alias: alias.value.trim() || undefined });
    if (reply) { toast('Feed added.'); state.feed = reply.rss_ident ?? null; draw(); }
  };
  return [h('h3', {}, 'Add a feed'), field('Feed URL', url), field('Name (optional)', alias),
    h('div', { class: 'rowbtns' }, h('button', { type: 'button', class: 'primary', onclick: add }, 'Add feed'))];
}

// --- Filters page ----------------------------------------------------------------------------

function filterForm(row) {
  const flags = row ? row[FL.FLAGS] : FLAG.enabled;
  const text = (v) => h('input', { type: 'text', value: v ?? '' });
  const box = (on) => h('input', { type: 'checkbox', checked: !!on });
  const feeds = [...store.feeds.values()].map(feedInfo);
  const feedSel = h('select', {}, h('option', { value: -1 }, 'All feeds'), feeds.map((f) => h('option', { value: f.id, selected: row && row[FL.FEED] === f.id }, feedName(f))));
  // name, label, control, filter-update parameter, how to read it.
  const c = {
    name: text(row?.[FL.NAME] ?? 'New filter'), enabled: box(flags & FLAG.enabled), filter: text(row?.[FL.FILTER]),
    'not-filter': text(row?.[FL.NOT]), 'save-in': text(row?.[FL.DIR]), 'feed-id': feedSel, label: text(row?.[FL.LABEL]),
    quality: h('input', { type: 'text', inputmode: 'numeric', value: String(row?.[FL.QUALITY] ?? -1) }),
    episode: text(row?.[FL.EPSTR]), 'episode-filter': box(row?.[FL.EP]), origname: box(flags & FLAG.origname),
    prio: box(flags & FLAG.prio), 'smart-ep-filter': box(row ? row[FL.SMART] || flags & FLAG['smart-ep-filter'] : 0),
    'add-stopped': box(flags & FLAG['add-stopped']), 'postpone-mode': box(row?.[FL.POSTPONE]),
  };
  const labels = {
    name: 'Name', enabled: 'Enabled', filter: 'Filter (e.g. *ubuntu*iso*)', 'not-filter': 'Not matching', 'save-in': 'Save in',
    'feed-id': 'Feed', label: 'Label for new torrents', quality: 'Quality mask (-1 = any)', episode: 'Episodes (e.g. 1x1-10)',
    'episode-filter': 'Use the episode filter', origname: 'Match the original name', prio: 'High priority',
    'smart-ep-filter': 'Smart episode filter', 'add-stopped': 'Add torrents stopped', 'postpone-mode': 'Postpone mode',
  };
  const read = () => Object.fromEntries(Object.entries(c).map(([k, el]) => [k, el.type === 'checkbox' ? (el.checked ? 1 : 0) : el.value.trim()]));
  return { fields: Object.entries(c).map(([k, el]) => field(labels[k], el)), read, c };
}

function testResult(values) {
  let test;
  try { test = matcher(values); } catch (e) { return h('p', { class: 'err' }, e.message); }
  const items = allItems();
  const hits = items.filter(test);
  return h('div', { id: 'filter-test', 'aria-live': 'polite' },
    h('h4', {}, `Matches ${hits.length} of ${items.length} items`),
    h('ul', {}, items.map((it) => h('li', { class: hits.includes(it) ? 'match' : 'muted' }, `${hits.includes(it) ? '✔ ' : ''}${itemTitle(it)}`))));
}

function filterPane(row) {
  const form = filterForm(row);
  const out = h('div');
  const save = async () => {
    const v = form.read();
    const bad = !/^-?\d+$/.test(v.quality);
    fieldError(form.c.quality, bad ? 'Enter a whole number.' : '');
    if (bad) return;
    const reply = await call('filter-update', { 'filter-id': row ? row[FL.ID] : -1, ...v });
    if (reply) { toast('Filter saved.'); state.filter = row ? row[FL.ID] : reply.filter_ident ?? null; draw(); }
  };
  const remove = row && h('button', { type: 'button', class: 'danger', onclick: async () => { await call('filter-remove', { 'filter-id': row[FL.ID] }); state.filter = null; draw(); } }, 'Remove filter');
  const test = h('button', { type: 'button', onclick: () => { out.replaceChildren(testResult(form.read())); out.scrollIntoView({ block: 'nearest' }); } }, 'Test against feed items');
  return [h('h3', {}, row ? row[FL.NAME] : 'New filter'), ...form.fields,
    h('div', { class: 'rowbtns' }, h('button', { type: 'button', class: 'primary', onclick: save }, 'Save filter'), test, remove), out];
}

// --- Dialog ----------------------------------------------------------------------------------

const state = { page: 'feeds', feed: null, filter: null, root: null };

function side() {
  const item = (current, text, pick) => h('button', { type: 'button', class: 'item', 'aria-current': String(current), onclick: pick }, text);
  const feeds = [...store.feeds.values()].map(feedInfo);
  const pages = h('div', { class: 'rowbtns', role: 'tablist', 'aria-label': 'RSS' },
    ['feeds', 'filters'].map((p) => h('button', { type: 'button', role: 'tab', 'aria-selected': String(state.page === p), onclick: () => { state.page = p; draw(); } }, p === 'feeds' ? 'Feeds' : 'Filters')));
  const list = state.page === 'feeds'
    ? [item(state.feed === null, '+ Add feed', () => { state.feed = null; draw(); }),
      ...feeds.map((f) => item(state.feed === f.id, `${feedName(f)} (${f.items.length})`, () => { state.feed = f.id; draw(); }))]
    : [item(state.filter === null, '+ New filter', () => { state.filter = null; draw(); }),
      ...[...store.filters.values()].map((r) => item(state.filter === r[FL.ID], `${r[FL.FLAGS] & 1 ? '' : '(off) '}${r[FL.NAME]}`, () => { state.filter = r[FL.ID]; draw(); }))];
  return h('div', { class: 'side' }, pages, list);
}

function pane() {
  if (state.page === 'feeds') {
    const row = store.feeds.get(state.feed);
    return row ? feedPane(feedInfo(row)) : newFeedPane();
  }
  const row = store.filters.get(state.filter);
  return filterPane(row);
}

// Redraws the dialog; a focused button is focused again afterwards (same label), so keyboard
// users keep their place.
function draw() {
  if (!state.root) return;
  const was = state.root.contains(document.activeElement) ? document.activeElement : null;
  const name = was && (was.getAttribute('aria-label') || was.textContent);
  state.root.replaceChildren(side(), h('div', { class: 'pane' }, pane()));
  if (name) [...state.root.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') || b.textContent) === name)?.focus();
}

export async function openRss() {
  state.root = h('div', { class: 'split' });
  draw();
  // Feed items arrive with list updates; redraw the feeds page when they change (filters keep edits).
  let last = JSON.stringify([...store.feeds.values()]);
  const watch = (what) => {
    const key = JSON.stringify([...store.feeds.values()]);
    if (what !== 'list' || key === last || state.page !== 'feeds') return;
    last = key;
    const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName);
    if (!typing) draw();
  };
  onChange(watch);
  await openDialog({ title: 'RSS feeds and filters', body: state.root, wide: true });
  offChange(watch);
  state.root = null;
}
