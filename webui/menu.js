// The context menu of the torrent list: right-click, long-press, or the Menu key / Shift+F10 on a
// row offers the toolbar's commands there. Arrow keys move, Enter runs, Escape closes.
import { $, h } from './dom.js';
import { selection, selectOnly } from './table.js';

// [command, label]; null draws a separator. Commands are the toolbar's data-cmd names.
const ITEMS = [
  ['start', 'Start'], ['pause', 'Pause'], ['stop', 'Stop'], ['forcestart', 'Force start'], ['recheck', 'Recheck'], null,
  ['queuetop', 'Queue top'], ['queueup', 'Queue up'], ['queuedown', 'Queue down'], ['queuebottom', 'Queue bottom'], null,
  ['label', 'Set label…'], ['props', 'Properties…'], ['remove', 'Remove…'],
];

let menu = null;
let returnFocus = null;

function close() {
  if (menu.hidden) return;
  menu.hidden = true;
  returnFocus?.focus();
}

function open(x, y) {
  menu.hidden = false;
  const box = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(0, Math.min(x, innerWidth - box.width))}px`;
  menu.style.top = `${Math.max(0, Math.min(y, innerHeight - box.height))}px`;
  menu.querySelector('[role=menuitem]').focus();
}

function onKey(e) {
  const items = [...menu.querySelectorAll('[role=menuitem]')];
  const step = { ArrowDown: 1, ArrowUp: -1 }[e.key];
  if (step) {
    e.preventDefault();
    items[(items.indexOf(document.activeElement) + step + items.length) % items.length].focus();
  } else if (e.key === 'Escape' || e.key === 'Tab') {
    e.preventDefault();
    close();
  }
}

function rowOf(target) {
  return target.closest?.('#torrents tbody tr[data-hash]');
}

export function initMenu(dispatch) {
  menu = h('div', { role: 'menu', class: 'menu', 'aria-label': 'Torrent actions', hidden: true, onkeydown: onKey },
    ITEMS.map((item) => (item
      ? h('button', { type: 'button', role: 'menuitem', tabindex: -1, onclick: () => { close(); dispatch(item[0]); } }, item[1])
      : h('hr', { role: 'separator' }))));
  document.body.append(menu);
  const table = $('#torrents');
  table.addEventListener('contextmenu', (e) => {
    const tr = rowOf(e.target);
    if (!tr) return;
    e.preventDefault();
    if (!selection.has(tr.dataset.hash)) selectOnly(tr.dataset.hash);
    returnFocus = tr;
    open(e.clientX, e.clientY);
  });
  table.addEventListener('keydown', (e) => {
    const tr = rowOf(e.target);
    if (!tr || !(e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey))) return;
    e.preventDefault();
    returnFocus = tr;
    const box = tr.getBoundingClientRect();
    open(box.left + 40, box.bottom);
  });
  document.addEventListener('pointerdown', (e) => { if (!menu.contains(e.target)) close(); });
  menu.addEventListener('focusout', (e) => { if (!menu.contains(e.relatedTarget)) menu.hidden = true; });
}
