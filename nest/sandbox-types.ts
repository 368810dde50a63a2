/**
 * The sandbox gateway's types: its options, counters, faults and control surface. They live in
 * `uzgate` so its typings stand alone whether or not the dev dependency `uzgate-sandbox` (which
 * implements them) is installed; `uzgate-sandbox` imports them from here.
 */
export interface SandboxOptions {
  /** 0 or absent: a free port on 127.0.0.1. */
  port?: number;
  eskiz?: EskizSandboxOptions;
  amocrm?: AmoCrmSandboxOptions;
  twilio?: TwilioSandboxOptions;
  faults?: SandboxFault[];
}

export interface EskizSandboxOptions {
  email?: string;
  password?: string;
  /** Token lifetime in seconds (default 30 days). */
  tokenTtlSecs?: number;
  refreshEnabled?: boolean;
  refreshRevokesOld?: boolean;
  refreshExpiredAllowed?: boolean;
  loginErrorStatus?: 400 | 401;
  blockedLogin?: boolean;
  testMode?: boolean;
  moderation?: boolean;
  autoApproveTemplates?: boolean;
  strictUserSmsId?: boolean;
  callbackForm?: boolean;
  acceptAfterMs?: number;
  deliverAfterMs?: number;
  initialBalance?: number;
  pricePerPart?: number;
  [key: string]: unknown;
}

export interface AmoCrmSandboxOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  subdomain?: string;
  accessTokenTtlSecs?: number;
  codeTtlSecs?: number;
  /** `strict` (default): a refresh token is single-use; `docGrace`: valid until the new one is used. */
  rotation?: 'strict' | 'docGrace';
  autoConsent?: boolean;
  rateLimitPerSecond?: number;
  accountRateLimitPerSecond?: number;
  rateLimitBody?: 'json' | 'html' | 'empty';
  /** 429s within 60 s before a sticky 403 block (0: never). */
  blockAfter?: number;
  unpaid?: boolean;
  revoked?: boolean;
  [key: string]: unknown;
}

export interface TwilioSandboxOptions {
  authToken?: string;
  apiKeys?: Array<{ sid: string; secret: string }>;
  testCredentials?: boolean;
  numbers?: string[];
  alphanumericSenders?: boolean;
  concurrencyLimit?: number;
  retryAfter?: number | null;
  statusDelaysMs?: { queued?: number; sending?: number; sent?: number; delivered?: number };
  specialNumbers?: boolean;
  signCallbacksWithPort?: boolean;
  callbackJson?: boolean;
  [key: string]: unknown;
}

export interface TwilioSandboxAccount {
  accountSid: string;
  authToken: string;
  numbers: string[];
  messagingServiceSids: string[];
  [key: string]: unknown;
}

export interface TwilioSandboxStats {
  requests: number;
  messages: number;
  authFailures: number;
  /** Every error by Twilio code, e.g. `{ "21211": 1 }`. */
  rejected: Record<string, number>;
  rateLimited: number;
  callbacksSent: number;
  callbacksFailed: number;
  canceled: number;
  [key: string]: unknown;
}

export interface SandboxFault {
  /** Path prefix, e.g. `/message/sms/send`; every path when absent. */
  path?: string;
  method?: string;
  kind: 'latency' | 'status' | 'reset' | 'resetMidBody' | 'timeout' | 'malformed' | 'html';
  latencyMs?: number;
  status?: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  body?: string;
  /** `before`: the request is not processed; `after`: processed, then the answer breaks. */
  phase?: 'before' | 'after';
  /** How many requests it hits; unlimited when absent. */
  times?: number;
}

export interface EskizSandboxStats {
  logins: number;
  loginFailures: number;
  refreshes: number;
  refreshFailures: number;
  rejected401: number;
  sends: number;
  messages: number;
  batches: number;
  sendsByGeneration: Record<string, number>;
  callbacksSent: number;
  requests: number;
  [key: string]: unknown;
}

export interface AmoCrmSandboxStats {
  requests: number;
  codeExchanges: number;
  codeFailures: number;
  refreshes: number;
  refreshFailures: number;
  /** A spent (single-use) refresh token presented again: real amoCRM revokes the integration. */
  revokedReuses: number;
  rejected401: number;
  rateLimited: number;
  blocked: number;
  paymentRequired: number;
  leadsCreated: number;
  contactsCreated: number;
  notesCreated: number;
  [key: string]: unknown;
}

export interface SandboxStats {
  eskiz: EskizSandboxStats;
  amocrm: AmoCrmSandboxStats;
  twilio: TwilioSandboxStats;
  faultsInjected: number;
  [key: string]: unknown;
}

export interface SandboxMessage {
  provider: string;
  id: string;
  to: string;
  text: string;
  from?: string;
  parts: number;
  status: string;
  [key: string]: unknown;
}

/** A running sandbox: a local imitation of Eskiz, Twilio and amoCRM. Point any provider's `baseUrl` at `url`. */
export interface Sandbox {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Counters: logins, refreshes, rejected 401s, sends per token generation, faults… */
  stats(): SandboxStats;
  /** Recent messages the sandbox accepted (the last 10,000). */
  inbox(): SandboxMessage[];
  clearInbox(): void;
  /** Changes options while running, e.g. `{ eskiz: { refreshEnabled: false } }`. */
  configure(patch: SandboxPatch): void;
  /** Injects a fault; returns its id. */
  setFault(fault: SandboxFault): number;
  clearFaults(): void;
  /** Every token issued so far is expired from now on. */
  expireTokens(provider?: SandboxTokenProvider): void;
  /** Every token issued so far is revoked. */
  revokeTokens(provider?: SandboxTokenProvider): void;
  resetStats(): void;
  /** An amoCRM authorization code, as if a user had approved the consent page. */
  amocrmIssueCode(): string;
  /** Lifts the 403 block (real amoCRM: only its support can). */
  amocrmUnblock(): void;
  /** Leads created in the sandbox's amoCRM account. */
  amocrmLeads(): Array<Record<string, unknown>>;
  /** The sandbox's Twilio account: generated `accountSid`, `authToken`, owned `numbers`, `messagingServiceSids`. */
  twilioAccount(): TwilioSandboxAccount;
  /** Approves every Eskiz template waiting for moderation; returns how many. */
  approveTemplates(): number;
  /** Stops the server and frees the port. Idempotent. */
  close(): Promise<void>;
}

/** What `configure()` may change at run time. */
export interface SandboxPatch {
  eskiz?: EskizSandboxOptions;
  amocrm?: AmoCrmSandboxOptions;
  twilio?: TwilioSandboxOptions;
}

export type SandboxTokenProvider = 'eskiz' | 'amocrm' | 'all';

/** `startSandbox` as both packages export it. */
export type StartSandbox = (options?: SandboxOptions) => Promise<Sandbox>;
