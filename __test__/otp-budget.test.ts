/**
 * OTP against SMS pumping, counted at every provider of the sandbox: rotating foreign numbers
 * send nothing by default; the global budget, a region's budget and the prefix limit hold
 * exactly under concurrency (also for two services sharing one Redis store); the per-client-IP
 * limit of a real Nest app follows Express's `trust proxy` and a forged X-Forwarded-For does not
 * escape it; the budget alert fires once and resolves.
 */
import { Body, Controller, HttpCode, Module, Post, Req, type INestApplication } from '@nestjs/common';
import { OtpService, SmsClient, type Alert, type OtpServiceOptions, type Sandbox } from '../nest';
import { OtpModule, OtpService as NestOtpService, SmsModule, UzgateExceptionFilter, otpOptionsFromEnv } from '../nest/nestjs';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, closeAll, eskiz, eventually, rejection, sandbox, sleep, track } from './helpers';
import { closeApps, startApp } from './nest-helpers';
import { REDIS_DEPLOYMENTS, redisOptions } from './redis-deployments';

const SECRET = 'otp-budget-secret-0123456789';
const PM_LOGIN = 'budget-login';
const PM_PASSWORD = 'budget-password-for-tests';
let sb: Sandbox;
const opened: Array<{ close(): void }> = [];

beforeEach(async () => {
  sb = await sandbox({ playmobile: { login: PM_LOGIN, password: PM_PASSWORD } });
});

afterEach(async () => {
  opened.splice(0).forEach((o) => { o.close(); });
  await closeApps();
  await closeAll();
  await sb.close();
});

/** Eskiz and Play Mobile for Uzbek numbers, Twilio for the rest (the usual setup). */
function routed(): SmsClient {
  const account = sb.twilioAccount();
  return track(
    new SmsClient({
      eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url },
      playmobile: { login: PM_LOGIN, password: PM_PASSWORD, originator: '3700', baseUrl: sb.url },
      twilio: { accountSid: account.accountSid, authToken: account.authToken, from: account.numbers[0], baseUrl: sb.url },
      routing: [
        { to: 'UZ', via: ['eskiz', 'playmobile', 'twilio'] },
        { to: '*', via: ['twilio'] },
      ],
    }),
  );
}

function otpService(sms: SmsClient, options: Partial<OtpServiceOptions> = {}): OtpService {
  const otp = new OtpService({ sms, secret: SECRET, appName: 'MyShop', ...options });
  opened.push(otp);
  return otp;
}

/** Messages the sandbox received, by provider. */
function sentBy(): Record<string, number> {
  const counts: Record<string, number> = { eskiz: 0, playmobile: 0, twilio: 0 };
  for (const m of sb.inbox()) counts[m.provider] = (counts[m.provider] ?? 0) + 1;
  return counts;
}

/** `sent`, or the refusal as `CODE reason`. */
async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'sent',
    (e: unknown) => {
      const err = e as { code: string; details?: { reason?: string } };
      return `${err.code} ${err.details?.reason ?? ''}`.trim();
    },
  );
}

function tally(outcomes: string[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const o of outcomes) t[o] = (t[o] ?? 0) + 1;
  return t;
}

/** The `i`-th Uzbek number, each in a block of 1,000 of its own. */
const uz = (i: number) => `+99890${String(i).padStart(4, '0')}567`;

test('1,000 OTP requests to rotating foreign numbers with the defaults: 0 SMS at every provider', async () => {
  const sms = routed();
  const otp = otpService(sms);
  const ranges: Array<[string, number]> = [['+7701', 7], ['+447911', 6], ['+37491', 6], ['+99292', 7], ['+37060', 6]];
  const outcomes: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const [prefix, digits] = ranges[i % ranges.length];
    outcomes.push(await outcome(otp.send(`${prefix}${String(10_000_000 + i).slice(-digits)}`)));
  }
  expect(tally(outcomes)).toEqual({ 'INVALID_PHONE region_not_allowed': 1000 });
  expect(sentBy()).toEqual({ eskiz: 0, playmobile: 0, twilio: 0 });
  expect(sb.stats().eskiz.sends).toBe(0);
});

