export interface MetricsRouteOptions {
  /** Route of the Prometheus endpoint (default `metrics`). */
  path?: string;
}

export const DEFAULT_METRICS_PATH = 'metrics';
