/**
 * SmsService: the module's SmsClient, injectable. Every method delegates to the client (same
 * signatures, same UzgateErrors). Also an EventEmitter of
 * - `delivery` (DeliveryReport): each new delivery state received by the callback routes;
 * - `token_refreshed`, `refresh_failed`, `reauthorization_required`, and each as `token`.
 */
import { EventEmitter } from 'node:events';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  DeliveryTracker,
  SmsClient,
  type Balance,
  type PolledBalance,
  type ProviderBalance,
  type ProviderStatus,
  type BatchResult,
  type DeliveryProvider,
  type DeliveryReport,
  type EskizTemplate,
  type EskizUser,
  type HistoryPage,
  type HistoryQuery,
  type MessageStatus,
  type OutboxMessage,
  type SendInput,
  type SendResult,
  type TokenEvent,
  type TokenStatus,
  type ConfigurationView,
} from '../../index';
import { SMS_CALLBACK_SETTINGS, SMS_CLIENT } from './sms.module-definition';
import type { SmsCallbacksOptions } from './sms.options';
import { emitContained } from '../../contained-callbacks';

type Delegated =
  | 'send'
  | 'sendBatch'
  | 'sendGlobal'
  | 'status'
  | 'balance'
  | 'lastBalance'
  | 'balances'
  | 'lastBalances'
  | 'providerStatus'
  | 'user'
  | 'templates'
  | 'submitTemplate'
  | 'messages'
  | 'outbox'
  | 'tokenStatus'
  | 'storedTokenStatus'
  | 'refreshToken'
  | 'metrics'
  | 'configuration';

@Injectable()
export class SmsService extends EventEmitter implements OnModuleDestroy, Pick<SmsClient, Delegated> {
  private readonly deliveries = new DeliveryTracker();

  constructor(
    @Inject(SMS_CLIENT) readonly client: SmsClient,
    @Inject(SMS_CALLBACK_SETTINGS) private readonly callbacks: SmsCallbacksOptions | null,
  ) {
    super();
    client.on('token', (event: TokenEvent) => {
      emitContained(this, event.type, event);
      emitContained(this, 'token', event);
    });
  }

  /** `eskiz` | `twilio` | `console`. */
  get provider(): string {
    return this.client.provider;
  }

  send(message: SendInput): Promise<SendResult> {
    return this.client.send(message);
  }

  sendBatch(messages: SendInput[], options?: { dispatchId?: number }): Promise<BatchResult> {
    return this.client.sendBatch(messages, options);
  }

  sendGlobal(message: SendInput): Promise<SendResult> {
    return this.client.sendGlobal(message);
  }

  status(id: string): Promise<MessageStatus> {
    return this.client.status(id);
  }

  balance(): Promise<Balance> {
    return this.client.balance();
  }

  lastBalance(): PolledBalance | null {
    return this.client.lastBalance();
  }

  balances(): Promise<ProviderBalance[]> {
    return this.client.balances();
  }

  lastBalances(): PolledBalance[] {
    return this.client.lastBalances();
  }

  providerStatus(): ProviderStatus[] | null {
    return this.client.providerStatus();
  }

  user(): Promise<EskizUser> {
    return this.client.user();
  }

  templates(): Promise<EskizTemplate[]> {
    return this.client.templates();
  }

  submitTemplate(text: string): Promise<string> {
    return this.client.submitTemplate(text);
  }

  messages(query?: HistoryQuery): Promise<HistoryPage> {
    return this.client.messages(query);
  }

  outbox(): OutboxMessage[] {
    return this.client.outbox();
  }

  tokenStatus(): TokenStatus | null {
    return this.client.tokenStatus();
  }

  /** `tokenStatus()` completed from the token store when this process holds no token yet. */
  storedTokenStatus(): Promise<TokenStatus | null> {
    return this.client.storedTokenStatus();
  }

  refreshToken(): Promise<TokenStatus | null> {
    return this.client.refreshToken();
  }

  metrics(): string {
    return this.client.metrics();
  }

  /** The client's effective configuration, every value masked. */
  configuration(): ConfigurationView {
    return this.client.configuration();
  }

  /**
   * Takes a delivery report (the callback routes call this; so can your own webhook). Returns
   * false, and notifies no one, for a report that arrives after a final state.
   */
  async recordDelivery(report: DeliveryReport): Promise<boolean> {
    if (!this.deliveries.apply(report)) return false;
    // A final report counts toward the delivery-failure alert once (a repeat was refused above).
    this.client.noteDelivery(report);
    emitContained(this, 'delivery', report);
    await this.callbacks?.onDelivery?.(report);
    return true;
  }

  /** The latest delivery state received for a message (the last 10,000 messages). */
  deliveryStatus(provider: DeliveryProvider, messageId: string): DeliveryReport | undefined {
    return this.deliveries.get(provider, messageId);
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}
