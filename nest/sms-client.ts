/**
 * SmsClient: Eskiz.uz, Twilio or the development console behind one API. Every method returns a
 * promise that rejects with an UzgateError; bad input is rejected before any network call.
 */
import { EventEmitter } from 'node:events';
import { call, construct, UzgateError } from './errors';
import { BATCH_OPTIONS, HISTORY_QUERY, SEND_INPUT, SMS_CLIENT_OPTIONS } from './known-options';
import { eventForwarder } from './events';
import { toNativeLogger, type LogLevel, type UzgateLogger } from './logger';
import { native, type Native } from './native';
import { checkArgument, checkShape, optional, required, requiredList } from './option-shape';
import { toNativeStore, type SealReport, type TokenStoreOptions } from './token-store';
import { toTokenStatus, type TokenStatus } from './token-status';

export type SendInput = Native.SendInput;
export type SendResult = Native.SendResult;
export type BatchResult = Native.BatchResult;
export type BatchItemResult = Native.BatchItemResult;
export type MessageStatus = Native.MessageStatus;
export type Balance = Native.Balance;
export type EskizUser = Native.EskizUser;
export type EskizTemplate = Native.EskizTemplate;
export type HistoryQuery = Native.HistoryQuery;
export type HistoryPage = Native.HistoryPage;
export type HistoryRow = Native.HistoryRow;
export type OutboxMessage = Native.OutboxMessage;

export interface EskizOptions {
  /** Account e-mail. */
  email: string;
  /** The API secret key from the Eskiz cabinet. Never logged. */
  password: string;
  /** API root replacing `https://notify.eskiz.uz/api` (a sandbox's `url` in tests). */
  baseUrl?: string;
  /** Default sender: `4546` (Eskiz's shared number) unless an approved nick is given. */
  from?: string;
  /** Default delivery-report URL. */
  callbackUrl?: string;
}

export interface TwilioOptions {
  /** `AC…`: the account. */
  accountSid: string;
  /** The account's auth token (or `apiKeySid` + `apiKeySecret`). Never logged. */
  authToken?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  /** Default sender: a Twilio number (E.164), short code or alphanumeric sender ID. */
  from?: string;
  /** `MG…`: a Messaging Service picks the sender when `from` is absent. */
  messagingServiceSid?: string;
  /** Default `StatusCallback` for delivery reports (no underscore in the host). */
  statusCallback?: string;
  /** Seconds a message may wait in Twilio's queue (1–36000). */
  validityPeriod?: number;
  /** Root replacing `https://api.twilio.com` (a sandbox's `url` in tests). */
  baseUrl?: string;
  /** Region of numbers written without `+`; by default numbers must be E.164. */
  defaultRegion?: string;
}

export interface ConsoleOptions {
  /** How many recent messages `outbox()` keeps (default 100). */
  outboxSize?: number;
  /** Region of numbers written without a country code (default `UZ`). */
  defaultRegion?: string;
}

export interface SmsClientOptions {
  provider: 'eskiz' | 'twilio' | 'console';
  eskiz?: EskizOptions;
  twilio?: TwilioOptions;
  console?: ConsoleOptions;
  tokenStore?: TokenStoreOptions;
  /** Budget of one call in ms, retries and token refresh included (default 30000). */
  timeoutMs?: number;
  /** TCP connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Requests on the wire at once (default 256); the rest wait their turn within their timeout. */
  maxConcurrency?: number;
  /**
   * Largest provider answer read, in bytes (default 4 MiB = 4194304). A larger body is not read:
   * the call fails with `PROVIDER_UNAVAILABLE` (reads) or `OUTCOME_UNKNOWN` (sends).
   */
  maxResponseBytes?: number;
  /** Refresh this many ms before a known token expiry (default 60000). */
  refreshMarginMs?: number;
  /** Receives uzgate's (masked) log lines: a function or a Nest `Logger`. */
  logger?: UzgateLogger;
  /** Minimum level passed to the logger (default `info`). */
  logLevel?: LogLevel;
}

/**
 * Emits `token_refreshed`, `refresh_failed`, `reauthorization_required`, `token_unsaved` (and
 * each as `token`).
 */
export class SmsClient extends EventEmitter {
  private readonly native: Native.SmsClient;

  constructor(options: SmsClientOptions) {
    super();
    checkSmsClientOptions(options);
    const { logger, tokenStore, ...rest } = options;
    const store = toNativeStore(tokenStore);
    this.native = construct(
      () =>
        new native.SmsClient(
          { ...rest, tokenStore: store.store },
          { logger: toNativeLogger(logger), onEvent: eventForwarder(this), ...store.hooks },
        ),
    );
  }

