//! Tokens in the user's own storage (a Postgres/Prisma table, …) through callbacks: load the
//! stored `(version, data)` and save `data` if the version is still the expected one; optionally
//! `lock`/`unlock`, a lease-based lock the refresh protocol takes exactly like the Redis lock.
//! The data is an opaque string (JSON, or sealed with the encryption key); the callbacks never
//! see a token in clear when encryption is on.
//!
//! Without the lock, the compare-and-set of `save` still keeps the stored token consistent, but
//! with rotating refresh tokens (amoCRM) two replicas may present the same refresh token: the
//! provider then revokes the loser's. Replicas sharing a custom store need the lock.

use super::codec::Codec;
use super::{LockGuard, Saved, StoredToken, TokenStore, Versioned};
use crate::error::{Error, ErrorCode, Provider, Result};
use futures::future::BoxFuture;
use futures::FutureExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Between two attempts at a held lock.
const POLL: Duration = Duration::from_millis(25);
/// How long an `unlock` callback may take before it is abandoned (the lease frees the lock).
const UNLOCK_DEADLINE: Duration = Duration::from_secs(5);

/// What a user implements (the Node binding adapts JS callbacks to it).
pub trait RawStore: Send + Sync {
    /// `(version, data)` stored under `key`, if any.
    fn load(&self, key: &str) -> BoxFuture<'static, Result<Option<(u64, String)>>>;
    /// Store `data` as version `expected + 1` only if the stored version is `expected` (0 =
    /// nothing stored). `false` when someone else wrote first.
    fn save(&self, key: &str, expected: u64, data: String) -> BoxFuture<'static, Result<bool>>;
    /// Whether `try_lock`/`unlock` are implemented.
    fn has_lock(&self) -> bool {
        false
    }
    /// Take the lock of `key` for `lease` unless someone holds it: an owner value (unique to
    /// this attempt) when taken, `None` when held by someone else. Must not wait.
    fn try_lock(&self, _key: &str, _lease: Duration) -> BoxFuture<'static, Result<Option<String>>> {
        async { Ok(None) }.boxed()
    }
    /// Release the lock of `key` if `owner` still holds it (compare-and-delete).
    fn unlock(&self, _key: &str, _owner: String) -> BoxFuture<'static, Result<()>> {
        async { Ok(()) }.boxed()
    }
}

pub struct CustomStore {
    raw: Arc<dyn RawStore>,
    codec: Codec,
}

impl CustomStore {
    pub fn new(raw: Arc<dyn RawStore>, codec: Codec) -> Self {
        CustomStore { raw, codec }
    }
}

fn lock_error(message: String) -> Error {
    Error::new(ErrorCode::StoreError, message)
        .with_provider(Provider::Store)
        .with_retryable(true)
}

struct CustomLock {
    raw: Arc<dyn RawStore>,
    key: String,
    owner: String,
}

impl LockGuard for CustomLock {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        let unlock = self.raw.unlock(&self.key, self.owner.clone());
        async move {
            // A failed or hung unlock only delays others until the lease runs out.
            let _ = tokio::time::timeout(UNLOCK_DEADLINE, unlock).await;
        }
        .boxed()
    }
}

