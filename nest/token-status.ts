/** `tokenStatus()` as users see it: the state of a token, never the token. */
import type { Native } from './native';

export type TokenState =
  | 'empty'
  | 'valid'
  | 'expiring'
  | 'expired'
  | 'refreshing'
  | 'failed'
  | 'reauthorization_required'
  | 'closed';

export interface TokenStatus {
  provider: string;
  state: TokenState;
  /** Bumped each time this process takes a new token. */
  generation: number;
  expiresAt: Date | null;
  obtainedAt: Date | null;
  lastRefreshAt: Date | null;
  /** Tokens obtained with the current token / refresh token. */
  refreshes: number;
  /** Tokens obtained with the primary credentials (login, code exchange). */
  logins: number;
  /** Tokens taken over from the store, refreshed by another process. */
  adopted: number;
  failures: number;
  lastError: { code: string; message: string } | null;
  /** `memory` | `file` | `redis` | `custom` */
  store: string;
  /**
   * Whether the store holds the token in use. `false`: the provider issued it while the store
   * failed; it is in use and saved again until the store answers (`token_unsaved` event).
   * `null` without a token.
   */
  persisted: boolean | null;
}

const date = (ms: number | null | undefined): Date | null => (ms == null ? null : new Date(ms));

export function toTokenStatus(s: Native.TokenStatus): TokenStatus {
  return {
    provider: s.provider,
    state: s.state,
    generation: s.generation,
    expiresAt: date(s.expiresAtMs),
    obtainedAt: date(s.obtainedAtMs),
    lastRefreshAt: date(s.lastRefreshAtMs),
    refreshes: s.refreshes,
    logins: s.logins,
    adopted: s.adopted,
    failures: s.failures,
    lastError: s.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage ?? '' } : null,
    store: s.store,
    persisted: s.persisted ?? null,
  };
}
