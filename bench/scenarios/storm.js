/**
 * Refresh storm: a burst of concurrent Eskiz sends on an expired token — how many refresh
 * requests reach the provider, and how many sends survive. The sandbox holds the sends it
 * receives so the burst is on the wire together with the old token; once the client has put on
 * the wire all it will (the whole burst, or its connection cap), the hold is lifted so sends
 * queued behind a cap are not held as well.
 */
'use strict';

const { runWorker } = require('../child');
const { whenHeld } = require('./held');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stormRun({ sandbox, cfg }, contender) {
  const spec = {
    scenario: 'storm',
    contender,
    baseUrl: sandbox.url,
    stormSize: cfg.stormSize,
    axiosAgent: cfg.axiosAgent,
  };
  let cpu0 = null;
  let held = null;
  const hooks = {
    // After the worker's warm-up send: fresh counters, every token expired, every send of the
    // burst held so that all of them are in flight with the old token.
    async beforeGo() {
      await sandbox.clearFaults();
      await sandbox.resetStats();
      await sandbox.expire('eskiz');
      await sandbox.addFault({
        path: '/message/sms/send',
        method: 'POST',
        kind: 'latency',
        latencyMs: cfg.stormLatencyMs,
        times: cfg.stormSize,
      });
      cpu0 = sandbox.cpuMicros();
    },
    async afterGo() {
      held = await whenHeld(sandbox, cfg.stormSize, { deadline: Date.now() + cfg.stormLatencyMs - 200 });
      await sandbox.clearFaults();
    },
  };
  const result = await runWorker(spec, hooks, 180000);
  const cpu1 = sandbox.cpuMicros();
  const stats = await sandbox.stats();
  await sandbox.clearFaults();
  result.sandbox = { eskiz: stats.eskiz, faultsInjected: stats.faultsInjected, cpuMs: cpu0 === null ? null : (cpu1 - cpu0) / 1000 };
  result.held = held;
  return result;
}

async function run(ctx) {
  const out = [];
  for (const c of ctx.cfg.stormContenders) {
    const r = await ctx.measured(() => stormRun(ctx, c));
    const e = r.sandbox.eskiz;
    console.log(
      `storm  ${c.padEnd(7)} ok ${r.ok}/${r.sends}  refreshes ${e.refreshes + e.refreshFailures}  logins ${e.logins}  401s ${e.rejected401}  drain ${Math.round(r.drainMs)} ms`,
    );
    out.push(r);
    await ctx.sandbox.clearInbox();
    await sleep(500);
  }
  return out;
}

/** The baseline failing in the storm is what the storm shows; uzgate failing is a bug. */
function broken(storm) {
  return storm
    .filter((s) => s.contender === 'uzgate' && s.ok !== s.sends)
    .map((s) => `uzgate storm: ${s.sends - s.ok} of ${s.sends} sends failed`);
}

module.exports = { run, broken };
