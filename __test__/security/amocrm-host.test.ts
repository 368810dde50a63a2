/**
 * Attacks on amoCRM account host pinning, each against a real attacker listener on 127.0.0.1
 * that counts TCP connections: hostile callback referers in every IP notation, other accounts
 * and suffix tricks, widget installs from another account, planted stored `baseDomain`s, encoded
 * paths through `request()`, and multi-account installs without the opt-in. Every one must be
 * refused with its documented code before any request, and the listener must see nothing.
 *
 * Clients without `baseUrl` are used only where the attack is refused before any request (a
 * regression would then reach the loopback listener, never a real host); everything that
 * succeeds runs against the sandbox.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AmoCrmClient, type AmoCrmClientOptions, type Sandbox } from '../../nest';
import { AMOCRM_STATE_COOKIE, AmoCrmModule, AmoCrmService } from '../../nest/nestjs';
import { AMO, closeAll, sandbox, track } from '../helpers';
import { closeApps, startApp } from '../nest-helpers';

const ACCOUNT = 'myshop.amocrm.ru';

interface Attacker {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1:0 that counts connections and hangs up at once. */
async function attacker(): Promise<Attacker> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Referers that point at the listener, in every notation a URL parser may read as 127.0.0.1. */
function listenerReferers(port: number): string[] {
  return [
    `127.0.0.1:${port}`,
    `http://127.0.0.1:${port}`,
    `https://127.0.0.1:${port}/`,
    `127.1:${port}`,
    `0x7f000001:${port}`,
    `0x7f.1:${port}`,
    `2130706433:${port}`,
    `017700000001:${port}`,
    `0177.0.0.1:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `[::ffff:7f00:1]:${port}`,
    `localhost:${port}`,
    `u@127.0.0.1:${port}`,
    `${ACCOUNT}@127.0.0.1:${port}`,
    `https://${ACCOUNT}:x@127.0.0.1:${port}/`,
    `127.0.0.1:${port}/.${ACCOUNT}`,
    `127.0.0.1:${port}?.${ACCOUNT}`,
    `127.0.0.1:${port}#.${ACCOUNT}`,
    `127.0.0.1%3A${port}`,
    `127.0.0.1:${port}\\${ACCOUNT}`,
  ];
}

/** Referers naming real-looking hosts: only ever tried against clients pinned to the sandbox. */
const NAMED_REFERERS = [
  'other.amocrm.ru',
  'other.kommo.com',
  'myshop.kommo.com',
  'myshop.amocrm.com',
  `${ACCOUNT}.evil.example`,
  'evil.example',
  'evil.example:8443',
  `${ACCOUNT}:443`,
  `${ACCOUNT}.`,
  `u@${ACCOUNT}`,
  `${ACCOUNT}/oauth2`,
  'xn--80ak6aa92e.amocrm.ru',
  'www.myshop.amocrm.ru',
  `evilmyshop.amocrm.ru`,
];

const ENCODED_PATHS = [
  '/api/v4/../../oauth2/access_token',
  '/api/v4/%2e%2e/%2e%2e/oauth2/access_token',
  '/api/v4/%2E%2E/%2E%2E/oauth2/access_token',
  '/api/v4/.%2E/.%2e/oauth2/access_token',
  '/api/v4/%2E./%2e./oauth2/access_token',
  '/api/v4/%252e%252e/%252e%252e/oauth2/access_token',
  '/api/v4/..%2f..%2foauth2/access_token',
  '/api/v4/..%2F..%2Foauth2/access_token',
  '/api/v4/..%5c..%5coauth2/access_token',
  '/api/v4/..\\..\\oauth2/access_token',
  '/api/v4/.\t./.\t./oauth2/access_token',
  '/api/v4/./../account',
];

let sb: Sandbox;
let evil: Attacker;
let tmp: string;
let tried = 0;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { subdomain: 'myshop' } });
  evil = await attacker();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-host-'));
});

