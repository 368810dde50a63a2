//! Token store options from JS → a core store; a JS `custom` store's callbacks (load, save and
//! the optional lock/unlock pair) become the core's `RawStore` through weak thread-safe
//! functions whose promises Rust awaits.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::auth::ManagerOptions;
use uzgate_core::http::limit::Limiter;
use uzgate_core::ratelimit::RedisLimiter;
use uzgate_core::store::{
    Codec, CustomStore, FileStore, Format, MemoryStore, RawStore, RedisConnection, RedisStore,
    Sealing, TokenStore,
};
use uzgate_core::{Error as CoreError, ErrorCode, Provider};

#[napi(object)]
pub struct TokenStoreOptions {
    /// `memory` (default, this process only), `file` (one host), `redis` (every replica),
    /// `custom` (your own storage through `load`/`save` callbacks).
    #[napi(ts_type = "'memory' | 'file' | 'redis' | 'custom'")]
    pub r#type: String,
    /// Key of the token in the store; a per-account default otherwise.
    pub key: Option<String>,
    /// `file`: path of the JSON file (created with mode 0600).
    pub path: Option<String>,
    /// `redis`: `redis://host:port/db`.
    pub url: Option<String>,
    /// AES-256-GCM key (32 bytes, hex or base64) sealing tokens at rest.
    pub encryption_key: Option<String>,
    /// Lease of the cross-process refresh lock in ms (default 30000); must be longer than
    /// `refreshTimeoutMs`, or the constructor throws `CONFIG`.
    pub lock_lease_ms: Option<u32>,
    /// Upper bound of one token refresh (the provider call) in ms (default 10000).
    pub refresh_timeout_ms: Option<u32>,
    /// How long to wait for that lock in ms (default 35000).
    pub lock_wait_ms: Option<u32>,
}

/// What a custom store's `load` resolves to.
#[napi(object)]
pub struct StoredRecord {
    pub version: f64,
    pub data: String,
}

/// What a custom store's `save` receives.
#[napi(object)]
pub struct SaveRecord {
    pub key: String,
    /// Save only if the stored version is still this one (0: nothing stored yet), as
    /// `expectedVersion + 1`.
    pub expected_version: f64,
    pub data: String,
}

/// What `sealStoredToken()` did to the stored record.
#[napi(object)]
pub struct SealReport {
    /// `nothing` (no record), `current` (already in the current format, untouched), `sealed`
    /// (rewritten in the current format), `moved` (taken from the older default key).
    #[napi(ts_type = "'nothing' | 'current' | 'sealed' | 'moved'")]
    pub outcome: String,
    /// The record's version afterwards.
    pub version: Option<f64>,
    /// What a rewritten record was before: `plain` (JSON in clear), `enc:v1`, `enc:v2`.
    pub from: Option<String>,
}

impl From<Sealing> for SealReport {
    fn from(s: Sealing) -> Self {
        let from = match s {
            Sealing::Sealed { from, .. } | Sealing::Moved { from, .. } => Some(
                match from {
                    Format::Plain => "plain",
                    Format::SealedV1 => "enc:v1",
                    Format::Sealed => "enc:v2",
                }
                .to_string(),
            ),
            _ => None,
        };
        SealReport {
            outcome: s.outcome().to_string(),
            version: s.version().map(|v| v as f64),
            from,
        }
    }
}

/// What a custom store's `lock` receives.
#[napi(object)]
pub struct LockRequest {
    pub key: String,
    /// How long the lock may be held before it frees itself (a dead holder blocks nobody longer).
    pub lease_ms: f64,
}

/// What a custom store's `unlock` receives: release only if `owner` still holds the lock.
#[napi(object)]
pub struct UnlockRequest {
    pub key: String,
    pub owner: String,
}

type LoadFn =
    ThreadsafeFunction<String, Promise<Option<StoredRecord>>, String, Status, false, true>;
type SaveFn = ThreadsafeFunction<SaveRecord, Promise<bool>, SaveRecord, Status, false, true>;
type LockFn =
    ThreadsafeFunction<LockRequest, Promise<Option<String>>, LockRequest, Status, false, true>;
type UnlockFn = ThreadsafeFunction<UnlockRequest, Promise<()>, UnlockRequest, Status, false, true>;

