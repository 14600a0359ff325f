// Status bar: total speeds with quick global limits, free disk space, port and connection health,
// and the transfer history chart.
import * as api from './api.js';
import { $, h, field, openDialog, setText, toast } from './dom.js';
import * as fmt from './format.js';
import { F } from './status.js';
import { store, onChange, loadSettings, setting } from './store.js';
import { listDirs } from './add.js';
import { bars, spark } from './chart.js';

const PRESETS = [0, 50, 100, 250, 500, 1000, 2000, 5000, 10000]; // KiB/s; 0 = unlimited

const limitText = (kibs) => (Number(kibs) > 0 ? ` [${kibs} KiB/s]` : '');

function speeds() {
  let down = 0, up = 0, peers = 0;
  for (const r of store.torrents.values()) { down += r[F.DOWN]; up += r[F.UP]; peers += r[F.PEERS] + r[F.SEEDS]; }
  setText($('#sb-down'), `↓ ${fmt.speed(down) || '0 B/s'}${limitText(setting('max_dl_rate'))}`);
  setText($('#sb-up'), `↑ ${fmt.speed(up) || '0 B/s'}${limitText(setting('max_ul_rate'))}`);
  health(peers);
}

const MECHANISMS = [['upnp', 'UPnP'], ['natpmp', 'NAT-PMP']];

// One mechanism's state from the read-only portmap.<mechanism>.<key> settings: [text, failed].
function mapping([mech, title]) {
  const get = (key) => setting(`portmap.${mech}.${key}`);
  if (get('backend') === undefined) return setting(mech) === 'true' ? [title, false] : null;
  if (get('backend') === 'off') return null;
  const port = Number(get('external_port'));
  if (port > 0) return [`${title} ✓ ${get('external_ip') || ''}:${port}`, false];
  return [`${title} ✗${get('last_error') ? ` ${get('last_error')}` : ''}`, true];
}

// Port mapping and connection health: the peer port, each mapping's state, connected peers.
function health(peers) {
  const maps = MECHANISMS.map(mapping).filter(Boolean);
  const active = [...store.torrents.values()].some((r) => r[F.STATUS] & 1);
  const failed = maps.length > 0 && maps.every(([, bad]) => bad);
  const [cls, text] = peers > 0 ? ['ok', `${peers} peers connected`] : active ? ['warn', 'no peers yet'] : ['', 'idle'];
  $('#sb-net .dot').className = `dot ${failed ? 'warn' : cls}`;
  const mapText = maps.length ? maps.map(([t]) => t).join(', ') : 'no port mapping';
  setText($('#sb-net-text'), `Port ${setting('bind_port') ?? '–'} (${mapText}) · ${text}`);
}

async function disk() {
  const dirs = await listDirs();
  if (dirs.length) setText($('#sb-disk'), `Free: ${fmt.size(dirs[0].available * 1048576)}`);
}

async function quickLimit(name, title) {
  await loadSettings().catch(() => {});
  const current = Number(setting(name)) > 0 ? Number(setting(name)) : 0;
  const opts = PRESETS.includes(current) ? PRESETS : [...PRESETS, current].sort((a, b) => a - b);
  const sel = h('select', {}, opts.map((k) => h('option', { value: k, selected: k === current }, k ? `${k} KiB/s` : 'Unlimited')));
  const ok = await openDialog({ title, body: field('Limit', sel), buttons: [['Cancel', 'cancel'], ['Set', 'ok']] });
  if (!ok) return;
  try {
    await api.action('setsetting', [['s', name], ['v', sel.value === '0' ? -1 : sel.value]]);
    await loadSettings();
  } catch (e) {
    toast(`${name}: ${e.message}`, 'error');
  }
  speeds();
}

// getxferhist: daily totals, newest first. Charts show them oldest first.
const lastDays = (hist, n) => (hist?.daily_download || []).slice(0, n).map((d, i) => [d, hist.daily_upload?.[i] || 0]).reverse();

async function sparkline() {
  const hist = (await api.action('getxferhist').catch(() => null))?.transfer_history;
  if (hist) spark($('#sb-hist canvas'), lastDays(hist, 14));
}

async function history() {
  let hist;
  try { hist = (await api.action('getxferhist')).transfer_history; } catch (e) { return toast(`getxferhist: ${e.message}`, 'error'); }
  const down = hist?.daily_download || [], up = hist?.daily_upload || [];
  const days = lastDays(hist, 30);
  const sum = (a) => fmt.size(a.slice(0, 30).reduce((x, y) => x + y, 0));
  const canvas = h('canvas', { width: 560, height: 180, role: 'img', style: 'width:100%;height:180px', 'aria-label': `Transfer history: ${sum(down)} down and ${sum(up)} up in 30 days` });
  const reset = h('button', { type: 'button', onclick: async () => { await api.action('resetxferhist').catch(() => {}); sparkline(); canvas.closest('dialog').close(); } }, 'Reset history');
  const body = [h('p', {}, `Last 30 days: ↓ ${sum(down)}, ↑ ${sum(up)}. Today: ↓ ${fmt.size(down[0] || 0)}, ↑ ${fmt.size(up[0] || 0)}.`), canvas, h('div', { class: 'rowbtns' }, reset)];
  const shown = openDialog({ title: 'Transfer history', body });
  requestAnimationFrame(() => bars(canvas, days));
  await shown;
}

export function initStatusbar() {
  $('#sb-down').addEventListener('click', () => quickLimit('max_dl_rate', 'Global download limit'));
  $('#sb-up').addEventListener('click', () => quickLimit('max_ul_rate', 'Global upload limit'));
  $('#sb-hist').addEventListener('click', history);
  onChange(speeds);
  disk();
  sparkline();
  // Free space, port-mapping state and daily totals change slowly: refresh them every 30 s.
  setInterval(() => { disk(); sparkline(); loadSettings().catch(() => {}); }, 30000);
}
