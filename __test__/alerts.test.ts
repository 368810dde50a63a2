/**
 * Operator alerts, end to end against the sandbox's Telegram and webhook receiver: amoCRM
 * disconnected, token refreshes failing in a row, a token the store could not save — each one
 * message per incident however many calls fail, one "resolved" when it clears, no secret in any
 * text; a receiver that refuses stops after one request and never fails a send; settings checked
 * before any request.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { AmoCrmClient, SmsClient, type CustomTokenStore, type Sandbox, type StoredRecord } from '../nest';
import { AMO, amo, authorize, closeAll, eskiz, eventually, logCollector, rejection, sandbox, sleep, track } from './helpers';

let sb: Sandbox;
// minted per run: nothing that looks like a credential is committed
const webhookSecret = randomBytes(24).toString('hex');
const CONNECT_URL = 'https://shop.example.uz/amocrm/authorize';

beforeEach(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

function alerts(extra: object = {}) {
  const bot = sb.telegramBot();
  return {
    telegram: { botToken: bot.token, chatId: bot.chatId!, apiRoot: sb.url },
    webhook: { url: `${sb.url}/webhooks/alerts`, secret: webhookSecret },
    connectUrl: CONNECT_URL,
    ...extra,
  };
}

const texts = () => sb.telegramMessages().map((m) => m.text);
const lead = (name: string) => ({ name, contact: { name: 'Aziz Karimov', phone: '90 123 45 67' } });

/** Every webhook alert, its signature checked as a receiver would. */
function webhookAlerts(): Array<Record<string, unknown>> {
  return sb.webhookRequests('alerts').map((r) => {
    const ts = r.headers['x-uzgate-timestamp'];
    const expected = createHmac('sha256', webhookSecret).update(`${ts}.${r.body}`).digest('hex');
    expect(r.headers['x-uzgate-signature']).toBe(`v1=${expected}`);
    return JSON.parse(r.body) as Record<string, unknown>;
  });
}

function expectNoSecret(...more: string[]) {
  const everything = [...texts(), ...sb.webhookRequests('alerts').map((r) => r.body)].join('\n');
  for (const secret of [AMO.clientSecret, sb.telegramBot().token, webhookSecret, ...more]) expect(everything).not.toContain(secret);
}

test('amoCRM disconnected: one alert for 20 failed calls (Telegram and webhook), one resolved after a new authorisation', async () => {
  const client = amo(sb, { alerts: alerts() });
  await authorize(client, sb);
  await client.account();
  sb.revokeTokens('amocrm');
  for (let i = 0; i < 20; i++) expect((await rejection(client.account())).code).toBe('REAUTHORIZATION_REQUIRED');
  await eventually(() => texts().length === 1 && sb.webhookRequests('alerts').length === 1, 5000);
  // More failed calls over 3 s (past the refresh backoff): still the one incident, no second alert.
  for (const until = Date.now() + 3000; Date.now() < until; await sleep(200)) await rejection(client.account());
  await sleep(300);
  expect(texts()).toHaveLength(1);
  const [firing] = texts();
  expect(firing).toMatch(/^🔴 amoCRM is disconnected\namoCRM /);
  expect(firing).toContain(`Connect it again: open ${CONNECT_URL}`);
  expect(webhookAlerts()).toEqual([expect.objectContaining({ kind: 'reauthorization_required', state: 'firing', repeat: false })]);

  await authorize(client, sb);
  await client.account();
  await eventually(() => texts().length === 2, 5000);
  expect(texts()[1]).toMatch(/^✅ RESOLVED: amoCRM is disconnected/);
  expect(webhookAlerts().map((a) => a.state)).toEqual(['firing', 'resolved']);
  expect(client.metrics()).toContain('uzgate_alerts_total{kind="reauthorization_required",state="firing",sink="telegram",result="sent"} 1');
  expectNoSecret();
});

