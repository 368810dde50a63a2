/** Token lifecycle events, for alerts (e.g. a Telegram message on `reauthorization_required`). */
import type { EventEmitter } from 'node:events';
import { emitContained } from './contained-callbacks';
import type { Native } from './native';

export type TokenEventType =
  | 'token_refreshed'
  | 'refresh_failed'
  | 'reauthorization_required'
  | 'token_unsaved'
  | 'token_saved'
  | 'account_refused'
  | 'account_restored'
  | 'rate_limited';

export interface TokenEvent {
  type: TokenEventType;
  provider: string;
  generation?: number;
  /** `login` | `refresh` | `exchange` | `adopted` */
  how?: string;
  expiresAt?: Date;
  code?: string;
  message?: string;
  /** `rate_limited`: the endpoint that answered 429 and the wait it asked for. */
  endpoint?: string;
  retryAfterMs?: number;
}

/**
 * Forwards native events to `emitter` under their type, and as `'token'`. Each listener runs
 * contained: one that throws or rejects is counted and reported, never fatal (see
 * contained-callbacks.ts).
 */
export function eventForwarder(emitter: EventEmitter): (e: Native.TokenEventInfo) => void {
  return (e) => {
    const event: TokenEvent = {
      type: e.type,
      provider: e.provider,
      generation: e.generation ?? undefined,
      how: e.how ?? undefined,
      expiresAt: e.expiresAtMs == null ? undefined : new Date(e.expiresAtMs),
      code: e.code ?? undefined,
      message: e.message ?? undefined,
      endpoint: e.endpoint ?? undefined,
      retryAfterMs: e.retryAfterMs ?? undefined,
    };
    emitContained(emitter, event.type, event);
    emitContained(emitter, 'token', event);
  };
}
