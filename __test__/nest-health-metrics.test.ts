/** Terminus health indicators (uzgate/nestjs/health) and the Prometheus endpoint. */
import { Controller, Get, Query } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import request from 'supertest';
import { SmsClient, callbackFailures, type Sandbox } from '../nest';
import { AmoCrmModule, AmoCrmService, SmsModule, SmsService, mergePrometheusTexts, type SmsModuleOptions } from '../nest/nestjs';
import { AmoCrmHealthIndicator, SmsHealthIndicator } from '../nest/nestjs/health';
import { AMO, ESKIZ_EMAIL, ESKIZ_PASSWORD, eventually, sandbox } from './helpers';
import { CollectingLogger, closeApps, startApp } from './nest-helpers';

let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { autoConsent: true } });
});

afterEach(async () => {
  await closeApps();
  await sb.close();
});

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sms: SmsHealthIndicator,
    private readonly amo: AmoCrmHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(@Query('minBalance') minBalance?: string) {
    return this.health.check([
      () => this.sms.isHealthy('sms', { minBalance: minBalance === undefined ? undefined : Number(minBalance) }),
      () => this.amo.isHealthy('amocrm'),
    ]);
  }
}

const amoOptions = () => ({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url });
const eskizOptions = (password = ESKIZ_PASSWORD): SmsModuleOptions => ({
  provider: 'eskiz',
  eskiz: { email: ESKIZ_EMAIL, password, baseUrl: sb.url },
});

function healthApp(sms: SmsModuleOptions = eskizOptions()) {
  return startApp(
    {
      imports: [TerminusModule, SmsModule.forRoot({ ...sms, isGlobal: true }), AmoCrmModule.forRoot({ ...amoOptions(), isGlobal: true })],
      controllers: [HealthController],
      providers: [SmsHealthIndicator, AmoCrmHealthIndicator],
    },
    new CollectingLogger(), // terminus logs every failed check
  );
}

async function connectAmo(amo: AmoCrmService): Promise<void> {
  const { state } = amo.authorizationUrl();
  await amo.exchangeCode({ code: sb.amocrmIssueCode(), state, expectedState: state, referer: AMO.referer });
}

test('all up: 200 with each token state', async () => {
  const app = await healthApp();
  await connectAmo(app.get(AmoCrmService));
  await app.get(SmsService).send({ to: '+998901234567', text: 'x' });
  const res = await request(app.getHttpServer()).get('/health').expect(200);
  expect(res.body).toMatchObject({
    status: 'ok',
    details: { sms: { status: 'up', provider: 'eskiz', token: 'valid' }, amocrm: { status: 'up', token: 'valid' } },
  });
});