test('token refreshes failing: an alert after refreshFailures in a row, resolved by the next success', async () => {
  const sms = eskiz(sb, { alerts: alerts({ refreshFailures: 2 }) });
  sb.setFault({ path: '/auth/login', kind: 'status', status: 500, times: 1000 });
  const until = Date.now() + 15_000;
  while (texts().length === 0) {
    if (Date.now() > until) throw new Error('no alert after failing refreshes');
    await sms.send({ to: '+998901234567', text: 'x' }).catch(() => undefined);
    await sleep(300);
  }
  expect(texts()).toHaveLength(1);
  expect(texts()[0]).toMatch(/^🔴 token refreshes keep failing\nEskiz d\*\*\*@uzgate\.dev\n/);
  expect(texts()[0]).toMatch(/\d+ token refreshes failed in a row, the last with PROVIDER_UNAVAILABLE/);
  sb.clearFaults();
  await eventually(() => true);
  const recover = Date.now() + 10_000;
  for (;;) {
    const ok = await sms.send({ to: '+998901234567', text: 'x' }).then(() => true, () => false);
    if (ok) break;
    if (Date.now() > recover) throw new Error('never recovered');
    await sleep(300);
  }
  await eventually(() => texts().length === 2, 5000);
  expect(texts()[1]).toMatch(/^✅ RESOLVED: token refreshes keep failing/);
  expectNoSecret();
});

test('a token the store cannot save: one alert, resolved once the store has it', async () => {
  let failing = true;
  const table = new Map<string, StoredRecord>();
  const store: CustomTokenStore = {
    load: (key) => Promise.resolve(table.get(key) ?? null),
    save: (key, expected, data) => {
      if (failing) return Promise.reject(new Error('connection reset by peer'));
      if ((table.get(key)?.version ?? 0) !== expected) return Promise.resolve(false);
      table.set(key, { version: expected + 1, data });
      return Promise.resolve(true);
    },
  };
  const sms = eskiz(sb, { tokenStore: { type: 'custom', store }, alerts: alerts() });
  await sms.send({ to: '+998901234567', text: 'sent although the store is down' });
  await eventually(() => texts().length === 1, 5000);
  expect(texts()[0]).toMatch(/^🔴 a token could not be saved to the store\n/);
  failing = false;
  await eventually(() => texts().length === 2, 8000);
  expect(texts()[1]).toMatch(/^✅ RESOLVED: a token could not be saved to the store/);
  expect(table.size).toBe(1);
  expectNoSecret();
});

test('a receiver that refuses: sends go on, one request to it, one log line, counted', async () => {
  const { lines, logger } = logCollector();
  const bot = sb.telegramBot();
  const client = amo(sb, {
    logger,
    alerts: { telegram: { botToken: bot.token, chatId: -1009999999999, apiRoot: sb.url } },
  });
  await authorize(client, sb);
  sb.revokeTokens('amocrm');
  await rejection(client.account());
  await eventually(() => (sb.stats().telegram as { requests: number }).requests === 1, 5000);
  await authorize(client, sb);
  await client.account(); // resolved: the sink is off, nothing is sent
  sb.revokeTokens('amocrm');
  await rejection(client.account());
  await sleep(500);
  expect((sb.stats().telegram as { requests: number }).requests).toBe(1);
  const refusals = lines.filter((l) => l.message.includes('telegram alerts stopped'));
  expect(refusals).toHaveLength(1);
  expect(refusals[0].message).toContain('Bad Request: chat not found');
  expect(refusals[0].message).not.toContain(bot.token);
  expect(client.metrics()).toContain('result="refused"} 1');
});

