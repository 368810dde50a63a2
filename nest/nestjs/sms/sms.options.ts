/** What SmsModule takes: the SmsClient's options plus the opt-in HTTP routes. */
import type { CustomTokenStore, DeliveryReport, SmsClientOptions } from '../../index';
import { loggerOrDefault } from '../logger';
import { smsOptionsFromEnv } from '../config/env-options';
import { mergeDefined } from '../config/merge';
import { checkRouteSecret } from '../config/route-secret';
import { withInjectedStore } from '../config/token-store.token';
import type { DiagnosticsRouteOptions } from '../diagnostics/diagnostics.options';
import type { MetricsRouteOptions } from '../metrics/metrics.options';
import { checkModuleOptions } from '../config/module-options';

/** Delivery-report webhooks (opt-in). */
export interface SmsCallbacksOptions {
  /**
   * Route prefix (default `sms/callbacks`): Eskiz posts to `POST {path}/eskiz/{eskizSecret}`,
   * Twilio to `POST {path}/twilio`, Play Mobile to `POST {path}/playmobile/{playmobileSecret}`
   * (`…/status` appended is accepted too). Point `callbackUrl` / `statusCallback` there, and
   * give Play Mobile its URL when agreeing the account's status URL.
   */
  path?: string;
  /**
   * The secret path segment of the Eskiz route (Eskiz does not sign its callbacks). Without it
   * the Eskiz route answers 404. At least 16 characters (shorter is a CONFIG error at startup):
   * use a random value such as `openssl rand -hex 16`.
   */
  eskizSecret?: string;
  /**
   * The secret path segment of the Play Mobile route (Play Mobile does not sign its reports).
   * Without it the route answers 404. At least 16 characters, like `eskizSecret`.
   */
  playmobileSecret?: string;
  /**
   * The auth token Twilio signs callbacks with; defaults to `twilio.authToken`. With API-key
   * credentials and no token here, the Twilio route answers 404.
   */
  twilioAuthToken?: string;
  /**
   * The public origin Twilio calls (plus any path prefix your proxy strips), e.g.
   * `https://api.example.uz`: the signed URL is rebuilt from it. Without it the URL is rebuilt
   * from `X-Forwarded-Proto`/`X-Forwarded-Host` only when Express trusts the proxy
   * (`app.set('trust proxy', …)`), else from the raw `Host` header and the socket's scheme.
   */
  publicUrl?: string;
  /**
   * Called once per new delivery state (a late report after a final one is dropped). A
   * rejection answers the provider 500, so providers that retry will send it again.
   */
  onDelivery?: (report: DeliveryReport) => void | Promise<void>;
}

export interface SmsModuleOptions extends Omit<SmsClientOptions, 'provider'> {
  /** Without it, the client options come from the environment (`smsOptionsFromEnv`). */
  provider?: SmsClientOptions['provider'];
  /** Mounts the delivery-callback controller. */
  callbacks?: SmsCallbacksOptions;
  /** Mounts `GET /metrics` (Prometheus text of every uzgate client in the app). */
  metrics?: MetricsRouteOptions;
  /** Mounts the masked configuration view of every uzgate client in the app (operators only). */
  diagnostics?: DiagnosticsRouteOptions;
}

/** For `forRootAsync({ useClass })` / `useExisting`. */
export interface SmsOptionsFactory {
  createSmsOptions(): SmsModuleOptions | Promise<SmsModuleOptions>;
}

/** The routes fixed when the module is defined (controllers cannot be added later). */
export interface SmsRoutes {
  callbacks?: SmsCallbacksOptions;
  metrics?: MetricsRouteOptions;
  diagnostics?: DiagnosticsRouteOptions;
}

export const DEFAULT_CALLBACKS_PATH = 'sms/callbacks';

/** The SmsClient's options: the environment fills in when neither a provider nor routing is given. */
export function resolveSmsClientOptions(options: SmsModuleOptions, injectedStore?: CustomTokenStore): SmsClientOptions {
  checkModuleOptions('SmsModuleOptions', 'sms', ['callbacks', 'metrics', 'diagnostics'], options);
  const { callbacks: _callbacks, metrics: _metrics, diagnostics: _diagnostics, ...client } = options;
  const fromCode = client.provider !== undefined || client.routing !== undefined;
  const complete: SmsClientOptions = fromCode ? client : mergeDefined(smsOptionsFromEnv(process.env), client as Partial<SmsClientOptions>);
  return {
    ...complete,
    tokenStore: withInjectedStore(complete.tokenStore, injectedStore),
    logger: loggerOrDefault(complete.logger),
  };
}

/** Effective callback settings: those given at definition, overridden by the resolved options. */
export function resolveSmsCallbacks(
  routes: SmsRoutes,
  options: SmsModuleOptions,
  client: SmsClientOptions,
): SmsCallbacksOptions | null {
  if (!routes.callbacks) return null;
  const merged = mergeDefined(routes.callbacks, options.callbacks ?? {});
  checkRouteSecret('callbacks.eskizSecret', merged.eskizSecret);
  checkRouteSecret('callbacks.playmobileSecret', merged.playmobileSecret);
  return {
    ...merged,
    path: routes.callbacks.path ?? DEFAULT_CALLBACKS_PATH,
    twilioAuthToken: merged.twilioAuthToken ?? client.twilio?.authToken,
  };
}
