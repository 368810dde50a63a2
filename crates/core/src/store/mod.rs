//! Where tokens live between requests and between processes. The version compared on every save
//! is what keeps a late writer from overwriting a newer token; the lock only saves work.

mod bounded;
mod codec;
mod custom;
#[cfg(test)]
mod faulty;
mod file;
mod keys;
mod memory;
mod redis;
mod seal;

pub use bounded::BoundedStore;
pub use codec::{Codec, Format, SEAL_HINT};
pub use custom::{CustomStore, RawStore};
#[cfg(test)]
pub(crate) use faulty::FaultyStore;
pub use file::FileStore;
pub use keys::{default_key, legacy_key, StoreKey};
pub use memory::MemoryStore;
pub use redis::RedisStore;
pub use seal::{seal_record, Sealing};

use crate::error::Result;
use futures::future::BoxFuture;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// A token as persisted. `Debug` never prints the secrets.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredToken {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Wall-clock expiry of the access token (Unix ms), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_ms: Option<u64>,
    /// When the token was obtained (Unix ms): the keep-alive schedule counts from it.
    #[serde(default)]
    pub obtained_at_ms: u64,
    /// When the provider refused this token's refresh token (Unix ms): the mark every process
    /// sharing the store reads, so none presents it again; a new authorisation replaces the
    /// record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_at_ms: Option<u64>,
    /// Provider data that must survive with the token (amoCRM's account base domain).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at_ms", &self.expires_at_ms)
            .field("obtained_at_ms", &self.obtained_at_ms)
            .field("refused_at_ms", &self.refused_at_ms)
            .field("meta", &self.meta)
            .finish()
    }
}

impl StoredToken {
    /// Whether the access token is known to be expired `margin` from now.
    pub fn expired_within(&self, margin: Duration) -> bool {
        match self.expires_at_ms {
            Some(at) => at <= unix_now_ms() + margin.as_millis() as u64,
            None => false,
        }
    }
}

/// A token with the store's version of it. Version 0 means "nothing stored".
#[derive(Clone, Debug, PartialEq)]
pub struct Versioned {
    pub version: u64,
    pub token: StoredToken,
}

/// Result of a compare-and-set save.
#[derive(Clone, Debug, PartialEq)]
pub enum Saved {
    /// Written; the new version.
    Written(u64),
    /// Someone else wrote first; what is stored now.
    Conflict(Option<Versioned>),
}

/// Held while refreshing; dropping it without `release` leaves the lease to expire.
pub trait LockGuard: Send + Sync {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()>;
}

pub trait TokenStore: Send + Sync {
    /// Short name for status and logs: `memory`, `file`, `redis`, `custom`.
    fn kind(&self) -> &'static str;

    /// Whether other processes may write it: then the manager re-reads before refreshing.
    fn shared(&self) -> bool;

    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>>;

    /// Writes only if the stored version is still `expected` (0: nothing stored yet).
    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>>;

    /// Removes the token (amoCRM re-authorisation starts from nothing).
    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>>;

    /// Cross-process lock around a refresh. `None` when the store has no such lock (memory:
    /// the in-process single-flight is enough). Waits at most `wait`.
    fn lock(
        &self,
        key: &str,
        lease: Duration,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>>;

    /// How records are written, for the one-time migration ([`seal_record`]); `None` for a
    /// store that persists nothing (memory).
    fn codec(&self) -> Option<&Codec> {
        None
    }

    /// The record under `key` as stored (`(version, data)`), for the migration only.
    fn load_raw(&self, _key: &str) -> BoxFuture<'_, Result<Option<(u64, String)>>> {
        async { Ok(None) }.boxed()
    }

    /// Writes `data` as `expected + 1` if the stored version is still `expected`, for the
    /// migration only.
    fn save_raw(&self, _key: &str, _expected: u64, _data: String) -> BoxFuture<'_, Result<bool>> {
        async { Ok(false) }.boxed()
    }
}

pub use crate::time::unix_now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_tokens() {
        let t = StoredToken {
            access_token: "access-secret".into(),
            refresh_token: Some("refresh-secret".into()),
            expires_at_ms: Some(1),
            obtained_at_ms: 0,
            refused_at_ms: None,
            meta: Default::default(),
        };
        let text = format!("{t:?}");
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn serialises_camel_case_and_skips_empty() {
        let t = StoredToken {
            access_token: "a".into(),
            refresh_token: None,
            expires_at_ms: None,
            obtained_at_ms: 5,
            refused_at_ms: None,
            meta: Default::default(),
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"accessToken":"a","obtainedAtMs":5}"#
        );
    }
}
