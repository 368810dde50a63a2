/** OtpService: single use, expiry, attempts, cooldown, cap, dev mode — in one process and across two. */
import { OtpService, SmsClient, UzgateError, type OtpVerifyResult, type Sandbox } from '../nest';
import { closeAll, eskiz, eventually, logCollector, rejection, sandbox, sleep, track } from './helpers';
import { REDIS_DEPLOYMENTS, redisOptions, type RedisDeployment } from './redis-deployments';
import { closeWorkers, spawnWorker, type Worker } from './workers/pool';

const PHONE = '+998901234567';
const SECRET = 'otp-test-secret-0123456789';

const opened: Array<{ close(): void }> = [];
afterEach(async () => {
  opened.splice(0).forEach((o) => { o.close(); });
  await closeAll();
});

function consoleOtp(options: Partial<ConstructorParameters<typeof OtpService>[0]> = {}) {
  const sms = track(new SmsClient({ provider: 'console' }));
  const otp = new OtpService({ sms, secret: SECRET, appName: 'MyShop', ...options });
  opened.push(otp);
  /** The code of the last SMS, as the user reads it. */
  const inbox = () => /(\d{4,10})/.exec(sms.outbox().at(-1)!.text)![1];
  return { sms, otp, inbox };
}

const wrong = (code: string) => code.replace(/\d/g, (d) => String((Number(d) + 1) % 10));

test('a code passes once; wrong codes count; malformed codes cost nothing', async () => {
  const { sms, otp, inbox } = consoleOtp();
  const sent = await otp.send('90 123 45 67');
  expect(sent).toMatchObject({ expiresInSeconds: 300, resendInSeconds: 60 });
  expect(sent.devCode).toBeUndefined();
  const code = inbox();
  expect(sms.outbox()[0].text).toBe(`MyShop tasdiqlash kodi: ${code}. Kodni hech kimga bermang.`);
  expect(await otp.verify(PHONE, wrong(code))).toEqual({ ok: false, reason: 'invalid', attemptsLeft: 4 });
  expect(await otp.verify(PHONE, 'abc')).toMatchObject({ ok: false, reason: 'invalid' });
  expect(await otp.verify(PHONE, code)).toEqual({ ok: true });
  expect(await otp.verify(PHONE, code)).toMatchObject({ ok: false, reason: 'not_found' });
});

test('codes expire', async () => {
  const { otp, inbox } = consoleOtp({ ttlSeconds: 1 });
  await otp.send(PHONE);
  const code = inbox();
  await sleep(1100);
  expect(await otp.verify(PHONE, code)).toMatchObject({ ok: false, reason: 'expired' });
});

test('resend cooldown and hourly cap are RATE_LIMITED with retryAfterMs', async () => {
  const { sms, otp } = consoleOtp();
  await otp.send(PHONE);
  const err = await rejection(otp.send(PHONE));
  expect(err).toBeInstanceOf(UzgateError);
  expect(err).toMatchObject({ code: 'RATE_LIMITED', provider: 'otp', details: { reason: 'cooldown' } });
  expect(err.retryAfterMs).toBeGreaterThan(58_000);
  expect(sms.outbox()).toHaveLength(1);
  const capped = consoleOtp({ resendCooldownSeconds: 0, maxSendsPerHour: 2 });
  await capped.otp.send(PHONE);
  await capped.otp.send(PHONE);
  await expect(capped.otp.send(PHONE)).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'hourly_cap' } });
});

test('100 parallel wrong guesses: at most maxAttempts evaluated, then even the right code fails', async () => {
  const { otp, inbox } = consoleOtp();
  await otp.send(PHONE);
  const code = inbox();
  const outcomes = await Promise.all(Array.from({ length: 100 }, () => otp.verify(PHONE, wrong(code))));
  expect(outcomes.filter((o) => o.reason === 'invalid')).toHaveLength(4);
  expect(outcomes.filter((o) => o.reason === 'too_many_attempts')).toHaveLength(96);
  expect(await otp.verify(PHONE, code)).toMatchObject({ ok: false, reason: 'too_many_attempts' });
});

