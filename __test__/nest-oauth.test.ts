/** The amoCRM OAuth controller over HTTP: authorize → consent → callback, state checks, status API key. */
import type { INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { Sandbox } from '../nest';
import { AMOCRM_STATE_COOKIE, AmoCrmModule, AmoCrmService, type AmoCrmOAuthOptions } from '../nest/nestjs';
import { AMO, sandbox } from './helpers';
import { closeApps, startApp } from './nest-helpers';
import { API_KEY, authorize, callback as callbackTo, exchanges as exchangesOf, oauthApp as oauthAppOn, setCookieText } from './nest-oauth-helpers';

let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { autoConsent: true } });
});

afterEach(async () => {
  await closeApps();
  await sb.close();
});

const oauthApp = (oauth: AmoCrmOAuthOptions = {}) => oauthAppOn(sb, oauth);
const exchanges = () => exchangesOf(sb);
const callback = (app: INestApplication, state: string, query?: string) => callbackTo(app, sb, state, query);

test('authorize: 302 to the consent page, state in an HttpOnly SameSite=Lax cookie for 10 minutes', async () => {
  const app = await oauthApp();
  const { setCookie, state, consent } = await authorize(app);
  expect(consent.origin + consent.pathname).toBe(`${sb.url}/oauth`);
  expect(consent.searchParams.get('client_id')).toBe(AMO.clientId);
  expect(consent.searchParams.get('state')).toBe(state);
  expect(setCookie).toBe(`${AMOCRM_STATE_COOKIE}=${state}; Path=/amocrm; Max-Age=600; HttpOnly; SameSite=Lax`);
});

test('authorize behind an https proxy: the cookie is Secure; a custom path and mode are honoured', async () => {
  const app = await oauthApp({ path: 'integrations/amo', mode: 'popup' });
  const res = await request(app.getHttpServer()).get('/integrations/amo/authorize').set('X-Forwarded-Proto', 'https').expect(302);
  const cookie = setCookieText(res);
  expect(cookie).toContain('Path=/integrations/amo;');
  expect(cookie).toMatch(/; Secure$/);
  expect(new URL(res.headers.location).searchParams.get('mode')).toBe('popup');
});

test('callback with the right state (full consent round trip): tokens stored, JSON answer', async () => {
  const app = await oauthApp();
  const { state, consent } = await authorize(app);
  // The sandbox approves at once and sends the browser back with code, state and referer.
  const approved = await fetch(consent, { redirect: 'manual' });
  const back = new URL(approved.headers.get('location')!);
  expect(back.pathname).toBe('/amocrm/callback');
  const res = await request(app.getHttpServer())
    .get(`/amocrm/callback${back.search}`)
    .set('Cookie', `other=1; ${AMOCRM_STATE_COOKIE}=${state}`)
    .expect(200);
  expect(res.body).toMatchObject({ ok: true, status: { provider: 'amocrm', state: 'valid', logins: 1 } });
  expect(res.body.status).not.toHaveProperty('accessToken');
  expect(setCookieText(res)).toContain(`${AMOCRM_STATE_COOKIE}=; Path=/amocrm; Max-Age=0`);
  expect(sb.stats().amocrm.codeExchanges).toBe(1);
  await expect(app.get(AmoCrmService).account()).resolves.toMatchObject({ subdomain: 'uzgate' });
});

test('callback success with successRedirect: 302 there', async () => {
  const app = await oauthApp({ successRedirect: '/admin/amocrm?connected=1' });
  const { state } = await authorize(app);
  const res = await callback(app, state)
    .expect(302);
  expect(res.headers.location).toBe('/admin/amocrm?connected=1');
  expect(sb.stats().amocrm.codeExchanges).toBe(1);
});

