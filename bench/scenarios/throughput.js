/**
 * Throughput and latency, closed loop: N sends always in flight, for each concurrency level and
 * contender. Serves the Eskiz contenders (uzgate, axios pattern, fetch) and the Twilio pair
 * (uzgate's Twilio provider, the official SDK); the sandbox's CPU and counters are sampled at
 * the edges of the worker's measured window.
 */
'use strict';

const { runWorker } = require('../child');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Which sandbox counter counts an accepted send of each provider.
const SENDS = {
  eskiz: (stats) => stats.eskiz.sends,
  twilio: (stats) => stats.twilio.messages,
};

async function throughputRun({ sandbox, cfg }, { provider, contender, concurrency, extra }) {
  const spec = {
    scenario: 'throughput',
    contender,
    baseUrl: sandbox.url,
    concurrency,
    warmupS: cfg.warmupS,
    durationS: cfg.durationS,
    axiosAgent: cfg.axiosAgent,
    ...extra,
  };
  const window = {};
  const hooks = {
    async beforeGo() {
      await sandbox.clearFaults();
      await sandbox.resetStats();
    },
    async onWindow(edge) {
      const cpu = sandbox.cpuMicros();
      const stats = await sandbox.stats();
      window[edge] = { cpu, stats };
    },
  };
  const timeoutMs = (cfg.warmupS + cfg.durationS) * 1000 + 120000;
  const result = await runWorker(spec, hooks, timeoutMs);
  const { start, end } = window;
  const sends = SENDS[provider](end.stats) - SENDS[provider](start.stats);
  const cpuUs = start.cpu === null ? null : end.cpu - start.cpu;
  result.provider = provider;
  result.sandbox = { sends, cpuMs: cpuUs === null ? null : cpuUs / 1000, cpuPerReqUs: cpuUs === null || !sends ? null : cpuUs / sends };
  if (provider === 'eskiz') {
    for (const k of ['rejected401', 'refreshes', 'logins']) result.sandbox[k] = end.stats.eskiz[k] - start.stats.eskiz[k];
  }
  return result;
}

function line(r) {
  return `c=${String(r.concurrency).padEnd(5)} ${r.contender.padEnd(13)} ${Math.round(r.rps)} req/s  ${r.cpuPerReqUs?.toFixed(1)} µs CPU/req  p50 ${r.latency.p50Ms?.toFixed(2)} ms  p99 ${r.latency.p99Ms?.toFixed(2)} ms  errors ${r.errors.total}`;
}

/** Every contender at every concurrency, in one pass per level so a level's rows are adjacent in time. */
async function sweep(ctx, provider, contenders, extra = {}) {
  const out = [];
  for (const concurrency of ctx.cfg.concurrency) {
    for (const contender of contenders) {
      const r = await ctx.measured(() => throughputRun(ctx, { provider, contender, concurrency, extra }));
      console.log(line(r));
      out.push(r);
      await ctx.sandbox.clearInbox();
      await sleep(300);
    }
  }
  return out;
}

const eskiz = (ctx) => sweep(ctx, 'eskiz', ctx.cfg.contenders);

async function twilio(ctx) {
  const account = await ctx.sandbox.twilioAccount();
  return sweep(ctx, 'twilio', ['uzgate-twilio', 'twilio-sdk'], { twilio: account });
}

function broken(runs) {
  const problems = [];
  for (const r of runs) {
    if (r.errors.total) problems.push(`${r.contender} at concurrency ${r.concurrency}: ${r.errors.total} sends failed`);
    if (!r.completed) problems.push(`${r.contender} at concurrency ${r.concurrency}: no send completed`);
  }
  return problems;
}

module.exports = { eskiz, twilio, sweep, broken };
