//! The addon's async runtime: sized for an I/O client, not for the host's core count.
//!
//! napi's default is one tokio worker per core — 64 threads on a 64-core host for a library that
//! waits on sockets. uzgate's work per request is parsing and bookkeeping measured in
//! microseconds, so two workers keep up with thousands of requests per second; `UZGATE_THREADS`
//! (1–64) sets another count. The variable is read once, when the addon loads (a constructor of
//! the library, before napi starts its runtime); the TypeScript loader refuses a malformed value
//! with `CONFIG` before loading the addon, so the fallback here only guards direct loads.

use std::sync::atomic::{AtomicU32, Ordering};

/// Workers when `UZGATE_THREADS` is not set.
pub const DEFAULT_WORKER_THREADS: u32 = 2;
/// Threads for blocking work (file store `flock`, `fsync`): spawned on demand, few ever at once.
const MAX_BLOCKING_THREADS: usize = 16;

static WORKER_THREADS: AtomicU32 = AtomicU32::new(0);

fn worker_threads_from_env() -> u32 {
    std::env::var("UZGATE_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=64).contains(n))
        .unwrap_or(DEFAULT_WORKER_THREADS)
}

#[napi_derive::module_init]
fn init_runtime() {
    let workers = worker_threads_from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers as usize)
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_name("uzgate-io")
        .enable_all()
        .build();
    // Without a runtime of ours napi builds its default one: slower to fail than to fall back.
    if let Ok(runtime) = runtime {
        WORKER_THREADS.store(workers, Ordering::Relaxed);
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// The addon's async runtime, for diagnostics.
#[napi(object)]
pub struct RuntimeInfo {
    /// Tokio worker threads (0: napi's default runtime, one per core).
    pub worker_threads: u32,
    /// Upper bound of threads for blocking work, started on demand.
    pub max_blocking_threads: u32,
}

#[napi]
pub fn runtime_info() -> RuntimeInfo {
    RuntimeInfo {
        worker_threads: WORKER_THREADS.load(Ordering::Relaxed),
        max_blocking_threads: MAX_BLOCKING_THREADS as u32,
    }
}
