/** What AmoCrmModule takes: the AmoCrmClient's options plus the opt-in HTTP routes. */
import type { CanActivate, Type } from '@nestjs/common';
import type { AmoCrmClientOptions, CustomTokenStore } from '../../index';
import { native } from '../../native';
import { amoCrmOptionsFromEnv } from '../config/env-options';
import { configError } from '../config/env-reader';
import { mergeDefined } from '../config/merge';
import { checkRouteSecret } from '../config/route-secret';
import { withInjectedStore } from '../config/token-store.token';
import { loggerOrDefault } from '../logger';
import type { DiagnosticsRouteOptions } from '../diagnostics/diagnostics.options';
import type { MetricsRouteOptions } from '../metrics/metrics.options';
import { checkModuleOptions } from '../config/module-options';
import { DEFAULT_EXCHANGE_BUDGET, type ExchangeBudgetOptions } from './oauth-exchange-budget';

/** The OAuth controller (opt-in). */
export interface AmoCrmOAuthOptions {
  /**
   * Route prefix (default `amocrm`): `GET {path}/authorize`, `GET {path}/callback`,
   * `GET {path}/status`. Register `{your public URL}/{path}/callback` as the integration's
   * redirect URI (the state cookie is scoped to this path).
   */
  path?: string;
  /**
   * Guards `GET {path}/status` (`X-API-KEY` header, compared in constant time). Without it the
   * status route answers 404. At least 16 characters (shorter is a CONFIG error at startup).
   */
  apiKey?: string;
  /**
   * The app's own guards (classes, or instances) for `GET {path}/authorize` and
   * `GET {path}/status`, applied with `@UseGuards` — e.g. one that lets only a signed-in admin
   * start connecting the account. Never applied to `/callback`: amoCRM sends the user's browser
   * there, and the state cookie authenticates it. With guards, `/status` is served without an
   * `apiKey` too (the guards decide); with both, both must pass. Part of the module's
   * definition: with `forRootAsync`, give them in the `oauth` next to `useFactory`. A guard
   * class is built by Nest inside this module, so what it injects must be global (or imported
   * with `forRootAsync({ imports })`); otherwise pass an instance.
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * How many callbacks (each may exchange a code at amoCRM) this app instance answers per window,
   * default 5 per 60 s; past it `/callback` answers 429 with `Retry-After` and does nothing else.
   * Its own budget: connecting never spends the amoCRM API rate limit, and a flood of callbacks
   * cannot make the app hammer amoCRM's token endpoint.
   */
  exchangeBudget?: ExchangeBudgetOptions;
  /** Where the browser goes once connected; without it the callback answers JSON `{ ok: true, status }`. */
  successRedirect?: string;
  /** Where it goes on failure, with `?error=<reason>`; without it the callback answers 400 JSON. */
  failureRedirect?: string;
  /** amoCRM's consent page mode: `popup` or `post_message`. */
  mode?: 'popup' | 'post_message';
  /**
   * Accept the code amoCRM delivers to the callback when the integration is installed as a
   * marketplace widget (`from_widget`, no state to check) — but only from this account host
   * (`example.amocrm.ru`): the client keeps one account's tokens, and a public widget can be
   * installed by anyone. Off by default: a `from_widget` request is then refused like any
   * callback without a valid state.
   */
  widgetInstalls?: { referer: string };
}

/**
 * `https://Example.amocrm.ru/` → `example.amocrm.ru` (amoCRM and users write hosts several ways);
 * `undefined` for anything that is not an amoCRM account host. The core's rule decides.
 */
export function accountHost(referer: string): string | undefined {
  return native.amocrmAccountHost(referer) ?? undefined;
}

