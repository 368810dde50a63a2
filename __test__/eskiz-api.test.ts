/** Every Eskiz operation end to end against the sandbox, and what happens when Eskiz misbehaves. */
import { type Sandbox } from '../nest';
import { closeAll, eskiz, eventually, logCollector, rejection, sandbox, sleep } from './helpers';

const UZ = '+998 90 123-45-67';
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ eskiz: { acceptAfterMs: 20, deliverAfterMs: 60 } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

test('send: normalised number, segments, the sandbox got exactly that message', async () => {
  const client = eskiz(sb);
  const latin = await client.send({ to: UZ, text: 'a'.repeat(161), reference: '42' });
  expect(latin).toMatchObject({ provider: 'eskiz', status: 'pending', rawStatus: 'waiting', segments: 2, encoding: 'gsm7', to: '+998901234567' });
  const cyr = await client.send({ to: '901234567', text: 'Тасдиқлаш коди: 123456' });
  expect(cyr).toMatchObject({ segments: 1, encoding: 'ucs2' });
  const inbox = sb.inbox();
  expect(inbox).toHaveLength(2);
  expect(inbox[0]).toMatchObject({ id: latin.id, to: '998901234567', from: '4546', parts: 2 });
  expect(inbox[0].userSmsId).toBe('42');
  expect((await client.balance()).balance).toBe(1_000_000 - 3 * 50);
});

test('status follows the lifecycle to delivered', async () => {
  const client = eskiz(sb);
  const sent = await client.send({ to: UZ, text: 'Salom' });
  await sleep(150);
  const s = await client.status(sent.id);
  expect(s).toMatchObject({ id: sent.id, provider: 'eskiz', status: 'delivered', rawStatus: 'DELIVERED', segments: 1 });
});

test('sendBatch: one request, a status per message, dispatch id kept', async () => {
  const client = eskiz(sb);
  const r = await client.sendBatch(
    [
      { to: UZ, text: 'Birinchi', reference: '1' },
      { to: '+998911234567', text: 'Иккинчи', reference: '2' },
    ],
    { dispatchId: 777 },
  );
  expect(r).toMatchObject({ provider: 'eskiz', dispatchId: 777, segments: 2 });
  expect(r.messages.map((m) => [m.to, m.status, m.reference])).toEqual([
    ['+998901234567', 'pending', '1'],
    ['+998911234567', 'pending', '2'],
  ]);
  const stats = sb.stats().eskiz;
  expect(stats.batches).toBe(1);
  expect(stats.messages).toBe(2);
  expect(sb.inbox().map((m) => m.dispatchId)).toEqual([777, 777]);
});

test('sendGlobal: country from the number, unicode flag from the text', async () => {
  const client = eskiz(sb);
  const r = await client.sendGlobal({ to: '+1 415 555 2671', text: 'Hello' });
  expect(r).toMatchObject({ provider: 'eskiz', to: '+14155552671' });
  const m = sb.inbox()[0];
  expect(m.to).toBe('14155552671');
  expect(m.countryCode ?? m.country).toBe('US');
});

test('account endpoints: user, balance, templates, submitTemplate, messages', async () => {
  const client = eskiz(sb);
  const user = await client.user();
  expect(user).toMatchObject({ email: 'demo@uzgate.dev', role: 'user', isVip: false });
  expect(await client.submitTemplate('Kod: 123456')).toBe('Kod: 123456');
  let templates = await client.templates();
  expect(templates.at(-1)).toMatchObject({ originalText: 'Kod: 123456', status: 'moderation', approved: false });
  sb.approveTemplates();
  templates = await client.templates();
  expect(templates.at(-1)).toMatchObject({ status: 'service', approved: true });
  await client.send({ to: UZ, text: 'Tarix uchun' });
  const page = await client.messages({ pageSize: 20 });
  expect(page.total).toBe(1);
  expect(page.items[0]).toMatchObject({ to: '998901234567', text: 'Tarix uchun', segments: 1 });
});

test('moderation refusal: PROVIDER_REJECTED with Eskiz text, not retried', async () => {
  sb.configure({ eskiz: { moderation: true } });
  const client = eskiz(sb);
  const err = await rejection(client.send({ to: UZ, text: 'Not approved' }));
  expect(err).toMatchObject({ code: 'PROVIDER_REJECTED', provider: 'eskiz', status: 400, retryable: false });
  expect(err.providerMessage).toMatch(/модерацию/);
  expect(sb.stats().eskiz.sends).toBe(0);
  // Digits may vary in an approved text.
  await client.submitTemplate('Kod: 111111');
  sb.approveTemplates();
  await expect(client.send({ to: UZ, text: 'Kod: 987654' })).resolves.toMatchObject({ status: 'pending' });
});

test('a timeout after the request was sent is OUTCOME_UNKNOWN and the SMS is not sent twice', async () => {
  const client = eskiz(sb, { timeoutMs: 500 });
  await client.balance();
  sb.setFault({ path: '/message/sms/send', kind: 'timeout', phase: 'after', latencyMs: 2000, times: 1 });
  const err = await rejection(client.send({ to: UZ, text: 'Bir marta' }));
  expect(err).toMatchObject({ code: 'OUTCOME_UNKNOWN', provider: 'eskiz', retryable: false });
  expect(sb.stats().eskiz.sends).toBe(1);
  await sleep(100);
  expect(sb.stats().eskiz.sends).toBe(1);
});

