/**
 * Several providers in one SmsClient: each number goes through its region's route, a send moves
 * to the next provider only when the previous one provably did not get it (never after
 * OUTCOME_UNKNOWN), and a provider that keeps failing rests behind its circuit breaker — with
 * every message counted at every provider of the sandbox: none is sent twice.
 */
import { createServer, type Server } from 'node:net';
import { OtpService, SmsClient, type Sandbox, type SmsClientOptions } from '../nest';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, closeAll, rejection, sandbox, sleep, track } from './helpers';

const PM_LOGIN = 'routing-login';
const PM_PASSWORD = 'routing-password-for-tests';
const UZ = '+998901234567';
const KZ = '+77011234567';
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ playmobile: { login: PM_LOGIN, password: PM_PASSWORD } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

function routed(overrides: Partial<SmsClientOptions> = {}): SmsClient {
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
      breaker: { failures: 3, coolDownMs: 1000 },
      ...overrides,
    }),
  );
}

/** Messages each provider of the sandbox received for `to`. */
function received(to: string): Record<string, number> {
  const digits = to.replace(/\D/g, '');
  const counts: Record<string, number> = { eskiz: 0, playmobile: 0, twilio: 0 };
  for (const m of sb.inbox()) if (m.to.replace(/\D/g, '') === digits) counts[m.provider] = (counts[m.provider] ?? 0) + 1;
  return counts;
}

/** A loopback port that refuses connections (listened on, then closed). */
async function refusedUrl(): Promise<string> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => { r(); }));
  return `http://127.0.0.1:${String(port)}`;
}

test('each number takes its route: Uzbek numbers Eskiz, others Twilio; the Uzbek aggregators never see a foreign number', async () => {
  const sms = routed();
  const uz = await sms.send({ to: UZ, text: 'Salom' });
  expect(uz).toMatchObject({ provider: 'eskiz', attempts: [{ provider: 'eskiz', outcome: 'sent' }] });
  const kz = await sms.send({ to: KZ, text: 'Salem' });
  expect(kz).toMatchObject({ provider: 'twilio', attempts: [{ provider: 'twilio', outcome: 'sent' }] });
  expect(received(UZ)).toEqual({ eskiz: 1, playmobile: 0, twilio: 0 });
  expect(received(KZ)).toEqual({ eskiz: 0, playmobile: 0, twilio: 1 });
});

test('a routed result lists its one attempt when the first provider sent it; a single-provider result has none', async () => {
  const single = track(new SmsClient({ provider: 'console', console: {} }));
  const alone = await single.send({ to: UZ, text: 'Salom' });
  expect(alone.provider).toBe('console');
  expect(alone.attempts).toBeUndefined();
  const routedConsole = track(new SmsClient({ console: {}, routing: [{ to: '*', via: ['console'] }] }));
  const first = await routedConsole.send({ to: UZ, text: 'Salom' });
  expect(first.attempts).toEqual([{ provider: 'console', outcome: 'sent' }]);
  const global = await routedConsole.sendGlobal({ to: KZ, text: 'Salem' });
  expect(global.attempts).toEqual([{ provider: 'console', outcome: 'sent' }]);
});

test.each([
  ['503 with Retry-After', { kind: 'status', status: 503, retryAfter: 1, phase: 'before' }, 'unavailable'],
  ['429', { kind: 'status', status: 429, retryAfter: 1, phase: 'before' }, 'rate_limited'],
  ['402 (unpaid)', { kind: 'status', status: 402, phase: 'before' }, 'unpaid'],
] as const)('Eskiz answers %s: the message goes through Play Mobile, once', async (_name, fault, reason) => {
  const sms = routed();
  sb.setFault({ path: '/message/sms/send', ...fault });
  const sent = await sms.send({ to: UZ, text: 'Kod: 1234' });
  expect(sent.provider).toBe('playmobile');
  expect(sent.attempts).toEqual([
    { provider: 'eskiz', outcome: 'failed', code: expect.any(String) as unknown, movedOn: reason },
    { provider: 'playmobile', outcome: 'sent' },
  ]);
  expect(received(UZ)).toEqual({ eskiz: 0, playmobile: 1, twilio: 0 });
});

test('a provider followed by another is asked once: a 429 moves on at once instead of being waited out, while a lone provider retries', async () => {
  sb.setFault({ path: '/message/sms/send', kind: 'status', status: 429, retryAfter: 1, phase: 'before' });
  const sms = routed();
  const started = Date.now();
  const sent = await sms.send({ to: UZ, text: 'Kod: 1234' });
  expect(Date.now() - started).toBeLessThan(900);
  expect(sent.provider).toBe('playmobile');
  expect(sb.stats().faultsInjected).toBe(1);

  const lone = track(new SmsClient({ provider: 'eskiz', eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url } }));
  expect((await rejection(lone.send({ to: UZ, text: 'Kod: 1234' }))).code).toBe('RATE_LIMITED');
  expect(sb.stats().faultsInjected).toBe(1 + 3);
  expect(received(UZ)).toEqual({ eskiz: 0, playmobile: 1, twilio: 0 });
});

