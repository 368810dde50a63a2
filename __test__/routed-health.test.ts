/**
 * Balances and health per provider of a routed SmsClient: `balances()` asks each provider,
 * polling keeps each provider's last balance, and the Terminus indicator reports every provider
 * and goes down only when no provider can take a send or a provider is below its own minimum.
 */
import { Controller, Get, Query } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import request from 'supertest';
import { SmsClient, type Sandbox, type SmsClientOptions } from '../nest';
import { SmsModule, SmsService, type SmsModuleOptions } from '../nest/nestjs';
import { SmsHealthIndicator } from '../nest/nestjs/health';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, closeAll, eventually, rejection, sandbox, track } from './helpers';
import { CollectingLogger, closeApps, startApp } from './nest-helpers';

const PM_LOGIN = 'health-login';
const PM_PASSWORD = 'health-password-for-tests';
const UZ = '+998901234567';
let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ playmobile: { login: PM_LOGIN, password: PM_PASSWORD } });
});

afterEach(async () => {
  await closeApps();
  await closeAll();
  await sb.close();
});

function routedOptions(overrides: Partial<SmsClientOptions> = {}): SmsClientOptions {
  const account = sb.twilioAccount();
  return {
    eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url },
    playmobile: { login: PM_LOGIN, password: PM_PASSWORD, originator: '3700', baseUrl: sb.url },
    twilio: { accountSid: account.accountSid, authToken: account.authToken, from: account.numbers[0], baseUrl: sb.url },
    routing: [
      { to: 'UZ', via: ['eskiz', 'playmobile', 'twilio'] },
      { to: '*', via: ['twilio'] },
    ],
    breaker: { failures: 1, coolDownMs: 60_000 },
    ...overrides,
  };
}

test('balances() answers for every provider: Eskiz in UZS, Twilio in its currency, Play Mobile says it has no balance query', async () => {
  const sms = track(new SmsClient(routedOptions()));
  const all = await sms.balances();
  expect(all.map((b) => b.provider)).toEqual(['eskiz', 'playmobile', 'twilio']);
  const [eskiz, playmobile, twilio] = all;
  expect(eskiz).toMatchObject({ currency: 'UZS' });
  expect(typeof eskiz.balance).toBe('number');
  expect(playmobile.error?.code).toBe('NOT_IMPLEMENTED');
  expect(playmobile.balance).toBeUndefined();
  expect(typeof twilio.balance).toBe('number');
  expect(twilio.error).toBeUndefined();
  // The client's own provider answers balance() as before.
  expect((await sms.balance()).provider).toBe('eskiz');

  const single = track(new SmsClient({ provider: 'eskiz', eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url } }));
  expect((await single.balances()).map((b) => b.provider)).toEqual(['eskiz']);
  await single.close();
  expect((await rejection(single.balances())).code).toBe('CLOSED');
});

test('polling keeps each provider apart; a provider without a balance query is not polled and not counted as failing', async () => {
  const sms = track(new SmsClient(routedOptions({ balancePollMs: 1000 })));
  await eventually(() => sms.lastBalances().length === 2);
  expect(sms.lastBalances().map((b) => b.provider).sort()).toEqual(['eskiz', 'twilio']);
  expect(sms.lastBalance()?.provider).toBe('eskiz');
  for (const b of sms.lastBalances()) expect(b.failuresSince).toBe(0);
  expect(sms.metrics()).toMatch(/uzgate_balance\{provider="twilio"/);
});

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sms: SmsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(@Query('eskizMin') eskizMin?: string) {
    const minBalance = eskizMin === undefined ? undefined : { eskiz: Number(eskizMin), twilio: 0 };
    return this.health.check([() => this.sms.isHealthy('sms', { minBalance })]);
  }
}

function healthApp(sms: SmsModuleOptions) {
  return startApp(
    {
      imports: [TerminusModule, SmsModule.forRoot({ ...sms, isGlobal: true })],
      controllers: [HealthController],
      providers: [SmsHealthIndicator],
    },
    new CollectingLogger(),
  );
}

test('the routed health check lists every provider, stays up while one provider still sends, and is down when every breaker is open', async () => {
  const app = await healthApp(routedOptions());
  const sms = app.get(SmsService);
  const up = await request(app.getHttpServer()).get('/health').expect(200);
  expect(up.body.details.sms.providers).toEqual({
    eskiz: { breaker: 'closed', failuresInARow: 0 },
    playmobile: { breaker: 'closed', failuresInARow: 0 },
    twilio: { breaker: 'closed', failuresInARow: 0 },
  });

  // Eskiz unavailable: its breaker opens, Play Mobile sends; the app still sends, so it is up.
  sb.setFault({ path: '/message/sms/send', kind: 'status', status: 503, retryAfter: 1, phase: 'before' });
  expect((await sms.send({ to: UZ, text: 'Kod: 1234' })).provider).toBe('playmobile');
  const degraded = await request(app.getHttpServer()).get('/health').expect(200);
  expect(degraded.body.details.sms.providers.eskiz).toMatchObject({ breaker: 'open', failuresInARow: 1 });

  // Every provider answering 503: every breaker opens and nothing can send.
  sb.setFault({ kind: 'status', status: 503, retryAfter: 1, phase: 'before' });
  expect((await rejection(sms.send({ to: UZ, text: 'Kod: 1234' }))).code).toBe('PROVIDER_UNAVAILABLE');
  expect(sms.providerStatus()?.map((p) => p.breaker)).toEqual(['open', 'open', 'open']);
  const down = await request(app.getHttpServer()).get('/health').expect(503);
  expect(down.body.details.sms).toMatchObject({ status: 'down', error: 'every_provider_open' });
});

test('a minimum balance per provider: down when Eskiz is below its own minimum, with each balance in the answer', async () => {
  const app = await healthApp(routedOptions());
  const ok = await request(app.getHttpServer()).get('/health?eskizMin=0').expect(200);
  expect(ok.body.details.sms.providers.eskiz).toMatchObject({ currency: 'UZS', minBalance: 0 });
  expect(ok.body.details.sms.providers.playmobile.error).toBe('NOT_IMPLEMENTED');
  expect(typeof ok.body.details.sms.providers.twilio.balance).toBe('number');
  const low = await request(app.getHttpServer()).get('/health?eskizMin=1000000000000').expect(503);
  expect(low.body.details.sms).toMatchObject({ status: 'down', error: 'balance_below_minimum' });
  expect(low.body.details.sms.providers.eskiz.minBalance).toBe(1e12);
});