test('the global budget holds exactly: budget 25, 200 concurrent requests to distinct UZ numbers → 25 sent, 175 global_budget', async () => {
  const sms = routed();
  const otp = otpService(sms, { budget: { perHour: 25 } });
  const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => outcome(otp.send(uz(i)))));
  expect(tally(outcomes)).toEqual({ sent: 25, 'RATE_LIMITED global_budget': 175 });
  expect(sentBy()).toEqual({ eskiz: 25, playmobile: 0, twilio: 0 });
  expect(sms.metrics()).toContain('uzgate_otp_refusals_total{reason="global_budget"} 175');
  const e = await rejection(otp.send(uz(500)));
  expect(e).toMatchObject({ code: 'RATE_LIMITED', provider: 'otp', details: { reason: 'global_budget' } });
  expect(e.retryAfterMs).toBeGreaterThan(3_500_000);
  expect(e.message).toBe('the hourly budget of OTP codes is used up; try again later');
});

test('a region budget: 3 codes to KZ out of 10, the UZ traffic untouched, nothing refused reached a provider', async () => {
  const sms = routed();
  const otp = otpService(sms, { allowedRegions: ['UZ', 'KZ'], budget: { perHour: 50, perRegion: { KZ: 3 } } });
  const kz = Array.from({ length: 10 }, (_, i) => `+7701${String(i).padStart(3, '0')}4567`);
  const outcomes = await Promise.all([...kz.map((n) => outcome(otp.send(n))), ...Array.from({ length: 10 }, (_, i) => outcome(otp.send(uz(i))))]);
  expect(tally(outcomes)).toEqual({ sent: 13, 'RATE_LIMITED region_budget': 7 });
  expect(sentBy()).toEqual({ eskiz: 10, playmobile: 0, twilio: 3 });
  expect(otp.configuration().otp).toMatchObject({ budgetPerHour: 50, budgetPerRegion: { KZ: 3 }, prefixLimit: { ignoreLastDigits: 3, perHour: 20 }, clientIpPerHour: 10 });
});

test('prefix velocity: a bot rotating the last digits of one block gets exactly the limit (default 20 per 1,000 numbers)', async () => {
  const sms = routed();
  const otp = otpService(sms);
  const block = Array.from({ length: 300 }, (_, i) => `+998901234${String(i).padStart(3, '0')}`);
  const outcomes = await Promise.all(block.map((n) => outcome(otp.send(n))));
  expect(tally(outcomes)).toEqual({ sent: 20, 'RATE_LIMITED prefix_velocity': 280 });
  expect(sentBy()).toEqual({ eskiz: 20, playmobile: 0, twilio: 0 });
  // Blocks of 100 numbers, 5 codes per hour each.
  const custom = otpService(sms, { prefixLimit: { ignoreLastDigits: 2, perHour: 5 } });
  const hundred = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(custom.send(`+9989376543${String(i).padStart(2, '0')}`))));
  expect(tally(hundred)).toEqual({ sent: 5, 'RATE_LIMITED prefix_velocity': 25 });
  const off = otpService(sms, { prefixLimit: { enabled: false } });
  const free = await Promise.all(Array.from({ length: 30 }, (_, i) => outcome(off.send(`+998977777${String(i).padStart(3, '0')}`))));
  expect(tally(free)).toEqual({ sent: 30 });
  expect(sentBy().eskiz).toBe(55);
});

test('limits that cannot work are CONFIG at construction', () => {
  const sms = routed();
  expect(() => otpService(sms, { budget: { perHour: 0 } })).toThrow('budget.perHour and budget.perRegion limits must be at least 1');
  expect(() => otpService(sms, { budget: { perRegion: { uz: 5 } } })).toThrow('budget.perRegion keys must be ISO regions');
  expect(() => otpService(sms, { prefixLimit: { ignoreLastDigits: 9 } })).toThrow('ignoreLastDigits must be between 1 and 6');
  expect(() => otpService(sms, { perClientIp: { perHour: 0 } })).toThrow('perClientIp.perHour must be at least 1');
  expect(() => otpService(sms, { budget: { perDay: 5 } as never })).toThrow(/perDay/);
});

