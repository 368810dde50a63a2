/**
 * AmoCrmClient: amoCRM / Kommo API v4 with OAuth, rotating single-use refresh tokens persisted
 * in a (shared) token store, a rate limiter (7/s by default) and a breaker for 403 blocks.
 * Emits `token_refreshed`, `refresh_failed`, `reauthorization_required`, `token_unsaved`, `token_saved` (and
 * each as `token`).
 */
import { EventEmitter } from 'node:events';
import { splitAlerts, type AlertsOptions } from './alert-callback';
import { call, callSync, construct } from './errors';
import {
  AUTHORIZATION_URL_OPTIONS,
  EXCHANGE_CODE_INPUT,
  LEAD_INPUT,
  LIST_LEADS_QUERY,
} from './known-options';
import { eventForwarder } from './events';
import type { AmoCrmOptions } from './generated/AmoCrmOptions';
import { toNativeLogger, type UzgateLogger } from './logger';
import { native, type Native } from './native';
import { checkArgument, checkJsOptions, checkShape, optional, required, requiredList } from './option-shape';
import { toNativeStore, type SealReport, type TokenStoreOptions } from './token-store';
import type { ConfigurationView } from './configuration-view';
import { toTokenStatus, type TokenStatus } from './token-status';

export type LeadInput = Native.LeadInput;
export type ContactInput = Native.ContactInput;
export type CustomFieldInput = Native.CustomFieldInput;
export type CreatedLead = Native.CreatedLead;
export type Lead = Native.Lead;
export type LeadsPage = Native.LeadsPage;
export type ListLeadsQuery = Native.ListLeadsQuery;
export type AmoResponse = Native.AmoResponse;
export type AuthorizationUrl = Native.AuthorizationUrl;
export type ExchangeCodeInput = Native.ExchangeCodeInput;

/**
 * The core's `AmoCrmOptions` (generated from the Rust option types, documented there), with a
 * JavaScript custom token store and a logger. Rotating refresh tokens need a persistent
 * `tokenStore` (`file`, `redis`, `custom`) in production.
 */
export type AmoCrmClientOptions = Omit<AmoCrmOptions, 'tokenStore' | 'alerts'> & {
  tokenStore?: TokenStoreOptions;
  /** Operator alerts: Telegram, a signed webhook, a callback (see `AlertsOptions`). */
  alerts?: AlertsOptions;
  /** Receives uzgate's (masked) log lines: a function or a Nest `Logger`. */
  logger?: UzgateLogger;
};

export class AmoCrmClient extends EventEmitter {
  private readonly native: Native.AmoCrmClient;

  constructor(options: AmoCrmClientOptions) {
    super();
    checkJsOptions('AmoCrmClientOptions', options);
    const { logger, tokenStore, ...rest } = options;
    const store = toNativeStore(tokenStore);
    const { alerts, onAlert } = splitAlerts(rest.alerts);
    this.native = construct(
      () =>
        new native.AmoCrmClient(
          { ...rest, alerts, tokenStore: store.store },
          { logger: toNativeLogger(logger), onEvent: eventForwarder(this), onAlert, ...store.hooks },
        ),
    );
  }

  /** The consent URL and a fresh `state` to keep (HttpOnly cookie) until the callback. */
  authorizationUrl(options?: { mode?: 'popup' | 'post_message' }): AuthorizationUrl {
    return callSync(() => {
      checkArgument('options', optional(AUTHORIZATION_URL_OPTIONS), options);
      return this.native.authorizationUrl(options);
    });
  }

  /**
   * Checks the callback (state compared in constant time, `error=access_denied`), exchanges the
   * code and persists the tokens with the account host from `referer`.
   */
  async exchangeCode(input: ExchangeCodeInput): Promise<TokenStatus> {
    return toTokenStatus(
      await call(() => {
        checkShape(EXCHANGE_CODE_INPUT, input, 'INVALID_ARGUMENT');
        return this.native.exchangeCode(input);
      }),
    );
  }

  /** `GET /api/v4/account`. */
  account(): Promise<Record<string, unknown>> {
    return call(() => this.native.account());
  }

  /** Lead + contact (phone, e-mail), tags, custom fields, and a note; one lead. */
  createLead(lead: LeadInput): Promise<CreatedLead> {
    return call(() => {
      checkShape(LEAD_INPUT, lead, 'INVALID_ARGUMENT');
      return this.native.createLead(lead);
    });
  }

  /** Many leads: validated first, then sent in chunks of 50. */
  createLeads(leads: LeadInput[]): Promise<CreatedLead[]> {
    return call(() => {
      checkArgument('leads', requiredList(LEAD_INPUT), leads);
      return this.native.createLeads(leads);
    });
  }

  /** One page; an empty page (amoCRM's 204) has no items and no `next`. */
  listLeads(query?: ListLeadsQuery): Promise<LeadsPage> {
    return call(() => {
      checkArgument('query', optional(LIST_LEADS_QUERY), query);
      return this.native.listLeads(query);
    });
  }

  /** Every lead, page after page, following amoCRM's `next` links. */
  async *leads(query?: Omit<ListLeadsQuery, 'page'>): AsyncGenerator<Lead, void, undefined> {
    let page = await this.listLeads(query);
    for (;;) {
      yield* page.items;
      if (!page.next) return;
      const next = page.next;
      page = await call(() => this.native.nextLeadsPage(next));
    }
  }

  /** A `common` note on a lead; resolves to the note id. */
  addNote(leadId: number, text: string): Promise<number> {
    return call(() => {
      checkArgument('leadId', required('number'), leadId);
      checkArgument('text', required('string'), text);
      return this.native.addNote(leadId, text);
    });
  }

  /** Any v4 endpoint with auth, rate limits and refresh: `request('GET', '/api/v4/contacts')`. */
  request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<AmoResponse> {
    return call(() => {
      checkArgument('method', required('string'), method);
      checkArgument('path', required('string'), path);
      return this.native.request(method, path, body);
    });
  }

  /** The tokens' state; never the tokens. */
  tokenStatus(): TokenStatus {
    return toTokenStatus(this.native.tokenStatus());
  }

  /** `tokenStatus()` completed from the token store when this process holds no token yet (no request). */
  async storedTokenStatus(): Promise<TokenStatus> {
    return toTokenStatus(await call(() => this.native.storedTokenStatus()));
  }

  /**
   * The one-time migration after setting `encryptionKey` or upgrading: rewrites the stored
   * tokens sealed in the current format and moves tokens found under the older default key.
   */
  async sealStoredToken(): Promise<SealReport> {
    return call(() => this.native.sealStoredToken());
  }

  async refreshToken(): Promise<TokenStatus> {
    return toTokenStatus(await call(() => this.native.refreshToken()));
  }

  metrics(): string {
    return this.native.metrics();
  }

  /** The effective configuration for operators, every value masked (see `ConfigurationView`). */
  configuration(): ConfigurationView {
    return this.native.configuration() as unknown as ConfigurationView;
  }

  /** Stops background work (proactive refresh, keep-alive) so the process can exit. */
  close(): Promise<void> {
    return call(() => this.native.close());
  }
}
