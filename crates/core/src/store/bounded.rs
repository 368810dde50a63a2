//! Every call a token manager makes to its store, bounded by its own deadline. A store is
//! outside uzgate's control (a user's callbacks, a Redis across the network): a call that never
//! settles would otherwise hold the one refresh in flight forever, and every later request would
//! wait on it and time out without the store ever being asked again. Here such a call is
//! abandoned at its deadline and becomes a retryable `STORE_ERROR`; the refresh fails like any
//! other (state, `refresh_failed` event, backoff of a second) and the next one asks the store
//! afresh. Failures and abandoned calls are counted in `uzgate_store_failures_total`.

use super::{Codec, LockGuard, Saved, StoredToken, TokenStore, Versioned};
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::metrics::Metrics;
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

pub struct BoundedStore {
    inner: Arc<dyn TokenStore>,
    limit: Duration,
    metrics: Arc<Metrics>,
    health: Mutex<Health>,
}

/// What this process has seen of the store lately.
#[derive(Default)]
struct Health {
    failing: bool,
    /// When a call first succeeded again after failures.
    recovered_at: Option<Instant>,
}

impl BoundedStore {
    /// `limit` bounds each call; a lock's call is bounded by its own wait plus `limit`.
    pub fn new(inner: Arc<dyn TokenStore>, limit: Duration, metrics: Arc<Metrics>) -> Self {
        BoundedStore {
            inner,
            limit,
            metrics,
            health: Mutex::new(Health::default()),
        }
    }

    /// When the store answered again after failing, if it did within `window`: peers holding a
    /// token they could not save during the outage write it back within that time.
    pub fn recovered_within(&self, window: Duration) -> Option<Instant> {
        self.health
            .lock()
            .recovered_at
            .filter(|at| at.elapsed() < window)
    }

    fn answered(&self, ok: bool) {
        let mut health = self.health.lock();
        if ok && health.failing {
            health.recovered_at = Some(Instant::now());
        }
        health.failing = !ok;
    }

    async fn bounded<T>(
        &self,
        operation: &'static str,
        limit: Duration,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(limit, call).await {
            Ok(Ok(value)) => {
                self.answered(true);
                Ok(value)
            }
            Ok(Err(e)) => {
                // Other codes (a record refused by its checks, …) are answers, not failures.
                if e.code == ErrorCode::StoreError {
                    self.answered(false);
                    self.metrics
                        .store_failure(self.inner.kind(), operation, "error");
                }
                Err(e)
            }
            Err(_) => {
                self.answered(false);
                self.metrics
                    .store_failure(self.inner.kind(), operation, "timeout");
                Err(Error::new(
                    ErrorCode::StoreError,
                    format!(
                        "the {} token store did not answer {operation} within {} ms; the call was \
                         abandoned and the next one asks again",
                        self.inner.kind(),
                        limit.as_millis()
                    ),
                )
                .with_provider(Provider::Store)
                .with_retryable(true))
            }
        }
    }
}

impl TokenStore for BoundedStore {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    fn shared(&self) -> bool {
        self.inner.shared()
    }

    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>> {
        let call = self.inner.load(key);
        self.bounded("load", self.limit, call).boxed()
    }

    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        let call = self.inner.save(key, expected, token);
        self.bounded("save", self.limit, call).boxed()
    }

    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>> {
        let call = self.inner.clear(key);
        self.bounded("clear", self.limit, call).boxed()
    }

    fn lock(
        &self,
        key: &str,
        lease: Duration,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        let call = self.inner.lock(key, lease, wait);
        self.bounded("lock", wait.saturating_add(self.limit), call)
            .boxed()
    }

    fn codec(&self) -> Option<&Codec> {
        self.inner.codec()
    }

    fn load_raw(&self, key: &str) -> BoxFuture<'_, Result<Option<(u64, String)>>> {
        let call = self.inner.load_raw(key);
        self.bounded("load", self.limit, call).boxed()
    }

    fn save_raw(&self, key: &str, expected: u64, data: String) -> BoxFuture<'_, Result<bool>> {
        let call = self.inner.save_raw(key, expected, data);
        self.bounded("save", self.limit, call).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FaultyStore;
    use std::sync::atomic::Ordering;

    fn hanging(hangs: u32) -> (Arc<FaultyStore>, BoundedStore, Arc<Metrics>) {
        let raw = Arc::new(FaultyStore::default());
        raw.hang_loads.store(hangs, Ordering::SeqCst);
        raw.hang_locks.store(true, Ordering::SeqCst);
        let metrics = Arc::new(Metrics::new());
        let bounded = BoundedStore::new(raw.clone(), Duration::from_secs(5), metrics.clone());
        (raw, bounded, metrics)
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_never_settles_is_abandoned_at_its_deadline_and_counted() {
        let (raw, store, metrics) = hanging(1);
        let started = tokio::time::Instant::now();
        let e = store.load("k").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::StoreError);
        assert!(e.retryable);
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert!(
            e.message.contains("did not answer load within 5000 ms"),
            "{}",
            e.message
        );
        // The next call reaches the store again and gets its answer.
        assert_eq!(store.load("k").await.unwrap(), None);
        assert_eq!(raw.loads.load(Ordering::SeqCst), 2);
        assert!(metrics.render().contains(
            "uzgate_store_failures_total{store=\"faulty\",operation=\"load\",outcome=\"timeout\"} 1"
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_gets_its_wait_plus_the_deadline() {
        let (_, store, _) = hanging(0);
        let started = tokio::time::Instant::now();
        let e = match store
            .lock("k", Duration::from_secs(30), Duration::from_secs(35))
            .await
        {
            Err(e) => e,
            Ok(_) => panic!("a lock that never answers must fail"),
        };
        assert_eq!(e.code, ErrorCode::StoreError);
        assert_eq!(started.elapsed(), Duration::from_secs(40));
    }
}
