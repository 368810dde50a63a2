/**
 * SmsClient: Eskiz.uz, Twilio or the development console behind one API. Every method returns a
 * promise that rejects with an UzgateError; bad input is rejected before any network call.
 */
import { EventEmitter } from 'node:events';
import { splitAlerts, type AlertsOptions } from './alert-callback';
import { call, callSync, construct } from './errors';
import type { DeliveryReport } from './webhooks';
import { BATCH_OPTIONS, HISTORY_QUERY, SEND_INPUT } from './known-options';
import { eventForwarder } from './events';
import type { SmsOptions } from './generated/SmsOptions';
import { toNativeLogger, type UzgateLogger } from './logger';
import { native, type Native } from './native';
import { checkArgument, checkJsOptions, checkShape, optional, required, requiredList } from './option-shape';
import { toNativeStore, type SealReport, type TokenStoreOptions } from './token-store';
import type { ConfigurationView } from './configuration-view';
import { toTokenStatus, type TokenStatus } from './token-status';
import { withFirstAttempt } from './routed-result';

export type SendInput = Native.SendInput;
export type SendResult = Native.SendResult;
export type BatchResult = Native.BatchResult;
export type BatchItemResult = Native.BatchItemResult;
export type MessageStatus = Native.MessageStatus;
export type Balance = Native.Balance;
export type PolledBalance = Native.PolledBalance;
export type EskizUser = Native.EskizUser;
export type EskizTemplate = Native.EskizTemplate;
export type HistoryQuery = Native.HistoryQuery;
export type HistoryPage = Native.HistoryPage;
export type HistoryRow = Native.HistoryRow;
export type OutboxMessage = Native.OutboxMessage;
export type ProviderStatus = Native.ProviderStatus;
export type ProviderBalance = Native.ProviderBalance;

export type { EskizOptions } from './generated/EskizOptions';
export type { TwilioOptions } from './generated/TwilioOptions';
export type { PlayMobileOptions } from './generated/PlayMobileOptions';
export type { PlayMobilePriority } from './generated/PlayMobilePriority';
export type { ConsoleOptions } from './generated/ConsoleOptions';

/**
 * The core's `SmsOptions` (generated from the Rust option types, documented there), with a
 * JavaScript custom token store and a logger.
 */
export type SmsClientOptions = Omit<SmsOptions, 'tokenStore' | 'alerts' | 'provider'> & {
  /** Required for one provider; with `routing`, the client's own provider (default: the first one the routes name). */
  provider?: SmsOptions['provider'];
  tokenStore?: TokenStoreOptions;
  /** Operator alerts: Telegram, a signed webhook, a callback (see `AlertsOptions`). */
  alerts?: AlertsOptions;
  /** Receives uzgate's (masked) log lines: a function or a Nest `Logger`. */
  logger?: UzgateLogger;
};

/**
 * Emits `token_refreshed`, `refresh_failed`, `reauthorization_required`, `token_unsaved`, `token_saved` (and
 * each as `token`).
 */
export class SmsClient extends EventEmitter {
  private readonly native: Native.SmsClient;
  /** With `routing`: results get their lone attempt written here (routed-result.ts). */
  private readonly routed: boolean;

  constructor(options: SmsClientOptions) {
    super();
    checkJsOptions('SmsClientOptions', options);
    const { logger, tokenStore, ...rest } = options;
    const store = toNativeStore(tokenStore);
    const { alerts, onAlert } = splitAlerts(rest.alerts);
    this.native = construct(
      () =>
        new native.SmsClient(
          { ...rest, alerts, tokenStore: store.store },
          { logger: toNativeLogger(logger), onEvent: eventForwarder(this), onAlert, ...store.hooks },
        ),
    );
    this.routed = this.native.providerStatus() !== null;
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
      const sent = this.native.send(message);
      return this.routed ? sent.then(withFirstAttempt) : sent;
    });
  }

  /**
   * A delivery report your own callback route received (`parseDeliveryReport`): a final one
   * (`delivered`, `failed`) counts toward the delivery-failure alert. The Nest callback routes
   * call this themselves. Give each message's final report once.
   */
  noteDelivery(report: Pick<DeliveryReport, 'status'>): void {
    callSync(() => {
      checkArgument('report', required('object'), report);
      this.native.noteDelivery(report.status);
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
      const sent = this.native.sendGlobal(message);
      return this.routed ? sent.then(withFirstAttempt) : sent;
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

  /**
   * The balance the last poll read, with `balancePollMs` set (`null` before the first successful
   * poll or without polling). A failed poll keeps the value and counts `failuresSince`.
   */
  lastBalance(): PolledBalance | null {
    return this.native.lastBalance();
  }

  /**
   * Every provider's balance, asked at once (one entry without `routing`). A provider that cannot
   * answer says why in `error` (`NOT_IMPLEMENTED` for Play Mobile, which has no balance query).
   */
  balances(): Promise<ProviderBalance[]> {
    return call(() => this.native.balances());
  }

  /** What the last polls (`balancePollMs`) read for every provider polled; `[]` before the first. */
  lastBalances(): PolledBalance[] {
    return this.native.lastBalances();
  }

  /**
   * With `routing`: each provider's circuit breaker (`closed`, `open` — sends skip it without a
   * request — or `half_open`, one probe in flight). `shared`: the state is the one every replica
   * sees through the Redis `tokenStore`. `null` for a single provider.
   */
  providerStatus(): ProviderStatus[] | null {
    return this.native.providerStatus();
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

  /** The effective configuration for operators, every value masked (see `ConfigurationView`). */
  configuration(): ConfigurationView {
    return this.native.configuration() as unknown as ConfigurationView;
  }

  /** Stops background token work so the process (and Jest) can exit. Idempotent. */
  close(): Promise<void> {
    return call(() => this.native.close());
  }
}
