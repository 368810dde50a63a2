/**
 * `alerts.onAlert`: the application's own function among the alert sinks. Functions cannot cross
 * into the addon's option parser, so the function is taken out of `alerts` here and handed to the
 * addon beside the options; each call is contained (a throw never reaches uzgate's work).
 */
import type { AlertOptions } from './generated/AlertOptions';
import type { Native } from './native';
import { runContained } from './contained-callbacks';
import { UzgateError } from './errors';

/** One alert, as the webhook sink posts it. */
export type Alert = Native.AlertInfo;

/** The core's `AlertOptions` with `onAlert`, which receives every alert the other sinks do. */
export type AlertsOptions = AlertOptions & {
  /** Called with each alert (firing, reminder, resolved); a throw or rejection is contained. */
  onAlert?: (alert: Alert) => unknown;
};

/** `alerts` without `onAlert`, for the addon, and the contained function as a hook. */
export function splitAlerts(alerts: unknown): { alerts: unknown; onAlert?: (alert: Alert) => void } {
  if (typeof alerts !== 'object' || alerts === null || !('onAlert' in alerts)) return { alerts };
  const { onAlert, ...rest } = alerts as { onAlert?: unknown };
  if (onAlert === undefined) return { alerts: rest };
  if (typeof onAlert !== 'function') {
    throw new UzgateError('alerts.onAlert must be a function', { code: 'CONFIG' });
  }
  const fn = onAlert as (alert: Alert) => unknown;
  return {
    alerts: rest,
    onAlert: (alert) => {
      runContained('alert', () => fn(alert));
    },
  };
}
