/**
 * The alerts that watch a rate over a window — OTP sends refused by the hourly cap (SMS pumping)
 * and failed delivery reports — and the application's own alert callback: one alert per incident
 * however hard the rate is pushed, one "resolved" once the window has cooled, no phone number or
 * code in any text; processes sharing Redis count together and send one of each between them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { OtpService, SmsClient, callbackFailures, type Alert, type Sandbox } from '../nest';
import { SmsModule, SmsService, type SmsModuleOptions } from '../nest/nestjs';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, closeAll, eventually, sandbox, sleep, track } from './helpers';
import { REDIS_DEPLOYMENTS, redisOptions } from './redis-deployments';
import { closeWorkers, spawnWorker } from './workers/pool';

const OTP_SECRET = randomBytes(16).toString('hex');
// minted per run: nothing that looks like a credential is committed
const webhookSecret = randomBytes(24).toString('hex');
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ eskiz: { acceptAfterMs: 10, deliverAfterMs: 30 } });
});

const opened: Array<{ close(): void }> = [];
afterEach(async () => {
  opened.splice(0).forEach((o) => { o.close(); });
  await closeAll();
  await sb.close();
});

const webhook = () => ({ url: `${sb.url}/webhooks/alerts`, secret: webhookSecret });

/** Every webhook alert, its signature checked as a receiver would. */
function webhookAlerts(): Alert[] {
  return sb.webhookRequests('alerts').map((r) => {
    const ts = r.headers['x-uzgate-timestamp'];
    expect(r.headers['x-uzgate-signature']).toBe(`v1=${createHmac('sha256', webhookSecret).update(`${ts}.${r.body}`).digest('hex')}`);
    return JSON.parse(r.body) as Alert;
  });
}

const states = (alerts: Alert[]) => alerts.map((a) => `${a.kind} ${a.state}`);

/** Uzbek numbers the sandbox treats as deliverable, and ones it reports as failed (…0000–0002). */
const delivered = (i: number) => `+9989012${String(3000 + i).padStart(5, '0')}`;
const failing = (i: number) => `+99890${String(100 + i)}000${String(i % 3)}`;

test('OTP abuse: one alert for many hourly-cap refusals (webhook and callback), one resolved once the window cools; no number, no code', async () => {
  const sms = track(new SmsClient({ provider: 'console' }));
  const received: Alert[] = [];
  const otp = new OtpService({
    sms,
    secret: OTP_SECRET,
    maxSendsPerHour: 1,
    resendCooldownSeconds: 0,
    alerts: { webhook: webhook(), onAlert: (a) => void received.push(a), otpAbuse: { capHits: 5, windowMs: 2000 } },
  });
  opened.push(otp);
  const phones = Array.from({ length: 6 }, (_, i) => `+99890${String(7000000 + i)}`);
  const refusals: string[] = [];
  for (const phone of phones) {
    await otp.send(phone);
    for (let i = 0; i < 4; i++) refusals.push(await otp.send(phone).then(() => 'sent', (e: unknown) => (e as { code: string }).code));
  }
  expect(refusals).toEqual(Array(24).fill('RATE_LIMITED'));
  await eventually(() => received.length === 1 && webhookAlerts().length === 1, 3000);
  await sleep(300);
  expect(states(received)).toEqual(['otp_abuse firing']);
  expect(received[0].integration).toBe('OTP via console SMS');
  expect(received[0].detail).toMatch(/^([5-9]|1\d|2[0-4]) OTP sends were refused by the per-number hourly cap in the last 1 min \(alert threshold 5\)/);
  // Nothing refused for ~2 s: the window empties, and the resolved message follows without any new send.
  await eventually(() => received.length === 2, 5000);
  expect(states(received)).toEqual(['otp_abuse firing', 'otp_abuse resolved']);
  expect(states(webhookAlerts())).toEqual(['otp_abuse firing', 'otp_abuse resolved']);
  const everything = JSON.stringify([received, webhookAlerts()]);
  const codes = sms.outbox().map((m) => /(\d{6})/.exec(m.text)![1]);
  for (const secret of [...phones, ...phones.map((p) => p.slice(-7)), ...codes, OTP_SECRET, webhookSecret]) expect(everything).not.toContain(secret);
  expect(sms.metrics()).toContain('uzgate_alerts_total{kind="otp_abuse",state="firing",sink="callback",result="sent"} 1');
});

test('delivery failures: reports through the Nest callback route make one alert and, once deliveries recover, one resolved', async () => {
  const received: Alert[] = [];
  const eskizSecret = randomBytes(12).toString('hex');
  const options: SmsModuleOptions = {
    provider: 'eskiz',
    eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url },
    callbacks: { eskizSecret },
    alerts: { webhook: webhook(), onAlert: (a) => void received.push(a), deliveryFailures: { ratio: 0.5, minReports: 4, windowMs: 5000 } },
  };
  const moduleRef = await Test.createTestingModule({ imports: [SmsModule.forRoot(options)] }).compile();
  const app = moduleRef.createNestApplication();
  await app.listen(0, '127.0.0.1');
  try {
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const sms = app.get(SmsService);
    const callbackUrl = `${url}/sms/callbacks/eskiz/${eskizSecret}`;
    const send = (to: string) => sms.send({ to, text: 'Buyurtmangiz yetkazildi', callbackUrl });
    // 2 delivered, then 8 failed: 80 % of 10 final reports.
    for (let i = 0; i < 2; i++) await send(delivered(i));
    for (let i = 0; i < 8; i++) await send(failing(i));
    await eventually(() => received.length === 1, 10_000);
    await sleep(500);
    expect(states(received)).toEqual(['delivery_failures firing']);
    expect(received[0].detail).toMatch(/^\d+ of \d+ delivery reports in the last 1 min are failures \(\d+ %, alert threshold 50 %\)$/);
    expect(received[0].integration).toBe('Eskiz d***@uzgate.dev');
    // Deliveries recover: the failures leave the window, the delivered reports stay under the ratio.
    for (let i = 0; i < 6; i++) await send(delivered(10 + i));
    await eventually(() => received.length === 2, 15_000);
    expect(states(received)).toEqual(['delivery_failures firing', 'delivery_failures resolved']);
    expect(states(webhookAlerts())).toEqual(['delivery_failures firing', 'delivery_failures resolved']);
    const everything = JSON.stringify(received);
    for (let i = 0; i < 16; i++) for (const p of [delivered(i), failing(i)]) expect(everything).not.toContain(p.slice(-9));
  } finally {
    await app.close();
  }
}, 40_000);

