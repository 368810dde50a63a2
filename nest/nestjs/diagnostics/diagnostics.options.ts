import type { CanActivate, Type } from '@nestjs/common';

/** `diagnostics` on SmsModule or AmoCrmModule: the operators' configuration view. */
export interface DiagnosticsRouteOptions {
  /** Route of the configuration view (default `uzgate/configuration`). */
  path?: string;
  /** Your own Nest guards (an admin session, a role check): they run before the route. */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * When set, the route answers only `X-API-KEY: <apiKey>` (compared in constant time) and 401
   * otherwise. At least 16 characters (shorter is a CONFIG error at startup). With neither
   * `guards` nor `apiKey` the route does not exist (404).
   */
  apiKey?: string;
}

export const DEFAULT_DIAGNOSTICS_PATH = 'uzgate/configuration';
