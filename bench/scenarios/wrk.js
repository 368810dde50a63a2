/**
 * The ceiling: wrk at each concurrency level against the Eskiz send endpoint, sandbox CPU and
 * accepted sends sampled around the measured run (after a 1 s warm-up run).
 */
'use strict';

const { locate, wrkOnce, login } = require('../wrk');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wrkRun({ sandbox, cfg }, binary, concurrency) {
  const token = await login(sandbox.url);
  const url = sandbox.url;
  await sandbox.clearFaults();
  await wrkOnce(binary, { url, token, concurrency, durationS: 1 });
  const cpu0 = sandbox.cpuMicros();
  const s0 = await sandbox.stats();
  const w = await wrkOnce(binary, { url, token, concurrency, durationS: cfg.durationS });
  const cpu1 = sandbox.cpuMicros();
  const s1 = await sandbox.stats();
  const sends = s1.eskiz.sends - s0.eskiz.sends;
  return {
    contender: 'wrk',
    provider: 'eskiz',
    concurrency,
    threads: w.threads,
    rps: w.rps,
    completed: w.requests,
    cpuPerReqUs: w.cpuUs !== null && w.requests ? w.cpuUs / w.requests : null,
    cpuCores: w.cpuUs !== null ? w.cpuUs / 1e6 / cfg.durationS : null,
    latency: w.latency,
    errors: { total: w.non2xx + w.socketErrors, byKind: { ...(w.non2xx ? { non2xx: { count: w.non2xx } } : {}), ...(w.socketErrors ? { socket: { count: w.socketErrors } } : {}) } },
    sandbox: { sends, cpuMs: (cpu1 - cpu0) / 1000, cpuPerReqUs: sends ? (cpu1 - cpu0) / sends : null },
  };
}

async function run(ctx) {
  const found = locate(ctx.cfg);
  if (found.skipped) {
    console.log(`wrk    SKIPPED: ${found.skipped}`);
    return { skipped: found.skipped, runs: [] };
  }
  const runs = [];
  for (const concurrency of ctx.cfg.concurrency) {
    const r = await ctx.measured(() => wrkRun(ctx, found.binary, concurrency));
    console.log(
      `c=${String(concurrency).padEnd(5)} wrk           ${Math.round(r.rps)} req/s  ${r.cpuPerReqUs?.toFixed(1)} µs CPU/req  p50 ${r.latency.p50Ms?.toFixed(2)} ms  p99 ${r.latency.p99Ms?.toFixed(2)} ms  errors ${r.errors.total}`,
    );
    runs.push(r);
    await ctx.sandbox.clearInbox();
    await sleep(300);
  }
  return { version: found.version, installed: found.installed, runs };
}

module.exports = { run };
