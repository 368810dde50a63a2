/**
 * The OAuth callback's own budget: how many callbacks (each may exchange a code at amoCRM's
 * token endpoint) one app instance answers per window. The callback is public, so without it
 * anyone could make the app send code exchanges as fast as they can send requests. It is
 * separate from the amoCRM API rate limiter: connecting never competes with the app's calls.
 *
 * A sliding window over the last `limit` admissions: at most `limit` in any `windowMs`. It must
 * never wait or queue: past the budget the caller is told when to come back, and nothing else
 * happens.
 */

export interface ExchangeBudgetOptions {
  /** Callbacks admitted per window (default 5). */
  limit?: number;
  /** The window in seconds (default 60). */
  windowSeconds?: number;
}

export const DEFAULT_EXCHANGE_BUDGET: Required<ExchangeBudgetOptions> = { limit: 5, windowSeconds: 60 };

/** `{ ok: true }`, or when the next callback will be admitted. */
export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class ExchangeBudget {
  private readonly admitted: number[] = [];
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(
    options: Required<ExchangeBudgetOptions>,
    private readonly now: () => number = Date.now,
  ) {
    this.limit = options.limit;
    this.windowMs = options.windowSeconds * 1000;
  }

  /** Takes one slot when there is one. */
  admit(): Admission {
    const now = this.now();
    while (this.admitted.length > 0 && this.admitted[0] <= now - this.windowMs) this.admitted.shift();
    if (this.admitted.length >= this.limit) {
      return { ok: false, retryAfterMs: Math.max(1, this.admitted[0] + this.windowMs - now) };
    }
    this.admitted.push(now);
    return { ok: true };
  }
}