afterEach(async () => {
  await closeApps();
  await closeAll();
  await sb.close();
  await evil.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

afterAll(() => {
  // The figure for the closing note: hostile inputs tried by this file.
  process.stdout.write(`amocrm-host: ${tried} hostile inputs tried\n`);
});

function client(options: Partial<AmoCrmClientOptions>): AmoCrmClient {
  return track(new AmoCrmClient({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, ...options }));
}

/** The sandbox's counters that show a token request or an API call arrived. */
function sandboxTraffic(): number {
  const a = sb.stats().amocrm;
  return a.requests + a.codeExchanges + a.codeFailures;
}

async function refusal(p: Promise<unknown>): Promise<{ code?: string; details?: { reason?: string }; message: string }> {
  tried += 1;
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as { code?: string; details?: { reason?: string }; message: string },
  );
}

async function authorized(options: Partial<AmoCrmClientOptions> = {}): Promise<AmoCrmClient> {
  const c = client({ subdomain: 'myshop', baseUrl: sb.url, ...options });
  const { state } = c.authorizationUrl();
  await c.exchangeCode({ code: sb.amocrmIssueCode(), state, expectedState: state, referer: ACCOUNT });
  return c;
}

describe('plain AmoCrmClient', () => {
  test('subdomain without baseUrl: every referer pointing at the listener is refused before any request', async () => {
    const c = client({ subdomain: 'myshop' });
    for (const referer of listenerReferers(evil.port)) {
      const { state } = c.authorizationUrl();
      const e = await refusal(c.exchangeCode({ code: 'attacker-code', state, expectedState: state, referer }));
      expect([referer, e.code, e.details?.reason]).toEqual([referer, 'INVALID_ARGUMENT', 'invalid_account_host']);
      const w = await refusal(c.exchangeCode({ code: 'attacker-code', referer, fromWidget: true }));
      expect([referer, w.code]).toEqual([referer, 'INVALID_ARGUMENT']);
    }
    expect(evil.connections()).toBe(0);
    expect(c.tokenStatus()).toMatchObject({ state: 'empty', logins: 0 });
  });

  test('a referer or widget install naming another account is refused; the configured one still works, at the sandbox', async () => {
    const c = client({ subdomain: 'myshop', baseUrl: sb.url });
    for (const referer of NAMED_REFERERS) {
      const { state } = c.authorizationUrl();
      const e = await refusal(c.exchangeCode({ code: sb.amocrmIssueCode(), state, expectedState: state, referer }));
      expect([referer, e.code]).toEqual([referer, 'INVALID_ARGUMENT']);
      expect(['invalid_account_host', 'other_account']).toContain(e.details?.reason);
      const w = await refusal(c.exchangeCode({ code: sb.amocrmIssueCode(), referer, fromWidget: true }));
      expect([referer, w.code]).toEqual([referer, 'INVALID_ARGUMENT']);
    }
    expect(sb.stats().amocrm.codeExchanges + sb.stats().amocrm.codeFailures).toBe(0);
    const other = await refusal(c.exchangeCode({ code: sb.amocrmIssueCode(), referer: 'other.amocrm.ru', fromWidget: true }));
    expect(other.details?.reason).toBe('other_account');
    expect(other.message).toContain(ACCOUNT);

    const { state } = c.authorizationUrl();
    await c.exchangeCode({ code: sb.amocrmIssueCode(), state, expectedState: state, referer: 'https://MyShop.amocrm.ru/' });
    await expect(c.account()).resolves.toMatchObject({ subdomain: 'myshop' });
    expect(sb.stats().amocrm.codeExchanges).toBe(1);
    expect(evil.connections()).toBe(0);
  });

  test('no subdomain, no baseUrl, no allowAnyAccount: exchangeCode is CONFIG, nothing sent', async () => {
    const c = client({});
    for (const referer of [`127.0.0.1:${evil.port}`, ACCOUNT]) {
      const { state } = c.authorizationUrl();
      const e = await refusal(c.exchangeCode({ code: 'attacker-code', state, expectedState: state, referer }));
      expect(e.code).toBe('CONFIG');
      expect(e.message).toEqual(expect.stringContaining('subdomain'));
      expect(e.message).toEqual(expect.stringContaining('baseUrl'));
      expect(e.message).toEqual(expect.stringContaining('allowAnyAccount'));
    }
    expect((await refusal(c.account())).code).toBe('CONFIG');
    expect(evil.connections()).toBe(0);
  });

  test('allowAnyAccount: hostile referers are still refused by the account-host rule', async () => {
    const c = client({ allowAnyAccount: true });
    for (const referer of listenerReferers(evil.port)) {
      const { state } = c.authorizationUrl();
      const e = await refusal(c.exchangeCode({ code: 'attacker-code', state, expectedState: state, referer }));
      expect([referer, e.code, e.details?.reason]).toEqual([referer, 'INVALID_ARGUMENT', 'invalid_account_host']);
    }
    const { state } = c.authorizationUrl();
    const missing = await refusal(c.exchangeCode({ code: 'attacker-code', state, expectedState: state }));
    expect(missing.details?.reason).toBe('referer_missing');
    expect(evil.connections()).toBe(0);
    expect(() => client({ allowAnyAccount: true, subdomain: 'myshop' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });

  test('a planted baseDomain in the file store is refused (STORE_ERROR), the file untouched, nothing sent', async () => {
    const file = path.join(tmp, 'tokens.json');
    const first = await authorized({ tokenStore: { type: 'file', path: file } });
    await first.close();
    const plant = (host: string) => {
      const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: Record<string, { data: string }> };
      for (const entry of Object.values(doc.entries)) {
        const token = JSON.parse(entry.data) as { meta: Record<string, unknown> };
        token.meta.baseDomain = host;
        entry.data = JSON.stringify(token);
      }
      fs.writeFileSync(file, JSON.stringify(doc));
      return fs.readFileSync(file);
    };
    // Multi-account mode follows a stored host: a planted one must never be followed.
    for (const host of [`127.0.0.1:${evil.port}`, `127.0.0.1`, `2130706433:${evil.port}`, `[::ffff:127.0.0.1]:${evil.port}`, `u@127.0.0.1:${evil.port}`]) {
      const before = plant(host);
      const c = client({ allowAnyAccount: true, tokenStore: { type: 'file', path: file } });
      const e = await refusal(c.account());
      expect([host, e.code]).toEqual([host, 'STORE_ERROR']);
      expect((await refusal(c.refreshToken())).code).toBe('STORE_ERROR');
      expect((await refusal(c.request('GET', '/api/v4/leads'))).code).toBe('STORE_ERROR');
      await c.close();
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    }
    // Pinned to the account: a record of another account (or not a host at all) is refused too.
    const traffic = sandboxTraffic();
    for (const host of ['other.amocrm.ru', `${ACCOUNT}.evil.example`, 'MYSHOP.amocrm.ru', `${ACCOUNT}:443`]) {
      const before = plant(host);
      const c = client({ subdomain: 'myshop', baseUrl: sb.url, tokenStore: { type: 'file', path: file } });
      const e = await refusal(c.account());
      expect([host, e.code]).toEqual([host, 'STORE_ERROR']);
      expect((await refusal(c.storedTokenStatus())).code).toBe('STORE_ERROR');
      await c.close();
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    }
    expect(sandboxTraffic()).toBe(traffic);
    // The intact record is used again.
    plant(ACCOUNT);
    const healed = client({ subdomain: 'myshop', baseUrl: sb.url, tokenStore: { type: 'file', path: file } });
    await expect(healed.account()).resolves.toMatchObject({ subdomain: 'myshop' });
    expect(evil.connections()).toBe(0);
  });

  test('request(): dot segments and encoded slashes in any spelling are INVALID_ARGUMENT with no request', async () => {
    const c = await authorized();
    const before = sandboxTraffic();
    for (const p of ENCODED_PATHS) {
      const e = await refusal(c.request('GET', p));
      expect([p, e.code]).toEqual([p, 'INVALID_ARGUMENT']);
    }
    expect(sandboxTraffic()).toBe(before);
    await expect(c.request('GET', '/api/v4/account')).resolves.toMatchObject({ status: 200 });
    expect(evil.connections()).toBe(0);
  });

  test('code exchanges and refreshes do not spend the API rate budget', async () => {
    // One request every 5 s: had the exchange or the refresh taken the slot, account() would wait.
    const c = await authorized({ rateLimitPerSecond: 0.2 });
    await c.refreshToken();
    const started = Date.now();
    await expect(c.account()).resolves.toMatchObject({ subdomain: 'myshop' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.metrics()).not.toContain('uzgate_rate_limit_waits_total{provider="amocrm"}');
    expect(sb.stats().amocrm).toMatchObject({ codeExchanges: 1, refreshes: 1 });
  });
});

/**
 * The callback budget (5 a minute by default, tested in oauth-routes) is checked before anything
 * else; these cases lift it so every hostile callback reaches the account-host check.
 */
const EVERY_CALLBACK = { exchangeBudget: { limit: 1000, windowSeconds: 60 } };

describe('Nest AmoCrmModule', () => {
  const base = { clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri };

  async function stateOf(app: INestApplication): Promise<string> {
    const res = await request(app.getHttpServer()).get('/amocrm/authorize').expect(302);
    return /uzgate_amocrm_state=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!;
  }

  async function callback(app: INestApplication, referer: string, code = 'attacker-code') {
    const state = await stateOf(app);
    tried += 1;
    return request(app.getHttpServer())
      .get(`/amocrm/callback?code=${code}&state=${state}&referer=${encodeURIComponent(referer)}`)
      .set('Cookie', `${AMOCRM_STATE_COOKIE}=${state}`);
  }

  test("forRoot({ subdomain: 'myshop', oauth: {} }): the reported attack, in every notation, reaches nobody", async () => {
    const app = await startApp({ imports: [AmoCrmModule.forRoot({ ...base, subdomain: 'myshop', oauth: { ...EVERY_CALLBACK } })] });
    for (const referer of listenerReferers(evil.port)) {
      const res = await callback(app, referer);
      expect([referer, res.status, res.body.error]).toEqual([referer, 400, 'invalid_account_host']);
    }
    expect(evil.connections()).toBe(0);
    expect(app.get(AmoCrmService).tokenStatus().state).toBe('empty');
  });

  test('pinned to the sandbox: other accounts and widget installs refused, the real account connects', async () => {
    const app = await startApp({
      imports: [AmoCrmModule.forRoot({ ...base, subdomain: 'myshop', baseUrl: sb.url, oauth: { ...EVERY_CALLBACK, widgetInstalls: { referer: ACCOUNT } } })],
    });
    for (const referer of NAMED_REFERERS) {
      const res = await callback(app, referer, sb.amocrmIssueCode());
      expect([referer, res.status]).toEqual([referer, 400]);
      expect(['invalid_account_host', 'other_account']).toContain(res.body.error);
    }
    for (const referer of [...listenerReferers(evil.port), 'other.amocrm.ru']) {
      tried += 1;
      await request(app.getHttpServer())
        .get(`/amocrm/callback?code=${sb.amocrmIssueCode()}&referer=${encodeURIComponent(referer)}&from_widget=1`)
        .expect(403);
    }
    expect(sb.stats().amocrm.codeExchanges + sb.stats().amocrm.codeFailures).toBe(0);
    expect((await callback(app, ACCOUNT, sb.amocrmIssueCode())).status).toBe(200);
    await expect(app.get(AmoCrmService).account()).resolves.toMatchObject({ subdomain: 'myshop' });
    expect(evil.connections()).toBe(0);
  });

  test('without subdomain, baseUrl or allowAnyAccount the OAuth routes refuse to start (CONFIG)', async () => {
    await expect(startApp({ imports: [AmoCrmModule.forRoot({ ...base, oauth: {} })] })).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/subdomain[\s\S]*baseUrl[\s\S]*allowAnyAccount/),
    });
    const app = await startApp({ imports: [AmoCrmModule.forRoot({ ...base, allowAnyAccount: true, oauth: { ...EVERY_CALLBACK } })] });
    const res = await callback(app, `127.0.0.1:${evil.port}`);
    expect([res.status, res.body.error]).toEqual([400, 'invalid_account_host']);
    expect(evil.connections()).toBe(0);
  });

  test('a widget-install account that is not an account host, or not the configured one, is a startup error', async () => {
    await expect(
      startApp({ imports: [AmoCrmModule.forRoot({ ...base, subdomain: 'myshop', oauth: { widgetInstalls: { referer: `127.0.0.1:${evil.port}` } } })] }),
    ).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(
      startApp({ imports: [AmoCrmModule.forRoot({ ...base, subdomain: 'myshop', oauth: { widgetInstalls: { referer: 'other.amocrm.ru' } } })] }),
    ).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringContaining(ACCOUNT) });
  });
});
