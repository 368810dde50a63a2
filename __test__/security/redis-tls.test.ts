/**
 * `rediss://` as managed offerings hand it out, attacked: an impostor on the Redis address with a
 * certificate of another CA gets a refused handshake — not one byte of the ACL password or a
 * token — whether the client trusts the public roots or the operator's CA; the genuine server is
 * refused too when the client was given the wrong CA; a plaintext URL to a TLS port fails with
 * STORE_ERROR within the store deadline. Turning certificate checks off (`#insecure`), a CA file
 * beside a plaintext URL, an unreadable or empty CA file and Sentinel URLs are CONFIG errors
 * before any connection.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { OtpService, type Sandbox, SmsClient, UzgateError } from '../../nest';
import { closeAll, eskiz, rejection, sandbox, track } from '../helpers';

const CA = process.env.UZGATE_TEST_REDIS_CA_FILE;
const OTHER_CA = process.env.UZGATE_TEST_REDIS_OTHER_CA_FILE;
const TLS_URL = process.env.UZGATE_TEST_REDIS_TLS_URL;
const tlsTest = CA && OTHER_CA && TLS_URL ? test : test.skip;
if (!TLS_URL) console.warn('SKIPPED TLS Redis cases: UZGATE_TEST_REDIS_TLS_URL is not set (npm test starts a TLS redis-server)');

const PHONE = '+998901234567';
// minted per run: nothing that looks like a credential is committed
const password = randomBytes(18).toString('hex');

let sb: Sandbox;
let impostor: tls.Server;
let impostorPort: number;
/** TCP connections the impostor accepted, TLS sessions it completed, bytes it decrypted. */
let seen: { connections: number; sessions: number; bytes: number };

beforeAll(async () => {
  sb = await sandbox();
});

beforeEach(async () => {
  seen = { connections: 0, sessions: 0, bytes: 0 };
  if (!OTHER_CA) return;
  // The impostor presents the other CA's own certificate: valid, but not issued by a CA the
  // client trusts.
  impostor = tls.createServer({ cert: fs.readFileSync(OTHER_CA), key: fs.readFileSync(OTHER_CA.replace(/\.crt$/, '.key')) }, (socket) => {
    seen.sessions += 1;
    socket.on('data', (d: Buffer) => {
      seen.bytes += d.length;
    });
  });
  impostor.on('connection', () => {
    seen.connections += 1;
  });
  impostor.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  impostorPort = (impostor.address() as net.AddressInfo).port;
});

afterEach(async () => {
  await closeAll();
  if (OTHER_CA) await new Promise((resolve) => impostor.close(resolve));
});

afterAll(async () => {
  await sb.close();
});

const impostorUrl = () => `rediss://uzgate-app:${password}@127.0.0.1:${String(impostorPort)}`;

function otpOn(store: { url: string; tlsCaFile?: string }) {
  const sms = track(new SmsClient({ provider: 'console' }));
  const otp = new OtpService({ sms, secret: 'otp-test-secret-0123456789', store: { type: 'redis', ...store, prefix: 'uzgate-test:otp:tls' } });
  return { sms, otp };
}

function expectNoSecret(err: UzgateError, ...more: unknown[]) {
  expect(`${err.message} ${JSON.stringify(err)} ${JSON.stringify(more)}`).not.toContain(password);
}

