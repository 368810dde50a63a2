/**
 * Client options from environment variables, for `forRoot()` without options and for
 * `forRootAsync({ inject: [ConfigService] })`. Each variable's value goes to the option
 * env-table.ts maps it to; a missing or malformed variable fails at startup with an
 * UzgateError(CONFIG) naming it (the SMS options through the core's own rules, reworded to name
 * the variables); the clients check the remaining details when built.
 */
import type { AmoCrmClientOptions, OtpServiceOptions, SmsClientOptions } from '../../index';
import { native } from '../../native';
import { ENV_VARIABLES } from './env-names';
import { EnvReader, configError, isUrl, type EnvSource } from './env-reader';
import { ALERT_VARIABLES, AMOCRM_ENV, OTP_ENV, SMS_ENV, checkedByCore, fromTable } from './env-table';

/** A reader's values by variable of `table`; unset ones are undefined. */
type Values<Table> = Partial<Record<keyof Table, string | number | boolean | undefined>>;

export type { EnvSource } from './env-reader';

const SMS_PROVIDERS = ['eskiz', 'twilio', 'playmobile', 'console'] as const;
const TOKEN_STORES = ['memory', 'file', 'redis'] as const;

const ESKIZ_VARIABLES = ENV_VARIABLES.filter((v) => v.startsWith('ESKIZ_'));
const TWILIO_VARIABLES = ENV_VARIABLES.filter((v) => v.startsWith('TWILIO_'));
const PLAYMOBILE_VARIABLES = ENV_VARIABLES.filter((v) => v.startsWith('PLAYMOBILE_'));

/**
 * `SMS_PROVIDER` (eskiz | twilio | playmobile | console), then that provider's `ESKIZ_*` /
 * `TWILIO_*` / `PLAYMOBILE_*` variables and the `UZGATE_*` token store. Without `SMS_PROVIDER`
 * the provider is the one whose variables are set; none (or several) is a CONFIG error: the console provider, which only prints
 * messages, is never a default. An unknown variable under these prefixes (a typo such as ESKIZ_EMAL) is a
 * CONFIG error naming the closest known one.
 */
export function smsOptionsFromEnv(source: EnvSource = process.env): SmsClientOptions {
  const env = new EnvReader(source).refuseUnknown(['SMS_', 'ESKIZ_', 'TWILIO_', 'PLAYMOBILE_', 'UZGATE_']);
  const routing = env.optional('SMS_ROUTING');
  if (routing !== undefined) return routedFromEnv(env, routing);
  const provider = env.oneOf('SMS_PROVIDER', SMS_PROVIDERS) ?? providerFromVariables(env);
  const balancePoll = env.integer('SMS_BALANCE_POLL_MS');
  if (provider === 'console') return balancePoll === undefined ? { provider } : { provider, balancePollMs: balancePoll };
  const values = {
    SMS_PROVIDER: provider,
    SMS_BALANCE_POLL_MS: balancePoll,
    ...providerFromEnv(provider, env),
    ...tokenStoreFromEnv(env),
    ...alertsFromEnv(env),
    UZGATE_ALERT_DELIVERY_FAILURE_RATIO: env.decimal('UZGATE_ALERT_DELIVERY_FAILURE_RATIO'),
  };
  const options = fromTable(SMS_ENV, values);
  checkedByCore(SMS_ENV, () => {
    native.checkSmsOptions(options);
  });
  return options;
}

/**
 * `SMS_ROUTING=UZ:eskiz,playmobile;*:twilio`: routes separated by `;`, each `<region or *>:<providers
 * in order>`; every provider named reads its own variables (all required as for one provider).
 */
