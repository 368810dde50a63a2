/** What SmsModule, AmoCrmModule and OtpModule do alike around ConfigurableModuleBuilder. */
import type { DynamicModule, InjectionToken, Type } from '@nestjs/common';
import type { EnvSource } from './env-options';

interface AsyncOptionsShape {
  useFactory?: unknown;
  useClass?: unknown;
  useExisting?: unknown;
  inject?: unknown[];
}

/**
 * `forRootAsync` options as given, or — with none of useFactory, useClass, useExisting — a
 * factory reading `fromEnv` from the first `inject`ed token (a ConfigService, or anything with
 * `get(name)`), else from `process.env`.
 */
export function orFromEnv<O extends AsyncOptionsShape>(options: O, fromEnv: (source: EnvSource) => unknown): O {
  if (options.useFactory || options.useClass || options.useExisting) return options;
  const useFactory = (source?: EnvSource) => fromEnv(source ?? process.env);
  return { ...options, useFactory, inject: options.inject ?? [] };
}

/** `definition` with the opt-in controllers mounted and the route settings provided under `routesToken`. */
export function withControllers(
  definition: DynamicModule,
  routesToken: InjectionToken,
  routes: object,
  controllers: Array<Type<unknown> | false | undefined>,
): DynamicModule {
  return {
    ...definition,
    providers: [...(definition.providers ?? []), { provide: routesToken, useValue: routes }],
    controllers: [...(definition.controllers ?? []), ...controllers.filter((c): c is Type<unknown> => Boolean(c))],
  };
}