describe.each([
  ['the operator CA', () => CA],
  ['the public roots', () => undefined],
])('trusting %s', (_what, ca) => {
  tlsTest('an impostor on the Redis address: the token store fails with STORE_ERROR, 0 bytes reach it, no login at the provider', async () => {
    const before = sb.stats().eskiz;
    const sms = eskiz(sb, { tokenStore: { type: 'redis', url: impostorUrl(), tlsCaFile: ca(), key: 'uzgate-test:eskiz:tls' } });
    const err = await rejection(sms.send({ to: PHONE, text: 'hello' }));
    expect(err.code).toBe('STORE_ERROR');
    expect(err.message).toMatch(/certificate|UnknownIssuer|tls/i);
    expectNoSecret(err, sms.tokenStatus());
    expect(seen.connections).toBeGreaterThanOrEqual(1);
    expect({ sessions: seen.sessions, bytes: seen.bytes }).toEqual({ sessions: 0, bytes: 0 });
    expect(sb.stats().eskiz).toMatchObject({ logins: before.logins, sends: before.sends });
  });

  tlsTest('an impostor on the Redis address: the OTP store fails with STORE_ERROR, no SMS, 0 bytes reach it', async () => {
    const { sms, otp } = otpOn({ url: impostorUrl(), tlsCaFile: ca() });
    try {
      const err = await rejection(otp.send(PHONE));
      expect(err.code).toBe('STORE_ERROR');
      expectNoSecret(err);
      expect(sms.outbox()).toHaveLength(0);
      expect(seen.connections).toBeGreaterThanOrEqual(1);
      expect({ sessions: seen.sessions, bytes: seen.bytes }).toEqual({ sessions: 0, bytes: 0 });
    } finally {
      otp.close();
    }
  });
});

tlsTest('the genuine TLS server with its CA works; given the wrong CA the client refuses it', async () => {
  const good = otpOn({ url: TLS_URL!, tlsCaFile: CA });
  try {
    await good.otp.send(PHONE);
    expect(good.sms.outbox()).toHaveLength(1);
  } finally {
    good.otp.close();
  }
  const wrong = otpOn({ url: TLS_URL!, tlsCaFile: OTHER_CA });
  try {
    const err = await rejection(wrong.otp.send('+998901234568'));
    expect(err.code).toBe('STORE_ERROR');
    expect(wrong.sms.outbox()).toHaveLength(0);
  } finally {
    wrong.otp.close();
  }
});

tlsTest('a plaintext URL to a TLS port: STORE_ERROR within the store deadline, no login', async () => {
  const before = sb.stats().eskiz;
  const sms = eskiz(sb, { tokenStore: { type: 'redis', url: TLS_URL!.replace('rediss://', 'redis://'), key: 'uzgate-test:eskiz:plain-to-tls', callTimeoutMs: 1500 } });
  const started = Date.now();
  const err = await rejection(sms.send({ to: PHONE, text: 'hello' }));
  expect(err.code).toBe('STORE_ERROR');
  expect(Date.now() - started).toBeLessThan(5000);
  expect(sb.stats().eskiz.logins).toBe(before.logins);
});

describe('refused before any connection', () => {
  let listener: net.Server;
  let port: number;
  let connections = 0;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-tls-config-'));
    fs.writeFileSync(path.join(dir, 'empty.pem'), 'no certificate here\n');
    listener = net.createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => listener.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => { url: string; tlsCaFile?: string }, RegExp]> = [
    ['#insecure', () => ({ url: `rediss://u:${password}@127.0.0.1:${String(port)}/#insecure` }), /certificate checks cannot be turned off/],
    ['a CA file with redis://', () => ({ url: `redis://127.0.0.1:${String(port)}`, tlsCaFile: CA ?? path.join(dir, 'empty.pem') }), /tlsCaFile is for TLS/],
    ['a missing CA file', () => ({ url: `rediss://127.0.0.1:${String(port)}`, tlsCaFile: path.join(dir, 'missing.pem') }), /tlsCaFile cannot be read/],
    ['a CA file without a certificate', () => ({ url: `rediss://127.0.0.1:${String(port)}`, tlsCaFile: path.join(dir, 'empty.pem') }), /holds no PEM certificate/],
    ['a Sentinel URL', () => ({ url: `redis+sentinel://u:${password}@127.0.0.1:${String(port)}/mymaster` }), /Sentinel is not supported/],
  ];

  test.each(cases)('%s: CONFIG from the constructor, naming the field, 0 connections', async (_name, store, message) => {
    const attempts = [
      () => eskiz(sb, { tokenStore: { type: 'redis', ...store() } }),
      () => otpOn(store()),
    ];
    for (const attempt of attempts) {
      let thrown: unknown;
      try {
        attempt();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UzgateError);
      const err = thrown as UzgateError;
      expect(err.code).toBe('CONFIG');
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/tokenStore|store\./);
      expectNoSecret(err);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(connections).toBe(0);
  });
});
