/** Twilio against the sandbox: sends, each mapped error, 429 retries, no re-send on 5xx, signed callbacks. */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { validateTwilioSignature, type Sandbox } from '../nest';
import { closeAll, rejection, sandbox, sleep, twilio } from './helpers';

let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox();
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

/** Twilio's algorithm written out independently: base64(HMAC-SHA1(token, url + sorted k+v)). */
function expectedSignature(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return crypto.createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

test('send: 201 with a SID, segments, lifecycle to delivered, balance', async () => {
  const client = twilio(sb);
  const r = await client.send({ to: '+998901234567', text: 'Salom dunyo' });
  expect(r).toMatchObject({ provider: 'twilio', status: 'pending', rawStatus: 'queued', segments: 1, to: '+998901234567' });
  expect(r.id).toMatch(/^SM[0-9a-f]{32}$/);
  await sleep(150);
  await expect(client.status(r.id)).resolves.toMatchObject({ status: 'delivered', rawStatus: 'delivered', to: '+998901234567' });
  await expect(client.balance()).resolves.toMatchObject({ provider: 'twilio', currency: 'USD' });
  expect(sb.stats().twilio.messages).toBe(1);
  expect(client.tokenStatus()).toBeNull();
});

test('API key authentication', async () => {
  const account = sb.twilioAccount();
  const key = { sid: `SK${crypto.randomBytes(16).toString('hex')}`, secret: crypto.randomBytes(16).toString('hex') };
  sb.configure({ twilio: { apiKeys: [key] } });
  const client = twilio(sb, { authToken: undefined, apiKeySid: key.sid, apiKeySecret: key.secret });
  await expect(client.send({ to: '+998901234567', text: 'x' })).resolves.toMatchObject({ provider: 'twilio' });
  expect(account.accountSid).toMatch(/^AC/);
});

test.each([
  ['+15005550001', 'INVALID_PHONE', 21211],
  ['+15005550009', 'INVALID_PHONE', 21614],
  ['+15005550004', 'PROVIDER_REJECTED', 21610],
  ['+15005550002', 'PROVIDER_REJECTED', 21612],
  ['+15005550003', 'PROVIDER_REJECTED', 21408],
])('magic To %s → %s (Twilio %i)', async (to, code, twilioCode) => {
  const client = twilio(sb);
  const err = await rejection(client.send({ to, text: 'x' }));
  expect(err).toMatchObject({ code, provider: 'twilio', status: 400, retryable: false, details: { twilioCode } });
  expect(err.message).not.toContain(to.slice(1));
  expect(sb.stats().twilio.messages).toBe(0);
});

test('a From the account does not own → PROVIDER_REJECTED 21606', async () => {
  const client = twilio(sb, { from: '+15005550007' });
  await expect(client.send({ to: '+998901234567', text: 'x' })).rejects.toMatchObject({
    code: 'PROVIDER_REJECTED',
    details: { twilioCode: 21606 },
  });
});

test('wrong auth token → AUTH_FAILED (20003)', async () => {
  const client = twilio(sb, { authToken: 'not-the-token' });
  const err = await rejection(client.send({ to: '+998901234567', text: 'x' }));
  expect(err).toMatchObject({ code: 'AUTH_FAILED', provider: 'twilio', status: 401 });
  expect(err.message).not.toContain('not-the-token');
});

test('429 (20429) is retried with backoff and the message goes out once', async () => {
  const client = twilio(sb);
  sb.setFault({ path: '/2010-04-01/Accounts', method: 'POST', kind: 'status', status: 429, times: 2,
    body: '{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}' });
  await expect(client.send({ to: '+998901234567', text: 'x' })).resolves.toMatchObject({ provider: 'twilio' });
  expect(sb.stats().twilio.messages).toBe(1);
  expect(client.metrics()).toContain('uzgate_retries_total{provider="twilio",reason="429"} 2');
});

test('429 beyond the retries → RATE_LIMITED', async () => {
  const client = twilio(sb);
  sb.setFault({ path: '/2010-04-01/Accounts', method: 'POST', kind: 'status', status: 429, retryAfter: 9 });
  await expect(client.send({ to: '+998901234567', text: 'x' })).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 9000 });
});

test('a 5xx after sending is OUTCOME_UNKNOWN and never re-sent', async () => {
  const client = twilio(sb);
  sb.setFault({ path: '/2010-04-01/Accounts', method: 'POST', kind: 'status', status: 500, phase: 'after', times: 1 });
  await expect(client.send({ to: '+998901234567', text: 'x' })).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 500 });
  await sleep(50);
  expect(sb.stats().twilio.messages).toBe(1);
});

test('sendBatch sends each and reports failures per message', async () => {
  const client = twilio(sb);
  const r = await client.sendBatch([
    { to: '+998901234567', text: 'bir' },
    { to: '+15005550004', text: 'ikki' },
    { to: '+998911234567', text: 'uch' },
  ]);
  expect(r.messages.map((m) => m.status)).toEqual(['pending', 'failed', 'pending']);
  expect(r.messages[1].error).toMatchObject({ code: 'PROVIDER_REJECTED' });
  expect(r.messages[0].id).toMatch(/^SM/);
  expect(sb.stats().twilio.messages).toBe(2);
});

test('bad input is refused before any request', async () => {
  const client = twilio(sb);
  const before = sb.stats().twilio.requests;
  await expect(client.send({ to: '998901234567x', text: 'x' })).rejects.toMatchObject({ code: 'INVALID_PHONE' });
  await expect(client.send({ to: '+998901234567', text: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(client.send({ to: '+998901234567', text: 'x', callbackUrl: 'https://my_host.example/cb' })).rejects.toMatchObject({
    code: 'INVALID_ARGUMENT',
  });
  await expect(client.status('not-a-sid')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(sb.stats().twilio.requests).toBe(before);
});

test('configuration is checked synchronously', () => {
  expect(() => twilio(sb, { accountSid: 'AC123' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => twilio(sb, { authToken: undefined })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => twilio(sb, { messagingServiceSid: 'MG1' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => twilio(sb, { validityPeriod: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
});

test('signed status callbacks validate; tampered ones do not', async () => {
  const received: Array<{ url: string; params: Record<string, string>; signature: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`,
        params: Object.fromEntries(new URLSearchParams(body)),
        signature: String(req.headers['x-twilio-signature']),
      });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const client = twilio(sb, { statusCallback: `http://127.0.0.1:${port}/twilio/status?shop=7` });
    const sent = await client.send({ to: '+998901234567', text: 'x' });
    const until = Date.now() + 3000;
    while (!received.some((c) => c.params.MessageStatus === 'delivered') && Date.now() < until) await sleep(20);
    expect(received.length).toBeGreaterThanOrEqual(2);
    const token = sb.twilioAccount().authToken;
    for (const cb of received) {
      expect(cb.params.MessageSid).toBe(sent.id);
      expect(cb.signature).toBe(expectedSignature(token, cb.url, cb.params));
      expect(validateTwilioSignature(token, cb.url, cb.params, cb.signature)).toBe(true);
      expect(validateTwilioSignature(token, cb.url, { ...cb.params, MessageStatus: 'failed' }, cb.signature)).toBe(false);
      expect(validateTwilioSignature('other-token', cb.url, cb.params, cb.signature)).toBe(false);
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
});
