/**
 * Managed Redis hands out a user and a password (Redis 6+ ACL), with the default user disabled:
 * the token store, the shared rate budget and the OTP store work through such a URL, and a
 * wrong password fails with STORE_ERROR that never shows it.
 */
import { randomBytes } from 'node:crypto';
import { OtpService, SmsClient, type Sandbox } from '../nest';
import { amo, authorize, closeAll, rejection, sandbox, track } from './helpers';
import { RedisServer, haveRedis } from './redis-server';

const redisTest = haveRedis ? test : test.skip;

let sb: Sandbox;
let redis: RedisServer;
// minted per run: nothing that looks like a credential is committed
const password = randomBytes(18).toString('hex');
const url = () => `redis://uzgate-app:${password}@127.0.0.1:${String(redis.port)}`;

beforeAll(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
  if (haveRedis) {
    redis = await RedisServer.start(['--user', 'default', 'off', '--user', 'uzgate-app', 'on', `>${password}`, '~*', '&*', '+@all']);
  }
});

afterEach(closeAll);

afterAll(async () => {
  if (haveRedis) await redis.close();
  await sb.close();
});

redisTest('the token store and the shared rate budget work as an ACL user: a second client takes the stored token without a request', async () => {
  const store = { type: 'redis' as const, url: url(), key: 'uzgate-test:amocrm:acl' };
  const first = amo(sb, { tokenStore: store, rateLimitPerSecond: 50, sharedRateLimit: true });
  await authorize(first, sb);
  await first.account();
  // closed, so the second client does not share its token manager (one per account per process)
  await first.close();
  const before = sb.stats().amocrm;
  const second = amo(sb, { tokenStore: store, rateLimitPerSecond: 50, sharedRateLimit: true });
  await second.account();
  expect(second.tokenStatus()).toMatchObject({ adopted: 1, logins: 0, refreshes: 0, persisted: true });
  expect(sb.stats().amocrm).toMatchObject({ codeExchanges: before.codeExchanges, refreshes: before.refreshes });
});

redisTest('the OTP store works as an ACL user', async () => {
  const sms = track(new SmsClient({ provider: 'console' }));
  const otp = new OtpService({ sms, secret: 'otp-test-secret-0123456789', store: { type: 'redis', url: url(), prefix: 'uzgate-test:otp:acl' } });
  try {
    await otp.send('+998901234567');
    const code = /(\d{4,10})/.exec(sms.outbox().at(-1)!.text)![1];
    expect(await otp.verify('+998901234567', code)).toEqual({ ok: true });
  } finally {
    otp.close();
  }
});

redisTest('a wrong password: STORE_ERROR at once (not retried past the deadline), before any token request, the password in no message', async () => {
  const wrong = randomBytes(18).toString('hex');
  const client = amo(sb, { tokenStore: { type: 'redis', url: `redis://uzgate-app:${wrong}@127.0.0.1:${String(redis.port)}`, key: 'uzgate-test:amocrm:acl-wrong' } });
  const before = sb.stats().amocrm.requests;
  const started = Date.now();
  const err = await rejection(client.account());
  expect(Date.now() - started).toBeLessThan(2500);
  expect(err.code).toBe('STORE_ERROR');
  expect(err.message).toBe('redis connect failed: Password authentication failed - AuthenticationFailed');
  expect(`${err.message} ${JSON.stringify(client.tokenStatus())}`).not.toContain(wrong);
  expect(sb.stats().amocrm.requests).toBe(before);
});
