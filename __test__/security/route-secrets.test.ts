/**
 * Secrets that guard routes — the Eskiz callback path secret, the OAuth status API key, the
 * /metrics bearer token — are at least 16 characters: 15 is a CONFIG error at startup naming the
 * option (and never the value); 16 starts and guards the route.
 */
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AmoCrmModule, SmsModule, type SmsModuleOptions } from '../../nest/nestjs';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD } from '../helpers';
import { closeApps, startApp } from '../nest-helpers';

afterEach(closeApps);

const SHORT = 'a'.repeat(15);
const ENOUGH = 'b'.repeat(16);
// Nothing is sent to this address by these tests: clients start without network calls.
const BASE_URL = 'http://127.0.0.1:9';

const eskiz = (extra: Partial<SmsModuleOptions> = {}): SmsModuleOptions => ({
  provider: 'eskiz',
  eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: BASE_URL },
  ...extra,
});

const configError = (option: string) =>
  expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining(`${option} must be a string of at least 16 characters`) });

async function startupError(compile: () => Promise<unknown>): Promise<Error> {
  try {
    await compile();
  } catch (e) {
    return e as Error;
  }
  throw new Error('started');
}

test('callbacks.eskizSecret: 15 characters stop startup (forRoot and from a forRootAsync factory); 16 guard the route', async () => {
  for (const compile of [
    () => Test.createTestingModule({ imports: [SmsModule.forRoot(eskiz({ callbacks: { eskizSecret: SHORT } }))] }).compile(),
    () =>
      Test.createTestingModule({
        imports: [SmsModule.forRootAsync({ callbacks: true, useFactory: () => eskiz({ callbacks: { eskizSecret: SHORT } }) })],
      }).compile(),
  ]) {
    const err = await startupError(compile);
    expect(err).toEqual(configError('callbacks.eskizSecret'));
    expect(err.message).not.toContain(SHORT);
  }
  const app = await startApp({ imports: [SmsModule.forRoot(eskiz({ callbacks: { eskizSecret: ENOUGH } }))] });
  await request(app.getHttpServer()).post(`/sms/callbacks/eskiz/${ENOUGH.slice(1)}`).send({}).expect(404);
});

test('metrics.bearerToken: 15 characters (or a non-string) stop startup; 16 guard /metrics', async () => {
  expect(() => SmsModule.forRoot(eskiz({ metrics: { bearerToken: SHORT } }))).toThrow(configError('metrics.bearerToken'));
  expect(() => SmsModule.forRoot(eskiz({ metrics: { bearerToken: 1234567890123456 as unknown as string } }))).toThrow(configError('metrics.bearerToken'));
  const app = await startApp({ imports: [SmsModule.forRoot(eskiz({ metrics: { bearerToken: ENOUGH } }))] });
  await request(app.getHttpServer()).get('/metrics').expect(401);
  await request(app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${ENOUGH}`).expect(200);
});

test('oauth.apiKey: 15 characters stop startup; 16 guard /amocrm/status', async () => {
  const amo = (apiKey: string) =>
    AmoCrmModule.forRoot({
      clientId: '00000000-0000-4000-8000-000000000000',
      clientSecret: 'x'.repeat(20),
      redirectUri: 'https://app.example.uz/amocrm/callback',
      subdomain: 'myshop',
      baseUrl: BASE_URL,
      oauth: { apiKey },
    });
  const err = await startupError(() => Test.createTestingModule({ imports: [amo(SHORT)] }).compile());
  expect(err).toEqual(configError('oauth.apiKey'));
  expect(err.message).not.toContain(SHORT);
  const app = await startApp({ imports: [amo(ENOUGH)] });
  await request(app.getHttpServer()).get('/amocrm/status').set('X-API-KEY', SHORT).expect(401);
  await request(app.getHttpServer()).get('/amocrm/status').set('X-API-KEY', ENOUGH).expect(200);
});
