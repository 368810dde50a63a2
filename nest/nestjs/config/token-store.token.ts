import type { CustomTokenStore, TokenStoreOptions } from '../../index';

/**
 * Injection token of a CustomTokenStore (your own table, through your ORM). Provided in a global
 * module — `{ provide: UZGATE_TOKEN_STORE, useClass: PrismaTokenStore }` — it keeps the SMS and
 * amoCRM tokens whenever the options name no `tokenStore`.
 */
export const UZGATE_TOKEN_STORE = Symbol('uzgate:TokenStore');

export function withInjectedStore(configured: TokenStoreOptions | undefined, injected: CustomTokenStore | undefined): TokenStoreOptions | undefined {
  if (configured || !injected) return configured;
  return { type: 'custom', store: injected };
}