test('Eskiz refuses connections and Play Mobile rejects the login: Twilio sends it, once', async () => {
  const sms = routed({
    eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: await refusedUrl() },
    playmobile: { login: PM_LOGIN, password: 'not-the-password-123', originator: '3700', baseUrl: sb.url },
  });
  const sent = await sms.send({ to: UZ, text: 'Kod: 1234' });
  expect(sent.provider).toBe('twilio');
  expect(sent.attempts?.map((a) => `${a.provider} ${a.outcome} ${a.movedOn ?? ''}`.trim())).toEqual([
    'eskiz failed not_connected',
    'playmobile failed auth_failed',
    'twilio sent',
  ]);
  expect(received(UZ)).toEqual({ eskiz: 0, playmobile: 0, twilio: 1 });
});

test('OUTCOME_UNKNOWN stops the send: Eskiz took the message and the answer broke; no other provider is asked', async () => {
  const sms = routed();
  sb.setFault({ path: '/message/sms/send', kind: 'reset', phase: 'after', times: 1 });
  const e = await rejection(sms.send({ to: UZ, text: 'Kod: 1234' }));
  expect(e.code).toBe('OUTCOME_UNKNOWN');
  expect(e.attempts).toEqual([{ provider: 'eskiz', outcome: 'failed', code: 'OUTCOME_UNKNOWN' }]);
  expect(received(UZ)).toEqual({ eskiz: 1, playmobile: 0, twilio: 0 });
});

test('a refusal of the message itself (an invalid number) is not moved on', async () => {
  const sms = routed();
  const e = await rejection(sms.send({ to: '+99890', text: 'x' }));
  expect(e.code).toBe('INVALID_PHONE');
  expect(sb.inbox()).toHaveLength(0);
});

test('the breaker opens after 3 failures, skips Eskiz without a request, lets one probe through after the cool-down and closes', async () => {
  const sms = routed();
  sb.setFault({ path: '/message/sms/send', kind: 'status', status: 503, retryAfter: 1, phase: 'before' });
  for (let i = 0; i < 3; i++) expect((await sms.send({ to: UZ, text: `n${String(i)}` })).provider).toBe('playmobile');
  expect(sms.providerStatus()?.find((p) => p.provider === 'eskiz')).toMatchObject({ breaker: 'open', failuresInARow: 3 });
  expect(sms.metrics()).toContain('uzgate_breaker_open{provider="eskiz"} 1');
  expect(sms.metrics()).toContain('uzgate_failovers_total{provider="eskiz",reason="unavailable"} 3');
  const eskizRequests = () => sb.stats().eskiz.sends;
  const before = eskizRequests();
  const skipped = await sms.send({ to: UZ, text: 'skipped' });
  expect(skipped.attempts?.[0]).toMatchObject({ provider: 'eskiz', outcome: 'skipped', movedOn: 'circuit_open' });
  expect(eskizRequests()).toBe(before);
  sb.clearFaults();
  await sleep(1100);
  const probe = await sms.send({ to: UZ, text: 'probe' });
  expect(probe.provider).toBe('eskiz');
  expect(sms.providerStatus()?.find((p) => p.provider === 'eskiz')).toMatchObject({ breaker: 'closed', failuresInARow: 0 });
  expect(sms.metrics()).toContain('uzgate_breaker_open{provider="eskiz"} 0');
  expect(sms.metrics()).toContain('uzgate_breaker_changes_total{provider="eskiz",change="opened"} 1');
  expect(sms.metrics()).toContain('uzgate_breaker_changes_total{provider="eskiz",change="closed"} 1');
  expect(received(UZ)).toEqual({ eskiz: 1, playmobile: 4, twilio: 0 });
});

test('OTP codes still arrive when the first provider is down', async () => {
  const sms = routed({ eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: await refusedUrl() } });
  const otp = new OtpService({ sms, secret: 'routing-otp-secret-0123456789', appName: 'MyShop' });
  try {
    await otp.send(UZ);
    const [msg] = sb.inbox();
    expect(msg.provider).toBe('playmobile');
    const code = /(\d{6})/.exec(msg.text)![1];
    expect(await otp.verify(UZ, code)).toEqual({ ok: true });
  } finally {
    otp.close();
  }
});

