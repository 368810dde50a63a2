//! A JS `custom` token store's callbacks (load, save and the optional lock/unlock pair) become
//! the core's `RawStore` through weak thread-safe functions whose promises Rust awaits; the core
//! builds the store itself from the options.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::options::{StoreKind, TokenStoreOptions};
use uzgate_core::redis_client::RedisConnection;
use uzgate_core::store::{Format, RawStore, Sealing, TokenStore};
use uzgate_core::{Error as CoreError, ErrorCode, Provider};

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
    /// The core's part, for the client's configuration.
    pub fn core(&self) -> uzgate_core::options::BuiltStore {
        uzgate_core::options::BuiltStore {
            store: self.store.clone(),
            key: self.key.clone(),
            redis: self.redis.clone(),
        }
    }
}

/// The store of `options`: built by the core, with the JS callbacks as a `custom` store's storage.
pub fn build(
    options: Option<&TokenStoreOptions>,
    custom: Option<CustomCallbacks<'_>>,
) -> Result<uzgate_core::Result<BuiltStore>> {
    let js = match (options.map(|o| o.r#type), custom) {
        (Some(StoreKind::Custom), Some(cb)) => match js_store(cb)? {
            Ok(js) => Some(js),
            Err(e) => return Ok(Err(e)),
        },
        _ => None,
    };
    let raw = js.clone().map(|j| j as Arc<dyn RawStore>);
    Ok(
        uzgate_core::options::TokenStoreOptions::build(options, raw).map(|b| BuiltStore {
            store: b.store,
            key: b.key,
            redis: b.redis,
            js,
        }),
    )
}

fn js_store(cb: CustomCallbacks<'_>) -> Result<uzgate_core::Result<Arc<JsStore>>> {
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
    let (lock, unlock) = match (cb.lock, cb.unlock) {
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
        _ => {
            return Ok(Err(CoreError::config(
                "a custom token store's lock and unlock go together: give both or neither",
            )))
        }
    };
    Ok(Ok(Arc::new(JsStore {
        locks: lock.is_some(),
        load: Mutex::new(Some(Arc::new(load))),
        save: Mutex::new(Some(Arc::new(save))),
        lock: Mutex::new(lock),
        unlock: Mutex::new(unlock),
    })))
}
