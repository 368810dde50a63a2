/**
 * Redis dies while a refresh is in flight (SIGKILL, then restarted empty or from its append-only
 * file): two processes share it as their token store, amoCRM refresh tokens are single-use. The
 * pair amoCRM issued during the outage must survive: the integration stays alive, no refresh
 * token is presented twice, and the new pair is in Redis after recovery.
 */
import { AmoCrmClient, type Sandbox, type TokenStoreOptions } from '../nest';
import { AMO, amo, authorize, closeAll, sandbox, sleep } from './helpers';
import { RedisServer, haveRedis } from './redis-server';
import { closeWorkers, spawnWorker, type Worker } from './workers/pool';

const redisTest = haveRedis ? test : test.skip;

let sb: Sandbox;
let workers: Worker[] = [];
let redis: RedisServer | undefined;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
});

afterEach(async () => {
  await closeWorkers(workers);
  workers = [];
  await closeAll();
  await redis?.close();
  redis = undefined;
  await sb.close();
});

describe.each([
  ['restarted empty', false],
  ['restarted from its append-only file', true],
])('Redis SIGKILLed during a refresh, %s', (_name, persisted) => {
  redisTest('the pair issued during the outage survives: 1 refresh, 0 revoked reuses, the new pair in Redis, calls succeed', async () => {
    const server = await RedisServer.start(persisted ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']);
    redis = server;
    const store: TokenStoreOptions = { type: 'redis', url: `redis://127.0.0.1:${String(server.port)}`, key: 'uzgate-test:amocrm:outage' };
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
    await server.stop('SIGKILL');
    await sleep(2000);
    await server.restart();
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