test.each([
  ['a route naming an unconfigured provider', { routing: [{ to: 'UZ', via: ['eskiz', 'sms.ru'] }] }, 'routing[0].via[1] "sms.ru" is not configured'],
  ['a provider no route uses', { routing: [{ to: '*', via: ['eskiz'] }] }, 'no route uses'],
  ['a lower-case region', { routing: [{ to: 'uz', via: ['eskiz'] }] }, 'routing[0].to must be an ISO region'],
  ['breaker failures 0', { breaker: { failures: 0 } }, 'breaker.failures must be between 1 and 100'],
] as const)('%s: CONFIG from the constructor', (_name, overrides, message) => {
  expect(() => routed(overrides as Partial<SmsClientOptions>)).toThrow(message);
});

test('SMS pumping: 1,000 OTP requests to rotating foreign numbers send nothing by default; a region allowed by name goes through Twilio', async () => {
  const sms = routed();
  const otp = new OtpService({ sms, secret: 'routing-otp-secret-0123456789', appName: 'MyShop' });
  const named = new OtpService({ sms, secret: 'routing-otp-secret-0123456789', appName: 'MyShop', allowedRegions: ['UZ', 'KZ'] });
  try {
    // Premium-looking ranges abroad, a fresh number each time, as a pumping bot rotates them.
    const ranges: Array<[string, number]> = [['+7701', 7], ['+447911', 6], ['+37491', 6], ['+99292', 7], ['+37060', 6]];
    const codes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const [prefix, digits] = ranges[i % ranges.length];
      const to = `${prefix}${String(10_000_000 + i).slice(-digits)}`;
      const code = await otp.send(to).then(() => 'sent', (e: unknown) => (e as { code: string }).code);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ INVALID_PHONE: 1000 });
    expect(sb.inbox()).toHaveLength(0);
    expect(sms.metrics()).toContain('uzgate_otp_refusals_total{reason="region_not_allowed"} 1000');
    const e = await rejection(otp.send(KZ));
    expect(e.message).toContain('OTP codes are not sent to numbers of KZ: allowed are UZ');
    expect(e.details).toEqual({ reason: 'region_not_allowed' });
    // Allowed by name: the code goes out, through the '*' route.
    await named.send(KZ);
    expect(received(KZ)).toEqual({ eskiz: 0, playmobile: 0, twilio: 1 });
    await otp.send(UZ);
    expect(received(UZ)).toEqual({ eskiz: 1, playmobile: 0, twilio: 0 });
  } finally {
    otp.close();
    named.close();
  }
});

test('allowedRegions must name regions: CONFIG', () => {
  const sms = routed();
  expect(() => new OtpService({ sms, secret: 'routing-otp-secret-0123456789', allowedRegions: ['uz'] })).toThrow('allowedRegions must list ISO regions');
  expect(() => new OtpService({ sms, secret: 'routing-otp-secret-0123456789', allowedRegions: [] })).toThrow('allowedRegions must list ISO regions');
});

test('sendBatch routes each message: Uzbek numbers through Eskiz, others through Twilio; an unroutable number refuses the batch before any send', async () => {
  const sms = routed();
  const batch = await sms.sendBatch([
    { to: UZ, text: 'Salom', reference: '1' },
    { to: KZ, text: 'Salem', reference: '2' },
  ]);
  expect(batch.provider).toBe('routed');
  expect(batch.messages.map((m) => [m.reference, m.provider, m.error ?? null])).toEqual([
    ['1', 'eskiz', null],
    ['2', 'twilio', null],
  ]);
  expect(received(UZ)).toEqual({ eskiz: 1, playmobile: 0, twilio: 0 });
  expect(received(KZ)).toEqual({ eskiz: 0, playmobile: 0, twilio: 1 });

  const uzOnly = routed({ twilio: undefined, routing: [{ to: 'UZ', via: ['eskiz', 'playmobile'] }] });
  const e = await rejection(uzOnly.sendBatch([{ to: UZ, text: 'x' }, { to: KZ, text: 'y' }]));
  expect(e.code).toBe('INVALID_PHONE');
  expect(e.message).toMatch(/^messages\[1\]: no route takes numbers of KZ/);
  expect(sb.inbox()).toHaveLength(2);
});

test("the OTP view shows the regions codes go to, as decided with the SMS client", () => {
  const sms = routed();
  const otp = new OtpService({ sms, secret: 'routing-otp-secret-0123456789' });
  const named = new OtpService({ sms, secret: 'routing-otp-secret-0123456789', allowedRegions: ['UZ', 'KZ'] });
  try {
    expect(otp.configuration().otp?.allowedRegions).toEqual(['UZ']);
    expect(named.configuration().otp?.allowedRegions).toEqual(['UZ', 'KZ']);
  } finally {
    otp.close();
    named.close();
  }
});
