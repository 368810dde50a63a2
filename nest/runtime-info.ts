/**
 * What loading uzgate added to the process: the addon's async runtime (src/runtime.rs). Two
 * worker threads by default whatever the core count; `UZGATE_THREADS` (1–64) sets another.
 */
import { native } from './native';

export interface AddonRuntime {
  /** Tokio worker threads serving every client of this process. */
  workerThreads: number;
  /** Upper bound of threads for blocking work (file store locks and fsync), started on demand. */
  maxBlockingThreads: number;
}

export function addonRuntime(): AddonRuntime {
  const info = native.runtimeInfo();
  return { workerThreads: info.workerThreads, maxBlockingThreads: info.maxBlockingThreads };
}