/// JS callbacks as a `RawStore`. Detached on close so nothing stays registered with Node.
pub struct JsStore {
    load: Mutex<Option<Arc<LoadFn>>>,
    save: Mutex<Option<Arc<SaveFn>>>,
    lock: Mutex<Option<Arc<LockFn>>>,
    unlock: Mutex<Option<Arc<UnlockFn>>>,
    /// Whether the user gave the lock pair (fixed at construction; survives detaching).
    locks: bool,
}

impl JsStore {
    pub fn detach(&self) {
        self.load.lock().take();
        self.save.lock().take();
        self.lock.lock().take();
        self.unlock.lock().take();
    }
}

fn callback_error(what: &str, e: napi::Error) -> CoreError {
    CoreError::new(
        ErrorCode::StoreError,
        format!("the custom token store's {what} failed: {}", e.reason),
    )
    .with_provider(Provider::Store)
    .with_retryable(true)
}

fn detached() -> CoreError {
    CoreError::closed()
}

impl RawStore for JsStore {
    fn load(
        &self,
        key: &str,
    ) -> futures::future::BoxFuture<'static, uzgate_core::Result<Option<(u64, String)>>> {
        let f = self.load.lock().clone();
        let key = key.to_string();
        Box::pin(async move {
            let f = f.ok_or_else(detached)?;
            let promise = f
                .call_async(key)
                .await
                .map_err(|e| callback_error("load", e))?;
            let record = promise.await.map_err(|e| callback_error("load", e))?;
            Ok(record.map(|r| (r.version.max(0.0) as u64, r.data)))
        })
    }

    fn save(
        &self,
        key: &str,
        expected: u64,
        data: String,
    ) -> futures::future::BoxFuture<'static, uzgate_core::Result<bool>> {
        let f = self.save.lock().clone();
        let record = SaveRecord {
            key: key.to_string(),
            expected_version: expected as f64,
            data,
        };
        Box::pin(async move {
            let f = f.ok_or_else(detached)?;
            let promise = f
                .call_async(record)
                .await
                .map_err(|e| callback_error("save", e))?;
            promise.await.map_err(|e| callback_error("save", e))
        })
    }

    fn has_lock(&self) -> bool {
        self.locks
    }

    fn try_lock(
        &self,
        key: &str,
        lease: Duration,
    ) -> futures::future::BoxFuture<'static, uzgate_core::Result<Option<String>>> {
        let f = self.lock.lock().clone();
        let request = LockRequest {
            key: key.to_string(),
            lease_ms: lease.as_millis() as f64,
        };
        Box::pin(async move {
            let f = f.ok_or_else(detached)?;
            let promise = f
                .call_async(request)
                .await
                .map_err(|e| callback_error("lock", e))?;
            let owner = promise.await.map_err(|e| callback_error("lock", e))?;
            match owner {
                Some(o) if o.is_empty() => Err(CoreError::new(
                    ErrorCode::StoreError,
                    "the custom token store's lock resolved an empty owner; resolve a unique string when the lock is taken, null when it is held",
                )
                .with_provider(Provider::Store)),
                other => Ok(other),
            }
        })
    }

    fn unlock(
        &self,
        key: &str,
        owner: String,
    ) -> futures::future::BoxFuture<'static, uzgate_core::Result<()>> {
        let f = self.unlock.lock().clone();
        let request = UnlockRequest {
            key: key.to_string(),
            owner,
        };
        Box::pin(async move {
            let f = f.ok_or_else(detached)?;
            let promise = f
                .call_async(request)
                .await
                .map_err(|e| callback_error("unlock", e))?;
            promise.await.map_err(|e| callback_error("unlock", e))
        })
    }
}

/// The custom store's callbacks, as JS passes them.
pub struct CustomCallbacks<'a> {
    pub load: Function<'a, String, Promise<Option<StoredRecord>>>,
    pub save: Function<'a, SaveRecord, Promise<bool>>,
    pub lock: Option<Function<'a, LockRequest, Promise<Option<String>>>>,
    pub unlock: Option<Function<'a, UnlockRequest, Promise<()>>>,
}

/// Everything a client needs from its store options.
pub struct BuiltStore {
    pub store: Option<Arc<dyn TokenStore>>,
    pub key: Option<String>,
    pub redis: Option<Arc<RedisConnection>>,
    pub js: Option<Arc<JsStore>>,
}

