/**
 * A routed provider's circuit breaker as operators see it: opening it sends one "SMS provider
 * unavailable" alert (webhook and onAlert) naming the provider, the failures, the last code and
 * the probe, and the probe's success one "resolved". With a Redis token store the breaker is
 * shared: a second client skips the failing provider with no request once the first opened it,
 * and the two send one alert between them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SmsClient, type Alert, type Sandbox, type SmsClientOptions } from '../nest';
import { createServer } from 'node:net';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, closeAll, eventually, logCollector, sandbox, sleep, track } from './helpers';
import { REDIS_DEPLOYMENTS, redisOptions } from './redis-deployments';

const PM_LOGIN = 'breaker-login';
const PM_PASSWORD = 'breaker-password-for-tests';
const UZ = '+998901234567';
// minted per run: nothing that looks like a credential is committed
const webhookSecret = randomBytes(24).toString('hex');
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ playmobile: { login: PM_LOGIN, password: PM_PASSWORD } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

function routed(overrides: Partial<SmsClientOptions> = {}): SmsClient {
  return track(
    new SmsClient({
      eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url },
      playmobile: { login: PM_LOGIN, password: PM_PASSWORD, originator: '3700', baseUrl: sb.url },
      routing: [{ to: 'UZ', via: ['eskiz', 'playmobile'] }],
      breaker: { failures: 3, coolDownMs: 1000 },
      ...overrides,
    }),
  );
}

/** Every webhook alert, its signature checked as a receiver would. */
function webhookAlerts(): Alert[] {
  return sb.webhookRequests('alerts').map((r) => {
    const ts = r.headers['x-uzgate-timestamp'];
    expect(r.headers['x-uzgate-signature']).toBe(`v1=${createHmac('sha256', webhookSecret).update(`${ts}.${r.body}`).digest('hex')}`);
    return JSON.parse(r.body) as Alert;
  });
}

const states = (alerts: Alert[]) => alerts.map((a) => `${a.kind} ${a.state}`);
const eskizDown = () => { sb.setFault({ path: '/message/sms/send', kind: 'status', status: 503, retryAfter: 1, phase: 'before' }); };

