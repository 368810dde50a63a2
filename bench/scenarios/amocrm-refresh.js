/**
 * amoCRM with rotating single-use refresh tokens across processes: `amoProcesses` processes
 * share one token store; the sandbox expires every access token `amoExpiries` times and after
 * each expiry every process makes `amoRequests` calls. A refresh token works once, so every
 * refresh after the first with the same token is a spent token presented again
 * (`revokedReuses`). uzgate (file store; Redis store when a redis-server is at hand) against the
 * naive per-process refresh with a shared JSON file.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { AmoProcess, startProcesses } = require('../amo-pool');

function merge(into, errors) {
  for (const [k, n] of Object.entries(errors)) into[k] = (into[k] || 0) + n;
  return into;
}

/** The contenders this run can have: Redis only with a server to point at. */
function contenders(ctx) {
  const list = [
    { name: 'naive', contender: 'amocrm-naive', spec: (dir) => ({ tokenFile: path.join(dir, 'amocrm-tokens.json') }) },
    { name: 'uzgate (file)', contender: 'amocrm-uzgate', spec: (dir) => ({ store: { type: 'file', path: path.join(dir, 'tokens.json') } }) },
  ];
  if (ctx.redis.url) {
    list.push({
      name: 'uzgate (redis)',
      contender: 'amocrm-uzgate',
      spec: (dir) => ({ store: { type: 'redis', url: ctx.redis.url, key: `uzgate-bench:amocrm:${path.basename(dir)}` } }),
    });
  }
  return list;
}

async function refreshRun({ sandbox, cfg }, c) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-bench-amo-'));
  const spec = {
    contender: c.contender,
    baseUrl: sandbox.url,
    // The sandbox has no limit in this scenario; neither does the client (10 000/s is its maximum).
    rateLimitPerSecond: 10000,
    ...c.spec(dir),
  };
  const procs = [];
  const result = { name: c.name, contender: c.contender, description: require(`../contenders/${c.contender}`).describe(spec) };
  try {
    await sandbox.clearFaults();
    await sandbox.amocrmUnblock();
    await sandbox.configure({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });

    // One process authorises (the OAuth callback), the others start after the tokens are stored.
    const first = new AmoProcess(spec);
    procs.push(first);
    await first.ready;
    await first.request({ cmd: 'authorize', code: await sandbox.amocrmCode() });
    procs.push(...(await startProcesses(cfg.amoProcesses - 1, spec)));
    // Every process makes one call on the valid token, as a running service would have.
    const warm = await Promise.all(procs.map((p) => p.request({ cmd: 'run', count: 1, lanes: 1 })));
    const warmFailed = warm.reduce((n, r) => n + r.failed, 0);
    if (warmFailed) throw new Error(`${c.name}: ${warmFailed} calls failed on a freshly authorised token`);

    await sandbox.resetStats();
    result.rounds = [];
    result.errors = {};
    for (let k = 0; k < cfg.amoExpiries; k++) {
      await sandbox.expire('amocrm');
      const replies = await Promise.all(procs.map((p) => p.request({ cmd: 'run', count: cfg.amoRequests, lanes: cfg.amoLanes })));
      const round = { ok: 0, failed: 0, processesFailing: 0 };
      for (const r of replies) {
        round.ok += r.ok;
        round.failed += r.failed;
        if (r.failed) round.processesFailing += 1;
        merge(result.errors, r.errors);
      }
      result.rounds.push(round);
    }
    result.sandbox = (await sandbox.stats()).amocrm;
    if (c.contender === 'amocrm-uzgate') {
      const statuses = await Promise.all(procs.map((p) => p.request({ cmd: 'status' })));
      result.refreshedHere = statuses.reduce((n, s) => n + s.status.refreshes, 0);
      result.adopted = statuses.reduce((n, s) => n + s.status.adopted, 0);
    }
    await Promise.all(procs.splice(0).map((p) => p.close()));

    // Alive: after one more expiry, a process started fresh from the store can still call the
    // API (its refresh token in the store is the current one). Not counted above.
    await sandbox.expire('amocrm');
    const probe = new AmoProcess(spec);
    procs.push(probe);
    await probe.ready;
    const check = await probe.request({ cmd: 'run', count: 1, lanes: 1 });
    result.alive = check.ok === 1;
    result.aliveError = check.ok === 1 ? null : Object.keys(check.errors).join(', ');
  } finally {
    await Promise.all(procs.map((p) => p.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  result.ok = result.rounds.reduce((n, r) => n + r.ok, 0);
  result.failed = result.rounds.reduce((n, r) => n + r.failed, 0);
  result.calls = cfg.amoProcesses * cfg.amoExpiries * cfg.amoRequests;
  return result;
}

async function run(ctx) {
  const out = { processes: ctx.cfg.amoProcesses, expiries: ctx.cfg.amoExpiries, requests: ctx.cfg.amoRequests, lanes: ctx.cfg.amoLanes, runs: [] };
  if (!ctx.redis.url) out.redisSkipped = ctx.redis.skipped;
  for (const c of contenders(ctx)) {
    // Counts, not timings: a build overlapping the run is flagged, not worth measuring again.
    const r = await ctx.measured(() => refreshRun(ctx, c), { retry: false });
    const s = r.sandbox;
    console.log(
      `amo refresh ${r.name.padEnd(15)} refresh requests ${s.refreshes + s.refreshFailures}  revokedReuses ${s.revokedReuses}  refresh failures ${s.refreshFailures}  calls failed ${r.failed}/${r.calls}  alive ${r.alive ? 'yes' : 'NO'}`,
    );
    out.runs.push(r);
  }
  if (out.redisSkipped) console.log(`amo refresh uzgate (redis)  SKIPPED: ${out.redisSkipped}`);
  return out;
}

/** uzgate failing calls or spending a refresh token twice is a bug; the naive way doing so is the finding. */
function broken(res) {
  const problems = [];
  for (const r of res.runs) {
    if (r.contender !== 'amocrm-uzgate') continue;
    if (r.failed) problems.push(`${r.name} amoCRM refresh: ${r.failed} of ${r.calls} calls failed`);
    if (r.sandbox.revokedReuses) problems.push(`${r.name} amoCRM refresh: ${r.sandbox.revokedReuses} spent refresh tokens presented`);
    if (!r.alive) problems.push(`${r.name} amoCRM refresh: the integration did not survive`);
  }
  return problems;
}

module.exports = { run, broken };