test('an onAlert that throws is contained: the other sinks still get the alert, the failure is counted', async () => {
  const sms = track(new SmsClient({ provider: 'console' }));
  const before = callbackFailures().alert;
  const otp = new OtpService({
    sms,
    secret: OTP_SECRET,
    maxSendsPerHour: 1,
    resendCooldownSeconds: 0,
    alerts: { webhook: webhook(), onAlert: () => { throw new Error('alert receiver is broken'); }, otpAbuse: { capHits: 1, windowMs: 1000 } },
  });
  opened.push(otp);
  await otp.send('+998907000001');
  await expect(otp.send('+998907000001')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  await eventually(() => webhookAlerts().length === 1 && callbackFailures().alert === before + 1, 3000);
  expect(states(webhookAlerts())).toEqual(['otp_abuse firing']);
});

test.each([
  ['otpAbuse on SmsClient', () => new SmsClient({ provider: 'console', alerts: { webhook: webhook(), otpAbuse: { capHits: 3 } } }), 'alerts.otpAbuse is for OtpService'],
  ['deliveryFailures on OtpService', () => new OtpService({ sms: track(new SmsClient({ provider: 'console' })), secret: OTP_SECRET, alerts: { webhook: webhook(), deliveryFailures: { ratio: 0.2 } } }), 'alerts.deliveryFailures is for SmsClient'],
  ['lowBalance on OtpService', () => new OtpService({ sms: track(new SmsClient({ provider: 'console' })), secret: OTP_SECRET, alerts: { webhook: webhook(), lowBalance: 1000 } }), 'alerts.lowBalance is for SmsClient'],
  ['a ratio above 1', () => new SmsClient({ provider: 'console', alerts: { webhook: webhook(), deliveryFailures: { ratio: 1.5 } } }), 'alerts.deliveryFailures.ratio must be above 0 and at most 1'],
  ['a window under a second', () => new OtpService({ sms: track(new SmsClient({ provider: 'console' })), secret: OTP_SECRET, alerts: { webhook: webhook(), otpAbuse: { windowMs: 10 } } }), 'alerts.otpAbuse.windowMs must be between 1000 and 86400000'],
  ['an onAlert that is no function', () => new SmsClient({ provider: 'console', alerts: { onAlert: 'https://ops.example.uz' as unknown as () => void } }), 'alerts.onAlert must be a function'],
])('%s: CONFIG from the constructor, before any request', (_name, build, message) => {
  const before = sb.webhookRequests('alerts').length;
  let error: unknown;
  try {
    const built = build();
    if (built instanceof SmsClient) track(built);
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining(message) as unknown });
  expect(sb.webhookRequests('alerts')).toHaveLength(before);
});

test('onAlert alone is a sink; the configuration view lists it', () => {
  const sms = track(new SmsClient({ provider: 'console', alerts: { onAlert: () => undefined } }));
  expect(sms.configuration().alerts?.sinks).toEqual([{ kind: 'callback', target: "the application's function" }]);
});

// Four processes, each refusing 3 sends — under the threshold of 8 alone, over it together: the
// counts and the incident live in Redis, so exactly one alert and one resolved reach the webhook.
const shared = REDIS_DEPLOYMENTS.filter((d) => d.name === 'redis' || d.name === 'redis cluster TLS');
// Outside `npm test` (no Redis started) the table is empty: skipped, as redis-deployments warns.
const onSharedRedis = shared.length > 0 ? test.each(shared.map((d) => [d.name, d] as const)) : () => { test.skip('4 processes sharing Redis: no Redis here', () => undefined); };
onSharedRedis('%s: 4 processes sharing Redis count the hourly-cap refusals together: one alert, one resolved', async (_name, deployment) => {
  const store = { type: 'redis' as const, ...redisOptions(deployment), prefix: `uzgate-test:otp:${Date.now()}:${Math.random()}` };
  const alerts = { webhook: webhook(), otpAbuse: { capHits: 8, windowMs: 2000 } };
  const workers = Array.from({ length: 4 }, () => spawnWorker({ store, secret: OTP_SECRET, limits: { maxSendsPerHour: 1, resendCooldownSeconds: 0 }, alerts }, 'otp-worker.js'));
  try {
    await Promise.all(workers.map((w) => w.ready));
    const replies = await Promise.all(workers.map((w, i) => w.request<{ codes: string[] }>({ cmd: 'send', phone: `+99890${String(8000000 + i)}`, times: 4 })));
    for (const r of replies) expect(r.codes).toEqual(['sent', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    await eventually(() => webhookAlerts().length === 1, 5000);
    await eventually(() => webhookAlerts().length === 2, 6000);
    await sleep(1000);
    expect(states(webhookAlerts())).toEqual(['otp_abuse firing', 'otp_abuse resolved']);
    expect(webhookAlerts()[0].detail).toMatch(/^(8|9|1[0-2]) OTP sends were refused/);
  } finally {
    await closeWorkers(workers);
  }
}, 30_000);
