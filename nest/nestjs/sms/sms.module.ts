/**
 * SmsModule: an SmsClient for the app, as the injectable SmsService.
 *
 *   SmsModule.forRoot({ provider: 'eskiz', eskiz: { email, password }, isGlobal: true })
 *   SmsModule.forRoot()                                  // everything from process.env
 *   SmsModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService] })   // from ConfigService
 *   SmsModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ … }), callbacks: { path: 'hooks/sms' } })
 *
 * Routes are part of the module's definition, so with forRootAsync the `callbacks`/`metrics`
 * that mount them are given next to `useFactory` (their settings may still come from it).
 */
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { SmsClient, type CustomTokenStore, type SmsClientOptions } from '../../index';
import { orFromEnv, withControllers } from '../config/dynamic-module';
import { smsOptionsFromEnv } from '../config/env-options';
import { UZGATE_TOKEN_STORE } from '../config/token-store.token';
import { createDiagnosticsController } from '../diagnostics/diagnostics.controller';
import type { DiagnosticsRouteOptions } from '../diagnostics/diagnostics.options';
import { createMetricsController } from '../metrics/metrics.controller';
import type { MetricsRouteOptions } from '../metrics/metrics.options';
import { createSmsCallbacksController } from './sms-callbacks.controller';
import {
  SMS_ASYNC_OPTIONS_TYPE,
  SMS_CALLBACK_SETTINGS,
  SMS_CLIENT,
  SMS_CLIENT_OPTIONS,
  SMS_MODULE_OPTIONS,
  SMS_ROUTES,
  SmsConfigurableModule,
} from './sms.module-definition';
import {
  DEFAULT_CALLBACKS_PATH,
  resolveSmsCallbacks,
  resolveSmsClientOptions,
  type SmsCallbacksOptions,
  type SmsModuleOptions,
  type SmsRoutes,
} from './sms.options';
import { SmsService } from './sms.service';

export type SmsModuleAsyncOptions = Omit<typeof SMS_ASYNC_OPTIONS_TYPE, 'isGlobal'> & {
  /** Register once, inject everywhere (recommended: one client, one token refresher). */
  isGlobal?: boolean;
  /** Mounts the delivery-callback controller (`true`: default path); settings merge under the factory's. */
  callbacks?: SmsCallbacksOptions | true;
  /** Mounts `GET /metrics`. */
  metrics?: MetricsRouteOptions | true;
  /** Mounts `GET /uzgate/configuration` (the masked configuration view); needs `guards` or `apiKey`. */
  diagnostics?: DiagnosticsRouteOptions;
};

@Module({
  providers: [
    {
      provide: SMS_CLIENT_OPTIONS,
      useFactory: (options: SmsModuleOptions, store?: CustomTokenStore) => resolveSmsClientOptions(options, store),
      inject: [SMS_MODULE_OPTIONS, { token: UZGATE_TOKEN_STORE, optional: true }],
    },
    {
      provide: SMS_CLIENT,
      useFactory: (options: SmsClientOptions) => new SmsClient(options),
      inject: [SMS_CLIENT_OPTIONS],
    },
    {
      provide: SMS_CALLBACK_SETTINGS,
      useFactory: callbackSettings,
      inject: [SMS_ROUTES, SMS_MODULE_OPTIONS, SMS_CLIENT_OPTIONS],
    },
    SmsService,
  ],
  exports: [SmsService, SMS_CLIENT],
})
export class SmsModule extends SmsConfigurableModule {
  /** Without options (or without `provider`), the client is configured from `process.env`. */
  static override forRoot(options: SmsModuleOptions & { isGlobal?: boolean } = {}): DynamicModule {
    return withRoutes(super.forRoot(options), { callbacks: options.callbacks, metrics: options.metrics, diagnostics: options.diagnostics });
  }

  /**
   * `useFactory`/`inject`, `useClass` or `useExisting` (a class with `createSmsOptions()`).
   * With none of them, options come from the environment: from the first `inject`ed token when
   * it is a ConfigService (or any `get(name)`), else from `process.env`.
   */
  static override forRootAsync(options: SmsModuleAsyncOptions = {}): DynamicModule {
    const { callbacks, metrics, diagnostics, ...rest } = options;
    return withRoutes(super.forRootAsync(orFromEnv(rest, smsOptionsFromEnv)), { callbacks: callbacks === true ? {} : callbacks, metrics: metrics === true ? {} : metrics, diagnostics });
  }
}

function withRoutes(definition: DynamicModule, routes: SmsRoutes): DynamicModule {
  return withControllers(definition, SMS_ROUTES, routes, [
    routes.callbacks && createSmsCallbacksController(resolvedPath(routes)),
    routes.metrics && createMetricsController(routes.metrics),
    routes.diagnostics && createDiagnosticsController(routes.diagnostics),
  ]);
}

function resolvedPath(routes: SmsRoutes): string {
  return routes.callbacks?.path ?? DEFAULT_CALLBACKS_PATH;
}

function callbackSettings(routes: SmsRoutes, options: SmsModuleOptions, client: SmsClientOptions): SmsCallbacksOptions | null {
  if (options.callbacks && !routes.callbacks) {
    new Logger('uzgate').warn(
      'SmsModule: `callbacks` from the options factory are ignored; pass `callbacks: true` (or { path }) to forRootAsync to mount the routes',
    );
  }
  return resolveSmsCallbacks(routes, options, client);
}
