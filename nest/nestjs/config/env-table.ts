/**
 * Which option each environment variable sets: one table per client, each path checked by tsc
 * against the option types generated from the core (nest/generated/). The readers put the values
 * at these paths, and errors of the core about a field are reworded to name its variable.
 */
import { UzgateError } from '../../errors';
import type { AmoCrmOptions } from '../../generated/AmoCrmOptions';
import type { OtpOptions } from '../../generated/OtpOptions';
import type { SmsOptions } from '../../generated/SmsOptions';
import type { EnvVariable } from './env-names';

/** `eskiz.email`, `tokenStore.path`…: the dotted paths of `T`'s fields. */
export type FieldPath<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends string | number | boolean ? K : K | `${K}.${FieldPath<NonNullable<T[K]>>}`;
}[keyof T & string];

type Table<T> = Partial<Record<EnvVariable, FieldPath<T>>>;

/** Where alerts go: shared by the SMS, amoCRM and OTP tables (one bot, one webhook for all). */
export const ALERT_VARIABLES = {
  UZGATE_ALERT_TELEGRAM_BOT_TOKEN: 'alerts.telegram.botToken',
  UZGATE_ALERT_TELEGRAM_CHAT_ID: 'alerts.telegram.chatId',
  UZGATE_ALERT_TELEGRAM_THREAD_ID: 'alerts.telegram.threadId',
  UZGATE_ALERT_WEBHOOK_URL: 'alerts.webhook.url',
  UZGATE_ALERT_WEBHOOK_SECRET: 'alerts.webhook.secret',
} as const;

const TOKEN_STORE = {
  UZGATE_TOKEN_STORE: 'tokenStore.type',
  UZGATE_TOKEN_FILE: 'tokenStore.path',
  UZGATE_REDIS_URL: 'tokenStore.url',
  UZGATE_REDIS_TLS_CA_FILE: 'tokenStore.tlsCaFile',
  UZGATE_ENCRYPTION_KEY: 'tokenStore.encryptionKey',
} as const;

export const SMS_ENV = {
  SMS_PROVIDER: 'provider',
  ESKIZ_EMAIL: 'eskiz.email',
  ESKIZ_PASSWORD: 'eskiz.password',
  ESKIZ_FROM: 'eskiz.from',
  ESKIZ_BASE_URL: 'eskiz.baseUrl',
  ESKIZ_CALLBACK_URL: 'eskiz.callbackUrl',
  TWILIO_ACCOUNT_SID: 'twilio.accountSid',
  TWILIO_AUTH_TOKEN: 'twilio.authToken',
  TWILIO_API_KEY_SID: 'twilio.apiKeySid',
  TWILIO_API_KEY_SECRET: 'twilio.apiKeySecret',
  TWILIO_FROM: 'twilio.from',
  TWILIO_MESSAGING_SERVICE_SID: 'twilio.messagingServiceSid',
  TWILIO_STATUS_CALLBACK: 'twilio.statusCallback',
  TWILIO_BASE_URL: 'twilio.baseUrl',
  PLAYMOBILE_LOGIN: 'playmobile.login',
  PLAYMOBILE_PASSWORD: 'playmobile.password',
  PLAYMOBILE_ORIGINATOR: 'playmobile.originator',
  PLAYMOBILE_PRIORITY: 'playmobile.priority',
  PLAYMOBILE_BASE_URL: 'playmobile.baseUrl',
  SMS_BALANCE_POLL_MS: 'balancePollMs',
  ...TOKEN_STORE,
  ...ALERT_VARIABLES,
  UZGATE_ALERT_DELIVERY_FAILURE_RATIO: 'alerts.deliveryFailures.ratio',
} as const satisfies Table<SmsOptions>;

export const AMOCRM_ENV = {
  AMOCRM_CLIENT_ID: 'clientId',
  AMOCRM_CLIENT_SECRET: 'clientSecret',
  AMOCRM_REDIRECT_URI: 'redirectUri',
  AMOCRM_SUBDOMAIN: 'subdomain',
  AMOCRM_DOMAIN: 'domain',
  AMOCRM_BASE_URL: 'baseUrl',
  AMOCRM_ALLOW_ANY_ACCOUNT: 'allowAnyAccount',
  AMOCRM_LONG_LIVED_TOKEN: 'longLivedToken',
  ...TOKEN_STORE,
  ...ALERT_VARIABLES,
  UZGATE_ALERT_CONNECT_URL: 'alerts.connectUrl',
} as const satisfies Table<AmoCrmOptions>;

export const OTP_ENV = {
  OTP_SECRET: 'secret',
  OTP_APP_NAME: 'appName',
  OTP_DEV_MODE: 'devMode',
  OTP_STORE: 'store.type',
  OTP_BUDGET_PER_HOUR: 'budget.perHour',
  OTP_PREFIX_LIMIT_PER_HOUR: 'prefixLimit.perHour',
  OTP_PREFIX_IGNORE_LAST_DIGITS: 'prefixLimit.ignoreLastDigits',
  OTP_CLIENT_IP_PER_HOUR: 'perClientIp.perHour',
  UZGATE_REDIS_URL: 'store.url',
  UZGATE_REDIS_TLS_CA_FILE: 'store.tlsCaFile',
  ...ALERT_VARIABLES,
  UZGATE_ALERT_OTP_CAP_HITS: 'alerts.otpAbuse.capHits',
} as const satisfies Table<OtpOptions>;

type Value = string | number | boolean | undefined;

/**
 * The options object of `values`, each put at its variable's path. An unset variable leaves its
 * key undefined, in an object that a set one created (no `tokenStore: {}` of unset variables).
 */
export function fromTable(table: Readonly<Partial<Record<string, string>>>, values: Readonly<Record<string, Value>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [variable, value] of Object.entries(values)) {
    const path = table[variable];
    if (path === undefined) continue;
    const keys = path.split('.');
    let at: Record<string, unknown> | undefined = options;
    for (const key of keys.slice(0, -1)) {
      if (at[key] === undefined && value !== undefined) at[key] = {};
      at = at[key] as Record<string, unknown> | undefined;
      if (at === undefined) break;
    }
    if (at !== undefined) at[keys[keys.length - 1]] = value;
  }
  return options;
}

/** Runs the core's check; its CONFIG message names variables instead of option fields. */
export function checkedByCore(table: Readonly<Record<string, string>>, check: () => void): void {
  try {
    check();
  } catch (e) {
    const error = UzgateError.from(e, 'CONFIG');
    // Longest paths first, so `twilio.apiKeySid` is not read as `twilio` + `.apiKeySid`.
    const byLength = Object.entries(table).sort(([, a], [, b]) => b.length - a.length);
    let message = error.message;
    for (const [variable, path] of byLength) {
      message = message.replace(new RegExp(`(?<![\\w.])${path.replace(/\./g, '\\.')}(?![\\w])`, 'g'), variable);
    }
    throw new UzgateError(message, { code: error.code });
  }
}
