#!/usr/bin/env node
/**
 * `npm run bench`: uzgate against the ways Node code does the same job today, every contender
 * measured in this run, on the sandbox gateway running as its own process.
 *
 *   amocrm-refresh    8 processes × 3 forced expiries sharing a token store (rotating
 *                     single-use refresh tokens): uzgate file/redis store vs naive per-process refresh
 *   amocrm-ratelimit  1 and 4 processes at 7 req/s: uzgate's limiter vs fire-and-retry-on-429
 *   throughput        Eskiz sends, closed loop at each concurrency: uzgate, axios pattern, fetch
 *   twilio            Twilio sends, same loop: uzgate's Twilio provider vs the official SDK
 *   routing           a routed client (Eskiz, then Twilio) vs a single provider, healthy path;
 *                     time to fail over when the first provider refuses the connection
 *   wrk               wrk at the Eskiz send endpoint: the ceiling
 *   storm             a burst of sends on an expired Eskiz token: refresh requests
 *   rss               resident memory with 10 000 sends held in flight
 *
 * Writes bench/results/bench-<date>.json and bench/results/latest.md (`-quick` variants for
 * --quick, `-custom` for a subset or a changed baseline) and prints the tables. A benchmark, not
 * a test: a slow machine fails nothing and a missed target is reported, not raised; the exit
 * code is non-zero only when something is broken (a worker crashed, uzgate calls failed).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const config = require('./config');
const machine = require('./machine');
const report = require('./report');
const { measurer } = require('./measure');
const { SandboxProcess } = require('./sandbox-process');
const { RedisProcess } = require('./redis-process');

const scenarios = {
  'amocrm-refresh': require('./scenarios/amocrm-refresh'),
  'amocrm-ratelimit': require('./scenarios/amocrm-ratelimit'),
  throughput: require('./scenarios/throughput'),
  routing: require('./scenarios/routing'),
  storm: require('./scenarios/storm'),
  rss: require('./scenarios/rss'),
  wrk: require('./scenarios/wrk'),
};

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(__dirname, 'results');

// Balance for 2·10¹⁰ SMS (the default pays for 20 000); immediate status changes and no
// ACCEPTED callbacks, so the sandbox does no background work that is not being measured.
// amoCRM and Twilio keep their defaults; the amoCRM scenarios configure what they change.
const SANDBOX_CONFIG = {
  eskiz: { initialBalance: 1000000000000, acceptAfterMs: 0, deliverAfterMs: 0, callbackAccepted: false },
};

const NEEDS_REDIS = ['amocrm-refresh', 'amocrm-ratelimit'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function checkBuilt() {
  const dist = path.join(ROOT, 'dist', 'index.js');
  const addon = fs.readdirSync(ROOT).some((f) => /^uzgate\..*\.node$/.test(f));
  if (!fs.existsSync(dist) || !addon) {
    throw new Error('the package is not built: run `npm run build` (or `npm run bench`, which builds first)');
  }
}

/** Whether the built package loads in a fresh process (the workers load it the same way). */
function distLoads() {
  checkBuilt();
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(ROOT, 'dist'))}).SmsClient`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dist/ does not load:\n${r.stderr}`);
}

/**
 * Other engineers rebuild dist/ while the suite runs; a load that fails mid-rebuild is retried
 * for a while before it counts as broken. Resolves true if dist/ had to be waited for.
 */
async function waitForDist() {
  for (let attempt = 1; ; attempt++) {
    try {
      distLoads();
      return attempt > 1;
    } catch (e) {
      if (attempt >= 30) throw e;
      if (attempt === 1) console.log('dist/ is not loadable right now (a rebuild?); retrying for up to 5 minutes…');
      await sleep(10000);
    }
  }
}

function writeResults(results, md) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const suffix = results.settings.label ? `-${results.settings.label}` : '';
  const stamp = results.machine.date.replace(/[:]/g, '-').replace(/\..*$/, '');
  const json = path.join(RESULTS, `bench-${stamp}${suffix}.json`);
  const latest = path.join(RESULTS, `latest${suffix}.md`);
  fs.writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(latest, `${md}\n`);
  return [json, latest].map((p) => path.relative(ROOT, p));
}

