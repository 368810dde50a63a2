/**
 * Client options from environment variables, for `forRoot()` without options and for
 * `forRootAsync({ inject: [ConfigService] })`. Every missing or malformed variable fails at
 * startup with an UzgateError(CONFIG) naming it; the clients check the remaining details.
 */
import type { AmoCrmClientOptions, OtpServiceOptions, SmsClientOptions, TokenStoreOptions } from '../../index';
import { ENV_VARIABLES } from './env-names';
import { EnvReader, configError, isUrl, type EnvSource } from './env-reader';

export type { EnvSource } from './env-reader';

const SMS_PROVIDERS = ['eskiz', 'twilio', 'console'] as const;
const TOKEN_STORES = ['memory', 'file', 'redis'] as const;

const ESKIZ_VARIABLES = ENV_VARIABLES.filter((v) => v.startsWith('ESKIZ_'));
const TWILIO_VARIABLES = ENV_VARIABLES.filter((v) => v.startsWith('TWILIO_'));

/**
 * `SMS_PROVIDER` (eskiz | twilio | console), then that provider's `ESKIZ_*` / `TWILIO_*`
 * variables and the `UZGATE_*` token store. Without `SMS_PROVIDER` the provider is the one whose
 * variables are set; none (or both) is a CONFIG error: the console provider, which only prints
 * messages, is never a default. An unknown variable under these prefixes (a typo such as ESKIZ_EMAL) is a
 * CONFIG error naming the closest known one.
 */
export function smsOptionsFromEnv(source: EnvSource = process.env): SmsClientOptions {
  const env = new EnvReader(source).refuseUnknown(['SMS_', 'ESKIZ_', 'TWILIO_', 'UZGATE_']);
  const provider = env.oneOf('SMS_PROVIDER', SMS_PROVIDERS) ?? providerFromVariables(env);
  const tokenStore = tokenStoreFromEnv(env);
  switch (provider) {
    case 'eskiz':
      return { provider, eskiz: eskizFromEnv(env), tokenStore };
    case 'twilio':
      return { provider, twilio: twilioFromEnv(env), tokenStore };
    default:
      return { provider: 'console' };
  }
}

function providerFromVariables(env: EnvReader): 'eskiz' | 'twilio' {
  const eskiz = env.anySet(ESKIZ_VARIABLES);
  const twilio = env.anySet(TWILIO_VARIABLES);
  if (eskiz && twilio) {
    throw configError('both ESKIZ_* and TWILIO_* variables are set: choose the provider with SMS_PROVIDER=eskiz or SMS_PROVIDER=twilio');
  }
  if (eskiz) return 'eskiz';
  if (twilio) return 'twilio';
  throw configError(
    'no SMS provider is configured: set SMS_PROVIDER=eskiz with ESKIZ_EMAIL and ESKIZ_PASSWORD, ' +
      'SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, ' +
      'or SMS_PROVIDER=console to print messages instead of sending them (or pass `provider` in the options)',
  );
}

function eskizFromEnv(env: EnvReader): NonNullable<SmsClientOptions['eskiz']> {
  const why = 'needed for SMS_PROVIDER=eskiz';
  const email = env.required('ESKIZ_EMAIL', why);
  if (!email.includes('@')) throw configError('ESKIZ_EMAIL must be the Eskiz account e-mail address');
  return {
    email,
    password: env.required('ESKIZ_PASSWORD', why),
    from: env.optional('ESKIZ_FROM'),
    baseUrl: env.url('ESKIZ_BASE_URL'),
    callbackUrl: env.url('ESKIZ_CALLBACK_URL'),
  };
}

