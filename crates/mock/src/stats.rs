//! Counters. Plain relaxed atomics: they are read for reporting only, never to make
//! decisions that need ordering with other memory.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// Counters that belong to the server rather than to one provider.
#[derive(Default)]
pub(crate) struct ServerStats {
    /// Every request that reached the server, control requests excluded.
    pub requests: Counter,
    pub faults_injected: Counter,
    pub connections: Counter,
}

impl ServerStats {
    pub(crate) fn reset(&self) {
        self.requests.reset();
        self.faults_injected.reset();
        self.connections.reset();
    }
}
