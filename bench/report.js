/**
 * Turns a run's results into markdown: one table per scenario, ratios against the baselines
 * measured in the same run (never against numbers from another machine or day), and the
 * issue's targets with what was measured.
 */
'use strict';

const TARGET = {
  concurrency: 256,
  rpsVsAxios: 2, // uzgate req/s ≥ 2 × axios
  cpuVsFetch: 0.3, // uzgate CPU per request ≤ 0.3 × fetch
  stormRefreshes: 1,
};

const fmt = (v, digits = 0) =>
  v === null || v === undefined || Number.isNaN(v)
    ? '—'
    : Number(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a, b) => (a === null || a === undefined || !b ? null : a / b);
const x = (r) => (r === null ? '—' : `${fmt(r, 2)}×`);

/** PATCH /auth/refresh requests the sandbox received: its counters split them by outcome. */
const refreshRequests = (eskiz) => eskiz.refreshes + eskiz.refreshFailures;

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// A row measured while a cargo build shared the cores is kept but marked.
const name = (r) => `**${r.contender}**${r.buildRunning ? ' ⚠' : ''}`;

function errorsCell(errors) {
  if (!errors || !errors.total) return '0';
  return Object.entries(errors.byKind)
    .map(([k, v]) => `${v.count} ${k}`)
    .join(', ');
}

function stormSection(storm, settings) {
  if (!storm.length) return [];
  const rows = storm.map((s) => {
    const e = s.sandbox.eskiz;
    const gens = Object.entries(e.sendsByGeneration || {})
      .map(([g, n]) => `g${g}: ${n}`)
      .join(', ');
    return [
      name(s),
      fmt(s.sends),
      fmt(s.ok),
      errorsCell(s.errors),
      `**${fmt(refreshRequests(e))}**`,
      fmt(e.refreshFailures),
      fmt(e.logins),
      fmt(e.rejected401),
      gens || '—',
      fmt(s.drainMs),
      fmt(s.cpuUserMs + s.cpuSystemMs),
    ];
  });
  // Each send of the burst should meet the old token once; fewer 401s than sends means part of
  // the burst went out after the refresh and the storm was milder than intended.
  const mild = storm
    .filter((s) => s.sandbox.eskiz.rejected401 < 0.9 * s.sends)
    .map((s) => s.contender);
  const caveat = mild.length
    ? [`**Note:** fewer 401s than sends for ${mild.join(', ')}: part of the burst left after the refresh; raise \`--storm-latency\`.`, '']
    : [];
  return [
    `## Refresh storm: ${fmt(settings.stormSize)} concurrent sends on an expired token`,
    '',
    `Warm client (one send), then the sandbox expires every token and holds each ` +
      `\`/message/sms/send\` for ${settings.stormLatencyMs} ms (first ${fmt(settings.stormSize)} sends), so the ` +
      `whole burst is in flight with the old token. Sandbox counters cover the burst only ` +
      `(reset after the warm-up send).`,
    '',
    table(
      ['client', 'sends', 'succeeded', 'failed', 'refresh requests', 'of them refused', 'logins', 'rejected 401s', 'accepted sends by token generation', 'drain ms', 'client CPU ms'],
      rows,
    ),
    '',
    ...caveat,
  ];
}

