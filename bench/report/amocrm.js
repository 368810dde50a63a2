/** Report sections for amoCRM: cross-process refresh with rotating tokens, rate-limit efficiency. */
'use strict';

const { fmt, table, noisy, countsCell } = require('./format');

function refresh(res) {
  if (!res) return [];
  const rows = res.runs.map((r) => {
    const s = r.sandbox;
    const last = r.rounds[r.rounds.length - 1];
    return [
      `**${r.name}**${noisy(r)}`,
      `${fmt(r.ok)}/${fmt(r.calls)}`,
      countsCell(r.errors),
      `${last.processesFailing}/${res.processes}`,
      `**${fmt(s.refreshes + s.refreshFailures)}**`,
      fmt(s.refreshes),
      fmt(s.refreshFailures),
      `**${fmt(s.revokedReuses)}**`,
      fmt(s.rejected401),
      r.refreshedHere === undefined ? '—' : `${fmt(r.refreshedHere)} / ${fmt(r.adopted)}`,
      r.alive ? 'yes' : `**no** (${r.aliveError})`,
    ];
  });
  return [
    `## amoCRM: ${res.processes} processes × ${res.expiries} forced expiries, rotating single-use refresh tokens`,
    '',
    `The processes share one token store. One of them exchanges a consent code; each makes one call on ` +
      `the fresh token; then ${res.expiries} times the sandbox expires every access token and each process makes ` +
      `${res.requests} \`GET /api/v4/account\` calls on ${res.lanes} lanes, all processes at once. Sandbox: ` +
      `\`rateLimitPerSecond: 0\`, \`accountRateLimitPerSecond: 0\`, \`rotation: strict\` (a refresh token works once). ` +
      `Counters cover the expiry rounds. *Revoked reuses*: spent refresh tokens presented again. *Alive*: after one ` +
      `more expiry, a process started fresh from the store can still call the API.`,
    '',
    ...(res.redisSkipped ? [`**uzgate (redis): SKIPPED** — ${res.redisSkipped}.`, ''] : []),
    table(
      ['client', 'calls succeeded', 'calls failed', 'processes failing (last round)', 'refresh requests', 'granted', 'refused', 'revoked reuses', 'rejected 401s', 'uzgate: refreshed / adopted from store', 'integration alive'],
      rows,
    ),
    '',
  ];
}

function rateLimit(res) {
  if (!res) return [];
  const rows = res.runs.map((r) =>
    r.skipped
      ? [fmt(r.processes), `**${r.name}**`, 'SKIPPED', '', '', '', '', '', '', '', r.skipped]
      : [
          fmt(r.processes),
          `**${r.name}**${noisy(r)}`,
          `${fmt(r.achieved, 2)} / ${fmt(r.allowed)}`,
          `**${fmt(r.efficiency, 3)}**`,
          `**${fmt(r.rateLimited)}**`,
          fmt(r.rateLimitedInWindow),
          fmt(r.blocked),
          fmt(r.max429In60s),
          r.wouldBlock ? `**yes**, after ${fmt(r.wouldBlockAfterS, 1)} s` : 'no',
          countsCell(r.errors),
          '',
        ],
  );
  const w = res.runs.find((r) => !r.skipped);
  return [
    `## amoCRM rate limit: ${res.limit} requests/s per integration`,
    '',
    `Each process calls \`GET /api/v4/account\` on ${w ? w.lanes : '—'} lanes for ${fmt(res.warmupS, 1)} s of warm-up ` +
      `(spends the bucket's initial burst) and ${w ? fmt(w.windowS) : '—'} s measured; *achieved* counts calls that ` +
      `succeeded inside the window. The sandbox's block is set out of reach so the naive client keeps going; ` +
      `*default block* says whether ${res.defaultBlockAfter} 429s within 60 s (the default \`blockAfter\`) would have ` +
      `locked the account with a sticky 403, from the 429 count sampled every 500 ms. 429s count the whole run.`,
    '',
    table(
      ['processes', 'client', 'achieved / allowed req/s', 'efficiency', '429s', '429s in window', '403 blocks', 'most 429s in 60 s', `blocked at default ${res.defaultBlockAfter}`, 'calls failed', 'note'],
      rows,
    ),
    '',
  ];
}

module.exports = { refresh, rateLimit };
