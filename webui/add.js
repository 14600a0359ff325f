// Adding torrents: .torrent files (button or drag-and-drop, several at once), URLs and magnets,
// with download dir (list-dirs), sub-path, label and "start stopped".
import * as api from './api.js';
import { $, h, field, fieldError, openDialog, toast } from './dom.js';
import * as fmt from './format.js';
import { store, refresh } from './store.js';
import { setProps } from './actions.js';

export async function listDirs() {
  try {
    return (await api.action('list-dirs'))['download-dirs'] || [];
  } catch {
    return [];
  }
}

function dirSelect(dirs) {
  const sel = h('select', {}, dirs.map((d, i) =>
    // Free space first: long paths get cut off at the end of a narrow select.
    h('option', { value: i }, `${fmt.size(d.available * 1048576)} free · ${d.path}${i === 0 ? ' (default)' : ''}`)));
  if (!dirs.length) sel.append(h('option', { value: 0 }, 'Default folder'));
  return sel;
}

// The API's add replies carry no hash: torrents new in the next list are the ones just added.
async function addAll(files, urls, params) {
  const before = new Set(store.torrents.keys());
  const jobs = [...files.map((f) => [f.name, () => api.addFile(f, params)]),
    ...urls.map((u) => [u, () => api.action('add-url', { s: u, ...params })])];
  let failed = 0;
  for (const [what, send] of jobs) {
    try { await send(); } catch (e) { failed += 1; toast(`Could not add ${what}: ${e.message}`, 'error'); }
  }
  await refresh().catch(() => {});
  return { added: [...store.torrents.keys()].filter((x) => !before.has(x)), failed };
}

async function afterAdd(added, label, stopped) {
  if (label) await setProps(added, [['label', label]]);
  if (stopped && added.length) {
    await api.action('stop', { hash: added }).catch((e) => toast(`stop: ${e.message}`, 'error'));
    await refresh().catch(() => {});
  }
}

const validPath = (p) => !p.split(/[\\/]/).includes('..');

export async function openAdd(dropped = []) {
  const dirs = await listDirs();
  const files = h('input', { type: 'file', accept: '.torrent,application/x-bittorrent', multiple: true });
  const picked = h('ul', { class: 'muted' }, dropped.map((f) => h('li', {}, f.name)));
  const urls = h('textarea', { rows: 3, placeholder: 'https://… or magnet:?xt=… (one per line)' });
  const dir = dirSelect(dirs);
  const sub = h('input', { type: 'text', placeholder: 'optional, e.g. movies/2024' });
  const label = h('input', { type: 'text', list: 'add-labels', autocomplete: 'off' });
  const stopped = h('input', { type: 'checkbox' });
  const body = [
    field('Torrent files', files, 'You can also drop .torrent files anywhere on the page.'), picked,
    field('URLs or magnet links', urls),
    field('Save to', dir), field('Sub-folder', sub), field('Label', label),
    h('datalist', { id: 'add-labels' }, store.labels.map(([n]) => h('option', { value: n }))),
    field('Add stopped', stopped),
  ];
  await openDialog({
    title: 'Add torrents', body, buttons: [['Cancel', 'cancel'], ['Add', 'ok']],
    onSubmit: async () => {
      const all = [...dropped, ...files.files];
      const links = urls.value.split('\n').map((s) => s.trim()).filter(Boolean);
      fieldError(files, all.length || links.length ? '' : 'Choose a .torrent file or enter a URL.');
      fieldError(sub, validPath(sub.value) ? '' : 'The sub-folder may not contain “..”.');
      if (!(all.length || links.length) || !validPath(sub.value)) return false;
      const params = { download_dir: dir.value, path: sub.value.trim() || undefined };
      const { added, failed } = await addAll(all, links, params);
      await afterAdd(added, label.value.trim(), stopped.checked);
      if (added.length) toast(`Added ${added.length} torrent${added.length > 1 ? 's' : ''}.`);
      return failed === 0;
    },
  });
}

// Drag-and-drop of .torrent files anywhere on the page opens the add dialog with them.
export function initDrop() {
  const overlay = $('#drop-overlay');
  const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
  document.addEventListener('dragover', (e) => { if (hasFiles(e)) { e.preventDefault(); overlay.hidden = false; } });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) overlay.hidden = true; });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    overlay.hidden = true;
    const torrents = [...e.dataTransfer.files].filter((f) => f.name.endsWith('.torrent'));
    if (torrents.length) openAdd(torrents); else toast('Only .torrent files can be dropped here.', 'error');
  });
}
