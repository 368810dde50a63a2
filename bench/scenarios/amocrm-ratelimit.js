/**
 * amoCRM rate-limit efficiency: 1 and 4 processes call `GET /api/v4/account` on `rateLimitLanes`
 * lanes each for `rateLimitS` seconds against the sandbox's default 7 requests/s per
 * integration. uzgate paces itself (`rateLimitPerSecond: 7`; across 4 processes one budget
 * shared through Redis) against a naive client that fires and, on a 429, waits `retry_after`.
 *
 * The sandbox's block (a sticky 403 after `blockAfter` 429s within 60 s; 50 by default) is set
 * out of reach so the naive client keeps running and its 429s can be counted; whether the
 * default would have blocked it is computed from the 429 count sampled every 500 ms.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { AmoProcess, startProcesses } = require('../amo-pool');

const LIMIT = 7; // the sandbox's default amocrm.rateLimitPerSecond, amoCRM's documented limit
const DEFAULT_BLOCK_AFTER = 50; // the sandbox's (and amoCRM's reported) default
const OUT_OF_REACH = 1000000;
const SAMPLE_MS = 500;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function contenders(ctx, processes) {
  const naive = { name: 'naive', contender: 'amocrm-naive', spec: (dir) => ({ tokenFile: path.join(dir, 'amocrm-tokens.json') }) };
  if (processes === 1) {
    return [
      { name: 'uzgate', contender: 'amocrm-uzgate', spec: (dir) => ({ store: { type: 'file', path: path.join(dir, 'tokens.json') }, rateLimitPerSecond: LIMIT }) },
      naive,
    ];
  }
  const uzgate = ctx.redis.url
    ? {
        name: 'uzgate',
        contender: 'amocrm-uzgate',
        spec: (dir) => ({
          store: { type: 'redis', url: ctx.redis.url, key: `uzgate-bench:amocrm-rl:${path.basename(dir)}` },
          rateLimitPerSecond: LIMIT,
          sharedRateLimit: true,
        }),
      }
    : { name: 'uzgate', skipped: `a budget shared by ${processes} processes needs the Redis store: ${ctx.redis.skipped}` };
  return [uzgate, naive];
}

/**
 * The most 429s inside any 60 s span and when the count first reached the default block, from
 * cumulative samples [{ t (ms since start), n }].
 */
function blockWindow(samples) {
  let max = 0;
  let reachedAtS = null;
  for (let i = 0; i < samples.length; i++) {
    let j = i;
    while (j > 0 && samples[i].t - samples[j - 1].t <= 60000) j -= 1;
    const inSpan = samples[i].n - (j > 0 ? samples[j - 1].n : 0);
    if (inSpan > max) max = inSpan;
    if (reachedAtS === null && inSpan >= DEFAULT_BLOCK_AFTER) reachedAtS = samples[i].t / 1000;
  }
  return { max429In60s: max, wouldBlock: reachedAtS !== null, wouldBlockAfterS: reachedAtS };
}

async function paceRun({ sandbox, cfg }, c, processes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-bench-amorl-'));
  const spec = { contender: c.contender, baseUrl: sandbox.url, ...c.spec(dir) };
  const procs = [];
  const warmupMs = cfg.rateLimitWarmupS * 1000;
  const windowMs = cfg.rateLimitS * 1000;
  try {
    await sandbox.clearFaults();
    await sandbox.configure({ amocrm: { rateLimitPerSecond: LIMIT, accountRateLimitPerSecond: 50, blockAfter: OUT_OF_REACH } });
    const first = new AmoProcess(spec);
    procs.push(first);
    await first.ready;
    await first.request({ cmd: 'authorize', code: await sandbox.amocrmCode() });
    procs.push(...(await startProcesses(processes - 1, spec)));
    // A clean slate: no past 429s, bursts or block from the previous contender.
    await sandbox.amocrmUnblock();
    await sandbox.resetStats();

    const startAt = Date.now() + 500;
    const replies = Promise.all(
      procs.map((p) => p.request({ cmd: 'paced', startAt, warmupMs, windowMs, lanes: cfg.rateLimitLanes }, warmupMs + windowMs + 120000)),
    );
    const samples = [];
    let atOpen = null;
    let atClose = null;
    await sleep(startAt - Date.now());
    for (;;) {
      const t = Date.now() - startAt;
      const s = (await sandbox.stats()).amocrm;
      samples.push({ t, n: s.rateLimited, blocked: s.blocked });
      if (atOpen === null && t >= warmupMs) atOpen = s;
      if (t >= warmupMs + windowMs) {
        atClose = s;
        break;
      }
      await sleep(Math.min(SAMPLE_MS, Math.max(1, (atOpen === null ? warmupMs : warmupMs + windowMs) - t)));
    }
    const answers = await replies;
    const final = (await sandbox.stats()).amocrm;
    const okInWindow = answers.reduce((n, r) => n + r.okInWindow, 0);
    const achieved = okInWindow / (windowMs / 1000);
    const errors = {};
    for (const r of answers) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] || 0) + n;
    return {
      name: c.name,
      contender: c.contender,
      description: require(`../contenders/${c.contender}`).describe(spec),
      processes,
      lanes: cfg.rateLimitLanes,
      windowS: windowMs / 1000,
      allowed: LIMIT,
      okInWindow,
      achieved,
      efficiency: achieved / LIMIT,
      rateLimited: final.rateLimited,
      rateLimitedInWindow: atClose.rateLimited - atOpen.rateLimited,
      blocked: final.blocked,
      failed: answers.reduce((n, r) => n + r.failed, 0),
      errors,
      ...blockWindow(samples),
    };
  } finally {
    await Promise.all(procs.map((p) => p.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(ctx) {
  const out = { limit: LIMIT, defaultBlockAfter: DEFAULT_BLOCK_AFTER, warmupS: ctx.cfg.rateLimitWarmupS, runs: [] };
  for (const processes of ctx.cfg.rateLimitProcesses) {
    for (const c of contenders(ctx, processes)) {
      if (c.skipped) {
        console.log(`amo rate limit ${processes}p ${c.name.padEnd(7)} SKIPPED: ${c.skipped}`);
        out.runs.push({ name: c.name, processes, skipped: c.skipped });
        continue;
      }
      // A paced 7 req/s hardly feels a build; a minute-long run is flagged rather than repeated.
      const r = await ctx.measured(() => paceRun(ctx, c, processes), { retry: false });
      console.log(
        `amo rate limit ${processes}p ${c.name.padEnd(7)} ${r.achieved.toFixed(2)}/${LIMIT} req/s (efficiency ${r.efficiency.toFixed(3)})  429s ${r.rateLimited}  403s ${r.blocked}  default block ${r.wouldBlock ? `after ${r.wouldBlockAfterS.toFixed(1)} s` : 'no'}`,
      );
      out.runs.push(r);
    }
  }
  return out;
}

function broken(res) {
  return res.runs
    .filter((r) => !r.skipped && r.contender === 'amocrm-uzgate' && r.failed)
    .map((r) => `uzgate amoCRM rate limit (${r.processes} processes): ${r.failed} calls failed`);
}

module.exports = { run, broken, blockWindow };