/** The callback budget with its defaults; a limit or window that is not a positive number is a CONFIG error. */
export function exchangeBudgetOf(oauth: AmoCrmOAuthOptions): Required<ExchangeBudgetOptions> {
  const budget = { ...DEFAULT_EXCHANGE_BUDGET, ...dropUndefined(oauth.exchangeBudget ?? {}) };
  if (!Number.isInteger(budget.limit) || budget.limit < 1 || budget.limit > 1000) {
    throw configError('oauth.exchangeBudget.limit must be a whole number of callbacks from 1 to 1000 (default 5)');
  }
  if (typeof budget.windowSeconds !== 'number' || !(budget.windowSeconds > 0) || budget.windowSeconds > 86_400) {
    throw configError('oauth.exchangeBudget.windowSeconds must be a number of seconds above 0, at most 86400 (default 60)');
  }
  return budget;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Startup check of `widgetInstalls`: an account host, not a subdomain alone or an empty string. */
export function checkWidgetInstalls(oauth: AmoCrmOAuthOptions): void {
  const referer = oauth.widgetInstalls?.referer;
  if (oauth.widgetInstalls && (typeof referer !== 'string' || !referer.includes('.') || !accountHost(referer))) {
    throw configError('oauth.widgetInstalls.referer must be the account host, e.g. example.amocrm.ru');
  }
}

/** With a configured account, widget installs can only come from that account. */
function checkWidgetAccount(oauth: AmoCrmOAuthOptions, client: Pick<AmoCrmClientOptions, 'subdomain' | 'domain'>): void {
  const referer = oauth.widgetInstalls?.referer;
  if (!referer || !client.subdomain) return;
  const configured = native.amocrmAccountHost(client.subdomain, client.domain);
  if (configured && accountHost(referer) !== configured) {
    throw configError(`oauth.widgetInstalls.referer must be the configured account ${configured} (subdomain)`);
  }
}

/**
 * Startup check of the OAuth routes: the callback is public, so the account whose code may be
 * exchanged (and where the client secret goes) must come from the configuration.
 */
export function checkOAuthAccount(client: Pick<AmoCrmClientOptions, 'subdomain' | 'baseUrl' | 'allowAnyAccount'>): void {
  if (!client.subdomain && !client.baseUrl && client.allowAnyAccount !== true) {
    throw configError(
      'AmoCrmModule oauth routes need the amoCRM account: set `subdomain` (AMOCRM_SUBDOMAIN) for the one account this app serves, ' +
        '`baseUrl` for a sandbox or proxy, or `allowAnyAccount: true` (AMOCRM_ALLOW_ANY_ACCOUNT=true) to accept installs from any account',
    );
  }
}

export interface AmoCrmModuleOptions extends Omit<AmoCrmClientOptions, 'clientId'> {
  /** Without it, the client options come from the environment (`amoCrmOptionsFromEnv`). */
  clientId?: string;
  /** Mounts the OAuth controller. */
  oauth?: AmoCrmOAuthOptions;
  /** Mounts `GET /metrics` (Prometheus text of every uzgate client in the app). */
  metrics?: MetricsRouteOptions;
  /** Mounts the masked configuration view of every uzgate client in the app (operators only). */
  diagnostics?: DiagnosticsRouteOptions;
}

/** For `forRootAsync({ useClass })` / `useExisting`. */
export interface AmoCrmOptionsFactory {
  createAmoCrmOptions(): AmoCrmModuleOptions | Promise<AmoCrmModuleOptions>;
}

export interface AmoCrmRoutes {
  oauth?: AmoCrmOAuthOptions;
  metrics?: MetricsRouteOptions;
  diagnostics?: DiagnosticsRouteOptions;
}

export const DEFAULT_OAUTH_PATH = 'amocrm';

/** The client's options as given, completed from the environment when `clientId` is absent. */
function completeClientOptions(options: AmoCrmModuleOptions): AmoCrmClientOptions {
  const { oauth: _oauth, metrics: _metrics, diagnostics: _diagnostics, ...client } = options;
  return client.clientId
    ? (client as AmoCrmClientOptions)
    : mergeDefined(amoCrmOptionsFromEnv(process.env), client as Partial<AmoCrmClientOptions>);
}

export function resolveAmoCrmClientOptions(options: AmoCrmModuleOptions, injectedStore?: CustomTokenStore): AmoCrmClientOptions {
  checkModuleOptions('AmoCrmModuleOptions', 'amocrm', ['oauth', 'metrics', 'diagnostics'], options);
  const complete = completeClientOptions(options);
  return {
    ...complete,
    tokenStore: withInjectedStore(complete.tokenStore, injectedStore),
    logger: loggerOrDefault(complete.logger),
  };
}

/** Effective OAuth settings: those given at definition, overridden by the resolved options. */
export function resolveAmoCrmOAuth(routes: AmoCrmRoutes, options: AmoCrmModuleOptions): AmoCrmOAuthOptions | null {
  if (!routes.oauth) return null;
  const resolved = { ...mergeDefined(routes.oauth, options.oauth ?? {}), path: routes.oauth.path ?? DEFAULT_OAUTH_PATH };
  if (options.oauth?.guards?.length && options.oauth.guards !== routes.oauth.guards) {
    // Fail closed: the routes are already defined, so these guards could not protect them.
    throw configError('oauth.guards must be given to forRootAsync next to useFactory (`oauth: { guards: [...] }`), not returned by the options factory');
  }
  const client = completeClientOptions(options);
  checkOAuthAccount(client);
  checkWidgetInstalls(resolved);
  checkWidgetAccount(resolved, client);
  exchangeBudgetOf(resolved);
  checkRouteSecret('oauth.apiKey', resolved.apiKey);
  return resolved;
}