function throughputSection(runs) {
  if (!runs.length) return [];
  const out = ['## Throughput (closed loop: N sends always in flight)', ''];
  const levels = [...new Set(runs.map((r) => r.concurrency))];
  for (const c of levels) {
    const at = runs.filter((r) => r.concurrency === c);
    out.push(`### concurrency ${c}`, '');
    out.push(
      table(
        ['client', 'req/s', 'client CPU µs/req', 'client cores busy', 'p50 ms', 'p99 ms', 'errors', 'sandbox CPU µs/req', 'sandbox sends in window'],
        at.map((r) => [
          name(r),
          fmt(r.rps),
          fmt(r.cpuPerReqUs, 1),
          fmt(r.cpuCores, 2),
          fmt(r.latency.p50Ms, 2),
          fmt(r.latency.p99Ms, 2),
          errorsCell(r.errors),
          fmt(r.sandbox.cpuPerReqUs, 1),
          fmt(r.sandbox.sends),
        ]),
      ),
    );
    const u = at.find((r) => r.contender === 'uzgate');
    const ratios = [];
    for (const base of ['axios', 'fetch']) {
      const b = at.find((r) => r.contender === base);
      if (!u || !b) continue;
      ratios.push([
        `uzgate ÷ ${base}`,
        x(ratio(u.rps, b.rps)),
        x(ratio(u.cpuPerReqUs, b.cpuPerReqUs)),
        x(ratio(u.latency.p50Ms, b.latency.p50Ms)),
        x(ratio(u.latency.p99Ms, b.latency.p99Ms)),
      ]);
    }
    if (ratios.length) {
      out.push('', table(['ratio', 'req/s', 'CPU µs/req', 'p50', 'p99'], ratios));
    }
    out.push('');
  }
  return out;
}

/** The issue's targets, each with the value measured in this run. */
function targets(results) {
  const rows = [];
  const at = (name) =>
    results.throughput.find((r) => r.contender === name && r.concurrency === TARGET.concurrency);
  const u = at('uzgate');
  const a = at('axios');
  const f = at('fetch');
  if (u && a) {
    const r = ratio(u.rps, a.rps);
    rows.push([`req/s at concurrency ${TARGET.concurrency}: uzgate ÷ axios`, `≥ ${TARGET.rpsVsAxios}×`, x(r), r !== null && r >= TARGET.rpsVsAxios ? 'met' : 'missed']);
  }
  if (u && f) {
    const r = ratio(u.cpuPerReqUs, f.cpuPerReqUs);
    rows.push([`client CPU per request at concurrency ${TARGET.concurrency}: uzgate ÷ fetch`, `≤ ${TARGET.cpuVsFetch}×`, x(r), r !== null && r <= TARGET.cpuVsFetch ? 'met' : 'missed']);
  }
  const s = results.storm.find((r) => r.contender === 'uzgate');
  if (s) {
    const n = refreshRequests(s.sandbox.eskiz);
    rows.push(['storm: refresh requests (uzgate)', `= ${TARGET.stormRefreshes}`, fmt(n), n === TARGET.stormRefreshes ? 'met' : 'missed']);
  }
  return rows.length ? ['## Targets', '', table(['target', 'wanted', 'measured', ''], rows), ''] : [];
}

function markdown(results) {
  const m = results.machine;
  const s = results.settings;
  const contenders = Object.entries(results.contenders).map(([k, v]) => `- **${k}**: ${v}`);
  return [
    `# uzgate Eskiz benchmark — ${m.date.slice(0, 10)}${
      s.label === 'quick' ? ' (quick smoke run)' : s.label === 'custom' ? ' (partial run)' : ''
    }`,
    '',
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB · ${m.os} · Node ${m.node} (undici ${m.undici}) · ` +
      `axios ${m.axios} · uzgate ${m.uzgate} @ ${m.commit}${m.uncommitted.length ? ` (+ uncommitted: ${m.uncommitted.join(', ')})` : ''}`,
    '',
    `Sandbox: \`target/release/uzgate-sandbox\` in its own process on 127.0.0.1, sharing the ` +
      `machine's cores with the client under test (one client process at a time). Each ` +
      `contender × scenario runs in a fresh child process; client CPU is \`process.cpuUsage()\` ` +
      `(all threads, so the addon's Rust threads count) over the measured window. Throughput: ` +
      `${s.warmupS} s warm-up, ${s.durationS} s measured.` +
      (results.buildRunning ? ' **⚠ marks rows measured while a cargo build was running: those numbers are noisy.**' : ''),
    '',
    ...contenders,
    '',
    ...targets(results),
    ...stormSection(results.storm, s),
    ...throughputSection(results.throughput),
  ].join('\n');
}

module.exports = { markdown, TARGET };
