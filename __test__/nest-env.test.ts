/** Configuration from environment variables: what each reader builds, and the error for each mistake. */
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { UzgateError } from '../nest';
import { amoCrmOptionsFromEnv, otpOptionsFromEnv, smsOptionsFromEnv } from '../nest/nestjs';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const KEY_SID = `SK${'0123456789abcdef'.repeat(2)}`;
const SECRET = 'not-the-secret-but-long-enough';

test('SMS provider chosen by SMS_PROVIDER, else by which credentials are set; console only by name', () => {
  expect(() => smsOptionsFromEnv({})).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('no SMS provider is configured') }));
  expect(smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET })).toEqual({
    provider: 'eskiz',
    eskiz: { email: 'a@b.uz', password: SECRET, from: undefined, baseUrl: undefined, callbackUrl: undefined },
    tokenStore: undefined,
  });
  expect(smsOptionsFromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: SECRET, TWILIO_FROM: '+15005550006' })).toMatchObject({
    provider: 'twilio',
    twilio: { accountSid: SID, authToken: SECRET, from: '+15005550006' },
  });
  expect(smsOptionsFromEnv({ SMS_PROVIDER: 'Console', ESKIZ_EMAIL: 'a@b.uz' })).toEqual({ provider: 'console' });
  expect(smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, SMS_BALANCE_POLL_MS: '600000' }).balancePollMs).toBe(600000);
});

test('every Play Mobile variable lands in its option, and the core checks the values', () => {
  expect(
    smsOptionsFromEnv({
      PLAYMOBILE_LOGIN: 'shop',
      PLAYMOBILE_PASSWORD: SECRET,
      PLAYMOBILE_ORIGINATOR: '3700',
      PLAYMOBILE_PRIORITY: 'realtime',
      PLAYMOBILE_BASE_URL: 'http://127.0.0.1:9',
    }),
  ).toEqual({
    provider: 'playmobile',
    playmobile: { login: 'shop', password: SECRET, originator: '3700', priority: 'realtime', baseUrl: 'http://127.0.0.1:9' },
    tokenStore: undefined,
  });
  const missing = (): unknown => smsOptionsFromEnv({ SMS_PROVIDER: 'playmobile', PLAYMOBILE_LOGIN: 'shop', PLAYMOBILE_PASSWORD: SECRET });
  expect(missing).toThrow(expect.objectContaining({ code: 'CONFIG', message: 'PLAYMOBILE_ORIGINATOR is not set (needed for SMS_PROVIDER=playmobile)' }));
  const priority = (): unknown => smsOptionsFromEnv({ PLAYMOBILE_LOGIN: 'shop', PLAYMOBILE_PASSWORD: SECRET, PLAYMOBILE_ORIGINATOR: '3700', PLAYMOBILE_PRIORITY: 'urgent' });
  expect(priority).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('PLAYMOBILE_PRIORITY') }));
});

test('every Eskiz and Twilio variable lands in its option', () => {
  expect(
    smsOptionsFromEnv({
      ESKIZ_EMAIL: 'a@b.uz',
      ESKIZ_PASSWORD: SECRET,
      ESKIZ_FROM: 'MyShop',
      ESKIZ_BASE_URL: 'http://127.0.0.1:9/api',
      ESKIZ_CALLBACK_URL: 'https://api.example.uz/sms/callbacks/eskiz/s3cret',
      UZGATE_TOKEN_STORE: 'file',
      UZGATE_TOKEN_FILE: '/var/lib/app/tokens.json',
      UZGATE_ENCRYPTION_KEY: 'a'.repeat(64),
    }),
  ).toEqual({
    provider: 'eskiz',
    eskiz: {
      email: 'a@b.uz',
      password: SECRET,
      from: 'MyShop',
      baseUrl: 'http://127.0.0.1:9/api',
      callbackUrl: 'https://api.example.uz/sms/callbacks/eskiz/s3cret',
    },
    tokenStore: { type: 'file', path: '/var/lib/app/tokens.json', encryptionKey: 'a'.repeat(64) },
  });
  expect(
    smsOptionsFromEnv({
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_API_KEY_SID: KEY_SID,
      TWILIO_API_KEY_SECRET: SECRET,
      TWILIO_MESSAGING_SERVICE_SID: `MG${'f'.repeat(32)}`,
      TWILIO_STATUS_CALLBACK: 'https://api.example.uz/sms/callbacks/twilio',
      TWILIO_BASE_URL: 'http://127.0.0.1:9',
      UZGATE_TOKEN_STORE: 'redis',
      UZGATE_REDIS_URL: 'redis://127.0.0.1:6379/0',
    }),
  ).toEqual({
    provider: 'twilio',
    twilio: {
      accountSid: SID,
      authToken: undefined,
      apiKeySid: KEY_SID,
      apiKeySecret: SECRET,
      from: undefined,
      messagingServiceSid: `MG${'f'.repeat(32)}`,
      statusCallback: 'https://api.example.uz/sms/callbacks/twilio',
      baseUrl: 'http://127.0.0.1:9',
    },
    tokenStore: { type: 'redis', url: 'redis://127.0.0.1:6379/0', encryptionKey: undefined },
  });
});

