// Small DOM helpers: element builder, dialogs, toasts.

export const $ = (sel, root = document) => root.querySelector(sel);

// h('button', {class: 'x', onclick: f}, 'text', child): attributes starting with "on" become
// listeners; false/null attributes are left out; children may be strings, nodes or arrays.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value' || (k in el && typeof v !== 'string')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// Sets text only when it changed, so live updates do not churn the DOM.
export function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

export function toast(message, kind = 'info') {
  const el = h('div', { class: `toast ${kind}` }, message);
  $('#toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3500);
}

// A modal <dialog> with a title, body and buttons. Resolves with the value of the button pressed
// (its `value`), or '' on Escape. `onSubmit(value)` may return false to keep the dialog open
// (e.g. when validation fails).
export function openDialog({ title, body, buttons = [['Close', 'cancel']], wide = false, onSubmit }) {
  const btns = buttons.map(([label, value, cls]) =>
    h('button', { value, class: cls || (value === 'ok' ? 'primary' : ''), formnovalidate: value === 'cancel' }, label));
  const titleId = `dlg-${Math.random().toString(36).slice(2, 8)}`;
  const form = h('form', { method: 'dialog', class: 'dlg', novalidate: true },
    h('h2', { id: titleId }, title), h('div', { class: 'body' }, body), h('div', { class: 'buttons' }, btns));
  const dlg = h('dialog', { class: wide ? 'wide' : '', 'aria-labelledby': titleId }, form);
  document.body.append(dlg);
  return new Promise((resolve) => {
    form.addEventListener('submit', async (ev) => {
      const value = ev.submitter?.value || 'ok';
      if (value !== 'cancel' && onSubmit) {
        ev.preventDefault();
        if ((await onSubmit(value)) === false) return;
        dlg.close(value);
      }
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(dlg.returnValue === 'cancel' ? '' : dlg.returnValue); });
    dlg.showModal();
  });
}

// A labelled form row; `control` gets an id so the label names it for screen readers.
let fieldSeq = 0;
export function field(label, control, hint) {
  control.id ||= `f${++fieldSeq}`;
  const err = h('div', { class: 'err', id: `${control.id}-err`, hidden: true });
  const note = hint ? h('div', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', note ? `${note.id} ${err.id}` : err.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, note, err);
}

// Shows (or clears, with '') the error under a control made by field().
export function fieldError(control, message) {
  const err = document.getElementById(`${control.id}-err`);
  if (!err) return;
  err.textContent = message;
  err.hidden = !message;
  control.setAttribute('aria-invalid', message ? 'true' : 'false');
}