test('the environment sets every limit; a malformed region budget is CONFIG naming the variable', () => {
  const options = otpOptionsFromEnv({
    OTP_SECRET: SECRET,
    OTP_BUDGET_PER_HOUR: '300',
    OTP_BUDGET_PER_REGION: 'UZ=250, KZ=20',
    OTP_PREFIX_LIMIT_PER_HOUR: '12',
    OTP_PREFIX_IGNORE_LAST_DIGITS: '2',
    OTP_CLIENT_IP_PER_HOUR: '6',
  });
  expect(options).toMatchObject({
    budget: { perHour: 300, perRegion: { UZ: 250, KZ: 20 } },
    prefixLimit: { perHour: 12, ignoreLastDigits: 2 },
    perClientIp: { perHour: 6 },
  });
  const otp = otpService(routed(), options);
  expect(otp.configuration().otp).toMatchObject({ budgetPerHour: 300, budgetPerRegion: { UZ: 250, KZ: 20 }, prefixLimit: { ignoreLastDigits: 2, perHour: 12 }, clientIpPerHour: 6 });
  expect(otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_BUDGET_PER_REGION: 'KZ=20' })).toMatchObject({ budget: { perRegion: { KZ: 20 } } });
  expect(() => otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_BUDGET_PER_REGION: 'kz:20' })).toThrow('OTP_BUDGET_PER_REGION must be <REGION>=<codes per hour>');
  expect(() => otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_CLIENT_IP_PER_HOUR: 'ten' })).toThrow('OTP_CLIENT_IP_PER_HOUR must be a whole number');
  const defaults = otpService(routed(), otpOptionsFromEnv({ OTP_SECRET: SECRET }));
  expect(defaults.configuration().otp).toMatchObject({ prefixLimit: { ignoreLastDigits: 3, perHour: 20 }, clientIpPerHour: 10 });
  expect(defaults.configuration().otp?.budgetPerHour).toBeUndefined();
});

test('a client IP that is not an IP address is INVALID_ARGUMENT before anything is counted or sent', async () => {
  const sms = routed();
  const otp = otpService(sms, { perClientIp: { perHour: 1 } });
  for (const bad of ['203.0.113.7, 10.0.0.1', 'localhost', '']) {
    await expect(otp.send(uz(1), { clientIp: bad })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  }
  await otp.send(uz(1), { clientIp: '::ffff:203.0.113.7' });
  await expect(otp.send(uz(2), { clientIp: '203.0.113.7' })).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'client_ip' } });
  expect(sentBy().eskiz).toBe(1);
});

// Outside scripts/with-redis.sh the table is empty (redis-deployments.ts says which are skipped).
const onEachRedis = REDIS_DEPLOYMENTS.length > 0 ? describe.each(REDIS_DEPLOYMENTS.map((d) => [d.name, d] as const)) : () => () => undefined;

onEachRedis('%s', (_name, deployment) => {
  test('two OtpService instances sharing the Redis store hold one budget exactly: 25 of 200', async () => {
    const store = { type: 'redis' as const, ...redisOptions(deployment), prefix: `uzgate-test:otp:${String(Date.now())}:${String(Math.random())}` };
    const a = otpService(routed(), { store, budget: { perHour: 25, perRegion: { UZ: 30 } } });
    const b = otpService(routed(), { store, budget: { perHour: 25, perRegion: { UZ: 30 } } });
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => outcome((i % 2 === 0 ? a : b).send(uz(i)))));
    expect(tally(outcomes)).toEqual({ sent: 25, 'RATE_LIMITED global_budget': 175 });
    expect(sentBy()).toEqual({ eskiz: 25, playmobile: 0, twilio: 0 });
  });
});

