// Entry point: wires the parts together and runs the 2-second list poll.
import { $, setText, toast } from './dom.js';
import * as api from './api.js';
import { store, refresh, loadSettings, setting } from './store.js';
import { initTable, render, onSelect, view } from './table.js';
import { initSidebar, onViewChange } from './sidebar.js';
import { bindToolbar, remove } from './actions.js';
import { openAdd, initDrop } from './add.js';
import { initDetails, update as updateDetails } from './details.js';
import { openSettings } from './settings.js';
import { openRss } from './rss.js';
import { initStatusbar } from './statusbar.js';

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

// The list layout (sort, category) lives in the webui.cookie setting, so it follows the user
// between browsers; saved only when it changes.
let savedLayout = '';
function restoreLayout() {
  try {
    const saved = JSON.parse(setting('webui.cookie') || '{}');
    for (const k of ['sort', 'desc', 'category']) if (k in saved) view[k] = saved[k];
  } catch { /* a cookie written by another UI: keep the defaults */ }
  savedLayout = JSON.stringify({ sort: view.sort, desc: view.desc, category: view.category });
}

async function saveLayout() {
  const layout = JSON.stringify({ sort: view.sort, desc: view.desc, category: view.category });
  if (layout === savedLayout || !store.settings.has('webui.cookie')) return;
  savedLayout = layout;
  await api.action('setsetting', [['s', 'webui.cookie'], ['v', layout]]).catch(() => {});
}

async function start() {
  initTable();
  initSidebar();
  initDetails();
  initDrop();
  bindToolbar({ add: () => openAdd(), settings: openSettings, rss: openRss });
  onSelect((what) => {
    if (what === 'delete') remove();
    if (what === 'view') saveLayout();
    updateDetails();
  });
  onViewChange(saveLayout);
  try { await loadSettings(); restoreLayout(); } catch (e) { toast(`getsettings: ${e.message}`, 'error'); }
  initStatusbar();
  render();
  await tick();
  window.__uiReady = true; // the first list is shown (tests and screenshots wait for this)
}

start();
