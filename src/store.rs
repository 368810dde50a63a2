//! Token store options from JS → a core store; a JS `custom` store's callbacks become the core's
//! `RawStore` through weak thread-safe functions whose promises Rust awaits.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::auth::ManagerOptions;
use uzgate_core::http::limit::Limiter;
use uzgate_core::ratelimit::RedisLimiter;
use uzgate_core::store::{
    Codec, CustomStore, FileStore, MemoryStore, RawStore, RedisConnection, RedisStore, TokenStore,
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
    /// Lease of the cross-process refresh lock in ms (default 30000).
    pub lock_lease_ms: Option<u32>,
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

type LoadFn =
    ThreadsafeFunction<String, Promise<Option<StoredRecord>>, String, Status, false, true>;
type SaveFn = ThreadsafeFunction<SaveRecord, Promise<bool>, SaveRecord, Status, false, true>;

/// JS callbacks as a `RawStore`. Detached on close so nothing stays registered with Node.
pub struct JsStore {
    load: Mutex<Option<Arc<LoadFn>>>,
    save: Mutex<Option<Arc<SaveFn>>>,
}

impl JsStore {
    pub fn detach(&self) {
        self.load.lock().take();
        self.save.lock().take();
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
}

/// The custom store's callbacks, as JS passes them.
pub struct CustomCallbacks<'a> {
    pub load: Function<'a, String, Promise<Option<StoredRecord>>>,
    pub save: Function<'a, SaveRecord, Promise<bool>>,
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
            let raw = Arc::new(JsStore {
                load: Mutex::new(Some(Arc::new(load))),
                save: Mutex::new(Some(Arc::new(save))),
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
