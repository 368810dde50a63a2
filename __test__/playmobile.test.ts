/** Play Mobile against the sandbox: what reached the gateway, one request per batch, each mapped refusal, no re-send when the answer is lost, status/balance not implemented. */
import { SmsClient, type Sandbox, type SmsClientOptions } from '../nest';
import { closeAll, rejection, sandbox, track } from './helpers';

const LOGIN = 'shop-login';
const PASSWORD = 'shop-password-for-tests';
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ playmobile: { login: LOGIN, password: PASSWORD, maxMessageIdLength: 20 } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

function playmobile(overrides: Partial<NonNullable<SmsClientOptions['playmobile']>> = {}): SmsClient {
  return track(new SmsClient({ provider: 'playmobile', playmobile: { login: LOGIN, password: PASSWORD, originator: '3700', baseUrl: sb.url, ...overrides } }));
}

test('send: our 20-character message-id is the id, and the gateway got exactly what was asked', async () => {
  const client = playmobile({ priority: 'realtime' });
  const r = await client.send({ to: '90 123 45 67', text: 'Kod: 482913' });
  expect(r).toMatchObject({ provider: 'playmobile', status: 'pending', rawStatus: 'accepted', segments: 1, to: '+998901234567' });
  expect(r.id).toMatch(/^[A-Za-z0-9]{20}$/);
  const [m] = sb.playmobileMessages();
  expect(m).toMatchObject({ messageId: r.id, recipient: '998901234567', originator: '3700', priority: 'realtime', text: 'Kod: 482913', duplicate: false });
  expect(sb.stats().playmobile).toMatchObject({ requests: 1, sends: 1, messages: 1, authFailures: 0 });
  expect(client.tokenStatus()).toBeNull();
});

test('sendBatch: one request, one distinct id per message, in order', async () => {
  const client = playmobile();
  const messages = Array.from({ length: 30 }, (_, i) => ({ to: `+9989012345${String(i).padStart(2, '0')}`, text: `n${i}` }));
  const r = await client.sendBatch(messages);
  expect(r.provider).toBe('playmobile');
  expect(r.messages).toHaveLength(30);
  expect(new Set(r.messages.map((m) => m.id)).size).toBe(30);
  const sent = sb.playmobileMessages();
  expect(sent.map((m) => m.messageId)).toEqual(r.messages.map((m) => m.id));
  expect(sent.map((m) => m.text)).toEqual(messages.map((m) => m.text));
  expect(sb.stats().playmobile).toMatchObject({ requests: 1, sends: 1, messages: 30, duplicateMessageIds: 0 });
});

test('wrong password: AUTH_FAILED from one request, and the password is nowhere in the error', async () => {
  const e = await rejection(playmobile({ password: 'not-the-password-at-all' }).send({ to: '+998901234567', text: 'x' }));
  expect(e).toMatchObject({ code: 'AUTH_FAILED', provider: 'playmobile', status: 401, retryable: false });
  expect(`${e.message} ${JSON.stringify(e)}`).not.toContain('not-the-password-at-all');
  expect(sb.stats().playmobile).toMatchObject({ requests: 1, authFailures: 1, messages: 0 });
});

test('a locked account: ACCESS_BLOCKED with Play Mobile code 102 and what to do', async () => {
  sb.configure({ playmobile: { locked: true } });
  const e = await rejection(playmobile().send({ to: '+998901234567', text: 'x' }));
  expect(e).toMatchObject({ code: 'ACCESS_BLOCKED', provider: 'playmobile', status: 400, retryable: false, providerMessage: 'Account lock' });
  expect(e.details).toEqual({ playmobileCode: 102 });
  expect(e.message).toContain('ask Play Mobile to unlock it');
  expect(sb.stats().playmobile.rejected).toEqual({ '102': 1 });
  // A bad sandbox option is refused and changes nothing.
  expect(() => {
    sb.configure({ playmobile: { maxMessageIdLength: 0, locked: false } });
  }).toThrow();
  await expect(rejection(playmobile().send({ to: '+998901234567', text: 'x' }))).resolves.toMatchObject({ code: 'ACCESS_BLOCKED' });
});

test('an underscored string code is read as well (105 on a batch over the limit)', async () => {
  sb.configure({ playmobile: { maxMessagesPerRequest: 2, errorKeys: 'underscore', errorCodeAsString: true } });
  const e = await rejection(
    playmobile().sendBatch([
      { to: '+998901234567', text: 'a' },
      { to: '+998901234568', text: 'b' },
      { to: '+998901234569', text: 'c' },
    ]),
  );
  expect(e).toMatchObject({ code: 'PROVIDER_REJECTED', provider: 'playmobile', status: 400, details: { playmobileCode: 105 } });
});

test('bad input never reaches the gateway', async () => {
  const client = playmobile();
  await expect(rejection(client.send({ to: '+14155550100', text: 'x' }))).resolves.toMatchObject({ code: 'INVALID_PHONE' });
  await expect(rejection(client.send({ to: '+998901234567', text: 'x'.repeat(641) }))).resolves.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(rejection(client.send({ to: '+998901234567', text: 'x', callbackUrl: 'https://example.com/cb' }))).resolves.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(rejection(client.sendBatch(Array.from({ length: 101 }, () => ({ to: '+998901234567', text: 'x' }))))).resolves.toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(sb.stats().playmobile.requests).toBe(0);
});

test('the answer lost after processing: OUTCOME_UNKNOWN, never sent twice', async () => {
  sb.setFault({ path: '/broker-api/send', kind: 'reset', phase: 'after', times: 1 });
  const e = await rejection(playmobile().send({ to: '+998901234567', text: 'x' }));
  expect(e).toMatchObject({ code: 'OUTCOME_UNKNOWN', provider: 'playmobile', retryable: false });
  expect(sb.stats().playmobile).toMatchObject({ requests: 1, messages: 1 });
});

test('status and balance: NOT_IMPLEMENTED naming what to use instead, with no request', async () => {
  const client = playmobile();
  await expect(rejection(client.status('abc'))).resolves.toMatchObject({ code: 'NOT_IMPLEMENTED', provider: 'playmobile', message: expect.stringContaining('delivery reports') });
  await expect(rejection(client.balance())).resolves.toMatchObject({ code: 'NOT_IMPLEMENTED', provider: 'playmobile' });
  expect(sb.stats().playmobile.requests).toBe(0);
});

test('configuration: missing fields and a bad priority stop construction', () => {
  expect(() => new SmsClient({ provider: 'playmobile' })).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('login, password, originator') }));
  expect(() => new SmsClient({ provider: 'playmobile', playmobile: { login: 'l', password: 'p', originator: '' } })).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('playmobile.originator') }));
  // @ts-expect-error: a priority Play Mobile does not know
  expect(() => new SmsClient({ provider: 'playmobile', playmobile: { login: 'l', password: 'p', originator: '3700', priority: 'urgent' } })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
});

test('configuration view: masked login, host, no password', () => {
  const view = playmobile({ login: 'shopuz_api' }).configuration();
  expect(view.provider).toBe('playmobile');
  expect(view.credentials).toEqual(expect.arrayContaining([
    { name: 'playmobile.login', state: 'set', shown: 'sh***' },
    { name: 'playmobile.password', state: 'set' },
  ]));
  expect(JSON.stringify(view)).not.toContain(PASSWORD);
});
