// The settings dialog: grouped pages from GROUPS plus an Advanced page listing every setting.
// Values are validated before sending; errors from the check or from the daemon show by the field.
import * as api from './api.js';
import { h, field, fieldError, openDialog, toast } from './dom.js';
import { store, loadSettings } from './store.js';
import { GROUPS, HIDDEN } from './settings-groups.js';

const INT = 0, BOOL = 1;
// Each setting's rule (bounds, secret) wherever its control appears, Advanced included.
const RULES = new Map(GROUPS.flatMap(([, , rows]) => rows.map(([name, , rule]) => [name, rule || {}])));
const writable = (s) => (s[3]?.access || 'Y') !== 'R';

// One control per setting; `read()` gives the wire value or throws a message for the user.
function control(s, rule = {}, label = s[0]) {
  const [name, type, value] = s;
  const common = { name, disabled: !writable(s), 'data-setting': name };
  if (type === BOOL) {
    const el = h('input', { type: 'checkbox', checked: value === 'true' || value === '1', ...common });
    return { el, read: () => (el.checked ? '1' : '0'), initial: el.checked ? '1' : '0' };
  }
  if (type === INT) {
    const el = h('input', { type: 'text', inputmode: 'numeric', value, ...common });
    const read = () => {
      const v = el.value.trim();
      if (!/^-?\d+$/.test(v)) throw new Error(`${label}: enter a whole number.`);
      if (rule.min !== undefined && Number(v) < rule.min) throw new Error(`${label}: at least ${rule.min}.`);
      if (rule.max !== undefined && Number(v) > rule.max) throw new Error(`${label}: at most ${rule.max}.`);
      return v;
    };
    return { el, read, initial: value };
  }
  const el = h('input', { type: rule.secret ? 'password' : 'text', value: rule.secret ? '' : value, autocomplete: rule.secret ? 'new-password' : 'off', ...common });
  // A password field starts empty: leaving it empty keeps the current password.
  const read = () => {
    if (rule.required && !el.value.trim()) throw new Error(`${label}: may not be empty.`);
    return el.value;
  };
  return { el, read, initial: rule.secret ? '' : value };
}

function groupPage(rows, controls) {
  return rows.filter(([name]) => store.settings.has(name)).map(([name, label, rule]) => {
    const c = control(store.settings.get(name), rule, label);
    controls.push(c);
    // Read-only settings are internal ones: say where they are changed.
    const hint = writable(store.settings.get(name)) ? rule?.hint : 'Set in utserver.conf (read-only here)';
    const out = [field(label, c.el, hint)];
    if (rule?.secret) {
      const again = h('input', { type: 'password', autocomplete: 'new-password', 'aria-label': 'Repeat password' });
      const read = c.read;
      c.read = () => { if (again.value !== c.el.value) throw new Error('The passwords differ.'); return read(); };
      out.push(field('Repeat password', again));
    }
    return out;
  });
}

function advancedPage(controls) {
  const filter = h('input', { type: 'search', placeholder: 'Filter settings', 'aria-label': 'Filter settings' });
  const rows = [...store.settings.values()].filter((s) => !HIDDEN.has(s[0])).sort((a, b) => a[0].localeCompare(b[0])).map((s) => {
    const c = control(s, RULES.get(s[0]), s[0]);
    c.el.setAttribute('aria-label', s[0]);
    controls.push(c);
    c.el.id = `adv-${s[0]}`;
    const err = h('div', { class: 'err', id: `${c.el.id}-err`, hidden: true });
    return h('tr', { 'data-name': s[0] }, h('td', {}, s[0]), h('td', {}, c.el, err));
  });
  filter.addEventListener('input', () => {
    const q = filter.value.toLowerCase();
    rows.forEach((tr) => { tr.hidden = !tr.dataset.name.toLowerCase().includes(q); });
  });
  return [filter, h('table', { class: 'grid', id: 'adv-table', 'aria-label': 'All settings' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Setting'), h('th', {}, 'Value'))), h('tbody', {}, rows))];
}

// The same setting may be on a group page and on Advanced: the one the user changed wins.
function changes(controls) {
  const out = new Map();
  let bad = 0;
  for (const c of controls) {
    try {
      const v = c.read();
      fieldError(c.el, '');
      if (v !== c.initial && !c.el.disabled) out.set(c.el.name, [v, c]);
    } catch (e) {
      fieldError(c.el, e.message);
      bad += 1;
    }
  }
  return bad ? null : out;
}

// One request per setting, so a refusal lands next to the field it is about.
async function send(changed) {
  let ok = true;
  for (const [name, [v, c]] of changed) {
    try {
      await api.action('setsetting', [['s', name], ['v', v]]);
      c.initial = v;
    } catch (e) {
      fieldError(c.el, e.message);
      ok = false;
    }
  }
  return ok;
}

export async function openSettings() {
  try { await loadSettings(); } catch (e) { return toast(`getsettings: ${e.message}`, 'error'); }
  const controls = [];
  const pages = [...GROUPS.map(([id, title, rows]) => [id, title, groupPage(rows, controls)]), ['advanced', 'Advanced', advancedPage(controls)]]
    .filter(([, , body]) => body.length);
  const nav = h('div', { class: 'side', role: 'tablist', 'aria-label': 'Setting groups', 'aria-orientation': 'vertical' });
  const panes = h('div', { class: 'pane' });
  const show = (id) => {
    nav.querySelectorAll('button').forEach((b) => { const on = b.dataset.id === id; b.setAttribute('aria-selected', String(on)); b.setAttribute('aria-current', String(on)); });
    panes.querySelectorAll('[role=tabpanel]').forEach((p) => { p.hidden = p.dataset.id !== id; });
  };
  for (const [id, title, body] of pages) {
    nav.append(h('button', { type: 'button', class: 'item', role: 'tab', 'data-id': id, id: `set-tab-${id}`, onclick: () => show(id) }, title));
    panes.append(h('section', { role: 'tabpanel', 'data-id': id, 'aria-labelledby': `set-tab-${id}` }, body));
  }
  show(pages[0][0]);
  await openDialog({
    title: 'Settings', wide: true, body: h('div', { class: 'split' }, nav, panes),
    buttons: [['Cancel', 'cancel'], ['Save', 'ok']],
    onSubmit: async () => {
      const changed = changes(controls);
      if (!changed) {
        const first = controls.find((c) => c.el.getAttribute('aria-invalid') === 'true');
        show(first.el.closest('[role=tabpanel]').dataset.id);
        first.el.focus();
        return false;
      }
      const ok = await send(changed);
      await loadSettings().catch(() => {});
      if (ok && changed.size) toast('Settings saved.');
      return ok;
    },
  });
}