test('devMode returns and logs the code; refused with a real provider unless forced', async () => {
  const { lines, logger } = logCollector();
  const { otp, inbox } = consoleOtp({ devMode: true, logger });
  const sent = await otp.send(PHONE);
  expect(sent.devCode).toBe(inbox());
  await eventually(() => lines.some((l) => l.message.includes(sent.devCode!)));
  const sb = await sandbox();
  try {
    const real = eskiz(sb);
    expect(() => new OtpService({ sms: real, secret: SECRET, devMode: true })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    const forced = new OtpService({ sms: real, secret: SECRET, devMode: true, forceDevMode: true });
    forced.close();
  } finally {
    await closeAll();
    await sb.close();
  }
});

test('no code in any log line outside devMode', async () => {
  const { lines, logger } = logCollector();
  const { otp, inbox } = consoleOtp({ logger });
  await otp.send(PHONE);
  const code = inbox();
  await otp.verify(PHONE, wrong(code));
  await otp.verify(PHONE, code);
  await eventually(() => lines.some((l) => l.message.includes('verified')));
  expect(lines.map((l) => l.message).join('\n')).not.toContain(code);
});

describe('over Eskiz', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await sandbox();
  });
  afterEach(async () => {
    await closeAll();
    await sb.close();
  });

  test('the SMS carries the code; a refused send frees the number for an immediate retry', async () => {
    const sms = eskiz(sb);
    const otp = new OtpService({ sms, secret: SECRET, appName: 'MyShop' });
    opened.push(otp);
    sb.configure({ eskiz: { moderation: true } });
    await expect(otp.send(PHONE)).rejects.toMatchObject({ code: 'PROVIDER_REJECTED' });
    sb.configure({ eskiz: { moderation: false } });
    await otp.send(PHONE);
    const [msg] = sb.inbox();
    expect(msg.text).toMatch(/^MyShop tasdiqlash kodi: \d{6}\. /);
    const code = /(\d{6})/.exec(msg.text)![1];
    expect(await otp.verify(PHONE, code)).toEqual({ ok: true });
  });
});

const onEachRedis = test.each(REDIS_DEPLOYMENTS.map((d) => [d.name, d] as const));

/** This process and a replica sharing one Redis store of `deployment`. */
function sharedOtp(deployment: RedisDeployment) {
  const store = { type: 'redis' as const, ...redisOptions(deployment), prefix: `uzgate-test:otp:${Date.now()}:${Math.random()}` };
  const { otp, inbox } = consoleOtp({ store });
  const replica: Worker = spawnWorker({ store, secret: SECRET }, 'otp-worker.js');
  return { otp, inbox, replica };
}

onEachRedis('%s: two processes share attempts, single use and cooldown', async (_name, deployment) => {
  const { otp, inbox, replica } = sharedOtp(deployment);
  try {
    await replica.ready;
    await otp.send(PHONE);
    const code = inbox();
    const [here, there] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => otp.verify(PHONE, wrong(code)))),
      replica.request<{ outcomes: OtpVerifyResult[] }>({ cmd: 'verify', phone: PHONE, code: wrong(code), times: 50 }),
    ]);
    const all = [...here, ...there.outcomes];
    expect(all.filter((o) => o.reason === 'invalid')).toHaveLength(4);
    expect(all.filter((o) => o.ok)).toHaveLength(0);
    expect(await otp.verify(PHONE, code)).toMatchObject({ ok: false, reason: 'too_many_attempts' });
    // A fresh code after the cooldown would be needed; the cooldown itself is shared.
    await expect(otp.send(PHONE)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  } finally {
    await closeWorkers([replica]);
  }
}, 30_000);

onEachRedis('%s: a right code verified by two processes at once passes exactly once', async (_name, deployment) => {
  const { otp, inbox, replica } = sharedOtp(deployment);
  try {
    await replica.ready;
    await otp.send(PHONE);
    const code = inbox();
    const [here, there] = await Promise.all([
      Promise.all(Array.from({ length: 3 }, () => otp.verify(PHONE, code))),
      replica.request<{ outcomes: OtpVerifyResult[] }>({ cmd: 'verify', phone: PHONE, code, times: 3 }),
    ]);
    expect([...here, ...there.outcomes].filter((o) => o.ok)).toHaveLength(1);
  } finally {
    await closeWorkers([replica]);
  }
}, 30_000);
