/** validateTwilioSignature against signatures computed here from Twilio's algorithm. */
import * as crypto from 'node:crypto';
import { validateTwilioSignature } from '../nest';

const TOKEN = 'd3adb33fd3adb33fd3adb33fd3adb33f';
const URL_PLAIN = 'https://hooks.example.net/sms/status?shop=7';
const URL_PORT = 'https://hooks.example.net:443/sms/status?shop=7';
const params: Record<string, string> = {
  To: '+998901234567',
  From: '+15557654321',
  MessageStatus: 'undelivered',
  SmsStatus: 'undelivered',
  ErrorCode: '30003',
  MessageSid: `SM${'2'.repeat(32)}`,
  SmsSid: `SM${'2'.repeat(32)}`,
  AccountSid: `AC${'1'.repeat(32)}`,
  ApiVersion: '2010-04-01',
};

function sign(url: string, p: Record<string, string | string[]>): string {
  const data = Object.keys(p)
    .sort()
    .reduce((acc, k) => {
      const values = ([] as string[]).concat(p[k]);
      return acc + [...new Set(values)].sort().map((v) => k + v).join('');
    }, url);
  return crypto.createHmac('sha1', TOKEN).update(data).digest('base64');
}

test('the reference worked example (computed independently) validates', () => {
  const sig = sign(URL_PLAIN, params);
  expect(sig).toBe('Hh/iXuXTweQdMyrermmHpc7xtJg=');
  expect(validateTwilioSignature(TOKEN, URL_PLAIN, params, sig)).toBe(true);
});

test('either port form of the URL is accepted', () => {
  const withPort = sign(URL_PORT, params);
  expect(withPort).toBe('2dW5eRcJkOq+/y+QEYDFmTHMK/Y=');
  for (const url of [URL_PLAIN, URL_PORT]) {
    expect(validateTwilioSignature(TOKEN, url, params, withPort)).toBe(true);
    expect(validateTwilioSignature(TOKEN, url, params, sign(URL_PLAIN, params))).toBe(true);
  }
  const http = 'http://hooks.example.net/cb';
  expect(validateTwilioSignature(TOKEN, http, params, sign('http://hooks.example.net:80/cb', params))).toBe(true);
});

test('tampered parameters, URL, token or signature are rejected', () => {
  const sig = sign(URL_PLAIN, params);
  expect(validateTwilioSignature(TOKEN, URL_PLAIN, { ...params, ErrorCode: '30005' }, sig)).toBe(false);
  expect(validateTwilioSignature(TOKEN, URL_PLAIN, { ...params, Extra: 'x' }, sig)).toBe(false);
  expect(validateTwilioSignature(TOKEN, URL_PLAIN.replace('shop=7', 'shop=8'), params, sig)).toBe(false);
  expect(validateTwilioSignature('0'.repeat(32), URL_PLAIN, params, sig)).toBe(false);
  expect(validateTwilioSignature(TOKEN, URL_PLAIN, params, sig.slice(1))).toBe(false);
  expect(validateTwilioSignature(TOKEN, URL_PLAIN, params, '')).toBe(false);
});

test('repeated keys are de-duplicated and sorted', () => {
  const p = { Body: 'hi', MediaUrl: ['https://b.example/2', 'https://a.example/1', 'https://b.example/2'] };
  expect(validateTwilioSignature(TOKEN, URL_PLAIN, p, sign(URL_PLAIN, p))).toBe(true);
});

test("a ' in the query is accepted raw or percent-encoded; in the path only as received (as twilio-node)", () => {
  const raw = "https://hooks.example.net/cb?name=it's";
  expect(validateTwilioSignature(TOKEN, raw, params, sign('https://hooks.example.net/cb?name=it%27s', params))).toBe(true);
  expect(validateTwilioSignature(TOKEN, 'https://hooks.example.net/cb?name=it%27s', params, sign(raw, params))).toBe(true);
  const path = "https://hooks.example.net/it's";
  expect(validateTwilioSignature(TOKEN, path, params, sign(path, params))).toBe(true);
  expect(validateTwilioSignature(TOKEN, 'https://hooks.example.net/it%27s', params, sign(path, params))).toBe(false);
});

test('JSON-body variant: bodySHA256 in the URL must match the raw body', () => {
  const body = Buffer.from(JSON.stringify({ MessageStatus: 'delivered', MessageSid: 'SM1' }));
  const digest = crypto.createHash('sha256').update(body).digest('hex');
  const url = `https://hooks.example.net/status?bodySHA256=${digest}`;
  const sig = crypto.createHmac('sha1', TOKEN).update(url).digest('base64');
  expect(validateTwilioSignature(TOKEN, url, body, sig)).toBe(true);
  expect(validateTwilioSignature(TOKEN, url, body.toString('utf8'), sig)).toBe(true);
  expect(validateTwilioSignature(TOKEN, url, Buffer.from('{"MessageStatus":"failed"}'), sig)).toBe(false);
  expect(validateTwilioSignature(TOKEN, 'https://hooks.example.net/status', body, sig)).toBe(false);
});
