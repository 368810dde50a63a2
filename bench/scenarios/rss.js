/**
 * Memory with many sends in flight: each Eskiz contender fires `rssSize` sends at once and the
 * sandbox holds each one it receives for `rssHoldMs` (a latency fault), so the client must keep
 * all of them outstanding — sockets, buffers, promises, request state, and for a client that
 * caps its connections the queue behind the cap — at the same time. Resident memory is read
 * from /proc by pid: before the burst, once the client has put on the wire all it will (every
 * send, or its cap), and the process's high-water mark. Then the fault is lifted, so sends
 * queued behind a cap are not held too and the burst drains within the calls' time budget.
 */
'use strict';

const { runWorker } = require('../child');
const { memory } = require('../proc');
const { whenHeld } = require('./held');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rssRun({ sandbox, cfg }, contender) {
  const spec = { scenario: 'rss', contender, baseUrl: sandbox.url, rssSize: cfg.rssSize, axiosAgent: cfg.axiosAgent };
  const seen = { before: null, inFlight: null, maxSampled: null, held: null, allHeld: false, afterMs: null };
  const hooks = {
    async beforeGo(child) {
      await sandbox.clearFaults();
      await sandbox.resetStats();
      await sandbox.addFault({ path: '/message/sms/send', method: 'POST', kind: 'latency', latencyMs: cfg.rssHoldMs, times: cfg.rssSize });
      seen.before = memory(child.pid).rssMb;
    },
    async afterGo(child) {
      const sample = () => {
        const rss = memory(child.pid).rssMb;
        if (rss !== null) seen.maxSampled = Math.max(seen.maxSampled || 0, rss);
      };
      // Before the first held sends are released, or the sample would miss them.
      const h = await whenHeld(sandbox, cfg.rssSize, { deadline: Date.now() + cfg.rssHoldMs - 200, onPoll: sample });
      seen.inFlight = memory(child.pid).rssMb;
      seen.held = h.held;
      seen.allHeld = h.all;
      seen.afterMs = h.afterMs;
      await sandbox.clearFaults();
    },
  };
  const result = await runWorker(spec, hooks, cfg.rssHoldMs + 180000);
  await sandbox.clearFaults();
  result.memory = { beforeMb: seen.before, inFlightMb: seen.inFlight, peakMb: result.peakRssMb, maxSampledMb: seen.maxSampled, heldAtSample: seen.held, allHeld: seen.allHeld, sampledAfterMs: seen.afterMs };
  return result;
}

async function run(ctx) {
  const out = [];
  for (const c of ctx.cfg.contenders) {
    const r = await ctx.measured(() => rssRun(ctx, c));
    const m = r.memory;
    console.log(
      `rss    ${c.padEnd(7)} ok ${r.ok}/${r.sends}  before ${m.beforeMb?.toFixed(0)} MiB  outstanding ${m.inFlightMb?.toFixed(0)} MiB (${m.heldAtSample} on the wire)  peak ${m.peakMb?.toFixed(0)} MiB`,
    );
    out.push(r);
    await ctx.sandbox.clearInbox();
    await sleep(500);
  }
  return out;
}

/** A baseline that cannot hold the burst is a finding; uzgate failing sends is a bug. */
function broken(runs) {
  return runs
    .filter((r) => r.contender === 'uzgate' && r.ok !== r.sends)
    .map((r) => `${r.contender} rss: ${r.sends - r.ok} of ${r.sends} sends failed`);
}

module.exports = { run, broken };
