/**
 * wrk (C, epoll, no client logic at all) straight at the sandbox's Eskiz send endpoint with a
 * valid bearer token: the most this sandbox on this machine answers, the practical ceiling for
 * any client. Finds wrk, or installs Debian's package when allowed (root + apt-get, --install=
 * auto), and says so; otherwise the scenario is skipped visibly.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { which } = require('./redis-process');
const account = require('./contenders/account');

const SCRIPT = path.join(__dirname, 'wrk', 'eskiz-send.lua');

function version(binary) {
  const r = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return (/^wrk (\S+)/m.exec(`${r.stdout}${r.stderr}`) || [])[1] || 'unknown';
}

/** { binary, version, installed } or { skipped: reason }. */
function locate(cfg) {
  let binary = which('wrk');
  if (binary) return { binary, version: version(binary), installed: false };
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (cfg.install !== 'auto' || !root || !which('apt-get')) {
    return { skipped: `wrk is not installed${cfg.install === 'auto' ? ' and apt-get cannot be used as root here' : ' (--install=never)'}: \`apt-get install wrk\`` };
  }
  console.log("wrk is missing: installing Debian's package (apt-get install wrk)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env }).status === 0;
  // The package lists may be missing or stale on a fresh machine: update once, then retry.
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install();
  }
  binary = which('wrk');
  if (!binary) return { skipped: 'wrk is not installed and `apt-get install wrk` failed' };
  return { binary, version: version(binary), installed: true };
}

/** wrk's durations ("812.00us", "1.23ms", "2.01s") in ms. */
function ms(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

/** `sh`'s `times`: "0m1.234s" → µs. */
const shellTime = (t) => {
  const m = /(\d+)m([\d.]+)s/.exec(t);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1e6 : null;
};

function parse(out) {
  const grab = (re) => {
    const m = re.exec(out);
    return m ? m[1] : null;
  };
  const pct = (p) => {
    const v = grab(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm'));
    return v ? ms(v) : null;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  // `times` prints the shell's own times, then its children's: wrk's is the last line.
  const times = out.trim().split('\n').pop().trim().split(/\s+/);
  return {
    requests: Number(grab(/(\d+) requests in/)),
    rps: Number(grab(/Requests\/sec:\s+([\d.]+)/)),
    latency: { p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99), meanMs: ms(grab(/Latency\s+(\S+)/) || '') },
    non2xx: Number(grab(/Non-2xx or 3xx responses: (\d+)/) || 0),
    socketErrors: socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
    cpuUs: times.length === 2 ? shellTime(times[0]) + shellTime(times[1]) : null,
  };
}

/** One wrk run; resolves with its parsed output. */
function wrkOnce(binary, { url, token, concurrency, durationS }) {
  const threads = Math.max(1, Math.min(os.cpus().length, concurrency));
  const args = ['-t', threads, '-c', concurrency, '-d', `${durationS}s`, '--latency', '-s', SCRIPT, url].map(String);
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `'${binary}' ${quoted}; status=$?; times; exit $status`], {
      env: { ...process.env, ESKIZ_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}: ${err || out}`));
      else resolve({ ...parse(out), threads, raw: out });
    });
  });
}

async function login(baseUrl) {
  const res = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: account.email, password: account.password }),
  });
  if (!res.ok) throw new Error(`wrk: login failed with ${res.status}`);
  return (await res.json()).data.token;
}

module.exports = { locate, wrkOnce, login, parse };
