/** SmsModule / AmoCrmModule / OtpModule wiring: sync and async config, global modules, logging, shutdown. */
import { Global, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { UzgateError, type CustomTokenStore, type Sandbox, type StoredRecord, type TokenEvent } from '../nest';
import {
  AmoCrmModule,
  AmoCrmService,
  OtpModule,
  OtpService,
  SMS_CLIENT,
  SmsModule,
  SmsService,
  UZGATE_TOKEN_STORE,
  type SmsModuleOptions,
  type SmsOptionsFactory,
} from '../nest/nestjs';
import { AMO, ESKIZ_EMAIL, ESKIZ_PASSWORD, rejection, sandbox } from './helpers';
import { CollectingLogger, closeApps, compileModule, startApp, withEnv } from './nest-helpers';

let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox({ amocrm: { autoConsent: true } });
});

afterEach(closeApps);

afterAll(async () => {
  await sb.close();
});

const eskizOptions = (): SmsModuleOptions => ({
  provider: 'eskiz',
  eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url },
});

test('forRoot: SmsService sends through the configured client', async () => {
  const moduleRef = await compileModule({ imports: [SmsModule.forRoot(eskizOptions())] });
  const sms = moduleRef.get(SmsService);
  const before = sb.stats().eskiz.messages;
  const sent = await sms.send({ to: '+998901234567', text: 'Salom' });
  expect(sent).toMatchObject({ provider: 'eskiz', status: 'pending', to: '+998901234567' });
  expect(sms.provider).toBe('eskiz');
  expect(sms.tokenStatus()).toMatchObject({ state: 'valid', logins: 1 });
  expect(sb.stats().eskiz.messages).toBe(before + 1);
  // The client itself is injectable too, e.g. to override it in tests.
  expect(moduleRef.get(SMS_CLIENT)).toBe(sms.client);
});

test('errors keep their code through the service', async () => {
  const moduleRef = await compileModule({ imports: [SmsModule.forRoot(eskizOptions())] });
  const err = await rejection(moduleRef.get(SmsService).send({ to: '12', text: 'x' }));
  expect(err).toBeInstanceOf(UzgateError);
  expect(err.code).toBe('INVALID_PHONE');
});

test('forRootAsync: useFactory with ConfigModule / ConfigService', async () => {
  const moduleRef = await compileModule({
    imports: [
      SmsModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ sms: { password: ESKIZ_PASSWORD, url: sb.url } })] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          provider: 'eskiz' as const,
          eskiz: { email: ESKIZ_EMAIL, password: config.getOrThrow<string>('sms.password'), baseUrl: config.getOrThrow<string>('sms.url') },
        }),
      }),
    ],
  });
  await expect(moduleRef.get(SmsService).balance()).resolves.toMatchObject({ currency: 'UZS' });
});

test('forRootAsync: ConfigService without a factory reads the uzgate variables from it', async () => {
  const moduleRef = await compileModule({
    imports: [
      SmsModule.forRootAsync({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            validatePredefined: false,
            load: [() => ({ ESKIZ_EMAIL, ESKIZ_PASSWORD, ESKIZ_BASE_URL: sb.url })],
          }),
        ],
        inject: [ConfigService],
      }),
    ],
  });
  const sms = moduleRef.get(SmsService);
  expect(sms.provider).toBe('eskiz');
  await expect(sms.send({ to: '+998901234567', text: 'x' })).resolves.toMatchObject({ provider: 'eskiz' });
});

@Injectable()
class SmsConfig implements SmsOptionsFactory {
  constructor(private readonly config: ConfigService) {}
  createSmsOptions(): SmsModuleOptions {
    return { provider: 'console', console: { outboxSize: this.config.getOrThrow<number>('outbox') } };
  }
}

test('forRootAsync: useClass', async () => {
  const moduleRef = await compileModule({
    imports: [
      SmsModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ outbox: 2 })] })],
        useClass: SmsConfig,
      }),
    ],
  });
  const sms = moduleRef.get(SmsService);
  for (const text of ['a', 'b', 'c']) await sms.send({ to: '+998901234567', text });
  expect(sms.outbox().map((m) => m.text)).toEqual(['b', 'c']);
});

@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ outbox: 1 })] })],
  providers: [SmsConfig],
  exports: [SmsConfig],
})
class SmsConfigModule {}

test('forRootAsync: useExisting', async () => {
  const moduleRef = await compileModule({
    imports: [SmsModule.forRootAsync({ imports: [SmsConfigModule], useExisting: SmsConfig })],
  });
  const sms = moduleRef.get(SmsService);
  await sms.send({ to: '+998901234567', text: 'a' });
  await sms.send({ to: '+998901234567', text: 'b' });
  expect(sms.outbox().map((m) => m.text)).toEqual(['b']);
});