test('amoCRM blocked (403) and unpaid (402): one alert each, resolved when calls succeed again (a write, for unpaid)', async () => {
  const client = amo(sb, { alerts: alerts(), blockCooldownMs: 1000 });
  await authorize(client, sb);
  sb.setFault({ path: '/api/v4/account', kind: 'status', status: 403, times: 1 });
  expect((await rejection(client.account())).code).toBe('ACCESS_BLOCKED');
  expect((await rejection(client.account())).code).toBe('ACCESS_BLOCKED'); // the breaker: no request
  await eventually(() => texts().length === 1, 5000);
  expect(texts()[0]).toMatch(/^🔴 amoCRM blocked the integration\n/);
  await sleep(1100);
  await client.account();
  await eventually(() => texts().length === 2, 5000);
  expect(texts()[1]).toMatch(/^✅ RESOLVED: amoCRM blocked the integration/);

  sb.configure({ amocrm: { unpaid: true } });
  for (const name of ['a', 'b']) expect((await rejection(client.createLead(lead(name)))).code).toBe('ACCOUNT_UNPAID');
  await client.account(); // reads still work while unpaid: not resolved by them
  await eventually(() => texts().length === 3, 5000);
  expect(texts()[2]).toMatch(/^🔴 the amoCRM account is unpaid\n/);
  await sleep(300);
  expect(texts()).toHaveLength(3);
  sb.configure({ amocrm: { unpaid: false } });
  await client.createLead(lead('c'));
  // Sinks are served in turn: the webhook's copy follows Telegram's.
  await eventually(() => texts().length === 4 && sb.webhookRequests('alerts').length === 4, 5000);
  expect(texts()[3]).toMatch(/^✅ RESOLVED: the amoCRM account is unpaid/);
  expect(webhookAlerts().map((a) => `${String(a.kind)} ${String(a.state)}`)).toEqual([
    'access_blocked firing',
    'access_blocked resolved',
    'account_unpaid firing',
    'account_unpaid resolved',
  ]);
});

test('low balance: an alert while the polled balance is below the threshold, resolved after a top-up', async () => {
  sb.configure({ eskiz: { initialBalance: 400 } });
  eskiz(sb, { balancePollMs: 1000, alerts: alerts({ lowBalance: 500 }) });
  await eventually(() => texts().length === 1, 5000);
  expect(texts()[0]).toMatch(/^🔴 the SMS balance is low\nEskiz d\*\*\*@uzgate\.dev\n/);
  expect(texts()[0]).toContain('Balance 400 UZS, below the alert threshold 500');
  await sleep(1500); // more polls below the threshold: no second message
  expect(texts()).toHaveLength(1);
  sb.configure({ eskiz: { initialBalance: 100_000 } });
  await eventually(() => texts().length === 2, 5000);
  expect(texts()[1]).toMatch(/^✅ RESOLVED: the SMS balance is low/);
  expectNoSecret();
});

test('lowBalance needs balancePollMs, and is for SMS clients: CONFIG', () => {
  const webhook = { url: 'https://ops.example.uz/hooks', secret: webhookSecret };
  expect(() => track(new SmsClient({ provider: 'console', alerts: { webhook, lowBalance: 10 } }))).toThrow('alerts.lowBalance needs balancePollMs');
  expect(() => track(new AmoCrmClient({ clientId: AMO.clientId, longLivedToken: 'x'.repeat(40), baseUrl: sb.url, alerts: { webhook, lowBalance: 10 } }))).toThrow(
    'alerts.lowBalance is for SmsClient',
  );
});

test.each([
  ['no sink', { repeatAfterMs: 3_600_000 }, /alerts needs a place to send them/],
  ['a malformed bot token', { telegram: { botToken: 'not-a-token', chatId: 1 } }, /alerts.telegram.botToken must be/],
  ['a chat that is no chat', { telegram: { botToken: '123456:ABC', chatId: 'general' } }, /alerts.telegram.chatId must be/],
  ['a short webhook secret', { webhook: { url: 'https://ops.example.uz/hooks', secret: 'short' } }, /alerts.webhook.secret must be at least 16/],
  ['reminders too often', { webhook: { url: 'https://ops.example.uz/hooks', secret: webhookSecret }, repeatAfterMs: 1000 }, /alerts.repeatAfterMs must be at least 60000/],
  ['an unknown key', { telegram: { botToken: '123456:ABC', chatId: 1, chatID: 2 } }, /chatID/],
])('%s: CONFIG from the constructor, no request', (_name, options, message) => {
  const before = (sb.stats().telegram as { requests: number }).requests;
  expect(() => track(new SmsClient({ provider: 'console', alerts: options }))).toThrow(message);
  expect(() => track(new AmoCrmClient({ clientId: AMO.clientId, longLivedToken: 'x'.repeat(40), baseUrl: sb.url, alerts: options }))).toThrow(message);
  expect((sb.stats().telegram as { requests: number }).requests).toBe(before);
});