test('wrong state: 400, no exchange', async () => {
  const app = await oauthApp();
  const { state } = await authorize(app);
  const res = await callback(app, state, `code=${sb.amocrmIssueCode()}&state=forged-${state}&referer=${AMO.referer}`)
    .expect(400);
  expect(res.body).toMatchObject({ ok: false, error: 'state_mismatch' });
  expect(exchanges()).toBe(0);
  expect(app.get(AmoCrmService).tokenStatus().state).toBe('empty');
});

test('missing state cookie: 400 state_missing with the likely cause, no exchange', async () => {
  const app = await oauthApp();
  const { state } = await authorize(app);
  const res = await request(app.getHttpServer()).get(`/amocrm/callback?code=${sb.amocrmIssueCode()}&state=${state}`).expect(400);
  expect(res.body).toMatchObject({ ok: false, error: 'state_missing' });
  expect(res.body.message).toMatch(/opened on another host than the redirect URI \(for example http:\/\/localhost:3000 while the redirect URI says http:\/\/127\.0\.0\.1:3000/);
  expect(res.body.message).not.toMatch(/expectedState/);
  expect(exchanges()).toBe(0);
});

test('failures go to failureRedirect with the reason', async () => {
  const app = await oauthApp({ failureRedirect: 'https://shop.example.uz/admin?tab=crm#amo' });
  const { state } = await authorize(app);
  const res = await callback(app, state, `code=${sb.amocrmIssueCode()}&state=other`)
    .expect(302);
  expect(res.headers.location).toBe('https://shop.example.uz/admin?tab=crm&error=state_mismatch#amo');
  expect(exchanges()).toBe(0);
});

test('access_denied: 400 JSON, or the failure page', async () => {
  const app = await oauthApp();
  const { state } = await authorize(app);
  const denied = await callback(app, state, `error=access_denied&state=${state}`)
    .expect(400);
  expect(denied.body).toMatchObject({ ok: false, error: 'access_denied' });

  const redirecting = await oauthApp({ path: 'crm', failureRedirect: '/connect-failed' });
  const second = await authorize(redirecting, '/crm');
  const res = await request(redirecting.getHttpServer())
    .get(`/crm/callback?error=access_denied&state=${second.state}`)
    .set('Cookie', `${AMOCRM_STATE_COOKIE}=${second.state}`)
    .expect(302);
  expect(res.headers.location).toBe('/connect-failed?error=access_denied');
  expect(exchanges()).toBe(0);
});

test('a reused code: 400 with the reason from amoCRM', async () => {
  const app = await oauthApp();
  const code = sb.amocrmIssueCode();
  for (const expected of [200, 400]) {
    const { state } = await authorize(app);
    const res = await callback(app, state, `code=${code}&state=${state}&referer=${AMO.referer}`)
      .expect(expected);
    if (expected === 400) expect(res.body).toMatchObject({ ok: false, error: 'code_revoked' });
  }
});

test('amoCRM failing during the exchange: 502 exchange_failed, no uzgate code or provider text', async () => {
  const app = await oauthApp();
  const { state } = await authorize(app);
  sb.setFault({ path: '/oauth2/access_token', kind: 'status', status: 502 });
  const res = await callback(app, state);
  // A 502 after the code was sent: amoCRM may have spent it, so uzgate does not repeat it.
  expect(res.status).toBe(502);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'ok']);
  expect(res.body).toMatchObject({ ok: false, error: 'exchange_failed' });
  expect(sb.stats().faultsInjected).toBe(1);
});