@Injectable()
class Notifier {
  constructor(readonly sms: SmsService) {}
}

@Module({ providers: [Notifier], exports: [Notifier] })
class FeatureModule {}

test('isGlobal: a feature module injects SmsService without importing SmsModule', async () => {
  const moduleRef = await compileModule({
    imports: [SmsModule.forRoot({ provider: 'console', isGlobal: true }), FeatureModule],
  });
  const notifier = moduleRef.get(Notifier);
  expect(notifier.sms).toBe(moduleRef.get(SmsService));
  await expect(notifier.sms.send({ to: '+998901234567', text: 'x' })).resolves.toMatchObject({ provider: 'console' });
});

test('without isGlobal, a feature module that does not import SmsModule cannot inject it', async () => {
  await expect(compileModule({ imports: [SmsModule.forRoot({ provider: 'console' }), FeatureModule] })).rejects.toThrow(
    /SmsService/,
  );
});

test('forRoot() with no options: configured from process.env', async () => {
  await withEnv({ ESKIZ_EMAIL, ESKIZ_PASSWORD, ESKIZ_BASE_URL: sb.url }, async () => {
    const moduleRef = await compileModule({ imports: [SmsModule.forRoot()] });
    const sms = moduleRef.get(SmsService);
    expect(sms.provider).toBe('eskiz');
    await expect(sms.send({ to: '+998901234567', text: 'x' })).resolves.toMatchObject({ provider: 'eskiz' });
  });
});

test('forRoot() from the environment: a missing variable stops startup, naming it and no secret', async () => {
  const secret = 'p4ssw0rd-that-must-not-leak';
  await withEnv({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_API_KEY_SECRET: secret }, async () => {
    const err = await rejection(compileModule({ imports: [SmsModule.forRoot()] }));
    expect(err).toBeInstanceOf(UzgateError);
    expect(err.code).toBe('CONFIG');
    expect(err.message).toBe('TWILIO_API_KEY_SID is not set (needed with TWILIO_API_KEY_SECRET)');
    // The error's own properties, as a logger serialising it would see them.
    // eslint-disable-next-line @typescript-eslint/no-misused-spread
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(secret);
  });
  await withEnv({ ESKIZ_EMAIL }, async () => {
    await expect(compileModule({ imports: [SmsModule.forRoot()] })).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'ESKIZ_PASSWORD is not set (needed for SMS_PROVIDER=eskiz)',
    });
  });
});

test("the clients' log lines go to Nest's Logger, masked", async () => {
  const logger = new CollectingLogger();
  const app = await startApp({ imports: [SmsModule.forRoot({ provider: 'console', logLevel: 'debug' })] }, logger);
  await app.get(SmsService).send({ to: '+998901234567', text: 'Kod: 482913' });
  await waitFor(() => logger.lines.some((l) => l.context?.startsWith('uzgate')));
  const lines = logger.lines.filter((l) => l.context?.startsWith('uzgate'));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.map((l) => l.message).join('\n')).not.toContain('998901234567');
});

test('a logger in the options replaces Nest\'s', async () => {
  const lines: string[] = [];
  const moduleRef = await compileModule({
    imports: [SmsModule.forRoot({ provider: 'console', logger: (l) => lines.push(l.message) })],
  });
  await moduleRef.get(SmsService).send({ to: '+998901234567', text: 'x' });
  await waitFor(() => lines.length > 0);
});

test('SmsService re-emits token events', async () => {
  const moduleRef = await compileModule({ imports: [SmsModule.forRoot(eskizOptions())] });
  const sms = moduleRef.get(SmsService);
  const events: TokenEvent[] = [];
  sms.on('token', (e: TokenEvent) => events.push(e));
  await sms.refreshToken();
  await waitFor(() => events.some((e) => e.type === 'token_refreshed'));
  expect(events[0]).toMatchObject({ type: 'token_refreshed', provider: 'eskiz' });
});