function routedFromEnv(env: EnvReader, spec: string): SmsClientOptions {
  const routes = spec.split(';').map((part, i) => {
    const parts = part.split(':').map((x) => x.trim());
    const [to, via] = parts;
    if (parts.length !== 2 || !to || !via) {
      throw configError(`SMS_ROUTING route ${String(i + 1)} must be <region or *>:<providers> (e.g. UZ:eskiz,playmobile;*:twilio)`);
    }
    return { to, via: via.split(',').map((p) => p.trim()) };
  });
  const named = new Set(routes.flatMap((r) => r.via));
  const values = {
    SMS_PROVIDER: env.oneOf('SMS_PROVIDER', SMS_PROVIDERS),
    SMS_BALANCE_POLL_MS: env.integer('SMS_BALANCE_POLL_MS'),
    ...(['eskiz', 'twilio', 'playmobile'] as const).filter((p) => named.has(p)).reduce((acc, p) => ({ ...acc, ...providerFromEnv(p, env) }), {}),
    ...tokenStoreFromEnv(env),
    ...alertsFromEnv(env),
    UZGATE_ALERT_DELIVERY_FAILURE_RATIO: env.decimal('UZGATE_ALERT_DELIVERY_FAILURE_RATIO'),
  };
  const options = { ...fromTable(SMS_ENV, values), routing: routes };
  checkedByCore(SMS_ENV, () => {
    native.checkSmsOptions(options);
  });
  return options;
}

function providerFromEnv(provider: 'eskiz' | 'twilio' | 'playmobile', env: EnvReader): Values<typeof SMS_ENV> {
  switch (provider) {
    case 'eskiz':
      return eskizFromEnv(env);
    case 'twilio':
      return twilioFromEnv(env);
    case 'playmobile':
      return playMobileFromEnv(env);
  }
}

function providerFromVariables(env: EnvReader): 'eskiz' | 'twilio' | 'playmobile' {
  const set = (
    [
      ['eskiz', 'ESKIZ_*', ESKIZ_VARIABLES],
      ['twilio', 'TWILIO_*', TWILIO_VARIABLES],
      ['playmobile', 'PLAYMOBILE_*', PLAYMOBILE_VARIABLES],
    ] as const
  ).filter(([, , variables]) => env.anySet(variables));
  if (set.length > 1) {
    const prefixes = set.map(([, prefix]) => prefix);
    const names = prefixes.length === 2 ? `both ${prefixes.join(' and ')}` : `${prefixes.slice(0, -1).join(', ')} and ${prefixes[prefixes.length - 1]}`;
    const choices = set.map(([p]) => `SMS_PROVIDER=${p}`).join(' or ');
    throw configError(`${names} variables are set: choose the provider with ${choices}`);
  }
  if (set.length === 1) return set[0][0];
  throw configError(
    'no SMS provider is configured: set SMS_PROVIDER=eskiz with ESKIZ_EMAIL and ESKIZ_PASSWORD, ' +
      'SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, ' +
      'SMS_PROVIDER=playmobile with PLAYMOBILE_LOGIN, PLAYMOBILE_PASSWORD and PLAYMOBILE_ORIGINATOR, ' +
      'or SMS_PROVIDER=console to print messages instead of sending them (or pass `provider` in the options)',
  );
}

/** The values of the Eskiz variables; the core checks which are needed together. */
function eskizFromEnv(env: EnvReader): Values<typeof SMS_ENV> {
  const why = 'needed for SMS_PROVIDER=eskiz';
  const email = env.required('ESKIZ_EMAIL', why);
  if (!email.includes('@')) throw configError('ESKIZ_EMAIL must be the Eskiz account e-mail address');
  return {
    ESKIZ_EMAIL: email,
    ESKIZ_PASSWORD: env.required('ESKIZ_PASSWORD', why),
    ESKIZ_FROM: env.optional('ESKIZ_FROM'),
    ESKIZ_BASE_URL: env.url('ESKIZ_BASE_URL'),
    ESKIZ_CALLBACK_URL: env.url('ESKIZ_CALLBACK_URL'),
  };
}

