/**
 * The token engine against the sandbox: however many requests fail together, one refresh (or one
 * login) goes out; a wrong password fails everyone fast; proactive refresh keeps 401s at zero.
 */
import { UzgateError, type Sandbox } from '../nest';
import { closeAll, eskiz, sandbox, sleep } from './helpers';

const UZ = '+998901234567';
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox();
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

/**
 * Holds every send long enough for the whole burst to be in flight with the expired token, even
 * on a loaded machine, so the 401s really arrive together.
 */
function holdSends(count: number) {
  sb.setFault({ path: '/message/sms/send', kind: 'latency', latencyMs: 1500, times: count });
}

test('1,000 concurrent sends after the token expired: all succeed, exactly one refresh', async () => {
  // All 1,000 on the wire at once (the default keeps 256 there and queues the rest).
  const client = eskiz(sb, { maxConcurrency: 2000 });
  await client.balance(); // logs in
  sb.expireTokens('eskiz');
  holdSends(1000);
  const results = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => client.send({ to: UZ, text: `Xabar ${i}` })),
  );
  expect(results).toHaveLength(1000);
  expect(new Set(results.map((r) => r.id)).size).toBe(1000);
  const stats = sb.stats().eskiz;
  expect(stats.refreshes).toBe(1);
  expect(stats.logins).toBe(1);
  // The storm really happened: hundreds of requests were rejected with the old token together.
  expect(stats.rejected401).toBeGreaterThanOrEqual(500);
  expect(stats.sendsByGeneration['2']).toBe(1000);
  expect(stats.sends).toBe(1000);
  const status = client.tokenStatus()!;
  expect(status).toMatchObject({ state: 'valid', generation: 2, refreshes: 1, logins: 1 });
});

test('refresh refused: exactly one login for the whole burst', async () => {
  const client = eskiz(sb, { maxConcurrency: 2000 });
  await client.balance();
  sb.configure({ eskiz: { refreshEnabled: false } });
  sb.expireTokens('eskiz');
  holdSends(1000);
  const results = await Promise.allSettled(
    Array.from({ length: 1000 }, () => client.send({ to: UZ, text: 'Salom' })),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1000);
  const stats = sb.stats().eskiz;
  expect(stats.refreshFailures).toBe(1);
  expect(stats.logins).toBe(2); // the first login, then exactly one fallback login
  expect(stats.sends).toBe(1000);
});

test('wrong password: every caller gets AUTH_FAILED quickly, one login attempt per burst', async () => {
  const client = eskiz(sb, { eskiz: { password: 'not-the-secret' }, timeoutMs: 5000 });
  const started = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: 500 }, () => client.send({ to: UZ, text: 'Salom' })),
  );
  const elapsed = Date.now() - started;
  const loginFailuresAfterFirstBurst = sb.stats().eskiz.loginFailures;
  // A second burst right after costs nothing: the failure is latched with backoff (≥ 0.8 s). It
  // goes out before the first burst's results are checked, so a slow machine cannot outwait it.
  await Promise.allSettled(Array.from({ length: 100 }, () => client.balance()));
  expect(sb.stats().eskiz.loginFailures).toBe(1);
  for (const r of results) {
    expect(r.status).toBe('rejected');
    const err = (r as PromiseRejectedResult).reason as UzgateError;
    expect(err).toBeInstanceOf(UzgateError);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.provider).toBe('eskiz');
    expect(err.status).toBe(401);
    expect(err.providerMessage).toBe('Неверный Email или пароль');
    expect(err.message).not.toContain('not-the-secret');
  }
  expect(elapsed).toBeLessThan(5000);
  expect(loginFailuresAfterFirstBurst).toBe(1);
  expect(client.tokenStatus()).toMatchObject({ state: 'failed', lastError: { code: 'AUTH_FAILED' } });
  expect(sb.stats().eskiz.sends).toBe(0);
});

test('a 200 login without a token (blocked account) is AUTH_FAILED, not a hang', async () => {
  sb.configure({ eskiz: { blockedLogin: true } });
  const client = eskiz(sb, { timeoutMs: 3000 });
  await expect(client.send({ to: UZ, text: 'Salom' })).rejects.toMatchObject({
    code: 'AUTH_FAILED',
    provider: 'eskiz',
  });
});

test('refreshToken() refreshes now and tokenStatus() never shows the token', async () => {
  const client = eskiz(sb);
  await client.balance();
  const before = client.tokenStatus()!;
  const after = (await client.refreshToken())!;
  expect(after.generation).toBe(before.generation + 1);
  expect(after.refreshes).toBe(1);
  expect(sb.stats().eskiz.refreshes).toBe(1);
  expect(after.expiresAt).toBeInstanceOf(Date);
  expect(JSON.stringify(after)).not.toMatch(/eyJ/);
});

test('proactive refresh: a 3 s token under 10 s of traffic never meets a 401', async () => {
  // Expiry alone: whether Eskiz revokes the old token at refresh is unverified (reference §10
  // #8). With revocation on, a send already on the wire when the refresh lands is refused and
  // retried once — the storm tests above cover that path.
  sb.configure({ eskiz: { tokenTtlSecs: 3, refreshRevokesOld: false } });
  const client = eskiz(sb);
  const until = Date.now() + 10_000;
  let sent = 0;
  while (Date.now() < until) {
    await Promise.all(Array.from({ length: 5 }, () => client.send({ to: UZ, text: 'Salom' })));
    sent += 5;
    await sleep(50);
  }
  const stats = sb.stats().eskiz;
  expect(stats.rejected401).toBe(0);
  expect(stats.sends).toBe(sent);
  // A 3 s token lasting 10 s needs at least three replacements.
  expect(stats.refreshes + stats.logins - 1).toBeGreaterThanOrEqual(3);
}, 20_000);

test('close() stops the client: later calls reject with CLOSED', async () => {
  const client = eskiz(sb);
  await client.balance();
  await client.close();
  await client.close();
  await expect(client.balance()).rejects.toMatchObject({ code: 'CLOSED' });
});
