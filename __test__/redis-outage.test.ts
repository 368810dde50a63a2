/**
 * Redis dies while a refresh is in flight (SIGKILL, then restarted empty or from its append-only
 * file): two processes share it as their token store, amoCRM refresh tokens are single-use. The
 * pair amoCRM issued during the outage must survive: the integration stays alive, no refresh
 * token is presented twice, and the new pair is in Redis after recovery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AmoCrmClient, type Sandbox, type TokenStoreOptions } from '../nest';
import { AMO, amo, authorize, closeAll, sandbox, sleep } from './helpers';
import { closeWorkers, spawnWorker, type Worker } from './workers/pool';

// npm test starts a redis-server for the other suites; its presence says the binary is here.
const redisTest = process.env.UZGATE_TEST_REDIS_URL ? test : test.skip;

let sb: Sandbox;
let dir: string;
let workers: Worker[] = [];
let server: ChildProcess | undefined;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-outage-'));
});

afterEach(async () => {
  await closeWorkers(workers);
  workers = [];
  await closeAll();
  await stopRedis();
  await sb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

async function startRedis(port: number, persisted: boolean): Promise<void> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  args.push(...(persisted ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  server = spawn('redis-server', args, { stdio: 'ignore' });
  const until = Date.now() + 5000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.on('error', () => {
        resolve(false);
      });
    });
    if (up) return;
    if (Date.now() > until) throw new Error('redis-server did not start');
    await sleep(20);
  }
}

async function stopRedis(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const s = server;
  server = undefined;
  if (!s || s.exitCode !== null || s.signalCode !== null) return;
  const exited = new Promise((resolve) => s.once('exit', resolve));
  s.kill(signal);
  await exited;
}

describe.each([
  ['restarted empty', false],
  ['restarted from its append-only file', true],
])('Redis SIGKILLed during a refresh, %s', (_name, persisted) => {
  redisTest('the pair issued during the outage survives: 1 refresh, 0 revoked reuses, the new pair in Redis, calls succeed', async () => {
    const port = await freePort();
    await startRedis(port, persisted);
    const store: TokenStoreOptions = { type: 'redis', url: `redis://127.0.0.1:${String(port)}`, key: 'uzgate-test:amocrm:outage' };
    const parent = amo(sb, { tokenStore: store });
    await authorize(parent, sb);
    await parent.close();
    workers = Array.from({ length: 2 }, () =>
      spawnWorker({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url, tokenStore: store }),
    );
    await Promise.all(workers.map((w) => w.ready));
    for (const r of await Promise.all(workers.map((w) => w.run(4, 2)))) expect(r.errors).toEqual([]);

    // The refresh reaches amoCRM and is processed 1.5 s later; Redis dies in between.
    sb.setFault({ path: '/oauth2/access_token', kind: 'latency', latencyMs: 1500, times: 1 });
    sb.expireTokens('amocrm');
    const before = sb.stats();
    const storm = Promise.all(workers.map((w) => w.runFor(9000, 2)));
    const until = Date.now() + 10_000;
    while (sb.stats().faultsInjected === before.faultsInjected) {
      if (Date.now() > until) throw new Error('no refresh reached the token endpoint');
      await sleep(10);
    }
    await sleep(300);
    await stopRedis('SIGKILL');
    await sleep(2000);
    await startRedis(port, persisted);
    const replies = await storm;
    // calls during the outage may fail (STORE_ERROR, TIMEOUT); none may need a new authorisation
    for (const r of replies) expect(r.errors).not.toContain('REAUTHORIZATION_REQUIRED');

    // after recovery: the integration is alive in both processes
    for (const r of await Promise.all(workers.map((w) => w.run(10, 2)))) expect(r.errors).toEqual([]);
    const stats = sb.stats().amocrm;
    expect({ refreshes: stats.refreshes - before.amocrm.refreshes, revokedReuses: stats.revokedReuses }).toEqual({ refreshes: 1, revokedReuses: 0 });
    const statuses = await Promise.all(workers.map((w) => w.request<{ status: { persisted: boolean | null } }>({ cmd: 'status' })));
    expect(statuses.map((s) => s.status.persisted)).toEqual([true, true]);

    // the new pair is in Redis: a fresh process takes it without any token request
    const fresh = new AmoCrmClient({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url, tokenStore: store });
    try {
      await fresh.account();
      expect(fresh.tokenStatus()).toMatchObject({ adopted: 1, refreshes: 0, logins: 0, persisted: true });
    } finally {
      await fresh.close();
    }
    expect(sb.stats().amocrm).toMatchObject({ refreshes: stats.refreshes, revokedReuses: 0 });
  }, 60_000);
});
