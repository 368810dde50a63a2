/**
 * Attacks on configuration and input: option-key typos that would send to the default host, env
 * typos and partial provider sets that would fall back to the console, the console provider only
 * by name, wrong JS types. Each runs with a real listener on 127.0.0.1 where traffic could go,
 * and asserts the documented code, a message naming the key/field, and no raw value anywhere.
 */
import { Body, Controller, Inject, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as util from 'node:util';
import request from 'supertest';
import { AmoCrmClient, OtpService, SmsClient, UzgateError, type LogLine } from '../../nest';
import { native } from '../../nest/native';
import { amoCrmOptionsFromEnv, otpOptionsFromEnv, smsOptionsFromEnv, SmsModule, SmsService, UzgateExceptionFilter } from '../../nest/nestjs';
import { OtpModule, OtpService as NestOtpService } from '../../nest/nestjs';
import { closeApps, compileModule, startApp, withEnv } from '../nest-helpers';

// Minted at run time: nothing resembling a real credential is committed.
const PASSWORD = `pw-${process.pid}-${Date.now().toString(36)}-secret`;
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = `tok-${Date.now().toString(36)}-0123456789abcdef`;
const OTP_SECRET = `otp-${Date.now().toString(36)}-0123456789abcdef`;
const PHONE_DIGITS = 998901234567;

/** A TCP listener on 127.0.0.1 that counts connections and drops them. */
async function listener(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => { resolve(); })),
  };
}

let target: Awaited<ReturnType<typeof listener>>;
const clients: Array<{ close(): unknown }> = [];
const logged: string[] = [];
const logger = (line: LogLine) => void logged.push(line.message);

beforeEach(async () => {
  target = await listener();
});
afterEach(async () => {
  await closeApps();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await target.close();
});

/** A console client closed after the test (constructors that throw keep no reference to it). */
function consoleSms(): SmsClient {
  const sms = new SmsClient({ provider: 'console' });
  clients.push(sms);
  return sms;
}

function thrown(fn: () => unknown): UzgateError {
  try {
    fn();
  } catch (e) {
    return e as UzgateError;
  }
  throw new Error('expected a throw');
}

describe('an option-key typo is CONFIG before any request, never traffic to a default host', () => {
  const eskiz = (extra: object) => ({ provider: 'eskiz' as const, eskiz: { email: 'ops@example.uz', password: PASSWORD, ...extra }, timeoutMs: 3000, logger });

  test('control: with `baseUrl` spelled right the listener is reached', async () => {
    const client = new SmsClient(eskiz({ baseUrl: `${target.url}/api` }));
    clients.push(client);
    await expect(client.send({ to: '+998901234567', text: 'x' })).rejects.toBeInstanceOf(UzgateError);
    expect(target.connections()).toBeGreaterThan(0);
  });

  const typos: Array<[string, () => unknown, string]> = [
    ['eskiz.baseUrll', () => new SmsClient(eskiz({ baseUrll: target.url })), 'unknown option eskiz.baseUrll (did you mean baseUrl?)'],
    [
      'twilio.baseUrll',
      () => new SmsClient({ provider: 'twilio', twilio: { accountSid: SID, authToken: TOKEN, baseUrll: target.url } as never }),
      'unknown option twilio.baseUrll (did you mean baseUrl?)',
    ],
    [
      'amoCRM baseUrll',
      () => new AmoCrmClient({ clientId: 'id', longLivedToken: TOKEN, subdomain: 'myshop', baseUrll: target.url } as never),
      'unknown option baseUrll (did you mean baseUrl?)',
    ],
    ['timeoutMS', () => new SmsClient({ provider: 'console', timeoutMS: 5 } as never), 'unknown option timeoutMS (did you mean timeoutMs?)'],
    [
      'tokenStore.pth',
      () => new SmsClient({ provider: 'console', tokenStore: { type: 'file', pth: '/tmp/x' } as never }),
      'unknown option tokenStore.pth (did you mean path?)',
    ],
    [
      'otp appname',
      () => new OtpService({ sms: consoleSms(), secret: OTP_SECRET, appname: 'Shop' } as never),
      'unknown option appname (did you mean appName?)',
    ],
    ['far from any key', () => new SmsClient({ provider: 'console', zzz: 1 } as never), 'unknown option zzz (known: provider, eskiz, twilio, playmobile, console,'],
  ];

  test.each(typos)('%s', (_name, build, message) => {
    const e = thrown(build);
    expect(e).toBeInstanceOf(UzgateError);
    expect(e.code).toBe('CONFIG');
    expect(e.message).toContain(message);
    expect(e.message).not.toContain(PASSWORD);
    expect(e.message).not.toContain(TOKEN);
    expect(target.connections()).toBe(0);
  });

  test('through SmsModule.forRoot: the nested typo and a module-level typo stop startup', async () => {
    await expect(compileModule({ imports: [SmsModule.forRoot(eskiz({ baseUrll: target.url }) as never)] })).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'unknown option eskiz.baseUrll (did you mean baseUrl?)',
    });
    await expect(compileModule({ imports: [SmsModule.forRoot({ provider: 'console', callback: {} } as never)] })).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'unknown option callback (did you mean callbacks?)',
    });
    expect(target.connections()).toBe(0);
  });
});

