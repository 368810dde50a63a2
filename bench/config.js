/**
 * Benchmark settings: defaults, overridden by BENCH_* environment variables, overridden by
 * command-line flags. `--quick` shrinks everything to a smoke run of a couple of minutes.
 */
'use strict';

// Eskiz clients compared in the storm, throughput and RSS scenarios.
const CONTENDERS = ['uzgate', 'axios', 'fetch'];
// Only clients with refresh logic take part in the storm: raw fetch has none to measure.
const STORM_CONTENDERS = ['uzgate', 'axios'];

// In the order they run. Each can be picked alone with --only (comma-separated) or left out
// with --skip.
const SCENARIOS = ['amocrm-refresh', 'amocrm-ratelimit', 'throughput', 'twilio', 'routing', 'wrk', 'storm', 'rss'];

const DEFAULTS = {
  durationS: 5,
  warmupS: 3,
  concurrency: [1, 64, 256, 1024],
  stormSize: 10000,
  // Long enough that every send of the burst is on the wire before the first 401 returns:
  // opening 10 000 connections takes a client 1.5–3.5 s on a 2-core machine (see the RSS run).
  stormLatencyMs: 3000,
  // RSS: this many sends held at the sandbox at once; the hold must outlast the time the
  // slowest client needs to put all of them on the wire.
  rssSize: 10000,
  rssHoldMs: 5000,
  // amoCRM refresh: processes sharing one token store, forced expiries, calls per process per
  // expiry and the lanes each process runs them on.
  amoProcesses: 8,
  amoExpiries: 3,
  amoRequests: 25,
  amoLanes: 4,
  // amoCRM rate limit: measured seconds (after a warm-up that spends the bucket's initial
  // burst), process counts, lanes per process.
  rateLimitS: 60,
  rateLimitWarmupS: 3,
  rateLimitProcesses: [1, 4],
  rateLimitLanes: 4,
  contenders: CONTENDERS,
  only: SCENARIOS,
  axiosAgent: 'keepalive', // 'keepalive' (http.Agent({ keepAlive: true })) | 'default'
  // wrk and redis-server: 'auto' installs a missing wrk with apt-get when running as root;
  // 'never' skips what is missing.
  install: 'auto',
  // Before each measurement, wait this long for a running cargo build to finish (2 cores are shared).
  buildWaitS: 300,
  quick: false,
};

const QUICK = {
  durationS: 1,
  warmupS: 0.5,
  stormSize: 1000,
  stormLatencyMs: 300,
  rssSize: 1000,
  rssHoldMs: 1500,
  amoRequests: 8,
  rateLimitS: 6,
  rateLimitWarmupS: 1.5,
};

const USAGE = `usage: node bench/run.js [options]
  --quick                   smoke run (${QUICK.durationS} s windows, storm of ${QUICK.stormSize}, ${QUICK.rateLimitS} s rate-limit runs)
  --only=a,b                scenarios to run, of ${SCENARIOS.join(',')}   (BENCH_ONLY)
  --skip=a,b                scenarios to leave out                          (BENCH_SKIP)
  --duration=S              measured seconds per throughput run   (BENCH_DURATION_S, ${DEFAULTS.durationS})
  --warmup=S                warm-up seconds before measuring       (BENCH_WARMUP_S, ${DEFAULTS.warmupS})
  --concurrency=1,64,256    in-flight requests per run             (BENCH_CONCURRENCY, ${DEFAULTS.concurrency.join(',')})
  --contenders=a,b          Eskiz clients, subset of ${CONTENDERS.join(',')} (BENCH_CONTENDERS)
  --storm=N                 concurrent sends in the refresh storm  (BENCH_STORM, ${DEFAULTS.stormSize})
  --storm-latency=MS        hold on /message/sms/send during storm (BENCH_STORM_LATENCY_MS, ${DEFAULTS.stormLatencyMs})
  --rss=N                   sends held in flight for the RSS run   (BENCH_RSS, ${DEFAULTS.rssSize})
  --rss-hold=MS             how long the sandbox holds each        (BENCH_RSS_HOLD_MS, ${DEFAULTS.rssHoldMs})
  --amo-processes=N         amoCRM refresh: processes              (BENCH_AMO_PROCESSES, ${DEFAULTS.amoProcesses})
  --amo-expiries=K          amoCRM refresh: forced expiries        (BENCH_AMO_EXPIRIES, ${DEFAULTS.amoExpiries})
  --amo-requests=R          amoCRM refresh: calls per process each (BENCH_AMO_REQUESTS, ${DEFAULTS.amoRequests})
  --rate-limit-duration=S   amoCRM rate limit: measured seconds    (BENCH_RATE_LIMIT_S, ${DEFAULTS.rateLimitS})
  --rate-limit-processes=1,4                                       (BENCH_RATE_LIMIT_PROCESSES)
  --axios-agent=keepalive|default                                  (BENCH_AXIOS_AGENT)
  --install=auto|never      install a missing wrk with apt-get as root (BENCH_INSTALL, ${DEFAULTS.install})
  --build-wait=S            wait for a running cargo build first   (BENCH_BUILD_WAIT_S, ${DEFAULTS.buildWaitS}; 0 = don't)`;