  get provider(): string {
    return this.native.provider;
  }

  /** The addon's client, for services built on this one (`OtpService`). */
  nativeClient(): Native.SmsClient {
    return this.native;
  }

  /** Sends one SMS. Never repeated once it may have reached the provider. */
  send(message: SendInput): Promise<SendResult> {
    return call(() => {
      checkShape(SEND_INPUT, message, 'INVALID_ARGUMENT');
      return this.native.send(message);
    });
  }

  /** Eskiz: one `send-batch` request, every message validated first. */
  sendBatch(messages: SendInput[], options?: { dispatchId?: number }): Promise<BatchResult> {
    return call(() => {
      checkArgument('messages', requiredList(SEND_INPUT), messages);
      checkArgument('options', optional(BATCH_OPTIONS), options);
      return this.native.sendBatch(messages, options);
    });
  }

  /** International SMS through Eskiz `send-global`. */
  sendGlobal(message: SendInput): Promise<SendResult> {
    return call(() => {
      checkShape(SEND_INPUT, message, 'INVALID_ARGUMENT');
      return this.native.sendGlobal(message);
    });
  }

  status(id: string): Promise<MessageStatus> {
    return call(() => {
      checkArgument('id', required('string'), id);
      return this.native.status(id);
    });
  }

  balance(): Promise<Balance> {
    return call(() => this.native.balance());
  }

  /** Eskiz account details. */
  user(): Promise<EskizUser> {
    return call(() => this.native.user());
  }

  /** Eskiz templates and their moderation status. */
  templates(): Promise<EskizTemplate[]> {
    return call(() => this.native.templates());
  }

  /** Submits a concrete sample text (`Kod: 123456`) for Eskiz moderation. */
  submitTemplate(text: string): Promise<string> {
    return call(() => {
      checkArgument('text', required('string'), text);
      return this.native.submitTemplate(text);
    });
  }

  /** Sent messages, one page. */
  messages(query?: HistoryQuery): Promise<HistoryPage> {
    return call(() => {
      checkArgument('query', optional(HISTORY_QUERY), query);
      return this.native.messages(query);
    });
  }

  /** Messages kept by the console provider, newest last. */
  outbox(): OutboxMessage[] {
    return this.native.outbox();
  }

  /** The token's state; never the token. `null` for the console provider. */
  tokenStatus(): TokenStatus | null {
    const s = this.native.tokenStatus();
    return s ? toTokenStatus(s) : null;
  }

  /** `tokenStatus()` completed from the token store when this process holds no token yet (no request). */
  async storedTokenStatus(): Promise<TokenStatus | null> {
    const s = await call(() => this.native.storedTokenStatus());
    return s ? toTokenStatus(s) : null;
  }

  /** Refreshes the token now (joins a refresh already running). */
  async refreshToken(): Promise<TokenStatus | null> {
    const s = await call(() => this.native.refreshToken());
    return s ? toTokenStatus(s) : null;
  }

  /**
   * The one-time migration after setting `encryptionKey` or upgrading: rewrites the stored token
   * sealed in the current format and moves one found under the older default key. `null` for
   * providers that keep no token.
   */
  async sealStoredToken(): Promise<SealReport | null> {
    return (await call(() => this.native.sealStoredToken())) ?? null;
  }

  /** Prometheus text of this client's counters. */
  metrics(): string {
    return this.native.metrics();
  }

  /** Stops background token work so the process (and Jest) can exit. Idempotent. */
  close(): Promise<void> {
    return call(() => this.native.close());
  }
}

/**
 * Options fail closed: no provider (the console provider only by name), an unknown key or a
 * wrong type is a CONFIG error naming it, before anything is built.
 */
function checkSmsClientOptions(options: SmsClientOptions): void {
  // JavaScript callers can pass anything, null included.
  const provider: unknown = (options as Partial<SmsClientOptions> | null | undefined)?.provider;
  if (provider === undefined || provider === null) {
    throw new UzgateError(
      "provider is required: 'eskiz' (with eskiz: { email, password }), 'twilio' (with twilio: { accountSid, authToken }) " +
        "or 'console' (prints messages instead of sending them; never chosen by default)",
      { code: 'CONFIG' },
    );
  }
  checkShape(SMS_CLIENT_OPTIONS, options, 'CONFIG');
}
