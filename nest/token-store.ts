/**
 * Where tokens live between requests and between processes.
 *
 * - `memory` (default): this process only.
 * - `file`: one host; flock-guarded, atomic rename, mode 0600; a corrupt file is an error.
 * - `redis`: every replica; lock with SET NX PX + owner, compare-and-set saves.
 * - `custom`: your own storage (a Postgres/Prisma table…) through `load` and `save`, plus a
 *   `lock`/`unlock` pair that replicas sharing the store need (rotating refresh tokens).
 *
 * `encryptionKey` (32 bytes, hex or base64) seals tokens at rest with AES-256-GCM, bound to the
 * record's key and version; with it, a record that is not sealed is refused (`STORE_ERROR`).
 */
import type { TokenStoreOptions as CoreTokenStoreOptions } from './generated/TokenStoreOptions';
import type { Native } from './native';

/** What a custom store keeps per key: an opaque string (sealed when encryption is on). */
export interface StoredRecord {
  version: number;
  data: string;
}

export interface CustomTokenStore {
  /** The record stored under `key`, or null. */
  load(key: string): Promise<StoredRecord | null> | StoredRecord | null;
  /**
   * Store `data` as version `expectedVersion + 1` only if the stored version is still
   * `expectedVersion` (0 = nothing stored yet) — e.g. `UPDATE … WHERE version = $expected`.
   * Resolve `false` when someone else wrote first.
   */
  save(key: string, expectedVersion: number, data: string): Promise<boolean> | boolean;
  /**
   * Optional, and needed when several processes share the store: take the refresh lock of
   * `key` for `leaseMs` unless someone else holds an unexpired one, without waiting. Resolve a
   * unique owner string (e.g. `randomUUID()`) when taken, `null` when held — e.g.
   * `INSERT … ON CONFLICT (key) DO UPDATE SET owner = $owner, until = now() + $lease WHERE locks.until < now()`.
   */
  lock?(key: string, leaseMs: number): Promise<string | null> | string | null;
  /** With `lock`: release the lock of `key` only if `owner` still holds it (compare-and-delete). */
  unlock?(key: string, owner: string): Promise<void> | void;
}

/** What `sealStoredToken()` did: see the README's "Encryption at rest". */
export type SealReport = Native.SealReport;

/**
 * The core's `TokenStoreOptions` (generated from the Rust option types, documented there); a
 * `custom` store adds the JavaScript object that keeps the records.
 */
export type TokenStoreOptions =
  | (CoreTokenStoreOptions & { type: 'memory' | 'file' | 'redis' })
  | (CoreTokenStoreOptions & { type: 'custom'; store: CustomTokenStore });

/** Splits the public options into the native options and the custom store's callbacks. */
export function toNativeStore(
  options?: TokenStoreOptions,
): {
  store?: CoreTokenStoreOptions;
  hooks: Pick<Native.ClientHooks, 'storeLoad' | 'storeSave' | 'storeLock' | 'storeUnlock'>;
} {
  if (!options) return { hooks: {} };
  // JavaScript callers can pass anything: what is not a custom store goes to the core as it is.
  const custom = options as Partial<{ type: unknown; store: unknown }>;
  if (custom.type === 'custom' && typeof custom.store === 'object' && custom.store !== null) {
    const { store, ...rest } = options as CoreTokenStoreOptions & { store: CustomTokenStore };
    const lock = store.lock?.bind(store);
    const unlock = store.unlock?.bind(store);
    return {
      store: rest,
      hooks: {
        storeLoad: async (key) => (await store.load(key)) ?? null,
        storeSave: async (r) => {
          // A JavaScript store may resolve any truthy value for "saved".
          const saved: unknown = await store.save(r.key, r.expectedVersion, r.data);
          return Boolean(saved);
        },
        ...(lock && { storeLock: async (r) => (await lock(r.key, r.leaseMs)) ?? null }),
        ...(unlock && {
          storeUnlock: async (r) => {
            await unlock(r.key, r.owner);
          },
        }),
      },
    };
  }
  return { store: options, hooks: {} };
}