test('a 500 on send is OUTCOME_UNKNOWN, sent once; the same 500 on a read is retried', async () => {
  const client = eskiz(sb);
  await client.balance();
  sb.setFault({ path: '/message/sms/send', kind: 'status', status: 500, phase: 'after', times: 1 });
  await expect(client.send({ to: UZ, text: 'Salom' })).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 500 });
  expect(sb.stats().eskiz.sends).toBe(1);
  sb.setFault({ path: '/user/get-limit', kind: 'status', status: 502, times: 2 });
  await expect(client.balance()).resolves.toMatchObject({ provider: 'eskiz' });
});

test('a connection reset mid-response of a send is OUTCOME_UNKNOWN, never re-sent', async () => {
  const client = eskiz(sb);
  await client.balance();
  sb.setFault({ path: '/message/sms/send', kind: 'resetMidBody', phase: 'after', times: 1 });
  await expect(client.send({ to: UZ, text: 'Salom' })).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  expect(sb.stats().eskiz.sends).toBe(1);
});

test('503 with Retry-After and 429 were not processed: the send is retried and goes out once', async () => {
  const client = eskiz(sb);
  await client.balance();
  sb.setFault({ path: '/message/sms/send', kind: 'status', status: 503, retryAfter: 1, times: 1 });
  await expect(client.send({ to: UZ, text: 'Salom' })).resolves.toMatchObject({ status: 'pending' });
  sb.setFault({ path: '/message/sms/send', kind: 'status', status: 429, retryAfter: 1, times: 1 });
  await expect(client.send({ to: UZ, text: 'Salom' })).resolves.toMatchObject({ status: 'pending' });
  expect(sb.stats().eskiz.sends).toBe(2);
});

test('429 beyond the attempts: RATE_LIMITED with retryAfterMs', async () => {
  const client = eskiz(sb);
  await client.balance();
  sb.setFault({ path: '/user/get-limit', kind: 'status', status: 429, retryAfter: 7 });
  await expect(client.balance()).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 7000 });
});

test('a malformed success body of a send is OUTCOME_UNKNOWN; of a read, PROVIDER_UNAVAILABLE', async () => {
  const client = eskiz(sb);
  await client.balance();
  sb.setFault({ path: '/message/sms/send', kind: 'malformed', phase: 'after', times: 1 });
  await expect(client.send({ to: UZ, text: 'Salom' })).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  sb.setFault({ path: '/user/get-limit', kind: 'malformed' });
  await expect(client.balance()).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
});

test('connection refused: NETWORK, nothing sent, within the timeout', async () => {
  const port = new URL(sb.url).port;
  await sb.close();
  const client = eskiz(sb, { eskiz: { baseUrl: `http://127.0.0.1:${port}` }, timeoutMs: 3000 });
  const started = Date.now();
  await expect(client.send({ to: UZ, text: 'Salom' })).rejects.toMatchObject({ code: 'NETWORK', provider: 'eskiz' });
  expect(Date.now() - started).toBeLessThan(3500);
  sb = await sandbox();
});

test('log lines reach the logger: masked numbers, no token, no password', async () => {
  const { lines, logger } = logCollector();
  const client = eskiz(sb, { logger, logLevel: 'debug' });
  await client.send({ to: UZ, text: 'Kod: 482913' });
  sb.expireTokens('eskiz');
  await client.send({ to: UZ, text: 'Kod: 482913' });
  await eventually(() => lines.some((l) => l.message.includes('refresh')));
  const all = lines.map((l) => `${l.level} ${l.scope} ${l.message}`).join('\n');
  expect(all).toMatch(/\+9989\*\*\*4567/);
  expect(all).not.toMatch(/998901234567/);
  expect(all).not.toMatch(/eyJ/);
  expect(all).not.toContain('sandbox-secret');
  expect(all).not.toContain('482913');
  expect(lines.every((l) => l.scope.startsWith('uzgate'))).toBe(true);
});

test('metrics() counts requests by endpoint and status, and refreshes', async () => {
  const client = eskiz(sb);
  await client.send({ to: UZ, text: 'Salom' });
  sb.expireTokens('eskiz');
  await client.send({ to: UZ, text: 'Salom' });
  const text = client.metrics();
  expect(text).toContain('uzgate_requests_total{provider="eskiz",endpoint="sms/send",status="200"} 2');
  expect(text).toContain('uzgate_requests_total{provider="eskiz",endpoint="sms/send",status="401"} 1');
  expect(text).toContain('uzgate_token_refreshes_total{provider="eskiz",result="ok"} 1');
  expect(text).toContain('uzgate_request_duration_seconds_bucket');
});

test('maxConcurrency keeps a burst to that many connections; the rest wait their turn', async () => {
  const client = eskiz(sb, { maxConcurrency: 8 });
  await client.balance();
  const before = sb.stats().connections as number;
  sb.setFault({ path: '/message/sms/send', kind: 'latency', latencyMs: 100, times: 40 });
  const results = await Promise.all(Array.from({ length: 40 }, () => client.send({ to: UZ, text: 'Salom' })));
  expect(results).toHaveLength(40);
  expect((sb.stats().connections as number) - before).toBeLessThanOrEqual(8);
  expect(sb.stats().eskiz.sends).toBe(40);
});

test('with a single slot, the login a waiting call needs is not stuck behind it', async () => {
  const client = eskiz(sb, { maxConcurrency: 1, timeoutMs: 2000 });
  await expect(Promise.all([client.balance(), client.send({ to: UZ, text: 'x' })])).resolves.toHaveLength(2);
  expect(sb.stats().eskiz.logins).toBe(1);
});
