/**
 * Runs one send worker (bench/worker.js) and lets the scenario prepare and observe the sandbox
 * at the protocol's steps (see worker.js). Resolves with the worker's result; rejects if it
 * fails, crashes or overruns `timeoutMs` (then it is killed by its pid).
 */
'use strict';

const path = require('node:path');
const { fork } = require('node:child_process');

/**
 * hooks.beforeGo(child)  after the worker's warm-up, before it is told to go
 * hooks.afterGo(child)   right after 'go' was sent (runs alongside the measurement)
 * hooks.onWindow(edge)   throughput: when the worker opens ('start') and closes ('end') its window
 */
function runWorker(spec, hooks, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'worker.js'), [JSON.stringify(spec)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result = null;
    let failure = null;
    // Sandbox samples still being taken when the worker exits must land before its result is used.
    const pending = [];
    const what = `${spec.contender} ${spec.scenario}${spec.concurrency ? ` c=${spec.concurrency}` : ''}`;
    const timer = setTimeout(() => {
      failure = new Error(`${what}: no result after ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);

    const fail = (e) => {
      failure = failure || e;
      child.kill('SIGKILL');
    };
    child.on('message', async (m) => {
      try {
        if (m.type === 'ready') {
          if (hooks.beforeGo) await hooks.beforeGo(child);
          child.send({ type: 'go' });
          if (hooks.afterGo) pending.push(hooks.afterGo(child).catch(fail));
        } else if (m.type === 'window') {
          const sample = hooks.onWindow ? hooks.onWindow(m.edge) : Promise.resolve();
          pending.push(sample);
          await sample;
        } else if (m.type === 'result') {
          result = m.result;
        } else if (m.type === 'failed') {
          failure = new Error(`${what} worker failed:\n${m.message}`);
        }
      } catch (e) {
        fail(e);
      }
    });
    child.on('exit', async (code, signal) => {
      clearTimeout(timer);
      await Promise.allSettled(pending);
      if (failure) reject(failure);
      else if (!result) reject(new Error(`${what} worker exited (${code ?? signal}) without a result`));
      else resolve(result);
    });
  });
}

module.exports = { runWorker };
