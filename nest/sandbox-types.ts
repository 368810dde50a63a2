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
  playmobile?: PlayMobileSandboxOptions;
  telegram?: TelegramSandboxOptions;
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

/** Play Mobile's account and the switches for what its API leaves unconfirmed. */
export interface PlayMobileSandboxOptions {
  /** HTTP Basic credentials (defaults `sandbox-login` / `sandbox-password`). */
  login?: string;
  password?: string;
  /** Every authenticated send gets error 102 (account lock). */
  locked?: boolean;
  /** Longest `message-id` accepted (default 40; 20 is the strict reading). */
  maxMessageIdLength?: number;
  /** More messages in one request get error 105; `null` (default): no limit. */
  maxMessagesPerRequest?: number | null;
  /** `{"error-code","error-description"}` (default) or `{"error_code","error_message"}`. */
  errorKeys?: 'hyphen' | 'underscore';
  errorCodeAsString?: boolean;
  /** Where delivery reports are pushed (Play Mobile agrees it per account). */
  callbackUrl?: string | null;
  callbackShape?: 'object' | 'array';
  callbackKeys?: 'hyphen' | 'underscore';
  /** Push the in-flight `transmitted` report too (default true). */
  callbackTransmitted?: boolean;
  callbackRetries?: number;
  statusDelaysMs?: { transmitted?: number; final?: number };
  /** Recipients ending 0001/0002/0003: not_delivered / expired / no final report. */
  specialNumbers?: boolean;
  [key: string]: unknown;
}

export interface PlayMobileSandboxStats {
  requests: number;
  /** Accepted send requests (a batch is one). */
  sends: number;
  messages: number;
  duplicateMessageIds: number;
  authFailures: number;
  /** Every 400 by Play Mobile error code, e.g. `{ "205": 1 }`. */
  rejected: Record<string, number>;
  callbacksSent: number;
  callbacksFailed: number;
  [key: string]: unknown;
}

/** A message the sandbox's Play Mobile accepted, as the request gave it. */
export interface PlayMobileSandboxMessage {
  messageId: string;
  recipient: string;
  originator: string;
  /** `null` for a template send. */
  text: string | null;
  priority: string | null;
  templateId: string | null;
  parts: number;
  /** `accepted`, `transmitted`, `delivered`, `not_delivered` or `expired`. */
  status: string;
  /** The same `message-id` was accepted before. */
  duplicate: boolean;
  at: string;
  [key: string]: unknown;
}

/** A chat a sandbox Telegram bot may write to. */
export interface TelegramSandboxChat {
  /** Positive: a private chat; `-100…`: a supergroup or channel; other negative: a basic group. */
  id: number;
  /** Derived from `id` when absent. */
  type?: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  /** `@username` resolves to this chat (supergroups and channels only). */
  username?: string;
  /** Forum topics: `message_thread_id` must be one of them. Absent: not a forum, the field is ignored. */
  threads?: number[];
  /** Every send is refused with 403 `Forbidden: <this>`, e.g. `bot was blocked by the user`. */
  forbidden?: string;
}

export interface TelegramSandboxBot {
  /** `<bot id>:<secret>`; minted when absent. */
  token?: string;
  username?: string;
  firstName?: string;
  chats?: TelegramSandboxChat[];
}

export interface TelegramSandboxOptions {
  /** Replaces the default bot (minted per sandbox, with one forum supergroup and one topic). */
  bots?: TelegramSandboxBot[];
  /** Per chat: steady messages per second after the burst (default 1; 0 = no limit). */
  rateLimitPerChatPerSecond?: number;
  /** Per chat: sends admitted at once (default 3). */
  rateLimitBurst?: number;
  /** Per group, supergroup or channel: at most this many in any 60 s (default 20; 0 = no limit). */
  rateLimitPerGroupPerMinute?: number;
  /** Per bot, all chats: at most this many in any second (default 30; 0 = no limit). */
  rateLimitPerSecond?: number;
  /** Forces 429 `retry_after` on the next `times` sends (every send when `times` is absent); `null` ends it. */
  floodWait?: { retryAfter: number; times?: number } | null;
  [key: string]: unknown;
}

/** What a test needs to point a Telegram sender at the sandbox (`apiRoot: sandbox.url`). */
export interface TelegramSandboxBotInfo {
  token: string;
  botId: number;
  username: string;
  chatId: number | null;
  /** The chat's first topic, when it is a forum. */
  threadId: number | null;
}

/** A message a sandbox bot accepted. */
export interface TelegramSandboxMessage {
  botId: number;
  chatId: number;
  threadId: number | null;
  /** Per chat: 1, 2, 3… */
  messageId: number;
  /** As a reader sees it: markup and escapes removed. */
  text: string;
  /** As the request carried it. */
  rawText: string;
  parseMode: string | null;
  /** Unix seconds. */
  date: number;
  /** ISO time. */
  at: string;
}

export interface TelegramSandboxStats {
  requests: number;
  accepted: number;
  /** Refusals other than 429, by reason: `chatNotFound`, `cantParseEntities`, `unauthorized`… */
  rejected: Record<string, number>;
  /** 429s, forced or not. */
  rateLimited: number;
  [key: string]: unknown;
}

/** A request `POST /webhooks/<name>` received. */
export interface WebhookSandboxRequest {
  name: string;
  method: string;
  query: string | null;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The raw body, as text. */
  body: string;
  at: string;
  receivedMs: number;
}

export interface WebhookSandboxStats {
  requests: number;
  byName: Record<string, number>;
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
  playmobile: PlayMobileSandboxStats;
  telegram: TelegramSandboxStats;
  webhooks: WebhookSandboxStats;
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

/** A running sandbox: a local imitation of Eskiz, Play Mobile, Twilio, amoCRM and Telegram's Bot API, and a webhook receiver. Point any provider's `baseUrl` at `url`. */
export interface Sandbox {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Counters: logins, refreshes, rejected 401s, sends per token generation, faults… */
  stats(): SandboxStats;
  /** Recent messages the sandbox accepted (the last 10,000). */
  inbox(): SandboxMessage[];
  /** Empties the inbox, and forgets the Telegram messages and webhook requests recorded so far. */
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
  /** Messages the sandbox's Play Mobile accepted, oldest first, as the requests gave them. */
  playmobileMessages(): PlayMobileSandboxMessage[];
  /** The default Telegram bot and chat (minted per sandbox): `{ token, chatId, threadId, … }`. */
  telegramBot(): TelegramSandboxBotInfo;
  /** Messages the sandbox's Telegram bots accepted, oldest first; one chat's when given. */
  telegramMessages(chatId?: number): TelegramSandboxMessage[];
  /** Requests `POST /webhooks/<name>` received, oldest first; one name's when given. */
  webhookRequests(name?: string): WebhookSandboxRequest[];
  /** Stops the server and frees the port. Idempotent. */
  close(): Promise<void>;
}

/** What `configure()` may change at run time. */
export interface SandboxPatch {
  eskiz?: EskizSandboxOptions;
  amocrm?: AmoCrmSandboxOptions;
  twilio?: TwilioSandboxOptions;
  playmobile?: PlayMobileSandboxOptions;
  telegram?: TelegramSandboxOptions;
}

export type SandboxTokenProvider = 'eskiz' | 'amocrm' | 'all';

/** `startSandbox` as both packages export it. */
export type StartSandbox = (options?: SandboxOptions) => Promise<Sandbox>;
