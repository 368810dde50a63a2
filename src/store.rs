//! Token store options from JS → a core store.

use std::sync::Arc;
use uzgate_core::store::{MemoryStore, TokenStore};
use uzgate_core::{Error as CoreError, ErrorCode};

#[napi(object)]
pub struct TokenStoreOptions {
    /// `memory` (default): this process only.
    #[napi(ts_type = "'memory' | 'file' | 'redis' | 'custom'")]
    pub r#type: String,
    /// Key of the token in the store; a per-account default otherwise.
    pub key: Option<String>,
}

/// The store to use (the client's default when `None`) and the key override.
pub type StoreChoice = (Option<Arc<dyn TokenStore>>, Option<String>);

pub fn build(options: Option<&TokenStoreOptions>) -> uzgate_core::Result<StoreChoice> {
    let Some(o) = options else {
        return Ok((None, None));
    };
    let store: Arc<dyn TokenStore> = match o.r#type.as_str() {
        "memory" => Arc::new(MemoryStore::new()),
        "file" | "redis" | "custom" => {
            return Err(CoreError::new(
                ErrorCode::NotImplemented,
                format!("tokenStore type {:?} is not available yet", o.r#type),
            ))
        }
        other => {
            return Err(CoreError::config(format!(
                "tokenStore.type {other:?} must be memory, file, redis or custom"
            )))
        }
    };
    Ok((Some(store), o.key.clone()))
}
