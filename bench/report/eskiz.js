/** Report sections for Eskiz: refresh storm, throughput (with wrk as the ceiling), memory. */
'use strict';

const { fmt, ratio, x, table, noisy, errorsCell } = require('./format');

/** PATCH /auth/refresh requests the sandbox received: its counters split them by outcome. */
const refreshRequests = (eskiz) => eskiz.refreshes + eskiz.refreshFailures;

function storm(runs, settings) {
  if (!runs || !runs.length) return [];
  const rows = runs.map((s) => {
    const e = s.sandbox.eskiz;
    const gens = Object.entries(e.sendsByGeneration || {})
      .map(([g, n]) => `g${g}: ${n}`)
      .join(', ');
    return [
      `**${s.contender}**${noisy(s)}`,
      fmt(s.sends),
      fmt(s.ok),
      errorsCell(s.errors),
      s.held ? fmt(s.held.held) : '—',
      `**${fmt(refreshRequests(e))}**`,
      fmt(e.refreshFailures),
      fmt(e.logins),
      fmt(e.rejected401),
      gens || '—',
      fmt(s.drainMs),
      fmt(s.cpuUserMs + s.cpuSystemMs),
    ];
  });
  // Each send of the burst should meet the old token once. A client that caps its connections
  // puts only its cap on the wire with the old token; an uncapped one that meets fewer 401s than
  // it sent was too slow to put the burst out within the hold.
  const notes = [];
  for (const s of runs) {
    if (s.sandbox.eskiz.rejected401 >= 0.9 * s.sends) continue;
    if (s.held && !s.held.all) {
      notes.push(`**Note:** ${s.contender} put at most ${fmt(s.held.held)} sends on the wire at once (the rest queued inside the client), so only those met the old token.`, '');
    } else {
      notes.push(`**Note:** fewer 401s than sends for ${s.contender}: part of the burst left after the refresh; raise \`--storm-latency\`.`, '');
    }
  }
  return [
    `## Eskiz refresh storm: ${fmt(settings.stormSize)} concurrent sends on an expired token`,
    '',
    `Warm client (one send), then the sandbox expires every token and holds each ` +
      `\`/message/sms/send\` it receives for ${settings.stormLatencyMs} ms, so the burst is on the wire with the ` +
      `old token; once the client has put out all it will (the whole burst, or its connection cap) the hold ` +
      `is lifted for later sends. Sandbox counters cover the burst only.`,
    '',
    table(
      ['client', 'sends', 'succeeded', 'failed', 'most on the wire', 'refresh requests', 'of them refused', 'logins', 'rejected 401s', 'accepted sends by token generation', 'drain ms', 'client CPU ms'],
      rows,
    ),
    '',
    ...notes,
  ];
}

const NAMES = { 'uzgate-twilio': 'uzgate (twilio)', 'twilio-sdk': 'twilio SDK', 'uzgate-routed': 'uzgate (routed)' };
const label = (r) => `**${NAMES[r.contender] || r.contender}**${noisy(r)}`;

function levelTable(at) {
  return table(
    ['client', 'req/s', 'client CPU µs/req', 'client cores busy', 'p50 ms', 'p99 ms', 'errors', 'sandbox CPU µs/req', 'sandbox sends in window', 'other load'],
    at.map((r) => [
      label(r),
      fmt(r.rps),
      fmt(r.cpuPerReqUs, 1),
      fmt(r.cpuCores, 2),
      fmt(r.latency.p50Ms, 2),
      fmt(r.latency.p99Ms, 2),
      errorsCell(r.errors),
      fmt(r.sandbox.cpuPerReqUs, 1),
      fmt(r.sandbox.sends),
      fmt(r.otherCores, 2),
    ]),
  );
}

/** uzgate (`subject`) against each baseline present at one level. */
function ratioTable(at, subject, baselines) {
  const u = at.find((r) => r.contender === subject);
  const rows = [];
  for (const base of baselines) {
    const b = at.find((r) => r.contender === base);
    if (!u || !b) continue;
    rows.push([
      `${NAMES[subject] || subject} ÷ ${NAMES[base] || base}`,
      x(ratio(u.rps, b.rps)),
      x(ratio(u.cpuPerReqUs, b.cpuPerReqUs)),
      x(ratio(u.latency.p50Ms, b.latency.p50Ms)),
      x(ratio(u.latency.p99Ms, b.latency.p99Ms)),
    ]);
  }
  return rows.length ? ['', table(['ratio', 'req/s', 'CPU µs/req', 'p50', 'p99'], rows)] : [];
}

function byLevel(runs, render) {
  const out = [];
  for (const c of [...new Set(runs.map((r) => r.concurrency))]) {
    out.push(`### concurrency ${c}`, '', ...render(runs.filter((r) => r.concurrency === c)), '');
  }
  return out;
}

function throughput(runs, wrk) {
  const all = [...(runs || []), ...((wrk && wrk.runs) || [])];
  if (!all.length && !(wrk && wrk.skipped)) return [];
  const notes = [];
  if (wrk && wrk.skipped) notes.push(`**wrk: SKIPPED** — ${wrk.skipped}.`, '');
  else if (wrk) {
    notes.push(
      `wrk ${wrk.version}${wrk.installed ? ' (installed by this run: `apt-get install wrk`)' : ''}: one thread per core (at most one per connection), ` +
        `\`bench/wrk/eskiz-send.lua\`, a 1 s unmeasured run first; its CPU is wrk's own from the shell's \`times\`, its latency wrk's percentiles.`,
      '',
    );
  }
  return [
    '## Eskiz throughput (closed loop: N sends always in flight)',
    '',
    ...notes,
    ...byLevel(all, (at) => [levelTable(at), ...ratioTable(at, 'uzgate', ['axios', 'fetch', 'wrk'])]),
  ];
}

