/**
 * The operators' configuration view over HTTP (`diagnostics` on SmsModule/AmoCrmModule):
 * absent without protection, the API key and the app's guards, and a body that carries every
 * client's view without any secret the app was configured with.
 */
import { randomInt } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import request from 'supertest';
import { AmoCrmModule, OtpModule, SmsModule, type ConfigurationReport, type DiagnosticsRouteOptions } from '../nest/nestjs';
import { closeApps, startApp } from './nest-helpers';

afterEach(closeApps);

/** Letters no word, number or hash of a view is made of: any 4 of them in a row is a leak. */
function mint(): string {
  const alphabet = 'QXZJKVWqxzjkvwGHY';
  return Array.from({ length: 32 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function expectNoSliceOf(secrets: string[], text: string): void {
  for (const secret of secrets) {
    for (let i = 0; i + 4 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 4));
  }
}

const secrets = { password: mint(), redis: mint(), clientSecret: mint(), otp: mint(), apiKey: mint() };

function app(diagnostics: DiagnosticsRouteOptions) {
  return startApp({
    imports: [
      SmsModule.forRoot({
        isGlobal: true,
        provider: 'eskiz',
        eskiz: { email: 'ops@example.uz', password: secrets.password, baseUrl: 'http://127.0.0.1:9' },
        tokenStore: { type: 'redis', url: `redis://app-user:${secrets.redis}@127.0.0.1:9/0` },
        diagnostics,
      }),
      AmoCrmModule.forRoot({
        isGlobal: true,
        subdomain: 'example',
        clientId: '3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f',
        clientSecret: secrets.clientSecret,
        redirectUri: 'https://shop.uz/amocrm/callback',
      }),
      OtpModule.forRoot({ secret: secrets.otp }),
    ],
  });
}

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class RefuseGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-admin'] === 'yes';
  }
}

test('without guards or apiKey the route is not there (404)', async () => {
  const server = (await app({})).getHttpServer();
  await request(server).get('/uzgate/configuration').set('X-API-KEY', secrets.apiKey).expect(404);
});

test('a wrong or missing key is 401; the right key gets every client, masked', async () => {
  const server = (await app({ apiKey: secrets.apiKey })).getHttpServer();
  await request(server).get('/uzgate/configuration').expect(401);
  await request(server).get('/uzgate/configuration').set('X-API-KEY', `${secrets.apiKey}x`).expect(401);
  await request(server).get('/uzgate/configuration').set('X-API-KEY', secrets.apiKey.slice(0, 16)).expect(401);
  const res = await request(server).get('/uzgate/configuration').set('X-API-KEY', secrets.apiKey).expect(200);
  expect(res.headers['cache-control']).toBe('no-store');
  const body = res.body as ConfigurationReport;
  expect(body.clients.map((c) => `${c.client}:${c.provider}`)).toEqual(['sms:eskiz', 'amocrm:amocrm', 'otp:otp']);
  const [sms, amo, otp] = body.clients;
  expect(sms.credentials).toEqual([
    { name: 'eskiz.email', state: 'set', shown: 'o***@example.uz' },
    { name: 'eskiz.password', state: 'set' },
  ]);
  expect(sms.tokenStore).toMatchObject({ type: 'redis', survivesRestart: true, shared: true, sealed: false, url: 'redis://app-user:***@127.0.0.1:9/0' });
  expect(sms.findings.map((f) => f.option)).toEqual(['eskiz.callbackUrl', 'eskiz.from', 'tokenStore.encryptionKey']);
  expect(amo.tokenStore).toMatchObject({ type: 'memory', survivesRestart: false });
  expect(amo.findings).toContainEqual(expect.objectContaining({ option: 'tokenStore', level: 'risk' }));
  expect(amo.hosts).toContainEqual({ role: 'token', url: 'https://example.amocrm.ru' });
  expect(otp.otp).toMatchObject({ length: 6, ttlSeconds: 300, maxAttempts: 5, devMode: false, store: 'memory' });
  expectNoSliceOf(Object.values(secrets), res.text);
});

test("the app's guards protect the route; with both, both must pass", async () => {
  const guarded = (await app({ guards: [AllowGuard] })).getHttpServer();
  const ok = await request(guarded).get('/uzgate/configuration').expect(200);
  expect((ok.body as ConfigurationReport).clients).toHaveLength(3);
  await closeApps();

  const refusing = (await app({ guards: [RefuseGuard], apiKey: secrets.apiKey })).getHttpServer();
  await request(refusing).get('/uzgate/configuration').set('X-API-KEY', secrets.apiKey).expect(403);
  await request(refusing).get('/uzgate/configuration').set('x-admin', 'yes').expect(401);
  await request(refusing).get('/uzgate/configuration').set('x-admin', 'yes').set('X-API-KEY', secrets.apiKey).expect(200);
});

test('a short apiKey stops the module definition with CONFIG, without its value', () => {
  let error: unknown;
  try {
    SmsModule.forRoot({ provider: 'console', diagnostics: { apiKey: 'short-key-QXZJ' } });
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('diagnostics.apiKey') });
  expect((error as Error).message).not.toContain('short-key-QXZJ');
});
