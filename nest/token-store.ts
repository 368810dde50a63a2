/**
 * Where tokens live between requests and between processes.
 *
 * - `memory` (default): this process only.
 * - `file`: one host; flock-guarded, atomic rename, mode 0600; a corrupt file is an error.
 * - `redis`: every replica; lock with SET NX PX + owner, compare-and-set saves.
 * - `custom`: your own storage (a Postgres/Prisma table…) through `load` and `save`.
 *
 * `encryptionKey` (32 bytes, hex or base64) seals tokens at rest with AES-256-GCM.
 */
import type { Native } from './native';

interface Common {
  /** Key of the token in the store; a per-account default otherwise. */
  key?: string;
  /** AES-256-GCM key, 32 bytes as 64 hex digits or base64 (`openssl rand -base64 32`). */
  encryptionKey?: string;
  /** Lease of the cross-process refresh lock in ms (default 30000). */
  lockLeaseMs?: number;
  /** How long to wait for that lock in ms (default 35000). */
  lockWaitMs?: number;
}

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
}

export type TokenStoreOptions =
  | ({ type: 'memory' } & Pick<Common, 'key'>)
  | ({ type: 'file'; path: string } & Common)
  | ({ type: 'redis'; url: string } & Common)
  | ({ type: 'custom'; store: CustomTokenStore } & Omit<Common, 'lockLeaseMs' | 'lockWaitMs'>);

/** Splits the public options into the native options and the custom store's callbacks. */
export function toNativeStore(
  options?: TokenStoreOptions,
): { store?: Native.TokenStoreOptions; hooks: Pick<Native.ClientHooks, 'storeLoad' | 'storeSave'> } {
  if (!options) return { hooks: {} };
  if (options.type === 'custom') {
    const { store, ...rest } = options;
    return {
      store: rest,
      hooks: {
        storeLoad: async (key) => (await store.load(key)) ?? null,
        storeSave: async (r) => Boolean(await store.save(r.key, r.expectedVersion, r.data)),
      },
    };
  }
  return { store: options, hooks: {} };
}
