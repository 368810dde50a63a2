/** Bad input is rejected with a precise code before any request reaches the provider. */
import { SmsClient, UzgateError, type Sandbox } from '../nest';
import { closeAll, eskiz, ESKIZ_EMAIL, ESKIZ_PASSWORD, sandbox } from './helpers';

let sb: Sandbox;
let client: SmsClient;

beforeAll(async () => {
  sb = await sandbox();
  client = eskiz(sb);
});

afterAll(async () => {
  await closeAll();
  await sb.close();
});

const ok = { to: '+998901234567', text: 'Salom' };

type Case = [name: string, call: (c: SmsClient) => Promise<unknown>, code: string];

const cases: Case[] = [
  ['empty phone', (c) => c.send({ ...ok, to: '' }), 'INVALID_PHONE'],
  ['letters in phone', (c) => c.send({ ...ok, to: '+99890abc4567' }), 'INVALID_PHONE'],
  ['too short', (c) => c.send({ ...ok, to: '99890123' }), 'INVALID_PHONE'],
  ['too long', (c) => c.send({ ...ok, to: '+9989012345678901' }), 'INVALID_PHONE'],
  ['country code only', (c) => c.send({ ...ok, to: '+998' }), 'INVALID_PHONE'],
  ['foreign number on local send', (c) => c.send({ ...ok, to: '+14155552671' }), 'INVALID_PHONE'],
  ['no valid region', (c) => c.send({ ...ok, to: '+0000000000' }), 'INVALID_PHONE'],
  ['empty text', (c) => c.send({ ...ok, text: '' }), 'INVALID_ARGUMENT'],
  ['blank text', (c) => c.send({ ...ok, text: '  \n ' }), 'INVALID_ARGUMENT'],
  ['oversize text', (c) => c.send({ ...ok, text: 'a'.repeat(1601) }), 'INVALID_ARGUMENT'],
  ['NUL in text', (c) => c.send({ ...ok, text: 'a\0b' }), 'INVALID_ARGUMENT'],
  ['sender too long', (c) => c.send({ ...ok, from: 'AVeryLongSenderName' }), 'INVALID_ARGUMENT'],
  ['sender with slash', (c) => c.send({ ...ok, from: 'my/shop' }), 'INVALID_ARGUMENT'],
  ['sender too short number', (c) => c.send({ ...ok, from: '12' }), 'INVALID_ARGUMENT'],
  ['callback not a URL', (c) => c.send({ ...ok, callbackUrl: 'not a url' }), 'INVALID_ARGUMENT'],
  ['callback ftp', (c) => c.send({ ...ok, callbackUrl: 'ftp://example.uz/x' }), 'INVALID_ARGUMENT'],
  ['callback without host', (c) => c.send({ ...ok, callbackUrl: 'http://' }), 'INVALID_ARGUMENT'],
  ['reference with letters', (c) => c.send({ ...ok, reference: 'abc' }), 'INVALID_ARGUMENT'],
  ['reference over 12 digits', (c) => c.send({ ...ok, reference: '1234567890123' }), 'INVALID_ARGUMENT'],
  ['missing text field', (c) => c.send({ to: ok.to } as never), 'INVALID_ARGUMENT'],
  ['phone of wrong type', (c) => c.send({ ...ok, to: 998901234567 as never }), 'INVALID_ARGUMENT'],
  ['empty batch', (c) => c.sendBatch([]), 'INVALID_ARGUMENT'],
  ['batch with one bad number', (c) => c.sendBatch([ok, { ...ok, to: 'x' }]), 'INVALID_PHONE'],
  ['batch with two senders', (c) => c.sendBatch([ok, { ...ok, from: 'Other' }]), 'INVALID_ARGUMENT'],
  ['batch with zero dispatch id', (c) => c.sendBatch([ok], { dispatchId: 0 }), 'INVALID_ARGUMENT'],
  ['batch over 1000', (c) => c.sendBatch(Array.from({ length: 1001 }, () => ok)), 'INVALID_ARGUMENT'],
  ['status of an empty id', (c) => c.status(''), 'INVALID_ARGUMENT'],
  ['status of a path', (c) => c.status('../auth/user'), 'INVALID_ARGUMENT'],
  ['history page size', (c) => c.messages({ pageSize: 5 }), 'INVALID_ARGUMENT'],
  ['history bad date', (c) => c.messages({ startDate: '01.11.2026' }), 'INVALID_ARGUMENT'],
  ['history bad status', (c) => c.messages({ status: 'lost' as never }), 'INVALID_ARGUMENT'],
  ['empty template', (c) => c.submitTemplate(' '), 'INVALID_ARGUMENT'],
  ['global send to garbage', (c) => c.sendGlobal({ ...ok, to: '+1' }), 'INVALID_PHONE'],
];

test.each(cases)('%s → %s, nothing sent', async (_name, run, code) => {
  const before = sb.stats().requests;
  const err = await run(client).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UzgateError);
  expect((err as UzgateError).code).toBe(code);
  expect((err as UzgateError).retryable).toBe(false);
  expect(sb.stats().requests).toBe(before);
});

test('the table covers at least 20 inputs', () => {
  expect(cases.length).toBeGreaterThanOrEqual(20);
});

test('no request at all was made by the rejected inputs (not even a login)', () => {
  expect(sb.stats().requests).toBe(0);
  expect(sb.stats().eskiz.logins).toBe(0);
});

describe('configuration errors are thrown by the constructor', () => {
  const base = { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD };
  test.each([
    ['missing eskiz options', { provider: 'eskiz' }],
    ['email without @', { provider: 'eskiz', eskiz: { ...base, email: 'nobody' } }],
    ['empty password', { provider: 'eskiz', eskiz: { ...base, password: '' } }],
    ['bad base URL', { provider: 'eskiz', eskiz: { ...base, baseUrl: 'notify.eskiz.uz' } }],
    ['bad default sender', { provider: 'eskiz', eskiz: { ...base, from: '' } }],
    ['unknown provider', { provider: 'pigeon' }],
    ['zero timeout', { provider: 'console', timeoutMs: 0 }],
  ])('%s', (_name, options) => {
    let thrown: unknown;
    try {
      track(new SmsClient(options as never));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UzgateError);
    expect((thrown as UzgateError).code).toBe('CONFIG');
  });

  test('the password never appears in a configuration error', () => {
    try {
      new SmsClient({ provider: 'eskiz', eskiz: { email: 'x', password: 'hunter2-secret' } });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

function track(c: SmsClient): SmsClient {
  void c.close();
  return c;
}
