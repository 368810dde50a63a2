/**
 * Benchmark settings: defaults, overridden by BENCH_* environment variables, overridden by
 * command-line flags. `--quick` shrinks everything to a smoke run that finishes in seconds.
 */
'use strict';

const CONTENDERS = ['uzgate', 'axios', 'fetch'];
// Only clients with refresh logic take part in the storm: raw fetch has none to measure.
const STORM_CONTENDERS = ['uzgate', 'axios'];

const DEFAULTS = {
  durationS: 5,
  warmupS: 3,
  concurrency: [1, 64, 256],
  stormSize: 10000,
  // Long enough that every send of the burst is on the wire before the first 401 returns:
  // opening 10 000 connections takes the client about a second on a 2-core machine.
  stormLatencyMs: 1000,
  contenders: CONTENDERS,
  only: null, // 'storm' | 'throughput' | null (both)
  axiosAgent: 'keepalive', // 'keepalive' (http.Agent({ keepAlive: true })) | 'default'
  // Before each run, wait this long for a running cargo build to finish (2 cores are shared).
  buildWaitS: 300,
  quick: false,
};

const QUICK = { durationS: 1, warmupS: 0.5, stormSize: 1000, stormLatencyMs: 300 };

const USAGE = `usage: node bench/run.js [options]
  --quick                 smoke run (${QUICK.durationS} s windows, storm of ${QUICK.stormSize})
  --duration=S            measured seconds per throughput run   (BENCH_DURATION_S, ${DEFAULTS.durationS})
  --warmup=S              warm-up seconds before measuring       (BENCH_WARMUP_S, ${DEFAULTS.warmupS})
  --concurrency=1,64,256  in-flight requests per run             (BENCH_CONCURRENCY)
  --storm=N               concurrent sends in the refresh storm  (BENCH_STORM, ${DEFAULTS.stormSize})
  --storm-latency=MS      hold on /message/sms/send during storm (BENCH_STORM_LATENCY_MS, ${DEFAULTS.stormLatencyMs})
  --contenders=a,b        subset of ${CONTENDERS.join(',')}         (BENCH_CONTENDERS)
  --only=storm|throughput one scenario                           (BENCH_ONLY)
  --axios-agent=keepalive|default                               (BENCH_AXIOS_AGENT)
  --build-wait=S          wait for a running cargo build first   (BENCH_BUILD_WAIT_S, ${DEFAULTS.buildWaitS}; 0 = don't)`;

function list(value) {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positive(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
  return n;
}

function parse(argv = process.argv.slice(2), env = process.env) {
  const raw = {};
  const fromEnv = {
    durationS: env.BENCH_DURATION_S,
    warmupS: env.BENCH_WARMUP_S,
    concurrency: env.BENCH_CONCURRENCY,
    stormSize: env.BENCH_STORM,
    stormLatencyMs: env.BENCH_STORM_LATENCY_MS,
    contenders: env.BENCH_CONTENDERS,
    only: env.BENCH_ONLY,
    axiosAgent: env.BENCH_AXIOS_AGENT,
    buildWaitS: env.BENCH_BUILD_WAIT_S,
  };
  for (const [k, v] of Object.entries(fromEnv)) if (v !== undefined && v !== '') raw[k] = v;

  const flags = {
    duration: 'durationS',
    warmup: 'warmupS',
    concurrency: 'concurrency',
    storm: 'stormSize',
    'storm-latency': 'stormLatencyMs',
    contenders: 'contenders',
    only: 'only',
    'axios-agent': 'axiosAgent',
    'build-wait': 'buildWaitS',
  };
  let quick = false;
  for (const arg of argv) {
    if (arg === '--quick') {
      quick = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m || !flags[m[1]]) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    raw[flags[m[1]]] = m[2];
  }

  // Quick mode replaces the defaults only: an explicit flag or variable still wins.
  const cfg = { ...DEFAULTS, ...(quick ? QUICK : {}), quick };
  if (raw.durationS !== undefined) cfg.durationS = positive('duration', raw.durationS);
  if (raw.warmupS !== undefined) cfg.warmupS = Number(raw.warmupS) >= 0 ? Number(raw.warmupS) : 0;
  if (raw.concurrency !== undefined) cfg.concurrency = list(raw.concurrency).map((c) => Math.floor(positive('concurrency', c)));
  if (raw.stormSize !== undefined) cfg.stormSize = Math.floor(positive('storm', raw.stormSize));
  if (raw.stormLatencyMs !== undefined) cfg.stormLatencyMs = Math.floor(positive('storm-latency', raw.stormLatencyMs));
  if (raw.contenders !== undefined) cfg.contenders = list(raw.contenders);
  if (raw.only !== undefined) cfg.only = raw.only;
  if (raw.axiosAgent !== undefined) cfg.axiosAgent = raw.axiosAgent;
  if (raw.buildWaitS !== undefined) cfg.buildWaitS = Number(raw.buildWaitS) >= 0 ? Number(raw.buildWaitS) : 0;

  for (const c of cfg.contenders) if (!CONTENDERS.includes(c)) throw new Error(`unknown contender ${c}`);
  if (cfg.only !== null && !['storm', 'throughput'].includes(cfg.only)) throw new Error(`--only must be storm or throughput`);
  if (!['keepalive', 'default'].includes(cfg.axiosAgent)) throw new Error(`--axios-agent must be keepalive or default`);
  cfg.stormContenders = cfg.contenders.filter((c) => STORM_CONTENDERS.includes(c));
  // A run that leaves something out or changes a baseline writes its results under its own
  // name, so latest-eskiz.md always holds a complete, comparable run.
  const partial =
    cfg.only !== null ||
    cfg.contenders.join() !== DEFAULTS.contenders.join() ||
    cfg.concurrency.join() !== DEFAULTS.concurrency.join() ||
    cfg.axiosAgent !== DEFAULTS.axiosAgent;
  cfg.label = quick ? 'quick' : partial ? 'custom' : null;
  return cfg;
}

module.exports = { parse, CONTENDERS };
