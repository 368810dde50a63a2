/**
 * AmoCrmService: the module's AmoCrmClient, injectable. Every method delegates to the client
 * (same signatures, same UzgateErrors). An EventEmitter of `token_refreshed`, `refresh_failed`,
 * `reauthorization_required` (alert on that one: someone must reconnect), and each as `token`.
 */
import { EventEmitter } from 'node:events';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  AmoCrmClient,
  type AmoResponse,
  type AuthorizationUrl,
  type CreatedLead,
  type ExchangeCodeInput,
  type Lead,
  type LeadInput,
  type LeadsPage,
  type ListLeadsQuery,
  type TokenEvent,
  type TokenStatus,
  type ConfigurationView,
} from '../../index';
import { AMOCRM_CLIENT } from './amocrm.module-definition';
import { emitContained } from '../../contained-callbacks';

type Delegated =
  | 'authorizationUrl'
  | 'exchangeCode'
  | 'account'
  | 'createLead'
  | 'createLeads'
  | 'listLeads'
  | 'leads'
  | 'addNote'
  | 'request'
  | 'tokenStatus'
  | 'storedTokenStatus'
  | 'refreshToken'
  | 'metrics'
  | 'configuration';

@Injectable()
export class AmoCrmService extends EventEmitter implements OnModuleDestroy, Pick<AmoCrmClient, Delegated> {
  constructor(@Inject(AMOCRM_CLIENT) readonly client: AmoCrmClient) {
    super();
    client.on('token', (event: TokenEvent) => {
      emitContained(this, event.type, event);
      emitContained(this, 'token', event);
    });
  }

  authorizationUrl(options?: { mode?: 'popup' | 'post_message' }): AuthorizationUrl {
    return this.client.authorizationUrl(options);
  }

  exchangeCode(input: ExchangeCodeInput): Promise<TokenStatus> {
    return this.client.exchangeCode(input);
  }

  account(): Promise<Record<string, unknown>> {
    return this.client.account();
  }

  createLead(lead: LeadInput): Promise<CreatedLead> {
    return this.client.createLead(lead);
  }

  createLeads(leads: LeadInput[]): Promise<CreatedLead[]> {
    return this.client.createLeads(leads);
  }

  listLeads(query?: ListLeadsQuery): Promise<LeadsPage> {
    return this.client.listLeads(query);
  }

  leads(query?: Omit<ListLeadsQuery, 'page'>): AsyncGenerator<Lead, void, undefined> {
    return this.client.leads(query);
  }

  addNote(leadId: number, text: string): Promise<number> {
    return this.client.addNote(leadId, text);
  }

  request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<AmoResponse> {
    return this.client.request(method, path, body);
  }

  tokenStatus(): TokenStatus {
    return this.client.tokenStatus();
  }

  /** `tokenStatus()` completed from the token store when this process holds no token yet. */
  storedTokenStatus(): Promise<TokenStatus> {
    return this.client.storedTokenStatus();
  }

  refreshToken(): Promise<TokenStatus> {
    return this.client.refreshToken();
  }

  metrics(): string {
    return this.client.metrics();
  }

  /** The client's effective configuration, every value masked. */
  configuration(): ConfigurationView {
    return this.client.configuration();
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}
