//! The token every request reads, lock-free: the published [`Snapshot`] and the counter of its
//! generations. Publishing is the only write and never blocks a reader; nothing here does I/O or
//! decides when to refresh.

use super::snapshot::Snapshot;
use super::Credential;
use crate::store::Versioned;
use arc_swap::ArcSwapOption;
use http::HeaderValue;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

pub(super) struct SnapshotCache {
    current: ArcSwapOption<Snapshot>,
    next_generation: AtomicU64,
    /// Set once, when the manager closes: the hot path refuses without taking the state lock.
    closed: AtomicBool,
    /// Set while the provider's refusal of this token stands: no request goes out with it.
    refused: AtomicBool,
}

impl SnapshotCache {
    pub fn new() -> Self {
        SnapshotCache {
            current: ArcSwapOption::empty(),
            next_generation: AtomicU64::new(1),
            closed: AtomicBool::new(false),
            refused: AtomicBool::new(false),
        }
    }

    /// An owned copy (safe to hold across `.await`).
    pub fn load(&self) -> Option<Arc<Snapshot>> {
        self.current.load_full()
    }

    pub fn is_empty(&self) -> bool {
        self.current.load().is_none()
    }

    /// The generation a caller sees now: 0 when there is no token at all.
    pub fn generation(&self) -> u64 {
        generation_of(self.current.load().as_deref())
    }

    /// Puts `v` in front of every request under the next generation; `persisted`: whether the
    /// store holds it.
    pub fn publish(&self, v: &Versioned, header: HeaderValue, persisted: bool) -> Arc<Snapshot> {
        let generation = self.next_generation.fetch_add(1, Ordering::AcqRel);
        let snapshot = Arc::new(Snapshot::new(v, generation, header, persisted));
        self.current.store(Some(snapshot.clone()));
        self.refused.store(false, Ordering::Release);
        snapshot
    }

    /// The credential to send now, without waiting: none once closed or when the token is
    /// missing or known to be expired.
    pub fn ready(&self) -> Option<Credential> {
        if self.is_closed() || self.refused.load(Ordering::Acquire) {
            return None;
        }
        let guard = self.current.load();
        let s = guard.as_ref()?;
        if s.is_expired() {
            return None;
        }
        Some(Credential {
            header: s.header.clone(),
            generation: s.generation,
        })
    }

    /// The provider refused the token in use: the hot path stops handing it out until a new
    /// token is published.
    pub fn refuse(&self) {
        self.refused.store(true, Ordering::Release);
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// The generation of `snapshot`: 0 when there is none.
pub(super) fn generation_of(snapshot: Option<&Snapshot>) -> u64 {
    snapshot.map_or(0, |s| s.generation)
}