describe('environment: typos, partial sets and no provider are CONFIG in every NODE_ENV', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['ESKIZ_EMAL', { ESKIZ_EMAL: 'ops@example.uz', ESKIZ_PASSWORD: PASSWORD }, 'ESKIZ_EMAL is not a uzgate variable (did you mean ESKIZ_EMAIL?)'],
    ['ESKIZ_PASSWROD', { SMS_PROVIDER: 'eskiz', ESKIZ_EMAIL: 'ops@example.uz', ESKIZ_PASSWROD: PASSWORD }, 'did you mean ESKIZ_PASSWORD?'],
    ['ESKIZ_API_URL (owned prefix, no near name)', { ESKIZ_API_URL: 'x' }, 'ESKIZ_API_URL is not a uzgate variable (known ESKIZ_ variables: ESKIZ_EMAIL'],
    ['SMS_PROVDER', { SMS_PROVDER: 'eskiz' }, 'SMS_PROVDER is not a uzgate variable (did you mean SMS_PROVIDER?)'],
    ['TWILIO_AUTH_TOKN', { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKN: TOKEN }, 'did you mean TWILIO_AUTH_TOKEN?'],
    ['UZGATE_TOKEN_STOR', { SMS_PROVIDER: 'console', UZGATE_TOKEN_STOR: 'file' }, 'did you mean UZGATE_TOKEN_STORE?'],
    ['ESKIZ_PASSWORD alone', { ESKIZ_PASSWORD: PASSWORD }, 'ESKIZ_EMAIL is not set (needed for SMS_PROVIDER=eskiz)'],
    ['TWILIO_AUTH_TOKEN alone', { TWILIO_AUTH_TOKEN: TOKEN }, 'TWILIO_ACCOUNT_SID is not set (needed for SMS_PROVIDER=twilio)'],
    ['both providers', { ESKIZ_EMAIL: 'ops@example.uz', ESKIZ_PASSWORD: PASSWORD, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN }, 'both ESKIZ_* and TWILIO_*'],
    ['PLAYMOBILE_LOGN', { PLAYMOBILE_LOGN: 'shop', PLAYMOBILE_PASSWORD: PASSWORD }, 'PLAYMOBILE_LOGN is not a uzgate variable (did you mean PLAYMOBILE_LOGIN?)'],
    ['PLAYMOBILE_PASSWORD alone', { PLAYMOBILE_PASSWORD: PASSWORD }, 'PLAYMOBILE_LOGIN is not set (needed for SMS_PROVIDER=playmobile)'],
    ['Eskiz and Play Mobile', { ESKIZ_EMAIL: 'ops@example.uz', ESKIZ_PASSWORD: PASSWORD, PLAYMOBILE_LOGIN: 'shop', PLAYMOBILE_PASSWORD: PASSWORD }, 'both ESKIZ_* and PLAYMOBILE_*'],
    ['nothing', {}, 'no SMS provider is configured'],
  ];

  for (const nodeEnv of ['production', 'development', 'test']) {
    test.each(cases)(`NODE_ENV=${nodeEnv}: %s`, (_name, env, message) => {
      const e = thrown(() => smsOptionsFromEnv({ NODE_ENV: nodeEnv, ...env }));
      expect(e).toMatchObject({ code: 'CONFIG' });
      expect(e.message).toContain(message);
      expect(e.message).not.toContain(PASSWORD);
      expect(e.message).not.toContain(TOKEN);
    });
  }

  test('amoCRM and OTP readers refuse their own typos', () => {
    expect(thrown(() => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_CLIENT_SECRT: TOKEN }))).toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('did you mean AMOCRM_CLIENT_SECRET?'),
    });
    expect(thrown(() => otpOptionsFromEnv({ OTP_SECRT: OTP_SECRET }))).toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('did you mean OTP_SECRET?'),
    });
  });

  test("other tools' variables under shared prefixes are left alone", () => {
    const env = { SMS_PROVIDER: 'console', TWILIO_REGION: 'au1', TWILIO_EDGE: 'sydney', SMS_SENDER_NAME: 'Shop', OTP_LENGTH: '6' };
    expect(smsOptionsFromEnv(env)).toEqual({ provider: 'console' });
    expect(otpOptionsFromEnv({ OTP_SECRET, OTP_LENGTH: '6' }).secret).toBe(OTP_SECRET);
  });

  test('console only by name: SMS_PROVIDER=console works, no provider at all does not', async () => {
    await withEnv({ SMS_PROVIDER: 'console' }, async () => {
      const app = await startApp({ imports: [SmsModule.forRoot()] });
      await expect(app.get(SmsService).send({ to: '+998901234567', text: 'x' })).resolves.toMatchObject({ provider: 'console' });
    });
    expect(thrown(() => new SmsClient({}))).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('provider is required') });
  });

  test('SmsModule.forRoot() with ESKIZ_EMAL: startup fails, nothing reaches the configured host', async () => {
    await withEnv({ ESKIZ_EMAL: 'ops@example.uz', ESKIZ_PASSWORD: PASSWORD, ESKIZ_BASE_URL: `${target.url}/api` }, async () => {
      await expect(compileModule({ imports: [SmsModule.forRoot()] })).rejects.toMatchObject({
        code: 'CONFIG',
        message: expect.stringContaining('did you mean ESKIZ_EMAIL?'),
      });
    });
    expect(target.connections()).toBe(0);
  });

  test('CLI `send` exits 1 with CONFIG without a provider or with a typo; 0 connections', () => {
    const cli = path.join(__dirname, '..', '..', 'bin', 'uzgate.js');
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [cli, 'send', '+998901234567', 'hello'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });
    const none = run({});
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('CONFIG: no SMS provider is configured');
    const typo = run({ ESKIZ_EMAL: 'ops@example.uz', ESKIZ_PASSWORD: PASSWORD, ESKIZ_BASE_URL: `${target.url}/api` });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain('CONFIG: ESKIZ_EMAL is not a uzgate variable (did you mean ESKIZ_EMAIL?)');
    expect(typo.stderr).not.toContain(PASSWORD);
    expect(target.connections()).toBe(0);
  });
});