impl TokenStore for CustomStore {
    fn kind(&self) -> &'static str {
        "custom"
    }

    fn shared(&self) -> bool {
        true
    }

    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>> {
        let key = key.to_string();
        async move {
            match self.raw.load(&key).await? {
                Some((version, data)) => Ok(Some(Versioned {
                    version,
                    token: self.codec.decode(&key, version, &data)?,
                })),
                None => Ok(None),
            }
        }
        .boxed()
    }

    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        let key = key.to_string();
        let data = self.codec.encode(&key, expected + 1, token);
        async move {
            if self.raw.save(&key, expected, data?).await? {
                Ok(Saved::Written(expected + 1))
            } else {
                Ok(Saved::Conflict(self.load(&key).await?))
            }
        }
        .boxed()
    }

    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>> {
        // Users' tables keep their rows; a cleared token is simply never adopted again because
        // re-authorisation installs a newer version over it.
        let _ = key;
        async { Ok(()) }.boxed()
    }

    /// The user's lock when they gave one (polled until `wait`, each attempt bounded by what is
    /// left of it); otherwise none, and only the compare-and-set of `save` protects.
    fn lock(
        &self,
        key: &str,
        lease: Duration,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        let key = key.to_string();
        async move {
            if !self.raw.has_lock() {
                return Ok(None);
            }
            let until = Instant::now() + wait;
            loop {
                let left = until.saturating_duration_since(Instant::now());
                let attempt = tokio::time::timeout(left, self.raw.try_lock(&key, lease)).await;
                match attempt {
                    Ok(Ok(Some(owner))) => {
                        return Ok(Some(Box::new(CustomLock {
                            raw: self.raw.clone(),
                            key,
                            owner,
                        }) as Box<dyn LockGuard>))
                    }
                    Ok(Ok(None)) if Instant::now() < until => tokio::time::sleep(POLL).await,
                    Ok(Err(e)) => return Err(e),
                    Ok(Ok(None)) | Err(_) => {
                        return Err(lock_error(format!(
                            "the custom token store's lock was held (or did not answer) for more than {} ms",
                            wait.as_millis()
                        )))
                    }
                }
            }
        }
        .boxed()
    }

    fn codec(&self) -> Option<&Codec> {
        Some(&self.codec)
    }

    fn load_raw(&self, key: &str) -> BoxFuture<'_, Result<Option<(u64, String)>>> {
        self.raw.load(key)
    }

    fn save_raw(&self, key: &str, expected: u64, data: String) -> BoxFuture<'_, Result<bool>> {
        self.raw.save(key, expected, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;
    use std::collections::HashMap;

    /// A table with a lease lock, as a user would write it.
    #[derive(Default)]
    struct Table {
        rows: Mutex<HashMap<String, (u64, String)>>,
        locks: Mutex<HashMap<String, (String, Instant)>>,
        with_lock: bool,
        unlocks: Mutex<u32>,
    }

    impl RawStore for Table {
        fn load(&self, key: &str) -> BoxFuture<'static, Result<Option<(u64, String)>>> {
            let row = self.rows.lock().get(key).cloned();
            async move { Ok(row) }.boxed()
        }
        fn save(&self, key: &str, expected: u64, data: String) -> BoxFuture<'static, Result<bool>> {
            let mut rows = self.rows.lock();
            let ok = rows.get(key).map_or(0, |r| r.0) == expected;
            if ok {
                rows.insert(key.into(), (expected + 1, data));
            }
            async move { Ok(ok) }.boxed()
        }
        fn has_lock(&self) -> bool {
            self.with_lock
        }
        fn try_lock(
            &self,
            key: &str,
            lease: Duration,
        ) -> BoxFuture<'static, Result<Option<String>>> {
            let mut locks = self.locks.lock();
            let free = locks
                .get(key)
                .is_none_or(|(_, until)| *until <= Instant::now());
            let owner = free.then(|| uuid::Uuid::new_v4().to_string());
            if let Some(o) = &owner {
                locks.insert(key.into(), (o.clone(), Instant::now() + lease));
            }
            async move { Ok(owner) }.boxed()
        }
        fn unlock(&self, key: &str, owner: String) -> BoxFuture<'static, Result<()>> {
            let mut locks = self.locks.lock();
            if locks.get(key).is_some_and(|(o, _)| *o == owner) {
                locks.remove(key);
            }
            *self.unlocks.lock() += 1;
            async { Ok(()) }.boxed()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_users_lock_excludes_expires_with_its_lease_and_is_released() {
        let table = Arc::new(Table {
            with_lock: true,
            ..Default::default()
        });
        let a = CustomStore::new(table.clone(), Codec::plain());
        let b = CustomStore::new(table.clone(), Codec::plain());
        let lease = Duration::from_secs(30);
        let held = a
            .lock("k", lease, Duration::from_secs(1))
            .await
            .unwrap()
            .unwrap();
        let err = b
            .lock("k", lease, Duration::from_millis(200))
            .await
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::StoreError);
        held.release().await;
        assert_eq!(*table.unlocks.lock(), 1);
        let again = b
            .lock("k", lease, Duration::from_millis(200))
            .await
            .unwrap();
        assert!(again.is_some());
        // A holder that died: the lease frees the lock for a waiter that waits longer.
        std::mem::forget(again);
        let later = a.lock("k", lease, Duration::from_secs(31)).await.unwrap();
        assert!(later.is_some());
    }

    #[tokio::test]
    async fn without_the_callbacks_there_is_no_lock() {
        let store = CustomStore::new(Arc::new(Table::default()), Codec::plain());
        let guard = store
            .lock("k", Duration::from_secs(30), Duration::from_secs(1))
            .await
            .unwrap();
        assert!(guard.is_none());
    }

    #[tokio::test]
    async fn records_are_sealed_for_their_key_and_version() {
        let table = Arc::new(Table::default());
        let codec = Codec::new(Some(&"22".repeat(32))).unwrap();
        let store = CustomStore::new(table.clone(), codec);
        let token = StoredToken {
            access_token: "a-1".into(),
            refresh_token: Some("r-1".into()),
            expires_at_ms: None,
            obtained_at_ms: 1,
            refused_at_ms: None,
            meta: Default::default(),
        };
        assert_eq!(store.save("k", 0, &token).await.unwrap(), Saved::Written(1));
        assert_eq!(store.load("k").await.unwrap().unwrap().token, token);
        // Copied under another key: refused.
        let row = table.rows.lock().get("k").cloned().unwrap();
        table.rows.lock().insert("other".into(), row.clone());
        assert_eq!(
            store.load("other").await.unwrap_err().code,
            ErrorCode::StoreError
        );
        // Replayed as a later version: refused.
        table.rows.lock().insert("k".into(), (2, row.1));
        assert_eq!(
            store.load("k").await.unwrap_err().code,
            ErrorCode::StoreError
        );
    }
}
