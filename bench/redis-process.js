/**
 * A throwaway redis-server for the Redis token store and the shared rate budget: loopback
 * only, no persistence, its own temporary directory, stopped by its pid. `start()` resolves to
 * null (and says why) when redis-server is not installed, so the Redis rows are skipped
 * visibly instead of failing the run.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { stopChild } = require('./proc');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** A port that was free a moment ago (redis may still lose the race: start() retries). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Sends PING over RESP; true when the server answers +PONG. */
function ping(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      out += d;
      if (out.includes('\r\n')) done(out.startsWith('+PONG'));
    });
  });
}

class RedisProcess {
  constructor(child, port, dir, version) {
    this.child = child;
    this.pid = child.pid;
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.dir = dir;
    this.version = version;
  }

  static async start() {
    const binary = which('redis-server');
    if (!binary) return { skipped: 'redis-server is not installed (Debian package `redis-server`)' };
    const version = (/v=([\d.]+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout) || [])[1] || null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-bench-redis-'));
    for (let attempt = 1; attempt <= 5; attempt++) {
      const port = await freePort();
      const child = spawn(
        binary,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', path.join(dir, 'redis.log')],
        { stdio: 'ignore' },
      );
      const exited = new Promise((resolve) => child.once('exit', () => resolve(true)));
      for (let i = 0; i < 100; i++) {
        if (await ping(port)) return { redis: new RedisProcess(child, port, dir, version) };
        if (await Promise.race([exited, sleep(50).then(() => false)])) break;
      }
      await new RedisProcess(child, port, dir, version).stop({ keepDir: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return { skipped: 'redis-server did not start (5 attempts)' };
  }

  /** SIGTERM by pid, SIGKILL if it lingers; removes its directory. */
  async stop({ keepDir = false } = {}) {
    await stopChild(this.child);
    if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { RedisProcess, which };