async function main() {
  const cfg = config.parse();
  await waitForDist();
  const results = {
    machine: machine.describe(),
    settings: { ...cfg, sandbox: SANDBOX_CONFIG },
    contenders: {},
    noisy: false,
    problems: [],
  };
  for (const c of cfg.contenders) {
    results.contenders[c] = require(`./contenders/${c}`).describe({ axiosAgent: cfg.axiosAgent });
  }
  console.log(`scenarios: ${cfg.scenarios.join(', ')}${cfg.quick ? ' (quick)' : ''}`);

  const started = [];
  const stopAll = () => Promise.allSettled([...started].reverse().map((p) => p.stop()));
  // Ctrl-C or a kill still stops the sandbox and redis-server by their pids.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      await stopAll();
      process.exit(130);
    });
  }

  try {
    const sandbox = await SandboxProcess.start(SANDBOX_CONFIG);
    started.push(sandbox);
    console.log(`sandbox ${sandbox.url} (pid ${sandbox.pid})`);

    let redis = { skipped: 'not needed by the scenarios run' };
    if (cfg.scenarios.some((s) => NEEDS_REDIS.includes(s))) {
      const r = await RedisProcess.start();
      if (r.redis) {
        started.push(r.redis);
        redis = { url: r.redis.url, version: r.redis.version, pid: r.redis.pid };
        console.log(`redis-server ${r.redis.version} ${r.redis.url} (pid ${r.redis.pid})`);
      } else {
        redis = { skipped: r.skipped };
        console.log(`redis: SKIPPED (${r.skipped}); Redis rows are left out`);
      }
    }
    results.redis = redis;

    const ctx = {
      sandbox,
      cfg,
      redis,
      measured: measurer(cfg, {
        onNoisy: () => {
          results.noisy = true;
        },
        // A worker that failed while dist/ was being rebuilt is run again once it loads.
        recover: async () => {
          try {
            distLoads();
            return false;
          } catch {
            return waitForDist().then(
              () => true,
              () => false,
            );
          }
        },
        helperPids: () => started.map((p) => p.pid),
      }),
    };
    for (const name of cfg.scenarios) {
      console.log(`\n== ${name}`);
      try {
        if (name === 'throughput') results.throughput = await scenarios.throughput.eskiz(ctx);
        else if (name === 'twilio') results.twilio = await scenarios.throughput.twilio(ctx);
        else if (name === 'amocrm-refresh') results.amocrmRefresh = await scenarios[name].run(ctx);
        else if (name === 'amocrm-ratelimit') results.amocrmRateLimit = await scenarios[name].run(ctx);
        else results[name] = await scenarios[name].run(ctx);
      } catch (e) {
        // One broken scenario is reported; the others still run.
        console.error(`${name} failed: ${(e && e.stack) || e}`);
        results.problems.push(`${name}: ${(e && e.message) || e}`);
      }
    }
  } finally {
    await stopAll();
  }

  const problems = [
    ...results.problems,
    ...(results.amocrmRefresh ? scenarios['amocrm-refresh'].broken(results.amocrmRefresh) : []),
    ...(results.amocrmRateLimit ? scenarios['amocrm-ratelimit'].broken(results.amocrmRateLimit) : []),
    ...(results.throughput ? scenarios.throughput.broken(results.throughput) : []),
    ...(results.twilio ? scenarios.throughput.broken(results.twilio) : []),
    ...(results.routing ? scenarios.throughput.broken(results.routing.runs) : []),
    ...(results.storm ? scenarios.storm.broken(results.storm) : []),
    ...(results.rss ? scenarios.rss.broken(results.rss) : []),
  ];
  results.problems = problems;

  const md = report.markdown(results);
  const files = writeResults(results, md);
  console.log(`\n${md}\nwritten: ${files.join(', ')}`);

  if (problems.length) {
    console.error(`\nbroken:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error((e && e.stack) || e);
  process.exit(1);
});