/** The values of the Twilio variables; the core's rule says which credentials go together. */
function twilioFromEnv(env: EnvReader): Values<typeof SMS_ENV> {
  return {
    TWILIO_ACCOUNT_SID: sid(env, 'TWILIO_ACCOUNT_SID', 'AC', true),
    TWILIO_AUTH_TOKEN: env.optional('TWILIO_AUTH_TOKEN'),
    TWILIO_API_KEY_SID: sid(env, 'TWILIO_API_KEY_SID', 'SK', false),
    TWILIO_API_KEY_SECRET: env.optional('TWILIO_API_KEY_SECRET'),
    TWILIO_FROM: env.optional('TWILIO_FROM'),
    TWILIO_MESSAGING_SERVICE_SID: sid(env, 'TWILIO_MESSAGING_SERVICE_SID', 'MG', false),
    TWILIO_STATUS_CALLBACK: env.url('TWILIO_STATUS_CALLBACK'),
    TWILIO_BASE_URL: env.url('TWILIO_BASE_URL'),
  };
}

/** The values of the Play Mobile variables; the core checks the originator and priority. */
function playMobileFromEnv(env: EnvReader): Values<typeof SMS_ENV> {
  const why = 'needed for SMS_PROVIDER=playmobile';
  return {
    PLAYMOBILE_LOGIN: env.required('PLAYMOBILE_LOGIN', why),
    PLAYMOBILE_PASSWORD: env.required('PLAYMOBILE_PASSWORD', why),
    PLAYMOBILE_ORIGINATOR: env.required('PLAYMOBILE_ORIGINATOR', why),
    PLAYMOBILE_PRIORITY: env.oneOf('PLAYMOBILE_PRIORITY', ['low', 'normal', 'high', 'realtime'] as const),
    PLAYMOBILE_BASE_URL: env.url('PLAYMOBILE_BASE_URL'),
  };
}

/** Twilio SIDs: a two-letter prefix and 32 hex digits. */
function sid(env: EnvReader, name: string, prefix: string, required: true): string;
function sid(env: EnvReader, name: string, prefix: string, required: false): string | undefined;
function sid(env: EnvReader, name: string, prefix: string, required: boolean): string | undefined {
  const value = required ? env.required(name, 'needed for SMS_PROVIDER=twilio') : env.optional(name);
  if (value !== undefined && !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value)) {
    throw configError(`${name} must be ${prefix} followed by 32 hex digits`);
  }
  return value;
}

/**
 * `AMOCRM_CLIENT_ID`, and either `AMOCRM_LONG_LIVED_TOKEN` (a private integration) or
 * `AMOCRM_CLIENT_SECRET` + `AMOCRM_REDIRECT_URI` (OAuth); `AMOCRM_SUBDOMAIN`, `AMOCRM_DOMAIN`,
 * `AMOCRM_BASE_URL`, `AMOCRM_ALLOW_ANY_ACCOUNT` (multi-account installs) optional; the `UZGATE_*`
 * token store.
 */
export function amoCrmOptionsFromEnv(source: EnvSource = process.env): AmoCrmClientOptions {
  const env = new EnvReader(source).refuseUnknown(['AMOCRM_', 'UZGATE_']);
  const clientId = env.required('AMOCRM_CLIENT_ID', 'needed for amoCRM');
  const longLivedToken = env.optional('AMOCRM_LONG_LIVED_TOKEN');
  const why = 'needed for amoCRM OAuth, unless AMOCRM_LONG_LIVED_TOKEN is set';
  const subdomain = env.optional('AMOCRM_SUBDOMAIN');
  if (subdomain !== undefined && !/^[a-z0-9][a-z0-9-]*$/i.test(subdomain)) {
    throw configError('AMOCRM_SUBDOMAIN must be the account subdomain (`example` of example.amocrm.ru)');
  }
  const values: Values<typeof AMOCRM_ENV> = {
    AMOCRM_CLIENT_ID: clientId,
    AMOCRM_CLIENT_SECRET: longLivedToken ? env.optional('AMOCRM_CLIENT_SECRET') : env.required('AMOCRM_CLIENT_SECRET', why),
    AMOCRM_REDIRECT_URI: env.url('AMOCRM_REDIRECT_URI') ?? (longLivedToken ? undefined : env.required('AMOCRM_REDIRECT_URI', why)),
    AMOCRM_SUBDOMAIN: subdomain,
    AMOCRM_DOMAIN: env.oneOf('AMOCRM_DOMAIN', ['amocrm.ru', 'amocrm.com', 'kommo.com'] as const),
    AMOCRM_BASE_URL: env.url('AMOCRM_BASE_URL'),
    AMOCRM_ALLOW_ANY_ACCOUNT: env.boolean('AMOCRM_ALLOW_ANY_ACCOUNT'),
    AMOCRM_LONG_LIVED_TOKEN: longLivedToken,
    ...tokenStoreFromEnv(env),
    ...alertsFromEnv(env),
    UZGATE_ALERT_CONNECT_URL: env.url('UZGATE_ALERT_CONNECT_URL'),
  };
  return fromTable(AMOCRM_ENV, values) as AmoCrmClientOptions;
}

