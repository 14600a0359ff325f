// Canvas charts: speed lines and transfer-history bars. Sized to the element's CSS box.
import * as fmt from './format.js';

const COLORS = ['#2463c7', '#2e8b3e'];

function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width, hgt = canvas.clientHeight || canvas.height;
  canvas.width = w * ratio; canvas.height = hgt * ratio;
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, w, hgt);
  ctx.font = '11px system-ui, sans-serif';
  return [ctx, w, hgt];
}

// Grid lines and labels take the page's colours, so charts suit light and dark mode alike.
function axis(ctx, w, hgt, max, label) {
  const css = getComputedStyle(document.documentElement);
  ctx.strokeStyle = css.getPropertyValue('--line');
  ctx.fillStyle = css.getPropertyValue('--muted');
  for (const f of [0, 0.5, 1]) {
    const y = 14 + (hgt - 28) * (1 - f);
    ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(w, y); ctx.stroke();
    ctx.fillText(label(max * f), 4, y - 2);
  }
}

// series: arrays of [down, up] samples, oldest first.
export function lines(canvas, history, legend = ['Down', 'Up']) {
  const [ctx, w, hgt] = prepare(canvas);
  // One sample or none (a torrent that has not moved): a flat line.
  const samples = history.length > 1 ? history : [history[0] || [0, 0], history[0] || [0, 0]];
  const max = Math.max(1024, ...samples.flat());
  axis(ctx, w, hgt, max, (v) => fmt.speed(v) || '0');
  const n = Math.max(samples.length, 2);
  [0, 1].forEach((k) => {
    ctx.strokeStyle = COLORS[k];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    samples.forEach((s, i) => {
      const x = w * (i / (n - 1)), y = 14 + (hgt - 28) * (1 - s[k] / max);
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
  key(ctx, w, legend);
}

function key(ctx, w, legend) {
  legend.forEach((text, k) => { ctx.fillStyle = COLORS[k]; ctx.fillText(text, w - 90 + k * 45, 11); });
}

// A tiny bar chart of daily totals (down + up), no axes: the status bar's history at a glance.
export function spark(canvas, days) {
  const [ctx, w, hgt] = prepare(canvas);
  const totals = days.map(([d, u]) => d + u);
  const max = Math.max(1, ...totals);
  const slot = w / Math.max(totals.length, 1);
  ctx.fillStyle = COLORS[0];
  totals.forEach((v, i) => { const barH = Math.max(v ? 1 : 0, hgt * (v / max)); ctx.fillRect(i * slot, hgt - barH, Math.max(1, slot - 1), barH); });
}

// days: [[down, up], ...] oldest first; two bars per day.
export function bars(canvas, days, legend = ['Down', 'Up']) {
  const [ctx, w, hgt] = prepare(canvas);
  const max = Math.max(1, ...days.flat());
  axis(ctx, w, hgt, max, fmt.size);
  const slot = w / Math.max(days.length, 1);
  days.forEach((d, i) => d.forEach((v, k) => {
    const barH = (hgt - 28) * (v / max);
    ctx.fillStyle = COLORS[k];
    ctx.fillRect(i * slot + 2 + k * (slot - 4) / 2, hgt - 14 - barH, Math.max(1, (slot - 4) / 2 - 1), barH);
  }));
  key(ctx, w, legend);
}