// flag → [setting, environment variable, kind]
const FLAGS = {
  duration: ['durationS', 'BENCH_DURATION_S', 'positive'],
  warmup: ['warmupS', 'BENCH_WARMUP_S', 'nonNegative'],
  concurrency: ['concurrency', 'BENCH_CONCURRENCY', 'intList'],
  contenders: ['contenders', 'BENCH_CONTENDERS', 'list'],
  only: ['only', 'BENCH_ONLY', 'list'],
  skip: ['skip', 'BENCH_SKIP', 'list'],
  storm: ['stormSize', 'BENCH_STORM', 'int'],
  'storm-latency': ['stormLatencyMs', 'BENCH_STORM_LATENCY_MS', 'int'],
  rss: ['rssSize', 'BENCH_RSS', 'int'],
  'rss-hold': ['rssHoldMs', 'BENCH_RSS_HOLD_MS', 'int'],
  'amo-processes': ['amoProcesses', 'BENCH_AMO_PROCESSES', 'int'],
  'amo-expiries': ['amoExpiries', 'BENCH_AMO_EXPIRIES', 'int'],
  'amo-requests': ['amoRequests', 'BENCH_AMO_REQUESTS', 'int'],
  'rate-limit-duration': ['rateLimitS', 'BENCH_RATE_LIMIT_S', 'positive'],
  'rate-limit-processes': ['rateLimitProcesses', 'BENCH_RATE_LIMIT_PROCESSES', 'intList'],
  'axios-agent': ['axiosAgent', 'BENCH_AXIOS_AGENT', 'string'],
  install: ['install', 'BENCH_INSTALL', 'string'],
  'build-wait': ['buildWaitS', 'BENCH_BUILD_WAIT_S', 'nonNegative'],
};

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

function convert(name, kind, value) {
  switch (kind) {
    case 'positive':
      return positive(name, value);
    case 'nonNegative':
      return Number(value) >= 0 ? Number(value) : 0;
    case 'int':
      return Math.floor(positive(name, value));
    case 'intList':
      return list(value).map((v) => Math.floor(positive(name, v)));
    case 'list':
      return list(value);
    default:
      return String(value);
  }
}

function parse(argv = process.argv.slice(2), env = process.env) {
  const raw = {};
  for (const [flag, [key, variable]] of Object.entries(FLAGS)) {
    if (env[variable] !== undefined && env[variable] !== '') raw[key] = [flag, env[variable]];
  }
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
    if (!m || !FLAGS[m[1]]) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    raw[FLAGS[m[1]][0]] = [m[1], m[2]];
  }

  // Quick mode replaces the defaults only: an explicit flag or variable still wins.
  const cfg = { ...DEFAULTS, ...(quick ? QUICK : {}), quick, skip: [] };
  for (const [key, [flag, value]] of Object.entries(raw)) {
    cfg[key] = convert(flag, FLAGS[flag][2], value);
  }

  for (const c of cfg.contenders) if (!CONTENDERS.includes(c)) throw new Error(`unknown contender ${c}`);
  for (const s of [...cfg.only, ...cfg.skip]) {
    if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}: one of ${SCENARIOS.join(', ')}`);
  }
  if (!['keepalive', 'default'].includes(cfg.axiosAgent)) throw new Error('--axios-agent must be keepalive or default');
  if (!['auto', 'never'].includes(cfg.install)) throw new Error('--install must be auto or never');
  cfg.scenarios = SCENARIOS.filter((s) => cfg.only.includes(s) && !cfg.skip.includes(s));
  cfg.stormContenders = cfg.contenders.filter((c) => STORM_CONTENDERS.includes(c));

  // A run that leaves something out or changes a baseline writes its results under its own
  // name, so latest.md always holds a complete, comparable run.
  const partial =
    cfg.scenarios.join() !== SCENARIOS.join() ||
    cfg.contenders.join() !== DEFAULTS.contenders.join() ||
    cfg.concurrency.join() !== DEFAULTS.concurrency.join() ||
    cfg.rateLimitProcesses.join() !== DEFAULTS.rateLimitProcesses.join() ||
    cfg.axiosAgent !== DEFAULTS.axiosAgent;
  cfg.label = quick ? 'quick' : partial ? 'custom' : null;
  return cfg;
}

module.exports = { parse, CONTENDERS, SCENARIOS };