test('amoCRM: OAuth integration or long-lived token', () => {
  expect(
    amoCrmOptionsFromEnv({
      AMOCRM_CLIENT_ID: 'id',
      AMOCRM_CLIENT_SECRET: SECRET,
      AMOCRM_REDIRECT_URI: 'https://api.example.uz/amocrm/callback',
      AMOCRM_SUBDOMAIN: 'myshop',
    }),
  ).toMatchObject({ clientId: 'id', clientSecret: SECRET, redirectUri: 'https://api.example.uz/amocrm/callback', subdomain: 'myshop' });
  expect(amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_LONG_LIVED_TOKEN: SECRET, AMOCRM_BASE_URL: 'http://127.0.0.1:9' })).toMatchObject({
    clientId: 'id',
    longLivedToken: SECRET,
    clientSecret: undefined,
    redirectUri: undefined,
    baseUrl: 'http://127.0.0.1:9',
  });
});

test('OTP settings', () => {
  expect(otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_APP_NAME: 'MyShop', OTP_DEV_MODE: 'yes' })).toEqual({
    secret: SECRET,
    appName: 'MyShop',
    devMode: true,
    store: undefined,
  });
  expect(otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_STORE: 'redis', UZGATE_REDIS_URL: 'redis://127.0.0.1:1' }).store).toEqual({
    type: 'redis',
    url: 'redis://127.0.0.1:1',
  });
  expect(otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_STORE: 'redis', UZGATE_REDIS_URL: 'rediss://cache.example:6380', UZGATE_REDIS_TLS_CA_FILE: '/etc/ssl/redis-ca.pem' }).store).toEqual({
    type: 'redis',
    url: 'rediss://cache.example:6380',
    tlsCaFile: '/etc/ssl/redis-ca.pem',
  });
});

test('alert variables: each sink pair together, a numeric chat id as a number, checked by the core with the variable named', () => {
  const bot = `123456:${'A'.repeat(30)}`;
  const amo = amoCrmOptionsFromEnv({
    AMOCRM_CLIENT_ID: 'id',
    AMOCRM_LONG_LIVED_TOKEN: SECRET,
    UZGATE_ALERT_TELEGRAM_BOT_TOKEN: bot,
    UZGATE_ALERT_TELEGRAM_CHAT_ID: '-1001234567890',
    UZGATE_ALERT_TELEGRAM_THREAD_ID: '7',
    UZGATE_ALERT_WEBHOOK_URL: 'https://ops.example.uz/hooks/uzgate',
    UZGATE_ALERT_WEBHOOK_SECRET: SECRET,
    UZGATE_ALERT_CONNECT_URL: 'https://shop.example.uz/amocrm/authorize',
  });
  expect(amo.alerts).toEqual({
    telegram: { botToken: bot, chatId: -1001234567890, threadId: 7 },
    webhook: { url: 'https://ops.example.uz/hooks/uzgate', secret: SECRET },
    connectUrl: 'https://shop.example.uz/amocrm/authorize',
  });
  const sms = smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, UZGATE_ALERT_TELEGRAM_BOT_TOKEN: bot, UZGATE_ALERT_TELEGRAM_CHAT_ID: '@ops_alerts' });
  expect(sms.alerts?.telegram?.chatId).toBe('@ops_alerts');
  expect(() => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_LONG_LIVED_TOKEN: SECRET, UZGATE_ALERT_TELEGRAM_BOT_TOKEN: bot })).toThrow(
    'UZGATE_ALERT_TELEGRAM_CHAT_ID is not set (needed with UZGATE_ALERT_TELEGRAM_BOT_TOKEN)',
  );
  expect(() =>
    smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, UZGATE_ALERT_WEBHOOK_URL: 'https://ops.example.uz/h', UZGATE_ALERT_WEBHOOK_SECRET: 'short' }),
  ).toThrow('UZGATE_ALERT_WEBHOOK_SECRET must be at least 16 characters');
});

