// Entry point: wires the parts together and runs the 2-second list poll.
import { $, setText, toast } from './dom.js';
import * as api from './api.js';
import { store, refresh, loadSettings, setting, askFirstList } from './store.js';
import { initTable, render, onSelect, view, applyHidden, chooseColumns } from './table.js';
import { initSidebar, onViewChange } from './sidebar.js';
import { bindToolbar, remove } from './actions.js';
import { openAdd, initDrop } from './add.js';
import { initDetails, update as updateDetails } from './details.js';
import { openSettings } from './settings.js';
import { openRss } from './rss.js';
import { initStatusbar } from './statusbar.js';
import { initMenu } from './menu.js';

const POLL_MS = 2000;
let timer = 0;

async function tick() {
  clearTimeout(timer);
  try {
    await refresh();
    setText($('#sb-conn'), '');
  } catch (e) {
    setText($('#sb-conn'), `Connection problem: ${e.message}. Retrying…`);
  }
  updateDetails();
  timer = setTimeout(tick, POLL_MS);
}

// The list layout (sort, category, hidden columns) lives in the webui.cookie setting, so it
// follows the user between browsers; saved only when it changes.
const LAYOUT = ['sort', 'desc', 'category', 'hidden'];
const layout = () => JSON.stringify(Object.fromEntries(LAYOUT.map((k) => [k, view[k]])));
let savedLayout = '';
function restoreLayout() {
  try {
    const saved = JSON.parse(setting('webui.cookie') || '{}');
    for (const k of LAYOUT) if (k in saved) view[k] = saved[k];
  } catch { /* a cookie written by another UI: keep the defaults */ }
  savedLayout = layout();
}

async function saveLayout() {
  const now = layout();
  if (now === savedLayout || !store.settings.has('webui.cookie')) return;
  savedLayout = now;
  await api.action('setsetting', [['s', 'webui.cookie'], ['v', now]]).catch(() => {});
}

async function start() {
  askFirstList();
  initTable();
  initSidebar();
  initDetails();
  initDrop();
  initMenu(bindToolbar({ add: () => openAdd(), settings: openSettings, rss: openRss }));
  $('#columns-btn').addEventListener('click', chooseColumns);
  onSelect((what) => {
    if (what === 'delete') remove();
    if (what === 'view') saveLayout();
    updateDetails();
  });
  onViewChange(saveLayout);
  try { await loadSettings(); restoreLayout(); } catch (e) { toast(`getsettings: ${e.message}`, 'error'); }
  applyHidden();
  initStatusbar();
  render();
  await tick();
  window.__uiReady = true; // the first list is shown (tests and screenshots wait for this)
}

start();
