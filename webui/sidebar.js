// Sidebar: categories and labels with counts; picking one filters the list.
import { $, h } from './dom.js';
import { CATEGORIES } from './status.js';
import { store, onChange } from './store.js';
import { view, render } from './table.js';

const changeListeners = new Set();
export const onViewChange = (fn) => changeListeners.add(fn);

function item(title, count, current, pick) {
  return h('li', {}, h('button', { type: 'button', 'aria-current': String(current), onclick: pick },
    h('span', {}, title), h('span', { class: 'count' }, String(count))));
}

function pick(category, label) {
  view.category = category;
  view.label = label;
  render();
  draw();
  $('#sidebar').classList.remove('open');
  $('#menu-btn').setAttribute('aria-expanded', 'false');
  changeListeners.forEach((fn) => fn());
}

let lastKey = '';
function draw() {
  // Counted again only when a torrent or the view changed: keeps focus and DOM as they are.
  const key = JSON.stringify([store.rev, store.labels, view.category, view.label]);
  if (key === lastKey) return;
  lastKey = key;
  const rows = [...store.torrents.values()];
  const cats = CATEGORIES.map(([id, title, test]) => [id, title, rows.filter(test).length]);
  $('#categories').replaceChildren(...cats.map(([id, title, n]) =>
    item(title, n, view.label === null && view.category === id, () => pick(id, null))));
  const unlabelled = rows.filter((r) => !r[11]).length;
  $('#labels').replaceChildren(
    item('No label', unlabelled, view.label === '', () => pick('all', '')),
    ...store.labels.map(([name, n]) => item(name, n, view.label === name, () => pick('all', name))));
}

export function initSidebar() {
  const btn = $('#menu-btn');
  btn.addEventListener('click', () => {
    const open = $('#sidebar').classList.toggle('open');
    btn.setAttribute('aria-expanded', String(open));
  });
  onChange((what) => what === 'list' && draw());
  draw();
}