function twilioFromEnv(env: EnvReader): NonNullable<SmsClientOptions['twilio']> {
  const accountSid = sid(env, 'TWILIO_ACCOUNT_SID', 'AC', true);
  const authToken = env.optional('TWILIO_AUTH_TOKEN');
  const apiKeySid = sid(env, 'TWILIO_API_KEY_SID', 'SK', false);
  const apiKeySecret = env.optional('TWILIO_API_KEY_SECRET');
  if (apiKeySid && !apiKeySecret) throw configError('TWILIO_API_KEY_SECRET is not set (needed with TWILIO_API_KEY_SID)');
  if (apiKeySecret && !apiKeySid) throw configError('TWILIO_API_KEY_SID is not set (needed with TWILIO_API_KEY_SECRET)');
  if (!authToken && !apiKeySid) {
    throw configError('TWILIO_AUTH_TOKEN is not set (needed for SMS_PROVIDER=twilio, or TWILIO_API_KEY_SID with TWILIO_API_KEY_SECRET)');
  }
  return {
    accountSid,
    authToken,
    apiKeySid,
    apiKeySecret,
    from: env.optional('TWILIO_FROM'),
    messagingServiceSid: sid(env, 'TWILIO_MESSAGING_SERVICE_SID', 'MG', false),
    statusCallback: env.url('TWILIO_STATUS_CALLBACK'),
    baseUrl: env.url('TWILIO_BASE_URL'),
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
  return {
    clientId,
    clientSecret: longLivedToken ? env.optional('AMOCRM_CLIENT_SECRET') : env.required('AMOCRM_CLIENT_SECRET', why),
    redirectUri: env.url('AMOCRM_REDIRECT_URI') ?? (longLivedToken ? undefined : env.required('AMOCRM_REDIRECT_URI', why)),
    subdomain,
    domain: env.oneOf('AMOCRM_DOMAIN', ['amocrm.ru', 'amocrm.com', 'kommo.com'] as const),
    baseUrl: env.url('AMOCRM_BASE_URL'),
    allowAnyAccount: env.boolean('AMOCRM_ALLOW_ANY_ACCOUNT'),
    longLivedToken,
    tokenStore: tokenStoreFromEnv(env),
  };
}

/**
 * `OTP_SECRET` (≥ 16 characters), `OTP_APP_NAME`, `OTP_DEV_MODE`, and `OTP_STORE`
 * (memory | redis, the latter at `UZGATE_REDIS_URL`).
 */
export function otpOptionsFromEnv(source: EnvSource = process.env): Omit<OtpServiceOptions, 'sms'> {
  const env = new EnvReader(source).refuseUnknown(['OTP_', 'UZGATE_']);
  const secret = env.required('OTP_SECRET', 'needed for OTP codes: the HMAC key of stored codes, at least 16 characters');
  if (secret.length < 16) throw configError('OTP_SECRET must be at least 16 characters');
  const store = env.oneOf('OTP_STORE', ['memory', 'redis'] as const);
  return {
    secret,
    appName: env.optional('OTP_APP_NAME'),
    devMode: env.boolean('OTP_DEV_MODE'),
    store: store === 'redis' ? { type: 'redis', url: redisUrl(env, 'OTP_STORE=redis') } : undefined,
  };
}

/** `UZGATE_TOKEN_STORE` (memory | file | redis), `UZGATE_TOKEN_FILE`, `UZGATE_REDIS_URL`, `UZGATE_ENCRYPTION_KEY`. */
function tokenStoreFromEnv(env: EnvReader): TokenStoreOptions | undefined {
  const type = env.oneOf('UZGATE_TOKEN_STORE', TOKEN_STORES);
  const encryptionKey = env.optional('UZGATE_ENCRYPTION_KEY');
  if (encryptionKey !== undefined && !isAes256Key(encryptionKey)) {
    throw configError('UZGATE_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)');
  }
  switch (type) {
    case 'file':
      return { type, path: env.required('UZGATE_TOKEN_FILE', 'needed for UZGATE_TOKEN_STORE=file'), encryptionKey };
    case 'redis':
      return { type, url: redisUrl(env, 'UZGATE_TOKEN_STORE=redis'), encryptionKey };
    default:
      return undefined;
  }
}

function redisUrl(env: EnvReader, neededFor: string): string {
  const url = env.required('UZGATE_REDIS_URL', `needed for ${neededFor}`);
  if (!isUrl(url, ['redis:', 'rediss:'])) throw configError('UZGATE_REDIS_URL must be a redis:// or rediss:// URL');
  return url;
}

function isAes256Key(key: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return true;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32;
}
