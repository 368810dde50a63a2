/** Number formatting and markdown tables shared by the report's sections. */
'use strict';

const fmt = (v, digits = 0) =>
  v === null || v === undefined || Number.isNaN(v)
    ? '—'
    : Number(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a, b) => (a === null || a === undefined || b === null || b === undefined || !b ? null : a / b);
const x = (r) => (r === null ? '—' : `${fmt(r, 2)}×`);

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// A row measured while a build or other processes shared the cores is kept but marked.
const noisy = (r) => (r.noisy ? ' ⚠' : '');

function errorsCell(errors) {
  if (!errors || !errors.total) return '0';
  return Object.entries(errors.byKind)
    .map(([k, v]) => `${v.count} ${k}`)
    .join(', ');
}

/** `{ KIND: n }` as "n KIND, …". */
function countsCell(counts) {
  const entries = Object.entries(counts || {});
  return entries.length ? entries.map(([k, n]) => `${n} ${k}`).join(', ') : '0';
}

module.exports = { fmt, ratio, x, table, noisy, errorsCell, countsCell };
