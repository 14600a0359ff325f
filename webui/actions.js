// Toolbar actions on the selected torrents: start/stop/…, queue moves, remove, label, properties.
import * as api from './api.js';
import { $, h, field, fieldError, openDialog, toast } from './dom.js';
import { F } from './status.js';
import { store, refresh } from './store.js';
import { selection } from './table.js';

const hashes = () => [...selection];
const names = () => hashes().map((x) => store.torrents.get(x)?.[F.NAME]).filter(Boolean);

// Runs an action on the selection, then refreshes the list so the result shows at once.
async function run(name) {
  if (!selection.size) return toast('Select one or more torrents first.');
  try {
    await api.action(name, { hash: hashes() });
  } catch (e) {
    toast(`${name}: ${e.message}`, 'error');
  }
  await refresh().catch(() => {});
}

// µTorrent's four removal modes, each a separate action.
const REMOVE_MODES = [
  ['remove', 'Remove from the list only'],
  ['removetorrent', 'Remove and delete the .torrent file'],
  ['removedata', 'Remove and delete the downloaded data'],
  ['removedatatorrent', 'Remove and delete the data and the .torrent file'],
];

export async function remove() {
  if (!selection.size) return toast('Select one or more torrents first.');
  const list = names();
  const radios = REMOVE_MODES.map(([value, label], i) =>
    h('label', {}, h('input', { type: 'radio', name: 'mode', value, checked: i === 0 }), ` ${label}`));
  const body = [
    h('p', {}, list.length === 1 ? `Remove “${list[0]}”?` : `Remove ${list.length} torrents?`),
    h('fieldset', { class: 'radio-list' }, h('legend', {}, 'What to delete'), radios),
  ];
  const picked = () => radios.map((l) => l.firstChild).find((r) => r.checked).value;
  let mode = '';
  const ok = await openDialog({ title: 'Remove torrents', body, buttons: [['Cancel', 'cancel'], ['Remove', 'ok', 'danger']],
    onSubmit: () => { mode = picked(); } });
  if (ok) await run(mode);
}

async function setLabel() {
  if (!selection.size) return toast('Select one or more torrents first.');
  const current = store.torrents.get(hashes()[0])?.[F.LABEL] || '';
  const input = h('input', { type: 'text', value: current, list: 'label-names', autocomplete: 'off' });
  const datalist = h('datalist', { id: 'label-names' }, store.labels.map(([n]) => h('option', { value: n })));
  const ok = await openDialog({ title: 'Set label', body: [field('Label (empty removes it)', input), datalist],
    buttons: [['Cancel', 'cancel'], ['Set label', 'ok']] });
  if (!ok) return;
  await setProps(hashes(), [['label', input.value.trim()]]);
}

// setprops: hash first, then its s/v pairs (µTorrent applies pairs to the hash before them).
export async function setProps(list, pairs) {
  const params = list.flatMap((hash) => [['hash', hash], ...pairs.flatMap(([s, v]) => [['s', s], ['v', v]])]);
  try {
    await api.action('setprops', params);
  } catch (e) {
    toast(`setprops: ${e.message}`, 'error');
    return false;
  }
  await refresh().catch(() => {});
  return true;
}

// Per-torrent properties: [key, label, kind, to UI, from UI]. Rates are KiB/s in the UI and
// bytes/s on the wire; seed ratio is % in the UI and per mille on the wire; seed time is minutes.
const PROPS = [
  ['dlrate', 'Download limit (KiB/s, 0 = none)', 'int', (v) => Math.round(v / 1024), (v) => v * 1024],
  ['ulrate', 'Upload limit (KiB/s, 0 = none)', 'int', (v) => Math.round(v / 1024), (v) => v * 1024],
  ['ulslots', 'Upload slots (0 = default)', 'int'],
  ['seed_ratio', 'Stop seeding at ratio (%, 0 = never)', 'int', (v) => v / 10, (v) => v * 10],
  ['seed_time', 'Stop seeding after (minutes, 0 = never)', 'int', (v) => Math.round(v / 60), (v) => v * 60],
  ['superseed', 'Initial seeding', 'tri'],
  ['dht', 'Use DHT', 'tri'],
  ['pex', 'Use peer exchange', 'tri'],
  ['seed_override', 'Ignore queue limits when seeding', 'tri'],
  ['trackers', 'Trackers (one per line, blank line between tiers)', 'text'],
];

function propControl([key, , kind, toUi = (v) => v], value) {
  if (kind === 'tri') return h('input', { type: 'checkbox', name: key, checked: value === 1, disabled: value === -1 });
  if (kind === 'text') return h('textarea', { name: key, rows: 5, value: String(value || '').replace(/\r\n/g, '\n') });
  return h('input', { type: 'number', name: key, min: 0, step: 1, value: toUi(value), inputmode: 'numeric' });
}

function propValue([, , kind, , fromUi = (v) => v], ctl) {
  if (kind === 'tri') return ctl.checked ? 1 : 0;
  if (kind === 'text') return ctl.value.trim().replace(/\n/g, '\r\n');
  return fromUi(Number(ctl.value));
}

async function editProps() {
  if (!selection.size) return toast('Select one or more torrents first.');
  const list = hashes();
  let props;
  try {
    props = (await api.action('getprops', { hash: list[0] })).props[0];
  } catch (e) {
    return toast(`getprops: ${e.message}`, 'error');
  }
  const rows = PROPS.filter((p) => p[0] in props).map((p) => [p, propControl(p, props[p[0]])]);
  const title = list.length === 1 ? `Properties: ${names()[0]}` : `Properties of ${list.length} torrents`;
  await openDialog({
    title, body: rows.map(([p, c]) => field(p[1], c)), buttons: [['Cancel', 'cancel'], ['Save', 'ok']],
    onSubmit: async () => {
      const bad = rows.filter(([p, c]) => p[2] === 'int' && !/^\d+$/.test(c.value));
      rows.forEach(([p, c]) => fieldError(c, bad.some(([q]) => q === p) ? 'Enter a whole number, 0 or more.' : ''));
      if (bad.length) return false;
      const pairs = rows.map(([p, c]) => [p[0], propValue(p, c)])
        .filter(([k, v]) => list.length > 1 || String(v) !== String(props[k]));
      return pairs.length ? setProps(list, pairs) : true;
    },
  });
}

// Left/right arrows walk the toolbar's buttons, as screen readers expect of role=toolbar.
function arrowKeys(e) {
  const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
  if (!step || e.target.tagName !== 'BUTTON') return;
  const buttons = [...e.currentTarget.querySelectorAll('button')].filter((b) => b.offsetParent !== null);
  buttons[(buttons.indexOf(e.target) + step + buttons.length) % buttons.length].focus();
}

// Wires the toolbar; returns dispatch(command) for other places that offer the same commands.
export function bindToolbar(extra) {
  const table = { remove, label: setLabel, props: editProps, ...extra };
  const dispatch = (cmd) => (table[cmd] || (() => run(cmd)))();
  const bar = $('.toolbar');
  bar.addEventListener('click', (e) => {
    const cmd = e.target.closest('button[data-cmd]')?.dataset.cmd;
    if (cmd) dispatch(cmd);
  });
  bar.addEventListener('keydown', arrowKeys);
  return dispatch;
}