test('one set of alert variables serves every module; each takes its own rule', () => {
  const shared = {
    UZGATE_ALERT_WEBHOOK_URL: 'https://ops.example.uz/hooks/uzgate',
    UZGATE_ALERT_WEBHOOK_SECRET: SECRET,
    UZGATE_ALERT_CONNECT_URL: 'https://shop.example.uz/amocrm/authorize',
    UZGATE_ALERT_DELIVERY_FAILURE_RATIO: '0.3',
    UZGATE_ALERT_OTP_CAP_HITS: '50',
  };
  const webhook = { url: 'https://ops.example.uz/hooks/uzgate', secret: SECRET };
  expect(smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, ...shared }).alerts).toEqual({ webhook, deliveryFailures: { ratio: 0.3 } });
  expect(otpOptionsFromEnv({ OTP_SECRET: SECRET, ...shared }).alerts).toEqual({ webhook, otpAbuse: { capHits: 50 } });
  expect(amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_LONG_LIVED_TOKEN: SECRET, ...shared }).alerts).toEqual({ webhook, connectUrl: shared.UZGATE_ALERT_CONNECT_URL });
  expect(() => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, ...shared, UZGATE_ALERT_DELIVERY_FAILURE_RATIO: 'a quarter' })).toThrow(
    'UZGATE_ALERT_DELIVERY_FAILURE_RATIO must be a number such as 0.25',
  );
  expect(() => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, ...shared, UZGATE_ALERT_DELIVERY_FAILURE_RATIO: '2' })).toThrow(
    'must be above 0 and at most 1',
  );
});

const mistakes: Array<[string, () => unknown, string]> = [
  ['unknown provider', () => smsOptionsFromEnv({ SMS_PROVIDER: 'sms.ru' }), 'SMS_PROVIDER must be one of eskiz, twilio, playmobile, console (got "sms.ru")'],
  ['Eskiz password', () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz' }), 'ESKIZ_PASSWORD is not set (needed for SMS_PROVIDER=eskiz)'],
  ['balance poll not a number', () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, SMS_BALANCE_POLL_MS: '1m' }), 'SMS_BALANCE_POLL_MS must be a whole number'],
  [
    'balance poll too often',
    () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, SMS_BALANCE_POLL_MS: '500' }),
    'SMS_BALANCE_POLL_MS must be between 1000 and 86400000 (got 500)',
  ],
  ['Eskiz e-mail', () => smsOptionsFromEnv({ SMS_PROVIDER: 'eskiz', ESKIZ_PASSWORD: SECRET }), 'ESKIZ_EMAIL is not set (needed for SMS_PROVIDER=eskiz)'],
  ['Eskiz e-mail shape', () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'admin', ESKIZ_PASSWORD: SECRET }), 'ESKIZ_EMAIL must be the Eskiz account e-mail address'],
  ['Eskiz URL', () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, ESKIZ_BASE_URL: 'notify.eskiz.uz' }), 'ESKIZ_BASE_URL must be an http(s) URL'],
  ['Twilio SID', () => smsOptionsFromEnv({ SMS_PROVIDER: 'twilio' }), 'TWILIO_ACCOUNT_SID is not set (needed for SMS_PROVIDER=twilio)'],
  ['Twilio SID shape', () => smsOptionsFromEnv({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: SECRET }), 'TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits'],
  [
    'Twilio credentials',
    () => smsOptionsFromEnv({ TWILIO_ACCOUNT_SID: SID }),
    'TWILIO_AUTH_TOKEN is not set (needed for SMS_PROVIDER=twilio, or TWILIO_API_KEY_SID with TWILIO_API_KEY_SECRET)',
  ],
  ['Twilio key secret', () => smsOptionsFromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_API_KEY_SID: KEY_SID }), 'TWILIO_API_KEY_SECRET is not set (needed with TWILIO_API_KEY_SID)'],
  ['Twilio callback', () => smsOptionsFromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: SECRET, TWILIO_STATUS_CALLBACK: '/cb' }), 'TWILIO_STATUS_CALLBACK must be an http(s) URL'],
  ['store kind', () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, UZGATE_TOKEN_STORE: 'postgres' }), 'UZGATE_TOKEN_STORE must be one of memory, file, redis (got "postgres")'],
  ['store file', () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, UZGATE_TOKEN_STORE: 'file' }), 'UZGATE_TOKEN_FILE is not set (needed for UZGATE_TOKEN_STORE=file)'],
  ['store redis', () => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_LONG_LIVED_TOKEN: SECRET, UZGATE_TOKEN_STORE: 'redis' }), 'UZGATE_REDIS_URL is not set (needed for UZGATE_TOKEN_STORE=redis)'],
  [
    'redis URL',
    () => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_LONG_LIVED_TOKEN: SECRET, UZGATE_TOKEN_STORE: 'redis', UZGATE_REDIS_URL: 'http://x' }),
    'UZGATE_REDIS_URL must be a redis:// or rediss:// URL',
  ],
  [
    'encryption key',
    () => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET, UZGATE_ENCRYPTION_KEY: SECRET }),
    'UZGATE_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)',
  ],
  ['amoCRM client id', () => amoCrmOptionsFromEnv({}), 'AMOCRM_CLIENT_ID is not set (needed for amoCRM)'],
  [
    'amoCRM secret',
    () => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id' }),
    'AMOCRM_CLIENT_SECRET is not set (needed for amoCRM OAuth, unless AMOCRM_LONG_LIVED_TOKEN is set)',
  ],
  [
    'amoCRM redirect',
    () => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_CLIENT_SECRET: SECRET }),
    'AMOCRM_REDIRECT_URI is not set (needed for amoCRM OAuth, unless AMOCRM_LONG_LIVED_TOKEN is set)',
  ],
  [
    'amoCRM subdomain',
    () => amoCrmOptionsFromEnv({ AMOCRM_CLIENT_ID: 'id', AMOCRM_LONG_LIVED_TOKEN: SECRET, AMOCRM_SUBDOMAIN: 'my shop.amocrm.ru' }),
    'AMOCRM_SUBDOMAIN must be the account subdomain (`example` of example.amocrm.ru)',
  ],
  ['OTP secret', () => otpOptionsFromEnv({}), 'OTP_SECRET is not set (needed for OTP codes: the HMAC key of stored codes, at least 16 characters)'],
  ['OTP secret length', () => otpOptionsFromEnv({ OTP_SECRET: 'hunter2' }), 'OTP_SECRET must be at least 16 characters'],
  ['OTP dev mode', () => otpOptionsFromEnv({ OTP_SECRET: SECRET, OTP_DEV_MODE: 'maybe' }), 'OTP_DEV_MODE must be true or false'],
];

