//! Managers are scoped by credential, not by client object: two clients of one process with the
//! same account share one manager, so they never refresh the same (single-use) token twice.
//!
//! An entry lives under its registry key (provider, account, API root, store); the manager's store
//! key is another thing and never names an entry. Counting users and removing the entry happen
//! under the registry's lock, so a client never joins a manager its last user is closing.

use super::manager::TokenManager;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Weak};

struct Entry {
    manager: Weak<TokenManager>,
    users: Arc<AtomicUsize>,
}

static REGISTRY: LazyLock<Mutex<HashMap<String, Entry>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// A client's share of a manager. The last handle to close (or drop) stops the manager.
pub struct TokenHandle {
    manager: Arc<TokenManager>,
    /// The key this handle's entry was registered under.
    registry_key: String,
    users: Arc<AtomicUsize>,
    released: AtomicBool,
}

impl Deref for TokenHandle {
    type Target = Arc<TokenManager>;
    fn deref(&self) -> &Self::Target {
        &self.manager
    }
}

/// The live manager for `key`, or a new one from `create`.
pub fn shared_manager(key: &str, create: impl FnOnce() -> Arc<TokenManager>) -> TokenHandle {
    let mut registry = REGISTRY.lock();
    if let Some(entry) = registry.get(key) {
        if let Some(manager) = entry.manager.upgrade().filter(|m| !m.is_closed()) {
            entry.users.fetch_add(1, Ordering::AcqRel);
            return TokenHandle {
                manager,
                registry_key: key.to_string(),
                users: entry.users.clone(),
                released: AtomicBool::new(false),
            };
        }
    }
    let manager = create();
    let users = Arc::new(AtomicUsize::new(1));
    registry.insert(
        key.to_string(),
        Entry {
            manager: Arc::downgrade(&manager),
            users: users.clone(),
        },
    );
    TokenHandle {
        manager,
        registry_key: key.to_string(),
        users,
        released: AtomicBool::new(false),
    }
}

impl TokenHandle {
    /// Gives up this share; closes the manager when it was the last.
    pub async fn close(&self) {
        if self.release() {
            self.manager.close().await;
        }
    }

    /// True when this was the last share.
    fn release(&self) -> bool {
        if self.released.swap(true, Ordering::AcqRel) {
            return false;
        }
        let mut registry = REGISTRY.lock();
        let last = self.users.fetch_sub(1, Ordering::AcqRel) == 1;
        // A newer entry under the same key (this manager was replaced) is not ours to remove.
        if last
            && registry
                .get(&self.registry_key)
                .is_some_and(|e| Arc::ptr_eq(&e.users, &self.users))
        {
            registry.remove(&self.registry_key);
        }
        last
    }
}

impl Drop for TokenHandle {
    fn drop(&mut self) {
        if self.release() {
            self.manager.abort_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Authenticator, Issued, ManagerOptions};
    use crate::error::{Provider, Result};
    use crate::log::Logger;
    use crate::metrics::Metrics;
    use crate::store::{MemoryStore, StoreKey, StoredToken};
    use futures::future::BoxFuture;
    use futures::FutureExt;

    /// Never asked for a token here: the registry is about sharing, not obtaining.
    struct Unused;

    impl Authenticator for Unused {
        fn provider(&self) -> Provider {
            Provider::Eskiz
        }
        fn obtain(self: Arc<Self>, _: Option<StoredToken>) -> BoxFuture<'static, Result<Issued>> {
            futures::future::pending().boxed()
        }
    }

    fn manager(store_key: &str) -> Arc<TokenManager> {
        TokenManager::new(
            StoreKey::explicit(store_key),
            Arc::new(Unused),
            Arc::new(MemoryStore::new()),
            ManagerOptions::default(),
            Logger::default(),
            Arc::new(Metrics::new()),
        )
    }

    fn registered(registry_key: &str) -> bool {
        REGISTRY.lock().contains_key(registry_key)
    }

    #[test]
    fn the_last_handle_removes_its_own_registry_entry_and_no_other() {
        // Two registry keys over one store key (e.g. two API roots sharing a store record).
        let (key_a, key_b) = ("registry-key-a", "registry-key-b");
        let a1 = shared_manager(key_a, || manager("shared-store-key"));
        let a2 = shared_manager(key_a, || manager("shared-store-key"));
        let b = shared_manager(key_b, || manager("shared-store-key"));
        assert!(Arc::ptr_eq(&a1, &a2));
        assert!(!Arc::ptr_eq(&a1, &b));
        // Kept alive past its handles, so only an explicit removal can take the entry away.
        let still_referenced = Arc::clone(&a1);
        drop(a1);
        assert!(registered(key_a), "one handle remains");
        drop(a2);
        assert!(still_referenced.is_closed(), "the last handle stopped it");
        assert!(
            !registered(key_a),
            "removed under the key it was inserted with"
        );
        assert!(
            registered(key_b),
            "another entry over the same store key stays"
        );
        assert!(!b.is_closed());
        drop(b);
        assert!(!registered(key_b));
    }
}
