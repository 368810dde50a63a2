/**
 * Provider answers are read through a size cap (`maxResponseBytes`, default 4 MiB). A listener on
 * 127.0.0.1 impersonating Eskiz answers with an endless or a 512 MiB body: the send fails with
 * OUTCOME_UNKNOWN, the read with PROVIDER_UNAVAILABLE, each after exactly one request, and the
 * process's resident memory stays bounded (sampled every 5 ms while the calls run).
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmsClient, UzgateError } from '../../nest';

const MiB = 1024 * 1024;
type Mode = 'endless' | '512MiB-chunked' | '512MiB-declared' | 'normal';

interface Listener {
  url: string;
  /** Requests per path. */
  hits: Map<string, number>;
  /** Body bytes the listener managed to write before the client went away. */
  written: { bytes: number };
  close(): Promise<void>;
}

/** Eskiz's login answers normally; every other path gets `mode`'s body. */
async function fakeEskiz(mode: Mode): Promise<Listener> {
  const hits = new Map<string, number>();
  const written = { bytes: 0 };
  const token = crypto.randomBytes(24).toString('hex');
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    req.resume();
    if (path === '/auth/login') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: 'token_generated', data: { token }, token_type: 'bearer' }));
      return;
    }
    if (mode === 'normal') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { balance: 1000, padding: 'x'.repeat(2000) } }));
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (mode === '512MiB-declared') res.setHeader('content-length', String(512 * MiB));
    const limit = mode === 'endless' ? Infinity : 512 * MiB;
    let sent = 0;
    const pump = (): void => {
      while (sent < limit && !res.destroyed) {
        sent += chunk.length;
        written.bytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (sent >= limit) res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    written,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => { r(); });
      }),
  };
}

function client(baseUrl: string, extra: { maxResponseBytes?: number } = {}): SmsClient {
  return new SmsClient({
    provider: 'eskiz',
    eskiz: { email: 'cap@example.uz', password: crypto.randomBytes(12).toString('hex'), baseUrl },
    timeoutMs: 60_000,
    ...extra,
  });
}

/** Runs `f` while sampling RSS every 5 ms; the peak growth over the RSS before, in MiB. */
async function peakRssGrowth<T>(f: () => Promise<T>): Promise<{ result: T; growthMiB: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const result = await f();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMiB: (peak - before) / MiB };
  } finally {
    clearInterval(timer);
  }
}

async function failure(p: Promise<unknown>): Promise<UzgateError> {
  try {
    await p;
  } catch (e) {
    return e as UzgateError;
  }
  throw new Error('the call succeeded');
}

const listeners: Listener[] = [];
const clients: SmsClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

async function setUp(mode: Mode, extra: { maxResponseBytes?: number } = {}): Promise<{ l: Listener; c: SmsClient }> {
  const l = await fakeEskiz(mode);
  listeners.push(l);
  const c = client(l.url, extra);
  clients.push(c);
  return { l, c };
}

test('an endless body to a send: OUTCOME_UNKNOWN after one request, memory bounded', async () => {
  const { l, c } = await setUp('endless');
  const { result: err, growthMiB } = await peakRssGrowth(() => failure(c.send({ to: '+998901234567', text: 'cap' })));
  expect(err).toBeInstanceOf(UzgateError);
  expect(err.code).toBe('OUTCOME_UNKNOWN');
  expect(err.retryable).toBe(false);
  expect(err.message).toContain('maxResponseBytes');
  expect(l.hits.get('/message/sms/send')).toBe(1);
  console.log(`endless body to a send: peak RSS growth ${growthMiB.toFixed(1)} MiB, listener wrote ${(l.written.bytes / MiB).toFixed(1)} MiB`);
  expect(growthMiB).toBeLessThan(64);
});

test('a 512 MiB body (chunked, no length) to a read: PROVIDER_UNAVAILABLE after one request, memory bounded', async () => {
  const { l, c } = await setUp('512MiB-chunked');
  const { result: err, growthMiB } = await peakRssGrowth(() => failure(c.balance()));
  expect(err.code).toBe('PROVIDER_UNAVAILABLE');
  expect(err.status).toBe(200);
  expect(l.hits.get('/user/get-limit')).toBe(1);
  // The client stopped reading at the cap: far less than the 512 MiB was ever written.
  expect(l.written.bytes).toBeLessThan(64 * MiB);
  console.log(`512 MiB body to a read: peak RSS growth ${growthMiB.toFixed(1)} MiB, listener wrote ${(l.written.bytes / MiB).toFixed(1)} MiB`);
  expect(growthMiB).toBeLessThan(64);
});

test('a declared Content-Length of 512 MiB is refused before reading', async () => {
  const { l, c } = await setUp('512MiB-declared');
  const err = await failure(c.balance());
  expect(err.code).toBe('PROVIDER_UNAVAILABLE');
  expect(l.hits.get('/user/get-limit')).toBe(1);
});

test('maxResponseBytes is an option: a 2 KiB answer passes the default cap and fails a 1 KiB one', async () => {
  const { c } = await setUp('normal');
  await expect(c.balance()).resolves.toMatchObject({ balance: 1000 });
  const { l: small, c: capped } = await setUp('normal', { maxResponseBytes: 1024 });
  expect((await failure(capped.balance())).code).toBe('PROVIDER_UNAVAILABLE');
  expect(small.hits.get('/user/get-limit')).toBe(1);
  expect(() => client(small.url, { maxResponseBytes: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
});