/**
 * `OTP_SECRET` (≥ 16 characters), `OTP_APP_NAME`, `OTP_DEV_MODE`, `OTP_STORE`
 * (memory | redis, the latter at `UZGATE_REDIS_URL`), the SMS-pumping limits
 * (`OTP_BUDGET_PER_HOUR`, `OTP_BUDGET_PER_REGION=UZ=500,KZ=20`, `OTP_PREFIX_LIMIT_PER_HOUR`,
 * `OTP_PREFIX_IGNORE_LAST_DIGITS`, `OTP_CLIENT_IP_PER_HOUR`), the alert sinks and
 * `UZGATE_ALERT_OTP_CAP_HITS`.
 */
export function otpOptionsFromEnv(source: EnvSource = process.env): Omit<OtpServiceOptions, 'sms'> {
  const env = new EnvReader(source).refuseUnknown(['OTP_', 'UZGATE_']);
  const secret = env.required('OTP_SECRET', 'needed for OTP codes: the HMAC key of stored codes, at least 16 characters');
  if (secret.length < 16) throw configError('OTP_SECRET must be at least 16 characters');
  const store = env.oneOf('OTP_STORE', ['memory', 'redis'] as const);
  const values: Values<typeof OTP_ENV> = {
    OTP_SECRET: secret,
    OTP_APP_NAME: env.optional('OTP_APP_NAME'),
    OTP_DEV_MODE: env.boolean('OTP_DEV_MODE'),
    ...(store === 'redis' && { OTP_STORE: store, ...redisFromEnv(env, 'OTP_STORE=redis') }),
    OTP_BUDGET_PER_HOUR: env.integer('OTP_BUDGET_PER_HOUR'),
    OTP_PREFIX_LIMIT_PER_HOUR: env.integer('OTP_PREFIX_LIMIT_PER_HOUR'),
    OTP_PREFIX_IGNORE_LAST_DIGITS: env.integer('OTP_PREFIX_IGNORE_LAST_DIGITS'),
    OTP_CLIENT_IP_PER_HOUR: env.integer('OTP_CLIENT_IP_PER_HOUR'),
    ...alertsFromEnv(env),
    UZGATE_ALERT_OTP_CAP_HITS: env.integer('UZGATE_ALERT_OTP_CAP_HITS'),
  };
  const options = fromTable(OTP_ENV, values) as Omit<OtpServiceOptions, 'sms'>;
  const perRegion = regionBudgetsFromEnv(env.optional('OTP_BUDGET_PER_REGION'));
  return perRegion === undefined ? options : { ...options, budget: { ...options.budget, perRegion } };
}

/** `OTP_BUDGET_PER_REGION=UZ=500,KZ=20`: codes per hour by ISO region (bounds are the core's). */
function regionBudgetsFromEnv(spec: string | undefined): Record<string, number> | undefined {
  if (spec === undefined) return undefined;
  const perRegion: Record<string, number> = {};
  for (const part of spec.split(',')) {
    const match = /^\s*([A-Z]{2})\s*=\s*(\d{1,10})\s*$/.exec(part);
    if (!match) throw configError('OTP_BUDGET_PER_REGION must be <REGION>=<codes per hour>, comma-separated (e.g. UZ=500,KZ=20)');
    perRegion[match[1]] = Number(match[2]);
  }
  return perRegion;
}

