//! A store for tests: shared like one other processes write to, with faults switched on at
//! will — loads that never settle, saves that fail, an outage, a lock that never answers.

use super::{LockGuard, MemoryStore, Saved, StoredToken, TokenStore, Versioned};
use crate::error::{Error, ErrorCode, Result};
use futures::future::BoxFuture;
use futures::FutureExt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
pub struct FaultyStore {
    /// What the store holds; tests read and write it directly, as another process would.
    pub inner: MemoryStore,
    pub locks: AtomicU64,
    pub loads: AtomicU32,
    /// How many of the next loads never settle (a store that hangs).
    pub hang_loads: AtomicU32,
    /// How many of the next saves fail (a store that went away mid-refresh).
    pub fail_saves: AtomicU32,
    /// Every load and save fails while set (the store is down).
    pub down: AtomicBool,
    /// Every lock call never settles while set.
    pub hang_locks: AtomicBool,
}

/// Takes one from `counter` if it is not zero.
fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl TokenStore for FaultyStore {
    fn kind(&self) -> &'static str {
        "faulty"
    }
    fn shared(&self) -> bool {
        true
    }
    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return async { Err(Error::new(ErrorCode::StoreError, "connection refused")) }.boxed();
        }
        if take_one(&self.hang_loads) {
            return futures::future::pending().boxed();
        }
        self.inner.load(key)
    }
    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        if take_one(&self.fail_saves) || self.down.load(Ordering::SeqCst) {
            return async { Err(Error::new(ErrorCode::StoreError, "broken pipe")) }.boxed();
        }
        self.inner.save(key, expected, token)
    }
    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>> {
        self.inner.clear(key)
    }
    fn lock(
        &self,
        _key: &str,
        _lease: Duration,
        _wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        self.locks.fetch_add(1, Ordering::SeqCst);
        if self.hang_locks.load(Ordering::SeqCst) {
            return futures::future::pending().boxed();
        }
        async { Ok(None) }.boxed()
    }
}