test('the breaker opening sends one "SMS provider unavailable" alert, the probe closing it one resolved; no secret in the text', async () => {
  const received: Alert[] = [];
  const sms = routed({ alerts: { webhook: { url: `${sb.url}/webhooks/alerts`, secret: webhookSecret }, onAlert: (a) => void received.push(a) } });
  eskizDown();
  for (let i = 0; i < 6; i++) expect((await sms.send({ to: UZ, text: `n${String(i)}` })).provider).toBe('playmobile');
  await eventually(() => received.length === 1 && webhookAlerts().length === 1);
  const [alert] = received;
  expect(alert).toMatchObject({ kind: 'provider_down', state: 'firing', repeat: false });
  expect(alert.integration).toContain('provider eskiz');
  expect(alert.detail).toMatch(/^3 sends in a row failed for the provider's sake, the last with PROVIDER_UNAVAILABLE; sends skip it without a request until one probe at 20\d\d-/);
  expect(alert.action).toContain("Check eskiz's status");
  expect(alert.text.startsWith('🔴 SMS provider unavailable\n')).toBe(true);
  for (const secret of [ESKIZ_PASSWORD, PM_PASSWORD, webhookSecret, '901234567']) expect(JSON.stringify([received, webhookAlerts()])).not.toContain(secret);
  sb.clearFaults();
  await sleep(1100);
  expect((await sms.send({ to: UZ, text: 'probe' })).provider).toBe('eskiz');
  await eventually(() => received.length === 2 && webhookAlerts().length === 2);
  expect(states(received)).toEqual(['provider_down firing', 'provider_down resolved']);
  expect(states(webhookAlerts())).toEqual(['provider_down firing', 'provider_down resolved']);
  expect(sms.providerStatus()?.find((p) => p.provider === 'eskiz')).toMatchObject({ breaker: 'closed', shared: false });
});

test('alerts.providerDown: false turns the alert off; it needs routing', async () => {
  const received: Alert[] = [];
  const sms = routed({ alerts: { onAlert: (a) => void received.push(a), providerDown: false } });
  eskizDown();
  for (let i = 0; i < 4; i++) await sms.send({ to: UZ, text: `n${String(i)}` });
  expect(sms.providerStatus()?.find((p) => p.provider === 'eskiz')?.breaker).toBe('open');
  await sleep(200);
  expect(received).toEqual([]);
  expect(() => new SmsClient({ provider: 'console', alerts: { onAlert: () => undefined, providerDown: true } })).toThrow('alerts.providerDown needs routing');
});

// One server and the TLS cluster (the Rust tests take all four); outside `npm test` (no Redis
// started) the table is empty: skipped, as redis-deployments warns.
const shared = REDIS_DEPLOYMENTS.filter((d) => d.name === 'redis' || d.name === 'redis cluster TLS');
const onSharedRedis = shared.length > 0 ? describe.each(shared) : () => { test.skip('shared breakers: no Redis here', () => undefined); };
onSharedRedis('shared through $name', (deployment) => {
  test('two clients: the second skips the failing provider with 0 requests after the first opened it; one alert, one resolved', async () => {
    const key = `{breakers-${randomBytes(6).toString('hex')}}:tokens`;
    const received: Alert[] = [];
    const options = (): Partial<SmsClientOptions> => ({
      tokenStore: { type: 'redis', key, ...redisOptions(deployment) },
      alerts: { onAlert: (a) => void received.push(a) },
    });
    const breaker = { failures: 3, coolDownMs: 4000 };
    const first = routed({ ...options(), breaker });
    const second = routed({ ...options(), breaker });
    // The second client has read the (closed) state once, then stays idle.
    expect((await second.send({ to: UZ, text: 'warm' })).provider).toBe('eskiz');
    eskizDown();
    for (let i = 0; i < 3; i++) expect((await first.send({ to: UZ, text: `n${String(i)}` })).provider).toBe('playmobile');
    const openedAt = Date.now();
    expect(first.providerStatus()?.find((p) => p.provider === 'eskiz')).toMatchObject({ breaker: 'open', failuresInARow: 3, shared: true });
    const before = sb.stats().eskiz.sends;
    // An idle client's view is older than 2 s: it reads the shared state before sending.
    await sleep(2100);
    for (let i = 0; i < 5; i++) {
      const sent = await second.send({ to: UZ, text: `s${String(i)}` });
      expect(sent.provider).toBe('playmobile');
      expect(sent.attempts?.[0]).toMatchObject({ provider: 'eskiz', outcome: 'skipped', movedOn: 'circuit_open' });
    }
    expect(sb.stats().eskiz.sends).toBe(before);
    expect(second.providerStatus()?.find((p) => p.provider === 'eskiz')).toMatchObject({ breaker: 'open', failuresInARow: 3, shared: true });
    sb.clearFaults();
    // The probe takes its time, so the other client asks while it is out.
    sb.setFault({ path: '/message/sms/send', kind: 'latency', latencyMs: 300, times: 1 });
    await sleep(4100 - (Date.now() - openedAt));
    const probes = await Promise.all([first.send({ to: UZ, text: 'p1' }), second.send({ to: UZ, text: 'p2' })]);
    expect(probes.filter((p) => p.provider === 'eskiz')).toHaveLength(1);
    expect(sb.stats().eskiz.sends).toBe(before + 1);
    await sleep(2100);
    expect((await second.send({ to: UZ, text: 'after' })).provider).toBe('eskiz');
    expect((await first.send({ to: UZ, text: 'after' })).provider).toBe('eskiz');
    await eventually(() => received.length === 2, 3000);
    await sleep(300);
    expect(states(received)).toEqual(['provider_down firing', 'provider_down resolved']);
  });
});

test('Redis not answering: the client rests the provider with its own breaker and says so once in the log', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => { r(); }));
  const { lines, logger } = logCollector();
  const sms = track(new SmsClient({
    playmobile: { login: PM_LOGIN, password: PM_PASSWORD, originator: '3700', baseUrl: sb.url },
    console: {},
    routing: [{ to: 'UZ', via: ['playmobile', 'console'] }],
    breaker: { failures: 3, coolDownMs: 5000 },
    tokenStore: { type: 'redis', url: `redis://127.0.0.1:${String(port)}` },
    logger,
  }));
  sb.setFault({ path: '/broker-api/send', kind: 'status', status: 503, retryAfter: 1, phase: 'before' });
  for (let i = 0; i < 3; i++) expect((await sms.send({ to: UZ, text: `n${String(i)}` })).provider).toBe('console');
  const before = sb.stats().playmobile.sends;
  const skipped = await sms.send({ to: UZ, text: 'skipped' });
  expect(skipped.attempts?.[0]).toMatchObject({ provider: 'playmobile', outcome: 'skipped' });
  expect(sb.stats().playmobile.sends).toBe(before);
  expect(sms.providerStatus()?.find((p) => p.provider === 'playmobile')).toMatchObject({ breaker: 'open', failuresInARow: 3, shared: false });
  await eventually(() => lines.some((l) => l.message.includes('circuit breakers are not shared')));
  expect(lines.filter((l) => l.message.includes('circuit breakers are not shared'))).toHaveLength(1);
});
