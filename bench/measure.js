/**
 * Keeps other work out of the numbers: the 2 cores are shared with engineers who build and test
 * while the suite runs. Each measurement first waits (bounded) for a running cargo build to end;
 * one that a build overlapped anyway, or during which other processes used more than
 * OTHER_CORES_LIMIT cores on average, is taken again, up to ATTEMPTS times; the last is kept and
 * flagged.
 */
'use strict';

const machine = require('./machine');
const { machineBusyMicros, selfAndChildrenMicros, cpuMicros } = require('./proc');

const ATTEMPTS = 3;
const OTHER_CORES_LIMIT = 0.25;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU used by processes outside the benchmark between `start()` and `stop()`, in cores: the
 * machine's busy time less this process and its reaped children (workers, wrk) less the
 * long-lived helpers (sandbox, redis-server) given by `helperPids()`.
 */
function otherLoad(helperPids) {
  const sample = () => {
    const helpers = helperPids().map(cpuMicros);
    return { t: Date.now(), busy: machineBusyMicros(), own: selfAndChildrenMicros(), helpers };
  };
  const a = sample();
  return () => {
    const b = sample();
    if (a.busy === null || b.busy === null || a.own === null || b.own === null) return null;
    let helpers = 0;
    for (let i = 0; i < b.helpers.length; i++) helpers += (b.helpers[i] || 0) - (a.helpers[i] || 0);
    const others = b.busy - a.busy - (b.own - a.own) - helpers;
    return Math.max(0, others / 1000 / Math.max(1, b.t - a.t));
  };
}

/**
 * `recover(error)` decides whether a failed run is worth one more try (it resolves true once the
 * cause is gone, e.g. dist/ was being rebuilt under the worker).
 */
function measurer(cfg, { onNoisy, recover = async () => false, helperPids = () => [] }) {
  async function quietMachine() {
    const until = Date.now() + cfg.buildWaitS * 1000;
    let told = false;
    while (machine.buildRunning() && Date.now() < until) {
      if (!told) console.log(`waiting up to ${cfg.buildWaitS} s for a running cargo build to finish…`);
      told = true;
      await sleep(2000);
    }
    return machine.buildRunning();
  }

  /**
   * `run()` resolves to a result object; it gets `buildRunning` (a build overlapped) and
   * `otherCores` (CPU other processes used meanwhile), and `noisy` when either is too much.
   */
  return async function measured(run, { retry = true } = {}) {
    for (let attempt = 1; ; attempt++) {
      let seen = await quietMachine();
      // A build that starts and ends inside the run is caught by looking every 2 s.
      const watch = setInterval(() => {
        seen = seen || machine.buildRunning();
      }, 2000);
      const load = otherLoad(helperPids);
      let r;
      try {
        r = await run();
      } catch (e) {
        clearInterval(watch);
        if (attempt < ATTEMPTS && (await recover(e))) {
          console.warn(`measuring again after: ${(e && e.message) || e}`);
          continue;
        }
        throw e;
      }
      clearInterval(watch);
      r.otherCores = load();
      r.buildRunning = seen || machine.buildRunning();
      r.noisy = r.buildRunning || (r.otherCores !== null && r.otherCores > OTHER_CORES_LIMIT);
      if (!r.noisy) return r;
      const why = r.buildRunning ? 'a cargo build overlapped this measurement' : `other processes used ${r.otherCores.toFixed(2)} cores during this measurement`;
      if (!retry || attempt === ATTEMPTS) {
        console.warn(`warning: ${why}; it is kept and flagged as noisy`);
        onNoisy();
        return r;
      }
      console.warn(`${why}; measuring again`);
    }
  };
}

module.exports = { measurer, OTHER_CORES_LIMIT };
