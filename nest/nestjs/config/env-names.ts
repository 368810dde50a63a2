/**
 * Every environment variable uzgate knows, and the check that a set variable under one of its
 * prefixes is one of them: `ESKIZ_EMAL` would otherwise be ignored and production SMS silently
 * configured otherwise. The reader refuses to read a name missing from this list, and
 * `__test__/security/config-drift.test.ts` compares it with the names the sources read.
 */
import { closest } from '../../option-shape';
import { configError } from './env-reader';

/** The variables of the configuration readers, the addon and this repository's tooling. */
export const ENV_VARIABLES = [
  'SMS_PROVIDER',
  'SMS_BALANCE_POLL_MS',
  'SMS_ROUTING',
  'ESKIZ_EMAIL',
  'ESKIZ_PASSWORD',
  'ESKIZ_FROM',
  'ESKIZ_BASE_URL',
  'ESKIZ_CALLBACK_URL',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY_SID',
  'TWILIO_API_KEY_SECRET',
  'TWILIO_FROM',
  'TWILIO_MESSAGING_SERVICE_SID',
  'TWILIO_STATUS_CALLBACK',
  'TWILIO_BASE_URL',
  'PLAYMOBILE_LOGIN',
  'PLAYMOBILE_PASSWORD',
  'PLAYMOBILE_ORIGINATOR',
  'PLAYMOBILE_PRIORITY',
  'PLAYMOBILE_BASE_URL',
  'AMOCRM_CLIENT_ID',
  'AMOCRM_CLIENT_SECRET',
  'AMOCRM_REDIRECT_URI',
  'AMOCRM_SUBDOMAIN',
  'AMOCRM_DOMAIN',
  'AMOCRM_BASE_URL',
  'AMOCRM_ALLOW_ANY_ACCOUNT',
  'AMOCRM_LONG_LIVED_TOKEN',
  'OTP_SECRET',
  'OTP_APP_NAME',
  'OTP_DEV_MODE',
  'OTP_STORE',
  'OTP_BUDGET_PER_HOUR',
  'OTP_BUDGET_PER_REGION',
  'OTP_PREFIX_LIMIT_PER_HOUR',
  'OTP_PREFIX_IGNORE_LAST_DIGITS',
  'OTP_CLIENT_IP_PER_HOUR',
  'UZGATE_TOKEN_STORE',
  'UZGATE_TOKEN_FILE',
  'UZGATE_REDIS_URL',
  'UZGATE_REDIS_TLS_CA_FILE',
  'UZGATE_ENCRYPTION_KEY',
  'UZGATE_ALERT_TELEGRAM_BOT_TOKEN',
  'UZGATE_ALERT_TELEGRAM_CHAT_ID',
  'UZGATE_ALERT_TELEGRAM_THREAD_ID',
  'UZGATE_ALERT_WEBHOOK_URL',
  'UZGATE_ALERT_WEBHOOK_SECRET',
  'UZGATE_ALERT_CONNECT_URL',
  'UZGATE_ALERT_DELIVERY_FAILURE_RATIO',
  'UZGATE_ALERT_OTP_CAP_HITS',
  /** Read by the addon itself (src/log_file.rs, src/runtime.rs). */
  'UZGATE_LOG_FILE',
  'UZGATE_THREADS',
  /** This repository's test and CI tooling. */
  'UZGATE_TEST_REDIS_URL',
  'UZGATE_TEST_REDIS_TLS_URL',
  'UZGATE_TEST_REDIS_CA_FILE',
  'UZGATE_TEST_REDIS_OTHER_CA_FILE',
  'UZGATE_TEST_REDIS_CLUSTER_URL',
  'UZGATE_TEST_REDIS_CLUSTER_TLS_URL',
  'UZGATE_INSTALL_REDIS',
] as const;

export type EnvVariable = (typeof ENV_VARIABLES)[number];

const KNOWN = new Set<string>(ENV_VARIABLES);

/**
 * Prefixes that belong to uzgate alone: any other name under them is a mistake. Under the shared
 * prefixes (`TWILIO_` is also read by twilio-node and the Twilio CLI; `SMS_` and `OTP_` are
 * common in apps) only a near miss of a known name (≤ 2 edits, e.g. `TWILIO_AUTH_TOKN`) is.
 */
export const OWNED_PREFIXES = ['ESKIZ_', 'PLAYMOBILE_', 'AMOCRM_', 'UZGATE_'] as const;
export const SHARED_PREFIXES = ['SMS_', 'OTP_', 'TWILIO_'] as const;

export function isKnownVariable(name: string): name is EnvVariable {
  return KNOWN.has(name);
}

/**
 * Throws CONFIG for the first set variable under `prefixes` that uzgate does not know, naming
 * the closest known variable. Only names are looked at, never values.
 */
export function refuseUnknownVariables(names: Iterable<string>, prefixes: readonly string[]): void {
  for (const name of [...names].sort()) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined || KNOWN.has(name)) continue;
    const near = closest(name, ENV_VARIABLES);
    const owned = (OWNED_PREFIXES as readonly string[]).includes(prefix);
    if (!owned && near === undefined) continue;
    const candidates = ENV_VARIABLES.filter((v) => v.startsWith(prefix));
    const hint = near ? `did you mean ${near}?` : `known ${prefix} variables: ${candidates.join(', ')}`;
    throw configError(`${name} is not a uzgate variable (${hint}); remove or rename it`);
  }
}
