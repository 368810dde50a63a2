/**
 * Rotating single-use refresh tokens across processes: N workers sharing one store refresh once
 * per expiry and never present a spent refresh token; a worker killed while holding the refresh
 * lock blocks the others only until the lock is gone; a Redis-shared rate budget keeps 4
 * processes under amoCRM's limit without a single 429.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Sandbox, type TokenStoreOptions } from '../nest';
import { AMO, amo, authorize, closeAll, eventually, sandbox, sleep } from './helpers';
import { REDIS_DEPLOYMENTS, redisOptions } from './redis-deployments';
import { closeWorkers, spawnWorker, type Worker } from './workers/pool';


let sb: Sandbox;
let dir: string;
let workers: Worker[] = [];

beforeEach(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-mp-'));
});

afterEach(async () => {
  await closeWorkers(workers);
  workers = [];
  await closeAll();
  await sb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh key per test: the deployments outlive it. */
const redisKey = (what: string) => `uzgate-test:amocrm:${what}${path.basename(dir)}`;

const stores: Array<[string, () => TokenStoreOptions]> = [
  ['file', () => ({ type: 'file', path: path.join(dir, 'tokens.json') })],
  ...REDIS_DEPLOYMENTS.map((d): [string, () => TokenStoreOptions] => [d.name, () => ({ type: 'redis', ...redisOptions(d), key: redisKey('') })]),
];

function workerOptions(store: TokenStoreOptions, extra: object = {}) {
  return {
    clientId: AMO.clientId,
    clientSecret: AMO.clientSecret,
    redirectUri: AMO.redirectUri,
    baseUrl: sb.url,
    rateLimitPerSecond: 1000,
    tokenStore: store,
    ...extra,
  };
}

/** The parent authorises once; the tokens land in the shared store. */
async function authorizeInto(store: TokenStoreOptions) {
  const parent = amo(sb, { tokenStore: store });
  await authorize(parent, sb);
  await parent.close();
}

async function start(n: number, store: TokenStoreOptions, extra: object = {}): Promise<Worker[]> {
  const started = Array.from({ length: n }, () => spawnWorker(workerOptions(store, extra)));
  workers.push(...started);
  await Promise.all(started.map((w) => w.ready));
  return started;
}

for (const [kind, makeStore] of stores) {
  test(`${kind} store: 8 processes × 200 requests across 3 expiries → exactly 3 refreshes, 0 revoked`, async () => {
    const store = makeStore();
    await authorizeInto(store);
    const pool = await start(8, store);
    let done = 0;
    for (let round = 0; round < 3; round++) {
      sb.expireTokens('amocrm');
      const per = round < 2 ? 67 : 66;
      const replies = await Promise.all(pool.map((w) => w.run(per, 10)));
      for (const r of replies) expect(r.errors).toEqual([]);
      done += replies.reduce((n, r) => n + r.done, 0);
    }
    expect(done).toBe(8 * 200);
    const stats = sb.stats().amocrm;
    expect(stats.refreshes).toBe(3);
    expect(stats.revokedReuses).toBe(0);
    expect(stats.refreshFailures).toBe(0);
    const statuses = await Promise.all(pool.map((w) => w.request<{ status: { refreshes: number; adopted: number } }>({ cmd: 'status' })));
    const refreshedHere = statuses.reduce((n, s) => n + s.status.refreshes, 0);
    const adopted = statuses.reduce((n, s) => n + s.status.adopted, 0);
    expect(refreshedHere).toBe(3);
    // Every round, the seven processes that did not refresh took the new token from the store.
    expect(adopted).toBeGreaterThanOrEqual(3 * 7);
  }, 60_000);

  test(`${kind} store: a process killed while holding the refresh lock blocks the others only briefly`, async () => {
    const store = makeStore();
    await authorizeInto(store);
    const extra = { tokenStore: { ...store, lockLeaseMs: 1500, refreshTimeoutMs: 1000 } };
    const [victim, ...others] = await start(4, store, extra);
    await Promise.all([victim, ...others].map((w) => w.run(1, 1)));
    // The victim's refresh request will hang at the sandbox, unprocessed.
    sb.setFault({ path: '/oauth2/access_token', kind: 'timeout', times: 1 });
    sb.expireTokens('amocrm');
    void victim.run(1, 1).catch(() => undefined);
    const until = Date.now() + 10_000;
    while (sb.stats().faultsInjected < 1) {
      if (Date.now() > until) throw new Error('the victim never reached the token endpoint');
      await sleep(10);
    }
    victim.kill();
    const started = Date.now();
    const replies = await Promise.all(others.map((w) => w.run(20, 4)));
    for (const r of replies) expect(r.errors).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const stats = sb.stats().amocrm;
    expect(stats.refreshes).toBe(1);
    expect(stats.revokedReuses).toBe(0);
  }, 60_000);
}

