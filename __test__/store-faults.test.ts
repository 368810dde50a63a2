/**
 * A token store that misbehaves must not take the client with it. A custom store's `load` that
 * never settles (a database call stuck on a dead connection) used to hold the one refresh in
 * flight forever: every later call timed out and the store was never asked again. A store that
 * cannot save must not make the client drop a token the provider has just issued.
 */
import type { CustomTokenStore, Sandbox, StoredRecord, TokenEvent } from '../nest';
import { closeAll, eskiz, eventually, rejection, sandbox, sleep } from './helpers';

let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox();
});

afterEach(closeAll);

afterAll(async () => {
  await sb.close();
});

const send = { to: '+998901234567', text: 'store faults' };

/**
 * A custom store over a Map (compare-and-set on the version, as a table would do it), with
 * faults: the first `hangingLoads` loads never settle, the first `failingSaves` saves reject.
 */
function faultyTable(faults: { hangingLoads?: number; failingSaves?: number }) {
  const table = new Map<string, StoredRecord>();
  const counts = { loads: 0, saves: 0 };
  const store: CustomTokenStore = {
    load: (key) => {
      counts.loads += 1;
      if (counts.loads <= (faults.hangingLoads ?? 0)) return new Promise<StoredRecord | null>(() => undefined);
      return Promise.resolve(table.get(key) ?? null);
    },
    save: (key, expectedVersion, data) => {
      counts.saves += 1;
      if (counts.saves <= (faults.failingSaves ?? 0)) return Promise.reject(new Error('connection reset by peer'));
      if ((table.get(key)?.version ?? 0) !== expectedVersion) return Promise.resolve(false);
      table.set(key, { version: expectedVersion + 1, data });
      return Promise.resolve(true);
    },
  };
  return { table, counts, store };
}

test('a custom store load that never settles fails one refresh at its deadline (callTimeoutMs); the next calls ask the store again and succeed', async () => {
  const { table, counts, store } = faultyTable({ hangingLoads: 1 });
  const client = eskiz(sb, { tokenStore: { type: 'custom', callTimeoutMs: 800, store } });
  const events: TokenEvent[] = [];
  client.on('token', (e: TokenEvent) => events.push(e));
  sb.resetStats();

  const started = Date.now();
  const err = await rejection(client.send(send));
  const took = Date.now() - started;
  expect(err).toMatchObject({ code: 'STORE_ERROR', retryable: true });
  expect(err.message).toContain('did not answer load within 800 ms');
  expect(took).toBeGreaterThanOrEqual(750);
  expect(took).toBeLessThan(5000);
  // what a health check sees: a failure, not an endless `refreshing`
  expect(client.tokenStatus()).toMatchObject({ state: 'failed', failures: 1, lastError: { code: 'STORE_ERROR' } });
  expect(events.map((e) => [e.type, e.code])).toEqual([['refresh_failed', 'STORE_ERROR']]);
  expect(client.metrics()).toContain('uzgate_store_failures_total{store="custom",operation="load",outcome="timeout"} 1');

  // within the second deadline: after the one-second backoff, and the 3 s a recovered store is
  // given for peers to write back what they obtained during the outage, every call goes through
  await sleep(1300);
  const results = await Promise.all(Array.from({ length: 12 }, () => client.send(send)));
  expect(results).toHaveLength(12);
  expect(counts.loads).toBeGreaterThanOrEqual(2);
  expect(sb.stats().eskiz).toMatchObject({ logins: 1, messages: 12 });
  expect(table.size).toBe(1);
  expect(client.tokenStatus()).toMatchObject({ state: 'valid', logins: 1 });
});

test('a token obtained while the store cannot save is used at once, reported, and saved as soon as the store answers', async () => {
  const { table, counts, store } = faultyTable({ failingSaves: 3 });
  const client = eskiz(sb, { tokenStore: { type: 'custom', store } });
  const events: TokenEvent[] = [];
  client.on('token', (e: TokenEvent) => events.push(e));
  sb.resetStats();

  await client.send(send);
  expect(client.tokenStatus()).toMatchObject({ state: 'valid', persisted: false, logins: 1 });
  await eventually(() => events.length >= 2);
  expect(events.map((e) => [e.type, e.code])).toEqual([
    ['token_refreshed', undefined],
    ['token_unsaved', 'STORE_ERROR'],
  ]);
  expect(table.size).toBe(0);
  // retried 250 ms, 500 ms, 1 s later: the third retry finds the store answering
  await eventually(() => client.tokenStatus()?.persisted === true, 5000);
  expect(table.size).toBe(1);
  expect(counts.saves).toBe(4);
  await Promise.all(Array.from({ length: 5 }, () => client.send(send)));
  expect(sb.stats().eskiz).toMatchObject({ logins: 1, refreshes: 0, messages: 6 });
});