impl BuiltStore {
    /// A rate limiter shared by every process through the Redis store.
    pub fn shared_limiter(
        &self,
        bucket: String,
        per_second: f64,
    ) -> uzgate_core::Result<Arc<dyn Limiter>> {
        let conn = self.redis.clone().ok_or_else(|| {
            CoreError::config("sharedRateLimit needs tokenStore { type: 'redis' }")
        })?;
        Ok(Arc::new(RedisLimiter::new(conn, bucket, per_second)?))
    }
}

pub fn apply_lock_options(options: Option<&TokenStoreOptions>, manager: &mut ManagerOptions) {
    if let Some(o) = options {
        if let Some(ms) = o.lock_lease_ms {
            manager.lock_lease = Duration::from_millis(ms.max(1) as u64);
        }
        if let Some(ms) = o.refresh_timeout_ms {
            manager.refresh_timeout = Duration::from_millis(ms as u64);
        }
        if let Some(ms) = o.lock_wait_ms {
            manager.lock_wait = Duration::from_millis(ms as u64);
        }
    }
}

pub fn build(
    options: Option<&TokenStoreOptions>,
    custom: Option<CustomCallbacks<'_>>,
) -> Result<uzgate_core::Result<BuiltStore>> {
    let Some(o) = options else {
        return Ok(Ok(BuiltStore {
            store: None,
            key: None,
            redis: None,
            js: None,
        }));
    };
    let codec = match Codec::new(o.encryption_key.as_deref()) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let mut redis = None;
    let mut js = None;
    let store: Arc<dyn TokenStore> = match o.r#type.as_str() {
        "memory" => Arc::new(MemoryStore::new()),
        "file" => {
            let Some(path) = o.path.as_deref().filter(|p| !p.is_empty()) else {
                return Ok(Err(CoreError::config(
                    "tokenStore { type: 'file' } needs a path",
                )));
            };
            match FileStore::new(path, codec) {
                Ok(s) => Arc::new(s),
                Err(e) => return Ok(Err(e)),
            }
        }
        "redis" => {
            let Some(url) = o.url.as_deref().filter(|u| !u.is_empty()) else {
                return Ok(Err(CoreError::config(
                    "tokenStore { type: 'redis' } needs a url",
                )));
            };
            let conn = match RedisConnection::new(url) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            redis = Some(conn.clone());
            Arc::new(RedisStore::new(conn, codec))
        }
        "custom" => {
            let Some(cb) = custom else {
                return Ok(Err(CoreError::config(
                    "tokenStore { type: 'custom' } needs load and save functions",
                )));
            };
            let load = cb
                .load
                .build_threadsafe_function::<String>()
                .callee_handled::<false>()
                .weak::<true>()
                .build()?;
            let save = cb
                .save
                .build_threadsafe_function::<SaveRecord>()
                .callee_handled::<false>()
                .weak::<true>()
                .build()?;
            let (lock, unlock) =
                match (cb.lock, cb.unlock) {
                    (Some(lock), Some(unlock)) => (
                        Some(Arc::new(
                            lock.build_threadsafe_function::<LockRequest>()
                                .callee_handled::<false>()
                                .weak::<true>()
                                .build()?,
                        )),
                        Some(Arc::new(
                            unlock
                                .build_threadsafe_function::<UnlockRequest>()
                                .callee_handled::<false>()
                                .weak::<true>()
                                .build()?,
                        )),
                    ),
                    (None, None) => (None, None),
                    _ => return Ok(Err(CoreError::config(
                        "a custom token store's lock and unlock go together: give both or neither",
                    ))),
                };
            let raw = Arc::new(JsStore {
                locks: lock.is_some(),
                load: Mutex::new(Some(Arc::new(load))),
                save: Mutex::new(Some(Arc::new(save))),
                lock: Mutex::new(lock),
                unlock: Mutex::new(unlock),
            });
            js = Some(raw.clone());
            Arc::new(CustomStore::new(raw, codec))
        }
        other => {
            return Ok(Err(CoreError::config(format!(
                "tokenStore.type {other:?} must be memory, file, redis or custom"
            ))))
        }
    };
    Ok(Ok(BuiltStore {
        store: Some(store),
        key: o.key.clone(),
        redis,
        js,
    }))
}