describe('a wrong JS type is refused naming the field; the raw value is nowhere', () => {
  const RAW = String(PHONE_DIGITS);

  function expectClean(e: UzgateError, code: string, message: string, raw: string) {
    expect(e).toBeInstanceOf(UzgateError);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
    // What a logger printing the error (cause included) would write.
    expect(util.inspect(e, { depth: 5 })).not.toContain(raw);
    expect(e.message).not.toMatch(/Failed to convert|rust type/);
  }

  test('calls: send, sendBatch, createLead, otp.send, otp.verify', async () => {
    const sms = new SmsClient({ provider: 'console', logger, logLevel: 'debug' });
    const amo = new AmoCrmClient({ clientId: 'id', longLivedToken: TOKEN, subdomain: 'myshop', baseUrl: target.url, timeoutMs: 2000, logger, logLevel: 'debug' });
    const otp = new OtpService({ sms, secret: OTP_SECRET, logger, logLevel: 'debug' });
    clients.push(sms, amo, otp);
    const ok = { to: '+998901234567', text: 'x' };
    const matrix: Array<[Promise<unknown>, string]> = [
      [sms.send({ to: PHONE_DIGITS, text: 'x' } as never), 'to must be a string'],
      [sms.send({ to: { phone: RAW }, text: 'x' } as never), 'to must be a string'],
      [sms.send({ to: '+998901234567', text: PHONE_DIGITS } as never), 'text must be a string'],
      [sms.send({ text: 'x' } as never), 'to is required'],
      [sms.send(RAW as never), 'SendInput must be an object'],
      [sms.sendBatch(RAW as never), 'messages must be an array'],
      [sms.sendBatch([ok, { to: PHONE_DIGITS, text: 'y' }] as never), 'messages[1].to must be a string'],
      [sms.sendBatch([ok], { dispatchId: RAW } as never), 'options.dispatchId must be a finite number'],
      [amo.createLead({ name: 'L', contact: { name: 'C', phone: PHONE_DIGITS } } as never), 'contact.phone must be a string'],
      [amo.createLead({ name: PHONE_DIGITS, contact: { name: 'C' } } as never), 'name must be a string'],
      [amo.createLead({ name: 'L', contact: { name: 'C' }, tags: RAW } as never), 'tags must be an array'],
      [amo.createLeads([{ name: 'L', contact: RAW }] as never), 'leads[0].contact must be an object'],
      [otp.send(PHONE_DIGITS as never), 'phone must be a string'],
      [otp.verify('+998901234567', 123456 as never), 'code must be a string'],
      [otp.verify(PHONE_DIGITS as never, '123456'), 'phone must be a string'],
    ];
    for (const [call, message] of matrix) {
      const e = await call.then(
        () => {
          throw new Error(`resolved; expected ${message}`);
        },
        (err: unknown) => err as UzgateError,
      );
      expectClean(e, 'INVALID_ARGUMENT', message, RAW);
    }
    expect(target.connections()).toBe(0);
    expect(logged.join('\n')).not.toContain(RAW);
  });

  test('options: CONFIG naming the field (constructors fail as configuration)', () => {
    const cases: Array<[() => unknown, string, string]> = [
      [() => new SmsClient({ provider: 'eskiz', eskiz: { email: 'ops@example.uz', password: PHONE_DIGITS } } as never), 'eskiz.password must be a string', RAW],
      [() => new SmsClient({ provider: 'console', timeoutMs: RAW } as never), 'timeoutMs must be a whole number from 0 to 4294967295', RAW],
      // The addon alone would wrap -1 to 4294967295 ms (49 days) and cut 1.5 to 1.
      [() => new SmsClient({ provider: 'console', timeoutMs: -1 } as never), 'timeoutMs must be a whole number from 0 to 4294967295', RAW],
      [() => new SmsClient({ provider: 'console', console: { outboxSize: 1.5 } } as never), 'console.outboxSize must be a whole number from 0 to 4294967295', RAW],
      [() => new OtpService({ sms: consoleSms(), secret: OTP_SECRET, maxAttempts: -5 }), 'maxAttempts must be a whole number from 0 to 4294967295', RAW],
      [() => new SmsClient({ provider: 'console', tokenStore: { type: 'file', path: PHONE_DIGITS } } as never), 'tokenStore.path must be a string', RAW],
      [() => new SmsClient({ provider: 'console', logger: RAW } as never), 'logger must be a function or an object', RAW],
      [() => new AmoCrmClient({ clientId: PHONE_DIGITS } as never), 'clientId must be a string', RAW],
      [() => new OtpService({ sms: consoleSms(), secret: PHONE_DIGITS } as never), 'secret must be a string', RAW],
    ];
    for (const [build, message, raw] of cases) expectClean(thrown(build), 'CONFIG', message, raw);
  });

  test("napi's own conversion failures, translated in one place, keep the field and drop the value", () => {
    const raw = native as unknown as { SmsClient: new (o: object) => { send(m: object): unknown } };
    const client = new raw.SmsClient({ provider: 'console' });
    const napiError = thrown(() => client.send({ to: PHONE_DIGITS, text: 'x' }));
    expect((napiError as Error).message).toContain(RAW); // what napi says on its own
    expectClean(UzgateError.from(napiError), 'INVALID_ARGUMENT', 'SendInput.to has the wrong type', RAW);
    expectClean(UzgateError.from(napiError, 'CONFIG'), 'CONFIG', 'SendInput.to has the wrong type', RAW);
    const missing = thrown(() => client.send({ text: 'x' }));
    expectClean(UzgateError.from(missing), 'INVALID_ARGUMENT', 'to is required', RAW);
  });

  test('through Nest HTTP: the exception filter answers 400 with the field, never the value', async () => {
    @Controller('attack')
    class AttackController {
      constructor(
        @Inject(SmsService) private readonly sms: SmsService,
        @Inject(NestOtpService) private readonly otp: NestOtpService,
      ) {}
      @Post('sms')
      send(@Body() body: unknown) {
        return this.sms.send(body as never);
      }
      @Post('verify')
      verify(@Body() body: { phone: string; code: string }) {
        return this.otp.verify(body.phone, body.code);
      }
    }
    const app = await startApp({
      imports: [SmsModule.forRoot({ provider: 'console', isGlobal: true, logger }), OtpModule.forRoot({ secret: OTP_SECRET, logger })],
      controllers: [AttackController],
      providers: [{ provide: APP_FILTER, useClass: UzgateExceptionFilter }],
    });
    const sms = await request(app.getHttpServer()).post('/attack/sms').send({ to: PHONE_DIGITS, text: 'x' }).expect(400);
    expect(sms.body).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'to must be a string' });
    expect(sms.text).not.toContain(RAW);
    const verify = await request(app.getHttpServer()).post('/attack/verify').send({ phone: PHONE_DIGITS, code: 123456 }).expect(400);
    expect(verify.body).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'phone must be a string' });
    expect(verify.text).not.toContain(RAW);
    expect(logged.join('\n')).not.toContain(RAW);
  });
});