/** Stands in for a table behind an ORM. */
class TableTokenStore implements CustomTokenStore {
  readonly rows = new Map<string, StoredRecord>();
  load(key: string): StoredRecord | null {
    return this.rows.get(key) ?? null;
  }
  save(key: string, expectedVersion: number, data: string): boolean {
    if ((this.rows.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.rows.set(key, { version: expectedVersion + 1, data });
    return true;
  }
}

@Global()
@Module({ providers: [{ provide: UZGATE_TOKEN_STORE, useClass: TableTokenStore }], exports: [UZGATE_TOKEN_STORE] })
class TokenTableModule {}

test('a CustomTokenStore provided under UZGATE_TOKEN_STORE keeps the tokens', async () => {
  const moduleRef = await compileModule({ imports: [TokenTableModule, SmsModule.forRoot(eskizOptions())] });
  const sms = moduleRef.get(SmsService);
  await sms.send({ to: '+998901234567', text: 'x' });
  expect(sms.tokenStatus()?.store).toBe('custom');
  expect(moduleRef.get<TableTokenStore>(UZGATE_TOKEN_STORE).rows.size).toBe(1);
});

test('AmoCrmModule.forRoot: AmoCrmService over the sandbox', async () => {
  const moduleRef = await compileModule({
    imports: [AmoCrmModule.forRoot({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url })],
  });
  const amo = moduleRef.get(AmoCrmService);
  const { state } = amo.authorizationUrl();
  await amo.exchangeCode({ code: sb.amocrmIssueCode(), state, expectedState: state, referer: AMO.referer });
  await expect(amo.account()).resolves.toMatchObject({ subdomain: 'uzgate' });
  const lead = await amo.createLead({ name: 'Website order', contact: { name: 'Aziz', phone: '+998901234567' } });
  expect(lead.id).toBeGreaterThan(0);
});

test('AmoCrmModule.forRootAsync() from the environment', async () => {
  await withEnv(
    { AMOCRM_CLIENT_ID: AMO.clientId, AMOCRM_CLIENT_SECRET: AMO.clientSecret, AMOCRM_REDIRECT_URI: AMO.redirectUri, AMOCRM_BASE_URL: sb.url },
    async () => {
      const moduleRef = await compileModule({ imports: [AmoCrmModule.forRootAsync()] });
      expect(moduleRef.get(AmoCrmService).tokenStatus()).toMatchObject({ state: 'empty', store: 'memory' });
    },
  );
});

test('OtpModule sends through the global SmsModule and verifies', async () => {
  const moduleRef = await compileModule({
    imports: [
      SmsModule.forRoot({ provider: 'console', isGlobal: true }),
      OtpModule.forRoot({ secret: 'a-long-enough-otp-secret', devMode: true, appName: 'MyShop' }),
    ],
  });
  const otp = moduleRef.get(OtpService);
  const sent = await otp.send('+998901234567');
  expect(sent.devCode).toMatch(/^\d{6}$/);
  expect(moduleRef.get(SmsService).outbox().at(-1)?.text).toContain('MyShop');
  await expect(otp.verify('+998901234567', '000000' === sent.devCode ? '111111' : '000000')).resolves.toMatchObject({ ok: false });
  await expect(otp.verify('+998901234567', sent.devCode!)).resolves.toEqual({ ok: true });
  await expect(otp.send('+998901234567')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
});

test('OtpModule.forRootAsync with ConfigService, SmsModule passed in imports', async () => {
  const sms = SmsModule.forRoot({ provider: 'console' });
  const moduleRef = await compileModule({
    imports: [
      sms,
      OtpModule.forRootAsync({
        imports: [sms, ConfigModule.forRoot({ ignoreEnvFile: true, validatePredefined: false, load: [() => ({ OTP_SECRET: 'x'.repeat(24), OTP_DEV_MODE: 'true' })] })],
        inject: [ConfigService],
      }),
    ],
  });
  await expect(moduleRef.get(OtpService).send('+998901234567')).resolves.toMatchObject({ devCode: expect.any(String) });
});

test('OtpModule without a reachable SmsService fails at startup, naming it', async () => {
  await expect(compileModule({ imports: [OtpModule.forRoot({ secret: 'x'.repeat(20) })] })).rejects.toThrow(/SmsService/);
});

test('clean shutdown: app.close() closes the clients; later calls are CLOSED', async () => {
  const app = await startApp({
    imports: [
      SmsModule.forRoot({ ...eskizOptions(), isGlobal: true }),
      AmoCrmModule.forRoot({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url }),
      OtpModule.forRoot({ secret: 'x'.repeat(20) }),
    ],
  });
  const sms = app.get(SmsService);
  const amo = app.get(AmoCrmService);
  await sms.send({ to: '+998901234567', text: 'x' });
  await app.close();
  expect(sms.tokenStatus()?.state).toBe('closed');
  expect(amo.tokenStatus().state).toBe('closed');
  await expect(sms.send({ to: '+998901234567', text: 'x' })).rejects.toMatchObject({ code: 'CLOSED' });
  await expect(amo.account()).rejects.toMatchObject({ code: 'CLOSED' });
});

async function waitFor(pred: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