test('a wrong Eskiz password: sms down (503) with the error code', async () => {
  const app = await healthApp(eskizOptions('hunter2-but-wrong'));
  await expect(app.get(SmsService).send({ to: '+998901234567', text: 'x' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  const res = await request(app.getHttpServer()).get('/health').expect(503);
  expect(res.body.error.sms).toMatchObject({ status: 'down', token: 'failed', error: 'AUTH_FAILED' });
});

test('amoCRM needing reauthorization: amocrm down', async () => {
  const app = await healthApp();
  const amo = app.get(AmoCrmService);
  await connectAmo(amo);
  sb.revokeTokens('amocrm');
  await expect(amo.account()).rejects.toMatchObject({ code: 'REAUTHORIZATION_REQUIRED' });
  const res = await request(app.getHttpServer()).get('/health').expect(503);
  expect(res.body.error.amocrm).toMatchObject({ status: 'down', token: 'reauthorization_required' });
  expect(res.body.info.sms.status).toBe('up');
});

test('minBalance: down below it, up above', async () => {
  const app = await healthApp();
  const { balance } = await app.get(SmsService).balance();
  const low = await request(app.getHttpServer()).get(`/health?minBalance=${balance + 1}`).expect(503);
  expect(low.body.error.sms).toMatchObject({ status: 'down', balance, minBalance: balance + 1 });
  const ok = await request(app.getHttpServer()).get(`/health?minBalance=${balance}`).expect(200);
  expect(ok.body.info.sms).toMatchObject({ status: 'up', balance });
});

test('minBalance with balancePollMs: the polled value, no provider request per check; the gauge on /metrics', async () => {
  sb.configure({ eskiz: { initialBalance: 7000 } });
  const app = await healthApp({ ...eskizOptions(), balancePollMs: 3_600_000 });
  const sms = app.get(SmsService);
  await eventually(() => sms.lastBalance() !== null, 5000);
  expect(sms.lastBalance()).toMatchObject({ balance: 7000, currency: 'UZS', failuresSince: 0 });
  const requests = sb.stats().eskiz.requests;
  for (let i = 0; i < 5; i++) {
    const low = await request(app.getHttpServer()).get('/health?minBalance=7001').expect(503);
    expect(low.body.error.sms).toMatchObject({ status: 'down', balance: 7000, minBalance: 7001, failuresSince: 0 });
  }
  await request(app.getHttpServer()).get('/health?minBalance=7000').expect(200);
  expect(sb.stats().eskiz.requests).toBe(requests);
  expect(sms.metrics()).toContain('uzgate_balance{provider="eskiz",currency="UZS"} 7000');
  expect(sms.metrics()).toContain('uzgate_balance_polls_total{provider="eskiz",result="ok"} 1');
});

test('balancePollMs out of bounds: CONFIG naming it', () => {
  expect(() => new SmsClient({ provider: 'console', balancePollMs: 500 })).toThrow(/balancePollMs must be between 1000 and 86400000 \(got 500\)/);
});

test('the console provider has no token and is up', async () => {
  const app = await healthApp({ provider: 'console' });
  const res = await request(app.getHttpServer()).get('/health').expect(200);
  expect(res.body.details.sms).toEqual({ status: 'up', provider: 'console' });
});

test('/metrics: one Prometheus exposition of every client', async () => {
  const app = await startApp({
    imports: [SmsModule.forRoot({ ...eskizOptions(), metrics: {} }), AmoCrmModule.forRoot(amoOptions())],
  });
  await connectAmo(app.get(AmoCrmService));
  await app.get(SmsService).send({ to: '+998901234567', text: 'x' });
  const res = await request(app.getHttpServer()).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
  expect(res.text).toContain('uzgate_requests_total{provider="eskiz",endpoint="sms/send",status="200"} 1');
  expect(res.text).toContain('uzgate_requests_total{provider="amocrm",endpoint="oauth2/access_token",status="200"} 1');
  const typeLines = res.text.split('\n').filter((l) => l.startsWith('# TYPE'));
  expect(new Set(typeLines).size).toBe(typeLines.length);
});

test('/metrics counts contained callback failures: a throwing token listener on SmsService', async () => {
  const app = await startApp({ imports: [SmsModule.forRoot({ ...eskizOptions(), metrics: {} })] });
  const before = callbackFailures().listener;
  app.get(SmsService).on('token_refreshed', () => {
    throw new Error('listener failed');
  });
  await app.get(SmsService).send({ to: '+998901234567', text: 'x' });
  await eventually(() => callbackFailures().listener > before);
  expect(callbackFailures().listener).toBe(before + 1);
  const res = await request(app.getHttpServer()).get('/metrics').expect(200);
  expect(res.text).toContain('# TYPE uzgate_callback_failures_total counter');
  expect(res.text).toContain(`uzgate_callback_failures_total{kind="listener"} ${String(before + 1)}`);
});

test('/metrics at a custom path, mounted by AmoCrmModule.forRootAsync; absent unless asked for', async () => {
  const app = await startApp({
    imports: [AmoCrmModule.forRootAsync({ useFactory: amoOptions, metrics: { path: 'internal/metrics' } })],
  });
  await request(app.getHttpServer()).get('/internal/metrics').expect(200);
  await request(app.getHttpServer()).get('/metrics').expect(404);
});

test('/metrics with a bearer token: 401 without it or with a wrong one, the text with it', async () => {
  const token = `scrape-${Math.random().toString(36).slice(2).padEnd(12, '0')}`;
  const app = await startApp({
    imports: [SmsModule.forRoot({ ...eskizOptions(), metrics: { bearerToken: token } })],
  });
  const server = app.getHttpServer();
  const refused = await request(server).get('/metrics').expect(401);
  expect(refused.headers['content-type']).toMatch(/^application\/json/);
  expect(refused.text).not.toContain('uzgate_');
  await request(server).get('/metrics').set('Authorization', `Bearer ${token}x`).expect(401);
  await request(server).get('/metrics').set('Authorization', token).expect(401);
  const ok = await request(server).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
  expect(ok.text).toContain('# TYPE uzgate_');
});

test('an empty metrics bearer token is a CONFIG error at startup, not an open route', () => {
  expect(() => SmsModule.forRoot({ ...eskizOptions(), metrics: { bearerToken: '' } })).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('metrics.bearerToken must be a string of at least 16 characters') }));
});

test('merging texts: each family once, identical series summed', () => {
  const a = '# HELP x_total X.\n# TYPE x_total counter\nx_total{p="a"} 1\n# HELP y Y.\n# TYPE y histogram\ny_sum 0.5\n';
  const b = '# HELP x_total X.\n# TYPE x_total counter\nx_total{p="a"} 2\nx_total{p="b"} 1\n# HELP y Y.\n# TYPE y histogram\ny_sum 0.25\n';
  expect(mergePrometheusTexts([a, b])).toBe(
    '# HELP x_total X.\n# TYPE x_total counter\nx_total{p="a"} 3\nx_total{p="b"} 1\n# HELP y Y.\n# TYPE y histogram\ny_sum 0.75\n',
  );
});
