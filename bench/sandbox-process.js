/**
 * The sandbox gateway as its own process (`target/release/uzgate-sandbox`), so its CPU never
 * mixes with a contender's, plus a small client for its HTTP control API (`/__sandbox/`).
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cpuMicros, stopChild } = require('./proc');

const ROOT = path.resolve(__dirname, '..');
const BINARY = path.join(ROOT, 'target', 'release', process.platform === 'win32' ? 'uzgate-sandbox.exe' : 'uzgate-sandbox');

/**
 * Brings the release binary up to date with the sandbox's sources (`npm run build` builds only
 * the addon): a no-op when nothing changed, a few minutes on a fresh clone. Another engineer's
 * half-edited sources may not compile; then an existing binary is used, with a warning.
 */
let ensured = false;
function ensureBinary() {
  if (ensured) return BINARY;
  ensured = true;
  console.log('cargo build --release -p uzgate-mock --bin uzgate-sandbox');
  const r = spawnSync('cargo', ['build', '--quiet', '--release', '-p', 'uzgate-mock', '--bin', 'uzgate-sandbox'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status === 0 && fs.existsSync(BINARY)) return BINARY;
  if (fs.existsSync(BINARY)) {
    console.warn('warning: building uzgate-sandbox failed; using the existing binary');
    return BINARY;
  }
  throw new Error('building uzgate-sandbox failed');
}

class SandboxProcess {
  constructor(child, url) {
    this.child = child;
    this.pid = child.pid;
    this.url = url;
  }

  /**
   * Starts the binary on a free port. Stdin stays a pipe: the sandbox exits when it closes, so
   * even a crashed orchestrator cannot leave it behind.
   */
  static async start(config) {
    const binary = ensureBinary();
    const child = spawn(binary, ['--port', '0', '--config', JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${out}`)), 10000);
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    child.removeAllListeners('exit');
    child.stdout.resume();
    return new SandboxProcess(child, url);
  }

  async control(method, route, body) {
    const res = await fetch(`${this.url}/__sandbox/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${route}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  stats() {
    return this.control('GET', 'stats');
  }
  resetStats() {
    return this.control('POST', 'reset');
  }
  expire(provider = 'eskiz') {
    return this.control('POST', `expire/${provider}`);
  }
  addFault(fault) {
    return this.control('POST', 'faults', fault);
  }
  clearFaults() {
    return this.control('DELETE', 'faults');
  }
  clearInbox() {
    return this.control('DELETE', 'inbox');
  }
  configure(patch) {
    return this.control('POST', 'configure', patch);
  }
  async amocrmCode() {
    return (await this.control('POST', 'amocrm/code')).code;
  }
  amocrmUnblock() {
    return this.control('POST', 'amocrm/unblock');
  }
  twilioAccount() {
    return this.control('GET', 'twilio/account');
  }

  /** CPU time the sandbox process has used so far, in µs (Linux /proc; null elsewhere). */
  cpuMicros() {
    return cpuMicros(this.pid);
  }

  /** Stops the sandbox by its pid (SIGTERM, then SIGKILL if it lingers). */
  async stop() {
    await stopChild(this.child);
  }
}

module.exports = { SandboxProcess, ensureBinary, BINARY };
