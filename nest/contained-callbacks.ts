/**
 * User code that uzgate calls back — a logger, a listener of uzgate's events, an alert callback — runs inside
 * uzgate's own work (a native callback, a webhook route). Left alone, one that throws or rejects
 * becomes an uncaught exception and ends the process at the first log line or token refresh.
 * Here each call is contained: the failure is counted (`callbackFailures()`, and the metric
 * `uzgate_callback_failures_total`), and the first failure of each kind is reported once through
 * Node's warning channel, which is neither the logger nor an event listener.
 */
import type { EventEmitter } from 'node:events';

export type CallbackKind = 'logger' | 'listener' | 'alert';

export type CallbackFailures = Record<CallbackKind, number>;

const failures: CallbackFailures = { logger: 0, listener: 0, alert: 0 };
const reported = new Set<CallbackKind>();

/** How many user callbacks of each kind threw or rejected in this process so far. */
export function callbackFailures(): CallbackFailures {
  return { ...failures };
}

/** Runs `callback`; a throw, or a rejection of the promise it returns, is contained. */
export function runContained(kind: CallbackKind, callback: () => unknown): void {
  try {
    const result = callback();
    if (isThenable(result)) {
      result.then(undefined, (error: unknown) => {
        failed(kind, error);
      });
    }
  } catch (error) {
    failed(kind, error);
  }
}

/**
 * `emitter.emit(type, event)` with every listener contained on its own: a listener that throws
 * neither stops the ones after it nor reaches uzgate's caller. `once` listeners are still
 * removed (their raw wrappers remove themselves when called).
 */
export function emitContained(emitter: EventEmitter, type: string, event: unknown): void {
  for (const listener of emitter.rawListeners(type)) {
    runContained('listener', () => Reflect.apply(listener, emitter, [event]));
  }
}

/** The counts in the Prometheus text format, merged with the clients' own metrics. */
export function callbackFailuresMetrics(): string {
  const lines = [
    '# HELP uzgate_callback_failures_total User callbacks (loggers, event listeners, alert callbacks) that threw or rejected; uzgate went on without them.',
    '# TYPE uzgate_callback_failures_total counter',
  ];
  for (const kind of Object.keys(failures) as CallbackKind[]) {
    lines.push(`uzgate_callback_failures_total{kind="${kind}"} ${String(failures[kind])}`);
  }
  return lines.join('\n') + '\n';
}

const WHAT: Record<CallbackKind, string> = {
  logger: 'the logger given to uzgate',
  listener: 'a listener of an uzgate event',
  alert: 'the alerts.onAlert given to uzgate',
};

function failed(kind: CallbackKind, error: unknown): void {
  failures[kind] += 1;
  if (reported.has(kind)) return;
  reported.add(kind);
  // Only the error's name: its message may quote what the callback was handed.
  process.emitWarning(
    `${WHAT[kind]} threw or rejected (${errorName(error)}); uzgate went on without it. ` +
      'Later failures of this kind are counted (callbackFailures(), uzgate_callback_failures_total), not reported.',
    { type: 'UzgateWarning', code: 'UZG_CALLBACK_FAILED' },
  );
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
