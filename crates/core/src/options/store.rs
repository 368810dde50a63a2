//! Token store options: which store, where, sealed with which key, and the cross-process refresh
//! lock's timings; built here into the core's store (a `custom` store's callbacks come from the
//! binding as a `RawStore`).

use super::parse::positive;
use crate::auth::ManagerOptions;
use crate::error::{Error, Result};
use crate::redis_client::{check_key, RedisConnection, RedisTarget};
use crate::store::{Codec, CustomStore, FileStore, MemoryStore, RawStore, RedisStore, TokenStore};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Where tokens live between requests and between processes.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum StoreKind {
    /// This process only (the default).
    Memory,
    /// One host: a JSON file, flock-guarded, written by atomic rename, mode 0600.
    File,
    /// Every replica: lock with SET NX PX + owner, compare-and-set saves.
    Redis,
    /// Your own storage through `load`/`save` (and optionally `lock`/`unlock`) callbacks.
    Custom,
}

/// Where tokens are kept, and how the refresh lock shared through the store behaves.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct TokenStoreOptions {
    /// `memory` (default, this process only), `file` (one host), `redis` (every replica),
    /// `custom` (your own storage through `load`/`save` callbacks).
    pub r#type: StoreKind,
    /// Key of the token in the store; a per-account default otherwise.
    pub key: Option<String>,
    /// `file`: path of the JSON file (created with mode 0600).
    pub path: Option<String>,
    /// `redis`: `redis://[user:password@]host:port/db`, `rediss://…` for TLS; a Redis Cluster
    /// is recognised from any of its nodes.
    pub url: Option<String>,
    /// `redis` over `rediss://` with a private CA: the PEM file of the certificates to trust
    /// (instead of the public roots).
    pub tls_ca_file: Option<String>,
    /// AES-256-GCM key sealing tokens at rest, 32 bytes as 64 hex digits or base64
    /// (`openssl rand -base64 32`); with it, a record that is not sealed is refused.
    pub encryption_key: Option<String>,
    /// Lease of the cross-process refresh lock in ms (default 30000); must be longer than
    /// `refreshTimeoutMs`, or the constructor throws `CONFIG`.
    pub lock_lease_ms: Option<u32>,
    /// Upper bound of one token refresh (the provider call) in ms (default 10000).
    pub refresh_timeout_ms: Option<u32>,
    /// How long to wait for that lock in ms (default 35000).
    pub lock_wait_ms: Option<u32>,
    /// Deadline of each call to the store in ms (default 5000; a lock's: its wait plus this). A
    /// call that does not answer by then is abandoned as a retryable `STORE_ERROR` and the next
    /// refresh asks the store again.
    pub call_timeout_ms: Option<u32>,
}

/// A store built from its options.
#[derive(Default)]
pub struct BuiltStore {
    pub store: Option<Arc<dyn TokenStore>>,
    pub key: Option<String>,
    /// The Redis connection of a `redis` store, for rate limits shared through it.
    pub redis: Option<Arc<RedisConnection>>,
}

impl TokenStoreOptions {
    /// The lock settings onto the token manager's options.
    pub fn apply(&self, manager: &mut ManagerOptions) -> Result<()> {
        let ms = |v: u32| Duration::from_millis(v as u64);
        if let Some(v) = positive("tokenStore.lockLeaseMs", self.lock_lease_ms)? {
            manager.lock_lease = ms(v);
        }
        if let Some(v) = self.refresh_timeout_ms {
            manager.refresh_timeout = ms(v);
        }
        if let Some(v) = self.lock_wait_ms {
            manager.lock_wait = ms(v);
        }
        if let Some(v) = positive("tokenStore.callTimeoutMs", self.call_timeout_ms)? {
            manager.store_call_timeout = ms(v);
        }
        Ok(())
    }

    /// The store these options describe; `custom` is the binding's callbacks, needed for
    /// `type: 'custom'`. No options: no store (the client keeps its token in memory).
    pub fn build(options: Option<&Self>, custom: Option<Arc<dyn RawStore>>) -> Result<BuiltStore> {
        let Some(o) = options else {
            return Ok(BuiltStore::default());
        };
        let codec = Codec::new(o.encryption_key.as_deref())?;
        let given = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let mut redis = None;
        let store: Arc<dyn TokenStore> = match o.r#type {
            StoreKind::Memory => Arc::new(MemoryStore::new()),
            StoreKind::File => {
                let path = given(&o.path)
                    .ok_or_else(|| Error::config("tokenStore { type: 'file' } needs a path"))?;
                Arc::new(FileStore::new(path, codec)?)
            }
            StoreKind::Redis => {
                let url = given(&o.url)
                    .ok_or_else(|| Error::config("tokenStore { type: 'redis' } needs a url"))?;
                let target = RedisTarget::parse("tokenStore", &url, o.tls_ca_file.as_deref())?;
                if let Some(k) = &o.key {
                    check_key("tokenStore.key", k)?;
                }
                let conn = RedisConnection::new(target);
                redis = Some(conn.clone());
                Arc::new(RedisStore::new(conn, codec))
            }
            StoreKind::Custom => {
                let raw = custom.ok_or_else(|| {
                    Error::config("tokenStore { type: 'custom' } needs load and save functions")
                })?;
                Arc::new(CustomStore::new(raw, codec))
            }
        };
        Ok(BuiltStore {
            store: Some(store),
            key: o.key.clone(),
            redis,
        })
    }
}