test('the budget alert fires once while the budget refuses and resolves when it admits again', async () => {
  const sms = eskiz(sb);
  const received: Alert[] = [];
  const otp = otpService(sms, { budget: { perHour: 2 }, alerts: { onAlert: (a) => void received.push(a) } });
  await otp.send(uz(0));
  // The second code is slow and will be refused by the provider: it holds the last slot meanwhile.
  sb.configure({ eskiz: { moderation: true } });
  sb.setFault({ path: '/message/sms/send', kind: 'latency', latencyMs: 1500, times: 1 });
  const slow = outcome(otp.send(uz(1)));
  await sleep(300);
  const refused = await Promise.all(Array.from({ length: 5 }, (_, i) => outcome(otp.send(uz(10 + i)))));
  expect(refused).toEqual(Array(5).fill('RATE_LIMITED global_budget'));
  await eventually(() => received.length === 1, 3000);
  expect(received.map((a) => `${a.kind} ${a.state}`)).toEqual(['otp_budget_exhausted firing']);
  expect(received[0].detail).toContain('The budget of 2 OTP codes per hour is used up');
  // The provider refuses the slow one: its slot goes back, the next send is admitted.
  expect(await slow).toBe('PROVIDER_REJECTED');
  sb.configure({ eskiz: { moderation: false } });
  await otp.send(uz(20));
  await eventually(() => received.length === 2, 3000);
  await sleep(200);
  expect(received.map((a) => `${a.kind} ${a.state}`)).toEqual(['otp_budget_exhausted firing', 'otp_budget_exhausted resolved']);
  expect(JSON.stringify(received)).not.toMatch(/99890/);
  expect(sentBy().eskiz).toBe(2);
});

test('a send whose outcome is unknown keeps its budget slot (the SMS may be billed); a definite failure gives it back', async () => {
  const sms = eskiz(sb);
  const otp = otpService(sms, { budget: { perHour: 2 } });
  sb.setFault({ path: '/message/sms/send', kind: 'reset', phase: 'after', times: 1 });
  expect(await outcome(otp.send(uz(0)))).toBe('OUTCOME_UNKNOWN');
  sb.configure({ eskiz: { moderation: true } });
  expect(await outcome(otp.send(uz(1)))).toBe('PROVIDER_REJECTED');
  sb.configure({ eskiz: { moderation: false } });
  expect(await outcome(otp.send(uz(2)))).toBe('sent');
  expect(await outcome(otp.send(uz(3)))).toBe('RATE_LIMITED global_budget');
  expect(sb.stats().eskiz.messages).toBe(2);
});

@Controller('auth')
class OtpController {
  constructor(private readonly otp: NestOtpService) {}

  @Post('send-otp')
  @HttpCode(200)
  async send(@Body() body: { phone: string }, @Req() request: { ip?: string }) {
    const { expiresInSeconds } = await this.otp.sendForHttp(body.phone, request);
    return { expiresInSeconds };
  }
}

async function otpApp(trustProxy: boolean): Promise<string> {
  @Module({
    imports: [
      SmsModule.forRoot({ provider: 'eskiz', eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url }, isGlobal: true }),
      OtpModule.forRoot({ secret: SECRET, perClientIp: { perHour: 3 } }),
    ],
    controllers: [OtpController],
  })
  class AppModule {}
  const app: INestApplication = await startApp({ imports: [AppModule] }, undefined, (a) => {
    a.useGlobalFilters(new UzgateExceptionFilter());
    if (trustProxy) (a.getHttpAdapter().getInstance() as { set(k: string, v: unknown): void }).set('trust proxy', 'loopback');
  });
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

async function post(url: string, phone: string, forwardedFor?: string): Promise<number> {
  const res = await fetch(`${url}/auth/send-otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor && { 'x-forwarded-for': forwardedFor }) },
    body: JSON.stringify({ phone }),
  });
  await res.arrayBuffer();
  return res.status;
}

test('per client IP through a Nest app, trust proxy off: a forged X-Forwarded-For does not escape the limit', async () => {
  const url = await otpApp(false);
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push(await post(url, uz(i), `198.51.100.${String(i)}`));
  expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
  expect(sentBy().eskiz).toBe(3);
});

test('per client IP through a Nest app, trust proxy on for the loopback proxy: each forwarded client counts apart', async () => {
  const url = await otpApp(true);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push(await post(url, uz(i), `198.51.100.${String(i)}`));
  // One forwarded client, four times: its own limit.
  for (let i = 0; i < 4; i++) statuses.push(await post(url, uz(10 + i), '203.0.113.9'));
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 429]);
  expect(sentBy().eskiz).toBe(9);
});