test.each(REDIS_DEPLOYMENTS.map((d) => [d.name, d] as const))('%s: 4 processes sharing the budget at the sandbox limit → 0 × 429, ≥ 0.9 × the limit', async (_name, deployment) => {
  const LIMIT = 20;
  sb.configure({ amocrm: { rateLimitPerSecond: LIMIT } });
  const store: TokenStoreOptions = { type: 'redis', ...redisOptions(deployment), key: redisKey('rl:') };
  await authorizeInto(store);
  const pool = await start(4, store, { rateLimitPerSecond: LIMIT, sharedRateLimit: true });
  const before = sb.stats().amocrm.requests;
  const started = Date.now();
  const replies = await Promise.all(pool.map((w) => w.runFor(4000, 4)));
  const seconds = (Date.now() - started) / 1000;
  for (const r of replies) expect(r.errors).toEqual([]);
  const done = replies.reduce((n, r) => n + r.done, 0);
  const achieved = (sb.stats().amocrm.requests - before) / seconds;
  expect(sb.stats().amocrm.rateLimited).toBe(0);
  expect(achieved).toBeGreaterThanOrEqual(0.9 * LIMIT);
  expect(achieved).toBeLessThanOrEqual(1.05 * LIMIT);
  expect(done).toBeGreaterThan(0);
}, 60_000);

// The refusal is noted in the token's own record: one key, in the cluster the token's slot.
const revocationStores = stores.filter(([kind]) => kind === 'file' || kind.startsWith('redis cluster'));
test.each(revocationStores)('%s store: a revoked integration: after the first refusal no process sends the refused token again, and a new authorisation anywhere clears it for all', async (_kind, makeStore) => {
  const store = makeStore();
  await authorizeInto(store);
  const [a, b] = await start(2, store);
  for (const r of await Promise.all([a.run(2, 1), b.run(2, 1)])) expect(r.errors).toEqual([]);
  sb.revokeTokens('amocrm');
  const requests = () => sb.stats().amocrm.requests;
  const before = sb.stats().amocrm;
  // A meets the revocation: one API call refused, one refresh refused, noted in the store.
  expect((await a.run(1, 1)).errors).toEqual(['REAUTHORIZATION_REQUIRED']);
  const afterA = sb.stats().amocrm;
  expect({ requests: afterA.requests - before.requests, refreshFailures: afterA.refreshFailures - before.refreshFailures }).toEqual({ requests: 2, refreshFailures: 1 });
  // ... and sends nothing more with it, however many calls it gets.
  const more = await a.run(100, 5);
  expect(new Set(more.errors)).toEqual(new Set(['REAUTHORIZATION_REQUIRED']));
  expect(requests()).toBe(afterA.requests);
  // B still holds the same token: one API call refused, then the store's note — no refresh.
  expect((await b.run(1, 1)).errors).toEqual(['REAUTHORIZATION_REQUIRED']);
  const afterB = sb.stats().amocrm;
  expect({ requests: afterB.requests - afterA.requests, refreshFailures: afterB.refreshFailures - afterA.refreshFailures }).toEqual({ requests: 1, refreshFailures: 0 });
  await b.run(100, 5);
  expect(requests()).toBe(afterB.requests);
  expect(afterB.revokedReuses).toBe(before.revokedReuses);
  // Authorised again in the parent: both processes recover.
  await authorizeInto(store);
  await sleep(2500);
  for (const r of await Promise.all([a.run(5, 1), b.run(5, 1)])) expect(r.errors).toEqual([]);
}, 60_000);

// Four processes meet the same revocation; the incident lives in Redis, so one of them reports it
// and one of them (the first to see the new authorisation) resolves it.
const alertDeployments = REDIS_DEPLOYMENTS.filter((d) => d.name === 'redis' || d.name === 'redis cluster TLS');
test.each(alertDeployments.map((d) => [d.name, d] as const))('%s: 4 processes sharing Redis send one disconnected alert and one resolved between them', async (_name, deployment) => {
  const store: TokenStoreOptions = { type: 'redis', ...redisOptions(deployment), key: redisKey('alerts:') };
  await authorizeInto(store);
  const bot = sb.telegramBot();
  const alerts = { telegram: { botToken: bot.token, chatId: bot.chatId, apiRoot: sb.url }, connectUrl: 'https://shop.example.uz/amocrm/authorize' };
  const pool = await start(4, store, { alerts });
  for (const r of await Promise.all(pool.map((w) => w.run(2, 1)))) expect(r.errors).toEqual([]);
  sb.revokeTokens('amocrm');
  for (const r of await Promise.all(pool.map((w) => w.run(10, 2)))) expect(new Set(r.errors)).toEqual(new Set(['REAUTHORIZATION_REQUIRED']));
  const texts = () => sb.telegramMessages().map((m) => m.text);
  await eventually(() => texts().length > 0, 5000);
  await sleep(1000);
  expect(texts()).toHaveLength(1);
  expect(texts()[0]).toMatch(/^🔴 amoCRM is disconnected\n/);
  await authorizeInto(store);
  await sleep(2500);
  for (const r of await Promise.all(pool.map((w) => w.run(5, 1)))) expect(r.errors).toEqual([]);
  await eventually(() => texts().length > 1, 5000);
  await sleep(1000);
  expect(texts()).toHaveLength(2);
  expect(texts()[1]).toMatch(/^✅ RESOLVED: amoCRM is disconnected\n/);
}, 60_000);
