//! The default store: this process only. Tokens are lost on restart (Eskiz logs in again;
//! amoCRM needs a persistent store, see `file`/`redis`/`custom`).

use super::{LockGuard, Saved, StoredToken, TokenStore, Versioned};
use crate::error::Result;
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::Duration;

#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, Versioned>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryStore {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn shared(&self) -> bool {
        false
    }

    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>> {
        let found = self.tokens.lock().get(key).cloned();
        async move { Ok(found) }.boxed()
    }

    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        let mut tokens = self.tokens.lock();
        let current = tokens.get(key).map(|v| v.version).unwrap_or(0);
        let outcome = if current != expected {
            Saved::Conflict(tokens.get(key).cloned())
        } else {
            let version = current + 1;
            tokens.insert(
                key.to_string(),
                Versioned {
                    version,
                    token: token.clone(),
                },
            );
            Saved::Written(version)
        };
        async move { Ok(outcome) }.boxed()
    }

    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>> {
        self.tokens.lock().remove(key);
        async { Ok(()) }.boxed()
    }

    fn lock(
        &self,
        _key: &str,
        _lease: Duration,
        _wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        async { Ok(None) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(access: &str) -> StoredToken {
        StoredToken {
            access_token: access.into(),
            refresh_token: None,
            expires_at_ms: None,
            obtained_at_ms: 0,
            refused_at_ms: None,
            meta: Default::default(),
        }
    }

    #[tokio::test]
    async fn saves_are_compare_and_set() {
        let store = MemoryStore::new();
        assert_eq!(store.load("k").await.unwrap(), None);
        assert_eq!(
            store.save("k", 0, &token("a")).await.unwrap(),
            Saved::Written(1)
        );
        // A writer that still believes nothing is stored loses and is shown the winner.
        match store.save("k", 0, &token("b")).await.unwrap() {
            Saved::Conflict(Some(v)) => assert_eq!(v.token.access_token, "a"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            store.save("k", 1, &token("c")).await.unwrap(),
            Saved::Written(2)
        );
        assert_eq!(
            store.load("k").await.unwrap().unwrap().token.access_token,
            "c"
        );
        store.clear("k").await.unwrap();
        assert_eq!(store.load("k").await.unwrap(), None);
    }
}
