/**
 * The configuration view for operators: what `configuration()` of SmsClient, AmoCrmClient and
 * OtpService returns (built and masked by the core, `crates/core/src/diagnostics`). Every value
 * is masked: secrets appear only as `set`/`missing`, identities with most characters hidden,
 * URLs without passwords, queries or callback paths. Alert sinks are not part of it yet.
 */

/** A host the client sends requests (and credentials) to. */
export interface ConfigurationHost {
  /** `api`, `token` (credentials exchanged for tokens), `consent` (amoCRM), `deliveryReports`. */
  role: string;
  /** The root, masked. */
  url: string;
}

/** amoCRM: which account the client serves. */
export interface ConfigurationAccount {
  /** `subdomain` (one account), `baseUrl` (a fixed root), `anyAccount` (the callback's referer chooses) or `notConfigured`. */
  policy: 'subdomain' | 'baseUrl' | 'anyAccount' | 'notConfigured';
  subdomain?: string;
  domain: string;
  baseUrl?: string;
  allowAnyAccount: boolean;
}

/** A credential or identity: whether it is set, and a masked form when it is not a secret. */
export interface ConfigurationCredential {
  /** The option, e.g. `eskiz.password`. */
  name: string;
  state: 'set' | 'missing';
  /** Identities only (e-mail, ids), mostly masked; never present for a secret. */
  shown?: string;
}

/** Where tokens are kept and how the cross-process refresh lock behaves. */
export interface ConfigurationTokenStore {
  type: 'memory' | 'file' | 'redis' | 'custom';
  /** Whether the tokens outlive a restart of the process (memory: no). */
  survivesRestart: boolean;
  /** Whether other processes see the same tokens. */
  shared: boolean;
  key: string;
  /** Whether records are sealed with `encryptionKey`. */
  sealed: boolean;
  path?: string;
  /** The Redis URL, password masked (`rediss://app-user:***@host:6380/0`). */
  url?: string;
  tlsCaFile?: string;
  lockLeaseMs: number;
  lockWaitMs: number;
  refreshTimeoutMs: number;
  callTimeoutMs: number;
}

/** Limits in effect, defaults included. */
export interface ConfigurationLimits {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxConcurrency: number;
  maxResponseBytes: number;
  refreshMarginMs: number;
  rateLimitPerSecond?: number;
  sharedRateLimit?: boolean;
  keepAliveMs?: number;
  blockCooldownMs?: number;
  /** SMS: how often the balance is polled (`balancePollMs`); absent when it is not. */
  balancePollMs?: number;
}

/** OTP: the code policy in effect. */
export interface ConfigurationOtp {
  length: number;
  ttlSeconds: number;
  maxAttempts: number;
  resendCooldownSeconds: number;
  maxSendsPerHour: number;
  devMode: boolean;
  store: 'memory' | 'redis';
  shared: boolean;
  url?: string;
  tlsCaFile?: string;
  prefix: string;
  /** Regions codes are sent to (`*`: every region): `allowedRegions`, or the SMS client's default. */
  allowedRegions?: string[];
  /** Codes per hour across all numbers (`budget.perHour`); absent without a global budget. */
  budgetPerHour?: number;
  /** Codes per hour per region (`budget.perRegion`); absent when none is set. */
  budgetPerRegion?: Record<string, number>;
  /** Codes per hour to one block of numbers (`prefixLimit`); absent when off. */
  prefixLimit?: { ignoreLastDigits: number; perHour: number };
  /** Codes per hour per client IP (`perClientIp`, sends that name one); absent when off. */
  clientIpPerHour?: number;
}

/** Something missing or risky, with its consequence in one sentence. */
export interface ConfigurationFinding {
  level: 'missing' | 'risk';
  /** The option it is about, e.g. `eskiz.callbackUrl`. */
  option: string;
  consequence: string;
}

/** One client's effective configuration, masked. */
export interface ConfigurationView {
  client: 'sms' | 'amocrm' | 'otp';
  provider: string;
  hosts: ConfigurationHost[];
  account?: ConfigurationAccount;
  credentials: ConfigurationCredential[];
  /** Absent when the provider keeps no token (Twilio, console) and for OTP. */
  tokenStore?: ConfigurationTokenStore;
  limits?: ConfigurationLimits;
  otp?: ConfigurationOtp;
  /** Where operator alerts go (by chat and origin: never a token or key); absent without `alerts`. */
  alerts?: ConfigurationAlerts;
  findings: ConfigurationFinding[];
}

export interface ConfigurationAlerts {
  sinks: Array<{ kind: 'telegram' | 'webhook' | 'callback'; target: string }>;
  repeatAfterMs?: number;
  refreshFailures?: number;
  connectUrl?: string;
  /** `SmsClient`: the delivery-failure rule in words ("25 % failed of at least 20 final reports over 15 min"). */
  deliveryFailures?: string;
  /** `OtpService`: the OTP-abuse rule in words ("20 hourly-cap refusals over 60 min"). */
  otpAbuse?: string;
  /** `SmsClient` with `routing`: whether an open circuit breaker raises `provider_down`. */
  providerDown?: boolean;
}
