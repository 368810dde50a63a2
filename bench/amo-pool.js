/**
 * Starts and commands amoCRM processes (bench/amo-worker.js). Every process is stopped by its
 * pid: closed politely when the scenario ends, killed if it hangs or the scenario fails.
 */
'use strict';

const path = require('node:path');
const { fork } = require('node:child_process');

class AmoProcess {
  constructor(spec) {
    this.child = fork(path.join(__dirname, 'amo-worker.js'), [JSON.stringify(spec)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid;
    this.nextId = 1;
    this.waiting = new Map();
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.on('message', (m) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error === undefined) w.resolve(m.result);
      else w.reject(new Error(`amoCRM worker ${this.pid}: ${m.error}`));
    });
    this.child.once('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`amoCRM worker ${this.pid} exited (${code ?? signal})`));
      this.waiting.clear();
    });
    this.ready = this.expect(0, 30000);
  }

  expect(id, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`amoCRM worker ${this.pid}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  request(message, timeoutMs = 120000) {
    const id = this.nextId++;
    const answer = this.expect(id, timeoutMs);
    this.child.send({ ...message, id });
    return answer;
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Closes the client; kills the process if it does not exit within 10 s. */
  async close() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await Promise.race([this.request({ cmd: 'close' }, 10000).catch(() => undefined), this.exited]);
    const timer = setTimeout(() => this.kill(), 10000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `n` processes of one spec, all ready. */
async function startProcesses(n, spec) {
  const procs = Array.from({ length: n }, () => new AmoProcess(spec));
  try {
    await Promise.all(procs.map((p) => p.ready));
  } catch (e) {
    procs.forEach((p) => p.kill());
    throw e;
  }
  return procs;
}

module.exports = { AmoProcess, startProcesses };