test.each(mistakes)('%s: a CONFIG error naming the variable, no value in it', (_what, read, message) => {
  let error: unknown;
  try {
    read();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UzgateError);
  expect(error).toMatchObject({ code: 'CONFIG', message });
  expect((error as Error).message).not.toContain(SECRET);
  expect((error as Error).message).not.toContain('hunter2');
});

test('empty strings count as unset', () => {
  expect(() => smsOptionsFromEnv({ ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: '  ' })).toThrow('ESKIZ_PASSWORD is not set');
});

test('a ConfigService is read like process.env', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot({ ignoreEnvFile: true, validatePredefined: false, load: [() => ({ OTP_SECRET: SECRET, OTP_DEV_MODE: true })] })],
  }).compile();
  expect(otpOptionsFromEnv(moduleRef.get(ConfigService))).toMatchObject({ secret: SECRET, devMode: true });
  await moduleRef.close();
});

test('SMS_ROUTING: several providers from the environment, each reading its own variables', () => {
  const options = smsOptionsFromEnv({
    SMS_ROUTING: 'UZ:eskiz,playmobile; *:twilio',
    ESKIZ_EMAIL: 'a@b.uz',
    ESKIZ_PASSWORD: SECRET,
    PLAYMOBILE_LOGIN: 'shop',
    PLAYMOBILE_PASSWORD: SECRET,
    PLAYMOBILE_ORIGINATOR: '3700',
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: SECRET,
    TWILIO_FROM: '+15005550006',
  });
  expect(options.routing).toEqual([
    { to: 'UZ', via: ['eskiz', 'playmobile'] },
    { to: '*', via: ['twilio'] },
  ]);
  expect(options.eskiz?.email).toBe('a@b.uz');
  expect(options.playmobile?.originator).toBe('3700');
  expect(options.twilio?.from).toBe('+15005550006');
  expect(() => smsOptionsFromEnv({ SMS_ROUTING: 'UZ:eskiz', ESKIZ_EMAIL: 'a@b.uz' })).toThrow('ESKIZ_PASSWORD is not set');
  expect(() => smsOptionsFromEnv({ SMS_ROUTING: 'UZ-eskiz', ESKIZ_EMAIL: 'a@b.uz', ESKIZ_PASSWORD: SECRET })).toThrow('SMS_ROUTING route 1 must be');
});
