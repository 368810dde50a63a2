import type { TokenState } from '../../index';

/** Token states in which calls fail until something changes (a human, a restart, a fixed secret). */
export const UNHEALTHY_TOKEN_STATES: ReadonlySet<TokenState> = new Set(['failed', 'reauthorization_required', 'closed']);