function twilio(runs) {
  if (!runs || !runs.length) return [];
  return [
    '## Twilio throughput: uzgate vs the official SDK (closed loop)',
    '',
    '`POST /2010-04-01/Accounts/{sid}/Messages.json` on the sandbox\'s Twilio imitation; the SDK ' +
      'keeps its own RequestClient, axios and pool settings (an http.Agent with the options of its ' +
      'https.Agent: keep-alive, 20 sockets per host), only `https://api.twilio.com` is rewritten to the sandbox.',
    '',
    ...byLevel(runs, (at) => [levelTable(at), ...ratioTable(at, 'uzgate-twilio', ['twilio-sdk'])]),
  ];
}

function routing(result) {
  if (!result || !result.runs || !result.runs.length) return [];
  const fo = result.failover;
  const cost = result.overhead;
  const healthy = result.runs.filter((r) => r.contender === 'uzgate' && r.cpuPerReqUs > 0).map((r) => r.cpuPerReqUs);
  return [
    '## Routing: a routed client against a single provider (healthy path, closed loop)',
    '',
    'The routed client has Eskiz and Twilio, Uzbek numbers routed Eskiz first; every send goes out ' +
      'through Eskiz, so the ratio is what choosing the route, the breaker and the attempts cost. Target: within 5 % CPU per send.',
    '',
    ...byLevel(result.runs, (at) => [levelTable(at), ...ratioTable(at, 'uzgate-routed', ['uzgate'])]),
    ...(cost
      ? [
          '### Routing\'s own cost, without the network',
          '',
          'The closed-loop ratios above move by more than the routing layer costs: the sandbox\'s CPU per identical request moves as much between two runs. ' +
            `So the layer is also measured alone: the console provider (no network) by itself and behind a route, ${fmt(cost.sends)} sends each, taking turns in one process (medians of the rounds).`,
          '',
          table(
            ['client', 'CPU µs per send'],
            [
              ['console provider alone', fmt(cost.singleUs, 2)],
              ['console provider behind a route', fmt(cost.routedUs, 2)],
            ],
          ),
          '',
          `Routing adds **${fmt(cost.addedUs, 2)} µs** per send` +
            (healthy.length
              ? `: ${fmt((100 * cost.addedUs) / Math.min(...healthy), 1)} % of the cheapest healthy Eskiz send measured above (${fmt(Math.min(...healthy), 1)} µs), ${fmt((100 * cost.addedUs) / Math.max(...healthy), 1)} % of the dearest (${fmt(Math.max(...healthy), 1)} µs).`
              : '.'),
          '',
        ]
      : []),
    ...(fo
      ? [
          '### Failing over on a refused connection',
          '',
          `Play Mobile at ${fo.refusedUrl} (refused; no token, so each send dials it), Twilio behind it, breaker kept closed; sends one at a time.`,
          '',
          table(
            ['send', 'sends', 'p50 ms', 'p90 ms'],
            [
              ['straight to Twilio', fmt(fo.direct.sends), fmt(fo.direct.p50Ms, 2), fmt(fo.direct.p90Ms, 2)],
              ['routed: Play Mobile refused, then Twilio', fmt(fo.routed.sends), fmt(fo.routed.p50Ms, 2), fmt(fo.routed.p90Ms, 2)],
            ],
          ),
          '',
          `Time to fail over: **${fmt(fo.addedMs, 2)} ms** at the median (${x(ratio(fo.routed.p50Ms, fo.direct.p50Ms))}).`,
          '',
        ]
      : []),
  ];
}

function rss(runs, settings) {
  if (!runs || !runs.length) return [];
  const axios = runs.find((r) => r.contender === 'axios');
  const fetchRun = runs.find((r) => r.contender === 'fetch');
  const rows = runs.map((r) => [
    `**${r.contender}**${noisy(r)}`,
    `${fmt(r.ok)}/${fmt(r.sends)}`,
    errorsCell(r.errors),
    fmt(r.memory.heldAtSample),
    fmt(r.memory.beforeMb),
    fmt(r.memory.inFlightMb),
    `**${fmt(r.memory.peakMb)}**`,
    x(ratio(r.memory.peakMb, axios && axios.memory.peakMb)),
    x(ratio(r.memory.peakMb, fetchRun && fetchRun.memory.peakMb)),
    fmt(r.drainMs),
  ]);
  return [
    `## Memory: ${fmt(settings.rssSize)} Eskiz sends outstanding`,
    '',
    `Each client fires ${fmt(settings.rssSize)} sends at once; the sandbox holds each send it receives for ` +
      `${fmt(settings.rssHoldMs)} ms (latency fault). An uncapped client puts all of them on the wire; one that ` +
      `caps its connections keeps the rest queued inside the process. RSS in MiB of the client process, from ` +
      `\`/proc/<pid>/status\`: before the burst, once the client had put out all it would (*on the wire* then), ` +
      `and the high-water mark (VmHWM). The hold is then lifted so queued sends drain.`,
    '',
    table(['client', 'succeeded', 'failed', 'on the wire', 'RSS before', 'RSS, burst outstanding', 'peak RSS', 'peak ÷ axios', 'peak ÷ fetch', 'drain ms'], rows),
    '',
  ];
}

module.exports = { routing, storm, throughput, twilio, rss, refreshRequests };
