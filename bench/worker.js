/**
 * One sending contender (Eskiz or Twilio) in one scenario — storm, throughput or rss — alone in
 * its own process, so that `process.cpuUsage()` (which counts every thread of the process, the
 * addon's Rust threads included) and its memory belong to that client alone and no pool, token
 * or JIT state carries over to the next run.
 *
 * Protocol over the IPC channel with bench/run.js:
 *   worker → {type:'ready'}            after creating the client and one warm-up send
 *   run    → {type:'go'}               once the sandbox is prepared (stats reset, faults set)
 *   worker → {type:'window', edge}     throughput only: start/end of the measured window, so the
 *                                      orchestrator can sample the sandbox at the same moments
 *   worker → {type:'result', result}   then the worker exits
 */
'use strict';

const { performance } = require('node:perf_hooks');
const { memory } = require('./proc');

const spec = JSON.parse(process.argv[2]);
// An orchestrator that died must not leave this process (and its connections) behind.
process.on('disconnect', () => process.exit(1));
const contender = require(`./contenders/${spec.contender}`);

function waitFor(type) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m && m.type === type) {
        process.off('message', onMessage);
        resolve(m);
      }
    };
    process.on('message', onMessage);
  });
}

/** Counts failures by a short label; keeps the first message of each kind for the report. */
class Errors {
  constructor() {
    this.total = 0;
    this.byKind = {};
  }
  add(e) {
    this.total += 1;
    const status = e && e.response ? e.response.status : e && e.status;
    const kind = (e && e.code) || (status ? `HTTP_${status}` : 'ERROR');
    const slot = (this.byKind[kind] ||= { count: 0, sample: String((e && e.message) || e).slice(0, 160) });
    slot.count += 1;
  }
}

/** Latencies in ms, in a typed array that doubles as it fills (no per-sample allocation). */
class Samples {
  constructor() {
    this.data = new Float64Array(1 << 16);
    this.length = 0;
  }
  push(v) {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  summary() {
    const sorted = this.data.slice(0, this.length).sort();
    const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: sorted.length,
      meanMs: sorted.length ? sum / sorted.length : null,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: sorted.length ? sorted[sorted.length - 1] : null,
    };
  }
}

const cpuMicros = (d) => d.user + d.system;

/** All sends fired in the same tick; measures how long the whole burst takes to settle. */
async function storm(client) {
  const errors = new Errors();
  const latencies = new Samples();
  let ok = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: spec.stormSize }, () =>
      client.send().then(
        () => {
          ok += 1;
          latencies.push(performance.now() - t0);
        },
        (e) => errors.add(e),
      ),
    ),
  );
  const drainMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    sends: spec.stormSize,
    ok,
    errors,
    drainMs,
    completion: latencies.summary(),
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
  };
}

/**
 * `rssSize` sends fired together and held by the sandbox: the process's resident memory while
 * they are all in flight is what the scenario is about (the orchestrator samples it from
 * outside); the high-water mark is read here just before exiting.
 */
async function rss(client) {
  const errors = new Errors();
  let ok = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: spec.rssSize }, () =>
      client.send().then(
        () => {
          ok += 1;
        },
        (e) => errors.add(e),
      ),
    ),
  );
  return { sends: spec.rssSize, ok, errors, drainMs: performance.now() - t0 };
}

/**
 * Closed loop: `concurrency` lanes, each sending as soon as its previous send settled. Only
 * sends that settle inside the measured window count, and CPU is the delta over that window.
 */
async function throughput(client) {
  const errors = new Errors();
  const latencies = new Samples();
  let stopping = false;
  let measuring = false;
  let completed = 0;
  let errorsInWindow = 0;

  async function lane() {
    while (!stopping) {
      const start = performance.now();
      try {
        await client.send();
        if (measuring) {
          completed += 1;
          latencies.push(performance.now() - start);
        }
      } catch (e) {
        errors.add(e);
        if (measuring) errorsInWindow += 1;
        // A broken client would otherwise spin at full speed on instant rejections.
        if (errors.total > 1000) stopping = true;
      }
    }
  }

  const lanes = Array.from({ length: spec.concurrency }, lane);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  await sleep(spec.warmupS * 1000);
  process.send({ type: 'window', edge: 'start' });
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;

  await sleep(spec.durationS * 1000);
  measuring = false;
  const windowMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  process.send({ type: 'window', edge: 'end' });

  stopping = true;
  await Promise.all(lanes);

  return {
    concurrency: spec.concurrency,
    windowMs,
    completed,
    rps: completed / (windowMs / 1000),
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    cpuPerReqUs: completed ? cpuMicros(cpu) / completed : null,
    // CPU seconds per wall second: above 1 means the client used more than one core.
    cpuCores: cpuMicros(cpu) / 1000 / windowMs,
    eventLoopUtilization: elu.utilization,
    latency: latencies.summary(),
    errorsInWindow,
    errors,
  };
}

async function main() {
  const client = await contender.create(spec);
  // One send before anything is measured: logs in (uzgate logs in lazily) and opens a connection.
  await client.send();
  const go = waitFor('go');
  process.send({ type: 'ready' });
  await go;

  const scenarios = { storm, throughput, rss };
  const result = await scenarios[spec.scenario](client);
  result.contender = spec.contender;
  result.description = contender.describe(spec);
  const mem = memory();
  result.rssMb = mem.rssMb;
  result.peakRssMb = mem.peakRssMb;
  await client.close();
  process.send({ type: 'result', result }, () => process.exit(0));
}

main().catch((e) => {
  const message = (e && e.stack) || String(e);
  if (process.send) process.send({ type: 'failed', message }, () => process.exit(1));
  else {
    console.error(message);
    process.exit(1);
  }
});
