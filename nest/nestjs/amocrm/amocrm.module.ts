/**
 * AmoCrmModule: an AmoCrmClient for the app, as the injectable AmoCrmService.
 *
 *   AmoCrmModule.forRoot({ clientId, clientSecret, redirectUri, tokenStore: { type: 'redis', url }, isGlobal: true,
 *                          oauth: { apiKey: process.env.ADMIN_API_KEY, successRedirect: '/admin/amocrm' } })
 *   AmoCrmModule.forRoot()                                // everything from process.env
 *   AmoCrmModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ … }), oauth: true })
 *
 * Routes are part of the module's definition, so with forRootAsync the `oauth`/`metrics` that
 * mount them are given next to `useFactory` (their settings may still come from it).
 */
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { AmoCrmClient, type CustomTokenStore } from '../../index';
import { orFromEnv, withControllers } from '../config/dynamic-module';
import { amoCrmOptionsFromEnv } from '../config/env-options';
import { UZGATE_TOKEN_STORE } from '../config/token-store.token';
import { createDiagnosticsController } from '../diagnostics/diagnostics.controller';
import type { DiagnosticsRouteOptions } from '../diagnostics/diagnostics.options';
import { createMetricsController } from '../metrics/metrics.controller';
import type { MetricsRouteOptions } from '../metrics/metrics.options';
import { createAmoCrmOAuthController } from './amocrm-oauth.controller';
import {
  AMOCRM_ASYNC_OPTIONS_TYPE,
  AMOCRM_CLIENT,
  AMOCRM_MODULE_OPTIONS,
  AMOCRM_OAUTH_SETTINGS,
  AMOCRM_ROUTES,
  AmoCrmConfigurableModule,
} from './amocrm.module-definition';
import {
  resolveAmoCrmClientOptions,
  resolveAmoCrmOAuth,
  type AmoCrmModuleOptions,
  type AmoCrmOAuthOptions,
  type AmoCrmRoutes,
} from './amocrm.options';
import { AmoCrmService } from './amocrm.service';

export type AmoCrmModuleAsyncOptions = Omit<typeof AMOCRM_ASYNC_OPTIONS_TYPE, 'isGlobal'> & {
  /** Register once, inject everywhere (recommended: one client, one token refresher). */
  isGlobal?: boolean;
  /** Mounts the OAuth controller (`true`: default path); settings merge under the factory's. */
  oauth?: AmoCrmOAuthOptions | true;
  /** Mounts `GET /metrics`. */
  metrics?: MetricsRouteOptions | true;
  /** Mounts `GET /uzgate/configuration` (the masked configuration view); needs `guards` or `apiKey`. */
  diagnostics?: DiagnosticsRouteOptions;
};

@Module({
  providers: [
    {
      provide: AMOCRM_CLIENT,
      useFactory: (options: AmoCrmModuleOptions, store?: CustomTokenStore) =>
        new AmoCrmClient(resolveAmoCrmClientOptions(options, store)),
      inject: [AMOCRM_MODULE_OPTIONS, { token: UZGATE_TOKEN_STORE, optional: true }],
    },
    {
      provide: AMOCRM_OAUTH_SETTINGS,
      useFactory: oauthSettings,
      inject: [AMOCRM_ROUTES, AMOCRM_MODULE_OPTIONS],
    },
    AmoCrmService,
  ],
  exports: [AmoCrmService, AMOCRM_CLIENT],
})
export class AmoCrmModule extends AmoCrmConfigurableModule {
  /** Without options (or without `clientId`), the client is configured from `process.env`. */
  static override forRoot(options: AmoCrmModuleOptions & { isGlobal?: boolean } = {}): DynamicModule {
    return withRoutes(super.forRoot(options), { oauth: options.oauth, metrics: options.metrics, diagnostics: options.diagnostics });
  }

  /**
   * `useFactory`/`inject`, `useClass` or `useExisting` (a class with `createAmoCrmOptions()`).
   * With none of them, options come from the environment: from the first `inject`ed token when
   * it is a ConfigService (or any `get(name)`), else from `process.env`.
   */
  static override forRootAsync(options: AmoCrmModuleAsyncOptions = {}): DynamicModule {
    const { oauth, metrics, diagnostics, ...rest } = options;
    return withRoutes(super.forRootAsync(orFromEnv(rest, amoCrmOptionsFromEnv)), { oauth: oauth === true ? {} : oauth, metrics: metrics === true ? {} : metrics, diagnostics });
  }
}

function withRoutes(definition: DynamicModule, routes: AmoCrmRoutes): DynamicModule {
  return withControllers(definition, AMOCRM_ROUTES, routes, [
    routes.oauth && createAmoCrmOAuthController(routes.oauth),
    routes.metrics && createMetricsController(routes.metrics),
    routes.diagnostics && createDiagnosticsController(routes.diagnostics),
  ]);
}

function oauthSettings(routes: AmoCrmRoutes, options: AmoCrmModuleOptions): AmoCrmOAuthOptions | null {
  if (options.oauth && !routes.oauth) {
    new Logger('uzgate').warn(
      'AmoCrmModule: `oauth` from the options factory is ignored; pass `oauth: true` (or { path }) to forRootAsync to mount the routes',
    );
  }
  return resolveAmoCrmOAuth(routes, options);
}
