//! Tokens in the user's own storage (a Postgres/Prisma table, …) through two callbacks: load the
//! stored `(version, data)` and save `data` if the version is still the expected one. The data
//! is an opaque string (JSON, or sealed with the encryption key); the callbacks never see a
//! token in clear when encryption is on.

use super::codec::Codec;
use super::{LockGuard, Saved, StoredToken, TokenStore, Versioned};
use crate::error::Result;
use futures::future::BoxFuture;
use futures::FutureExt;
use std::sync::Arc;
use std::time::Duration;

/// What a user implements (the Node binding adapts JS callbacks to it).
pub trait RawStore: Send + Sync {
    /// `(version, data)` stored under `key`, if any.
    fn load(&self, key: &str) -> BoxFuture<'static, Result<Option<(u64, String)>>>;
    /// Store `data` as version `expected + 1` only if the stored version is `expected` (0 =
    /// nothing stored). `false` when someone else wrote first.
    fn save(&self, key: &str, expected: u64, data: String) -> BoxFuture<'static, Result<bool>>;
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
                    token: self.codec.decode(&key, &data)?,
                })),
                None => Ok(None),
            }
        }
        .boxed()
    }

    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        let key = key.to_string();
        let data = self.codec.encode(&key, token);
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

    /// No cross-process lock: the compare-and-set of `save` keeps tokens correct; at worst two
    /// processes refresh once each and the loser adopts the winner's token.
    fn lock(
        &self,
        _key: &str,
        _lease: Duration,
        _wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        async { Ok(None) }.boxed()
    }
}
