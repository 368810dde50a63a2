/**
 * The addon's runtime is sized for an I/O client: two worker threads whatever the core count,
 * `UZGATE_THREADS` for another count, a malformed value refused with CONFIG before the addon
 * loads. Each case runs in a fresh Node process (the runtime starts once per process) and counts
 * the process's threads by name in /proc.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const DIST = path.join(__dirname, '..', 'dist');
const linux = process.platform === 'linux' ? test : test.skip;

/** In a fresh process: threads and RSS before loading uzgate, and after a client has sent once. */
const PROBE = `
const fs = require('node:fs');
const threads = () => fs.readdirSync('/proc/self/task').map((t) => { try { return fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim(); } catch { return '?'; } });
const before = { threads: threads().length, rss: process.memoryUsage().rss };
let uz;
try { uz = require(${JSON.stringify(DIST)}); } catch (e) { console.log(JSON.stringify({ error: { code: e.code, message: e.message } })); process.exit(0); }
const sms = new uz.SmsClient({ provider: 'console' });
sms.send({ to: '+998901234567', text: 'hello' }).then(async () => {
  await sms.close();
  const names = threads();
  console.log(JSON.stringify({
    runtime: uz.addonRuntime(),
    io: names.filter((n) => n === 'uzgate-io').length,
    addedThreads: names.length - before.threads,
    addedRssMiB: (process.memoryUsage().rss - before.rss) / 1048576,
  }));
});
`;

interface Probe {
  runtime?: { workerThreads: number; maxBlockingThreads: number };
  io?: number;
  addedThreads?: number;
  addedRssMiB?: number;
  error?: { code: string; message: string };
}

function probe(threads?: string): Probe {
  const env = { ...process.env };
  delete env.UZGATE_THREADS;
  if (threads !== undefined) env.UZGATE_THREADS = threads;
  const r = spawnSync(process.execPath, ['-e', PROBE], { env, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`probe exited ${String(r.status)}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Probe;
}

linux('by default: 2 worker threads, whatever the core count', () => {
  const p = probe();
  expect(p.runtime).toEqual({ workerThreads: 2, maxBlockingThreads: 16 });
  expect(p.io).toBe(2);
  // Reported for the README's figure (threads and memory that loading uzgate adds).
  console.log(`loading uzgate and one send added ${String(p.addedThreads)} threads and ${p.addedRssMiB!.toFixed(1)} MiB RSS`);
  expect(p.addedThreads).toBeLessThanOrEqual(4);
});

linux('UZGATE_THREADS=5: 5 worker threads', () => {
  const p = probe('5');
  expect(p.runtime?.workerThreads).toBe(5);
  expect(p.io).toBe(5);
});

test.each(['0', '65', 'four', '2.5', '-1'])('UZGATE_THREADS=%s: CONFIG before the addon loads', (value) => {
  const p = probe(value);
  expect(p.error?.code).toBe('CONFIG');
  expect(p.error?.message).toContain('UZGATE_THREADS must be a whole number from 1 to 64');
});
