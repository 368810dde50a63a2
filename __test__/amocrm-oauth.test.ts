/** The OAuth round trip against the sandbox, and what happens when authorisation is lost. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UzgateError, type Sandbox, type TokenEvent } from '../nest';
import { AMO, amo, authorize, closeAll, rejection, sandbox } from './helpers';

let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { autoConsent: true } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

test('authorizationUrl → consent → callback → exchangeCode → calls work', async () => {
  const client = amo(sb);
  const { url, state } = client.authorizationUrl({ mode: 'popup' });
  expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const consent = new URL(url);
  expect(consent.origin + consent.pathname).toBe(`${sb.url}/oauth`);
  expect(Object.fromEntries(consent.searchParams)).toEqual({ client_id: AMO.clientId, state, mode: 'popup' });
  // The sandbox approves at once and redirects to the integration's redirect URI.
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const callback = new URL(res.headers.get('location')!);
  expect(callback.origin + callback.pathname).toBe(AMO.redirectUri);
  const q = Object.fromEntries(callback.searchParams);
  expect(q).toMatchObject({ state, referer: AMO.referer, client_id: AMO.clientId });
  const status = await client.exchangeCode({ code: q.code, state: q.state, expectedState: state, referer: q.referer });
  expect(status).toMatchObject({ state: 'valid', logins: 1, generation: 1 });
  expect(status.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
  expect((await client.account()).subdomain).toBe('uzgate');
  expect(sb.stats().amocrm.codeExchanges).toBe(1);
});

test('a state mismatch is refused before any request', async () => {
  const client = amo(sb);
  client.authorizationUrl();
  const err = await rejection(
    client.exchangeCode({ code: sb.amocrmIssueCode(), state: 'forged', expectedState: 'issued-state', referer: AMO.referer }),
  );
  expect(err).toBeInstanceOf(UzgateError);
  expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'state_mismatch' } });
  expect(sb.stats().amocrm.codeExchanges + sb.stats().amocrm.codeFailures).toBe(0);
});

test('access_denied is a typed error with no request', async () => {
  const client = amo(sb);
  const { state } = client.authorizationUrl();
  const err = await rejection(client.exchangeCode({ error: 'access_denied', state, expectedState: state }));
  expect(err).toMatchObject({ code: 'AUTH_FAILED', provider: 'amocrm', details: { reason: 'access_denied' } });
  expect(sb.stats().amocrm.requests + sb.stats().amocrm.codeFailures).toBe(0);
});

test('a reused code is refused with its reason', async () => {
  const client = amo(sb);
  const code = sb.amocrmIssueCode();
  const s = client.authorizationUrl().state;
  await client.exchangeCode({ code, state: s, expectedState: s, referer: AMO.referer });
  const err = await rejection(client.exchangeCode({ code, state: s, expectedState: s, referer: AMO.referer }));
  expect(err).toMatchObject({ code: 'AUTH_FAILED', status: 400, details: { reason: 'code_revoked' } });
  expect(err.providerMessage).toBeTruthy();
});

test('an expired code is refused with its reason', async () => {
  sb.configure({ amocrm: { codeTtlSecs: 1 } });
  const client = amo(sb);
  const code = sb.amocrmIssueCode();
  await new Promise((r) => setTimeout(r, 1100));
  const s = client.authorizationUrl().state;
  const err = await rejection(client.exchangeCode({ code, state: s, expectedState: s, referer: AMO.referer }));
  expect(err).toMatchObject({ code: 'AUTH_FAILED', details: { reason: 'code_expired' } });
});

test('expired access token: refreshed once, rotated, call succeeds', async () => {
  const client = amo(sb);
  await authorize(client, sb);
  sb.expireTokens('amocrm');
  const results = await Promise.all(Array.from({ length: 20 }, () => client.account()));
  expect(results).toHaveLength(20);
  expect(sb.stats().amocrm).toMatchObject({ refreshes: 1, revokedReuses: 0 });
  expect(client.tokenStatus()).toMatchObject({ state: 'valid', refreshes: 1 });
});

test('refresh token revoked: reauthorization_required, an event, no loop, then a new code fixes it', async () => {
  const client = amo(sb);
  const events: TokenEvent[] = [];
  client.on('reauthorization_required', (e: TokenEvent) => events.push(e));
  await authorize(client, sb);
  sb.revokeTokens('amocrm');
  const err = await rejection(client.account());
  expect(err).toMatchObject({ code: 'REAUTHORIZATION_REQUIRED', provider: 'amocrm' });
  expect(client.tokenStatus().state).toBe('reauthorization_required');
  const refreshAttempts = sb.stats().amocrm.refreshes + sb.stats().amocrm.refreshFailures;
  // Later calls fail the same way without asking amoCRM again.
  for (let i = 0; i < 5; i++) {
    await expect(client.account()).rejects.toMatchObject({ code: 'REAUTHORIZATION_REQUIRED' });
  }
  expect(sb.stats().amocrm.refreshes + sb.stats().amocrm.refreshFailures).toBe(refreshAttempts);
  await new Promise((r) => setTimeout(r, 50));
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ type: 'reauthorization_required', provider: 'amocrm' });
  await authorize(client, sb);
  expect(client.tokenStatus().state).toBe('valid');
  await expect(client.account()).resolves.toMatchObject({ subdomain: 'uzgate' });
});

test('not authorised yet: REAUTHORIZATION_REQUIRED without a request', async () => {
  const client = amo(sb);
  await expect(client.account()).rejects.toMatchObject({ code: 'REAUTHORIZATION_REQUIRED', details: { reason: 'not_authorized' } });
  expect(sb.stats().amocrm.requests).toBe(0);
});

test('a long-lived token needs no OAuth; when it dies the error says so, without a loop', async () => {
  // Any access token the sandbox issued stands in for a private integration's long-lived one.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-amo-'));
  try {
    const issuer = amo(sb, { tokenStore: { type: 'file', path: path.join(dir, 't.json') } });
    await authorize(issuer, sb);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 't.json'), 'utf8'));
    const token = JSON.parse((Object.values(doc.entries)[0] as { data: string }).data).accessToken as string;
    await issuer.close();
    const client = amo(sb, { clientSecret: undefined, redirectUri: undefined, longLivedToken: token });
    await expect(client.account()).resolves.toMatchObject({ subdomain: 'uzgate' });
    expect(client.tokenStatus().expiresAt).toBeInstanceOf(Date);
    sb.revokeTokens('amocrm');
    await expect(client.account()).rejects.toMatchObject({
      code: 'REAUTHORIZATION_REQUIRED',
      details: { reason: 'long_lived_token_rejected' },
    });
    expect(sb.stats().amocrm.refreshes).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('configuration errors are thrown synchronously', () => {
  expect(() => amo(sb, { clientId: '' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => amo(sb, { clientSecret: '' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => amo(sb, { redirectUri: 'not-a-url' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => amo(sb, { subdomain: 'bad domain' })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => amo(sb, { rateLimitPerSecond: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  expect(() => amo(sb, { sharedRateLimit: true })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
});
