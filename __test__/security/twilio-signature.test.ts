/**
 * Parity of validateTwilioSignature with twilio-node's own validator: a generated table of
 * callbacks (URL spellings × params × a signature made for one spelling, or tampered with) gets
 * the same verdict from both. twilio-node throwing (an unparseable URL) counts as a refusal.
 */
import * as crypto from 'node:crypto';
import { getExpectedTwilioSignature, validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import { validateTwilioSignature } from '../../nest';

const TOKEN = crypto.randomBytes(16).toString('hex');
const OTHER_TOKEN = crypto.randomBytes(16).toString('hex');
const SID = (prefix: string): string => prefix + crypto.randomBytes(16).toString('hex');

/** URLs that name one endpoint in different spellings, and near misses. Every pair is tried. */
const URL_GROUPS: string[][] = [
  [
    'https://hooks.example.net/sms/status?shop=7',
    'https://hooks.example.net:443/sms/status?shop=7',
    'https://HOOKS.Example.net/sms/status?shop=7',
    'https://hooks.example.net:8443/sms/status?shop=7',
    'http://hooks.example.net/sms/status?shop=7',
    'https://user:pa55@hooks.example.net/sms/status?shop=7',
    'https://user:pa55@hooks.example.net:443/sms/status?shop=7',
    'https://user@hooks.example.net/sms/status?shop=7',
    'https://hooks.example.net/sms/status?shop=8',
    'https://hooks.example.net/sms/status',
    'https://hooks.example.net/sms/Status?shop=7',
    'https://evil.example/sms/status?shop=7',
  ],
  [
    "https://hooks.example.net/cb?name=it's",
    'https://hooks.example.net/cb?name=it%27s',
    "https://hooks.example.net:443/cb?name=it's",
    'https://hooks.example.net:443/cb?name=it%27s',
    "https://hooks.example.net/it's/cb",
    'https://hooks.example.net/it%27s/cb',
    'https://hooks.example.net/cb?a=1+2',
    'https://hooks.example.net/cb?a=1%202',
    'https://hooks.example.net/cb?a=1%2B2',
    'https://hooks.example.net/cb?a=1 2',
    'https://hooks.example.net/cb?x=1&x=2',
    'https://hooks.example.net/cb?2=b&a=1',
    'https://hooks.example.net/cb?a=1&2=b',
    'https://hooks.example.net/cb?a',
    'https://hooks.example.net/cb?a=',
    'https://hooks.example.net/cb?a=%zz',
    'https://hooks.example.net/cb?a=1#frag',
    'https://hooks.example.net/caf%C3%A9?x=%C3%A9',
    'https://hooks.example.net/café?x=é',
    'https://hooks.example.net/cb?',
  ],
  [
    'http://hooks.example.net/cb',
    'http://hooks.example.net:80/cb',
    'http://hooks.example.net:8080/cb',
    'http://hooks.example.net:443/cb',
    'https://hooks.example.net/cb',
    'HTTP://hooks.example.net/cb',
    'http://u:p@hooks.example.net:80/cb',
    'http://u:p@hooks.example.net/cb',
  ],
  [
    'https://hooks.example.net',
    'https://hooks.example.net/',
    'https://hooks.example.net:443',
    'https://hooks.example.net:443/',
    'https://[::1]/cb',
    'https://[::1]:443/cb',
    'https://[0:0::1]/cb',
    'https://127.0.0.1/cb',
    'https://0x7f.1/cb',
    'https://hooks.example.net:99999/cb',
    'https://hooks example.net/cb',
    'hooks.example.net/cb',
    'https://a@b@hooks.example.net/cb',
    'https://hooks.example.net:/cb',
  ],
];

const PARAM_SETS: Record<string, string | string[]>[] = [
  {},
  {
    To: '+998901234567',
    From: '+15557654321',
    MessageStatus: 'undelivered',
    SmsStatus: 'undelivered',
    ErrorCode: '30003',
    MessageSid: SID('SM'),
    AccountSid: SID('AC'),
    ApiVersion: '2010-04-01',
  },
  { MediaUrl: ['https://m/b', 'https://m/a', 'https://m/a'], B: 'x', Body: 'y', a: 'z' },
  { Body: "héllo 👍 it's 100% + more", To: '+998901234567' },
];

/** twilio-node's verdict; a throw (its `new URL()` on an unparseable URL) is a refusal. */
function theirs(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}

interface Row {
  url: string;
  signedUrl: string;
  params: Record<string, string | string[]>;
  signature: string;
  tamper: string;
}

function formRows(): Row[] {
  const rows: Row[] = [];
  for (const group of URL_GROUPS) {
    for (const signedUrl of group) {
      for (const params of PARAM_SETS) {
        const signature = getExpectedTwilioSignature(TOKEN, signedUrl, params);
        for (const url of group) {
          rows.push({ url, signedUrl, params, signature, tamper: 'none' });
        }
        // Tampered variants against the URL that was signed.
        const first = Object.keys(params).at(0);
        if (first !== undefined) {
          rows.push({ url: signedUrl, signedUrl, params: { ...params, [first]: 'other' }, signature, tamper: 'value' });
        }
        rows.push({ url: signedUrl, signedUrl, params: { ...params, Extra: 'x' }, signature, tamper: 'extra param' });
        rows.push({
          url: signedUrl,
          signedUrl,
          params,
          signature: getExpectedTwilioSignature(OTHER_TOKEN, signedUrl, params),
          tamper: 'wrong token',
        });
        rows.push({ url: signedUrl, signedUrl, params, signature: ` ${signature} `, tamper: 'padded header' });
        rows.push({ url: signedUrl, signedUrl, params, signature: '', tamper: 'empty header' });
      }
    }
  }
  return rows;
}

test('form callbacks: the same verdict as twilio-node validateRequest for every generated row', () => {
  const rows = formRows();
  const mismatches: string[] = [];
  let accepted = 0;
  for (const r of rows) {
    const expected = theirs(() => validateRequest(TOKEN, r.signature, r.url, r.params));
    const actual = validateTwilioSignature(TOKEN, r.url, r.params, r.signature);
    if (expected) accepted += 1;
    if (expected !== actual) {
      mismatches.push(`${r.tamper}: signed ${r.signedUrl} received ${r.url} params ${JSON.stringify(r.params)} → twilio ${expected}, ours ${actual}`);
    }
  }
  expect(mismatches).toEqual([]);
  // The table exercises both verdicts substantially (counts fixed by the table above).
  expect(rows.length).toBeGreaterThan(3000);
  expect(accepted).toBeGreaterThan(300);
  expect(rows.length - accepted).toBeGreaterThan(1500);
  console.log(`twilio signature parity: ${rows.length} rows, ${accepted} accepted by both, ${rows.length - accepted} refused by both`);
});

test('JSON callbacks (bodySHA256): the same verdict as twilio-node validateRequestWithBody', () => {
  const body = JSON.stringify({ MessageStatus: 'delivered', MessageSid: SID('SM'), note: "it's ü" });
  const digest = crypto.createHash('sha256').update(body, 'utf8').digest('hex');
  const urls = [
    `https://hooks.example.net/sms/status?bodySHA256=${digest}`,
    `https://hooks.example.net:443/sms/status?bodySHA256=${digest}`,
    `https://user:pa55@hooks.example.net/sms/status?bodySHA256=${digest}`,
    `https://hooks.example.net/sms/status?shop=7&bodySHA256=${digest}`,
    `https://hooks.example.net/sms/status?bodySHA256=${digest.toUpperCase()}`,
    `https://hooks.example.net/sms/status?bodySHA256=${digest}&bodySHA256=00`,
    `https://hooks.example.net/sms/status?bodySHA256=00&bodySHA256=${digest}`,
    'https://hooks.example.net/sms/status',
    `hooks.example.net/sms/status?bodySHA256=${digest}`,
  ];
  const bodies = [body, body + ' ', JSON.stringify({ MessageStatus: 'failed' })];
  const mismatches: string[] = [];
  let rows = 0;
  let accepted = 0;
  for (const signedUrl of urls) {
    const signatures = [
      getExpectedTwilioSignature(TOKEN, signedUrl, {}),
      getExpectedTwilioSignature(OTHER_TOKEN, signedUrl, {}),
    ];
    for (const url of urls) {
      for (const raw of bodies) {
        for (const signature of signatures) {
          rows += 1;
          const expected = theirs(() => validateRequestWithBody(TOKEN, signature, url, raw));
          const actual = validateTwilioSignature(TOKEN, url, raw, signature);
          const actualBuffer = validateTwilioSignature(TOKEN, url, Buffer.from(raw, 'utf8'), signature);
          if (expected) accepted += 1;
          if (expected !== actual || expected !== actualBuffer) {
            mismatches.push(`signed ${signedUrl} received ${url} body ${raw} → twilio ${expected}, ours ${actual}/${actualBuffer}`);
          }
        }
      }
    }
  }
  expect(mismatches).toEqual([]);
  expect(accepted).toBeGreaterThan(5);
  expect(rows - accepted).toBeGreaterThan(100);
  console.log(`twilio JSON signature parity: ${rows} rows, ${accepted} accepted by both`);
});