describe('marketplace widget installs (from_widget, no state)', () => {
  const install = (app: INestApplication, code: string, referer: string) =>
    request(app.getHttpServer()).get(`/amocrm/callback?code=${code}&referer=${referer}&from_widget=1&client_id=${AMO.clientId}`);

  test('off by default: refused like any callback without a state, no exchange', async () => {
    const app = await oauthApp();
    const res = await install(app, sb.amocrmIssueCode(), AMO.referer).expect(400);
    expect(res.body).toMatchObject({ ok: false, error: 'state_missing' });
    expect(exchanges()).toBe(0);
  });

  test('on: the configured account\'s code is exchanged once and the tokens stored', async () => {
    const app = await oauthApp({ widgetInstalls: { referer: `https://${AMO.referer.toUpperCase()}/` } });
    const res = await install(app, sb.amocrmIssueCode(), AMO.referer).expect(200);
    expect(res.body).toMatchObject({ ok: true, status: { state: 'valid' } });
    expect(sb.stats().amocrm.codeExchanges).toBe(1);
    await expect(app.get(AmoCrmService).account()).resolves.toMatchObject({ subdomain: expect.any(String) });
  });

  test('on: another account is refused without an exchange; a reused code is 400', async () => {
    const app = await oauthApp({ widgetInstalls: { referer: AMO.referer } });
    const other = await install(app, sb.amocrmIssueCode(), 'intruder.amocrm.ru').expect(403);
    expect(other.body).toMatchObject({ ok: false, error: 'widget_account_refused' });
    expect(exchanges()).toBe(0);
    const code = sb.amocrmIssueCode();
    await install(app, code, AMO.referer).expect(200);
    const again = await install(app, code, AMO.referer).expect(400);
    expect(again.body).toMatchObject({ ok: false, error: 'code_revoked' });
  });

  test('a referer that is not a host is a startup error', async () => {
    await expect(oauthApp({ widgetInstalls: { referer: 'uzgate' } })).rejects.toThrow(/widgetInstalls.referer must be the account host/);
  });
});

test('status: right key → tokenStatus; wrong or missing key → 401', async () => {
  const app = await oauthApp();
  const server = app.getHttpServer();
  const ok = await request(server).get('/amocrm/status').set('X-API-KEY', API_KEY).expect(200);
  expect(ok.body).toMatchObject({ provider: 'amocrm', state: 'empty', store: 'memory' });
  await request(server).get('/amocrm/status').set('X-API-KEY', `${API_KEY}x`).expect(401);
  await request(server).get('/amocrm/status').set('X-API-KEY', API_KEY.slice(0, 5)).expect(401);
  await request(server).get('/amocrm/status').expect(401);
});

test('status without a configured apiKey is not there (404)', async () => {
  const app = await oauthApp({ apiKey: undefined });
  await request(app.getHttpServer()).get('/amocrm/status').set('X-API-KEY', 'anything').expect(404);
  await request(app.getHttpServer()).get('/amocrm/authorize').expect(302);
});

test('without `oauth` no route is mounted', async () => {
  const app = await startApp({
    imports: [AmoCrmModule.forRoot({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url })],
  });
  await request(app.getHttpServer()).get('/amocrm/authorize').expect(404);
});

test('forRootAsync: `oauth: true` mounts the routes, settings from the factory', async () => {
  const app = await startApp({
    imports: [
      AmoCrmModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ ADMIN_KEY: API_KEY, url: sb.url })] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          clientId: AMO.clientId,
          clientSecret: AMO.clientSecret,
          redirectUri: AMO.redirectUri,
          baseUrl: config.getOrThrow<string>('url'),
          oauth: { apiKey: config.getOrThrow<string>('ADMIN_KEY'), successRedirect: '/done' },
        }),
        oauth: true,
      }),
    ],
  });
  await request(app.getHttpServer()).get('/amocrm/status').set('X-API-KEY', API_KEY).expect(200);
  const { state } = await authorize(app);
  const res = await callback(app, state)
    .expect(302);
  expect(res.headers.location).toBe('/done');
});

test('the cookie path follows a global prefix', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [AmoCrmModule.forRoot({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url, oauth: {} })],
  }).compile();
  const app = moduleRef.createNestApplication();
  app.setGlobalPrefix('api');
  await app.init();
  try {
    const res = await request(app.getHttpServer()).get('/api/amocrm/authorize').expect(302);
    expect(setCookieText(res)).toContain('Path=/api/amocrm;');
  } finally {
    await app.close();
  }
});