/**
 * `UZGATE_TOKEN_STORE` (memory | file | redis), `UZGATE_TOKEN_FILE`, `UZGATE_REDIS_URL`,
 * `UZGATE_REDIS_TLS_CA_FILE`, `UZGATE_ENCRYPTION_KEY`.
 */
function tokenStoreFromEnv(env: EnvReader): Values<typeof SMS_ENV> {
  const type = env.oneOf('UZGATE_TOKEN_STORE', TOKEN_STORES);
  const encryptionKey = env.optional('UZGATE_ENCRYPTION_KEY');
  if (encryptionKey !== undefined && !isAes256Key(encryptionKey)) {
    throw configError('UZGATE_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)');
  }
  // `memory` is the default: nothing to say.
  switch (type) {
    case 'file':
      return { UZGATE_TOKEN_STORE: type, UZGATE_TOKEN_FILE: env.required('UZGATE_TOKEN_FILE', 'needed for UZGATE_TOKEN_STORE=file'), UZGATE_ENCRYPTION_KEY: encryptionKey };
    case 'redis':
      return { UZGATE_TOKEN_STORE: type, ...redisFromEnv(env, 'UZGATE_TOKEN_STORE=redis'), UZGATE_ENCRYPTION_KEY: encryptionKey };
    default:
      return {};
  }
}

/**
 * `UZGATE_ALERT_TELEGRAM_BOT_TOKEN` + `UZGATE_ALERT_TELEGRAM_CHAT_ID` (+ `_THREAD_ID`),
 * `UZGATE_ALERT_WEBHOOK_URL` + `UZGATE_ALERT_WEBHOOK_SECRET`: each sink's variables together or
 * not at all; the core checks the values. Each client's own alert variables are read by its reader.
 */
function alertsFromEnv(env: EnvReader): Values<typeof ALERT_VARIABLES> {
  const pair = (a: string, b: string): [string | undefined, string | undefined] => {
    const [x, y] = [env.optional(a), env.optional(b)];
    if ((x === undefined) !== (y === undefined)) {
      throw configError(`${x === undefined ? a : b} is not set (needed with ${x === undefined ? b : a})`);
    }
    return [x, y];
  };
  const [botToken, chatId] = pair('UZGATE_ALERT_TELEGRAM_BOT_TOKEN', 'UZGATE_ALERT_TELEGRAM_CHAT_ID');
  const [url, secret] = pair('UZGATE_ALERT_WEBHOOK_URL', 'UZGATE_ALERT_WEBHOOK_SECRET');
  const threadId = env.integer('UZGATE_ALERT_TELEGRAM_THREAD_ID');
  if (threadId !== undefined && botToken === undefined) throw configError('UZGATE_ALERT_TELEGRAM_BOT_TOKEN is not set (needed with UZGATE_ALERT_TELEGRAM_THREAD_ID)');
  return {
    UZGATE_ALERT_TELEGRAM_BOT_TOKEN: botToken,
    // a numeric id as a number, `@channel` as it is
    UZGATE_ALERT_TELEGRAM_CHAT_ID: chatId !== undefined && /^-?\d{1,16}$/.test(chatId.trim()) ? Number(chatId.trim()) : chatId,
    UZGATE_ALERT_TELEGRAM_THREAD_ID: threadId,
    UZGATE_ALERT_WEBHOOK_URL: url,
    UZGATE_ALERT_WEBHOOK_SECRET: secret,
  };
}

/** `UZGATE_REDIS_URL`, and `UZGATE_REDIS_TLS_CA_FILE` for a `rediss://` server with a private CA. */
function redisFromEnv(env: EnvReader, neededFor: string): { UZGATE_REDIS_URL: string; UZGATE_REDIS_TLS_CA_FILE: string | undefined } {
  const url = env.required('UZGATE_REDIS_URL', `needed for ${neededFor}`);
  if (!isUrl(url, ['redis:', 'rediss:'])) throw configError('UZGATE_REDIS_URL must be a redis:// or rediss:// URL');
  return { UZGATE_REDIS_URL: url, UZGATE_REDIS_TLS_CA_FILE: env.optional('UZGATE_REDIS_TLS_CA_FILE') };
}

function isAes256Key(key: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return true;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32;
}
