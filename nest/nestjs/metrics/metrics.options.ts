export interface MetricsRouteOptions {
  /** Route of the Prometheus endpoint (default `metrics`). */
  path?: string;
  /**
   * When set, the endpoint answers only `Authorization: Bearer <token>` (compared in constant
   * time; Prometheus sends it with `authorization: { credentials: … }` in the scrape config)
   * and 401 otherwise. At least 16 characters (shorter is a CONFIG error at startup). Unset, the
   * route is open: keep it off the public internet.
   */
  bearerToken?: string;
}

export const DEFAULT_METRICS_PATH = 'metrics';
