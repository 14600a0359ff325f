// The Files tab: a tree of the torrent's files with progress, priority and download links.
import * as api from './api.js';
import { h, toast } from './dom.js';
import * as fmt from './format.js';

// getfiles row positions and the priorities a person can pick.
const NAME = 0, SIZE = 1, DONE = 2, PRIO = 3;
const PRIORITIES = [[0, 'Skip'], [1, 'Low'], [2, 'Normal'], [3, 'High']];

// Builds {dirs: Map(name -> node), files: [[index, name, row]]} from "a/b/c.txt" paths.
function tree(rows) {
  const root = { dirs: new Map(), files: [] };
  rows.forEach((row, i) => {
    const parts = row[NAME].split(/[\\/]/);
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      if (!node.dirs.has(dir)) node.dirs.set(dir, { dirs: new Map(), files: [] });
      node = node.dirs.get(dir);
    }
    node.files.push([i, parts[parts.length - 1], row]);
  });
  return root;
}

const indexes = (node) => [...node.files.map((f) => f[0]), ...[...node.dirs.values()].flatMap(indexes)];

function prioSelect(label, value, onPick) {
  const sel = h('select', { 'aria-label': label, onchange: () => onPick(Number(sel.value)) },
    PRIORITIES.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
  if (value === null) sel.prepend(h('option', { value: '', selected: true, disabled: true }, 'Mixed'));
  return sel;
}

function progressCell(done, size) {
  const p = size ? Math.floor((done / size) * 1000) : 1000;
  return h('div', { class: `bar${p >= 1000 ? ' done' : ''}` }, h('span', { style: `width:${p / 10}%` }), h('b', {}, fmt.percent(p)));
}

export function renderFiles(pane, hash, rows, sid, reload) {
  if (!rows.length) return pane.replaceChildren(h('p', { class: 'muted' }, 'No file list yet: waiting for the torrent’s metadata from peers.'));
  const setPrio = async (files, p) => {
    try { await api.action('setprio', { hash, p, f: files }); } catch (e) { toast(`setprio: ${e.message}`, 'error'); }
    reload();
  };
  const out = [];
  const walk = (node, depth) => {
    for (const [name, child] of [...node.dirs].sort()) {
      const idx = indexes(child);
      const sub = idx.map((i) => rows[i]);
      const prios = new Set(sub.map((r) => r[PRIO]));
      const size = sub.reduce((a, r) => a + r[SIZE], 0), done = sub.reduce((a, r) => a + r[DONE], 0);
      out.push(h('tr', { class: 'dir' },
        h('td', { class: 'fname', style: `padding-left:${depth * 16 + 8}px` }, name), h('td', { class: 'opt' }, fmt.size(size)),
        h('td', {}, progressCell(done, size)),
        h('td', {}, prioSelect(`Priority of folder ${name}`, prios.size === 1 ? [...prios][0] : null, (p) => setPrio(idx, p))), h('td')));
      walk(child, depth + 1);
    }
    for (const [i, name, row] of [...node.files].sort((a, b) => a[1].localeCompare(b[1]))) {
      const complete = row[DONE] >= row[SIZE];
      const link = complete ? h('a', { href: `/proxy?sid=${encodeURIComponent(sid)}&file=${i}&disposition=ATTACHMENT`, download: name, 'aria-label': `Download ${name}` }, 'Download') : '';
      out.push(h('tr', { 'data-file': i },
        h('td', { class: 'fname', style: `padding-left:${depth * 16 + 8}px` }, name), h('td', { class: 'opt' }, fmt.size(row[SIZE])),
        h('td', {}, progressCell(row[DONE], row[SIZE])),
        h('td', {}, prioSelect(`Priority of ${name}`, row[PRIO], (p) => setPrio([i], p))), h('td', {}, link)));
    }
  };
  walk(tree(rows), 0);
  pane.replaceChildren(h('table', { class: 'grid tree', 'aria-label': 'Files' },
    h('thead', {}, h('tr', {}, ['Name', 'Size', 'Done', 'Priority', 'File'].map((t) => h('th', { class: t === 'Size' ? 'opt' : '' }, t)))),
    h('tbody', {}, out)));
}
