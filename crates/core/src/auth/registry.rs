//! Managers are scoped by credential, not by client object: two clients of one process with the
//! same account share one manager, so they never refresh the same (single-use) token twice.

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
    registry.retain(|_, e| e.manager.strong_count() > 0);
    if let Some(entry) = registry.get(key) {
        if let Some(manager) = entry.manager.upgrade().filter(|m| !m.is_closed()) {
            entry.users.fetch_add(1, Ordering::AcqRel);
            return TokenHandle {
                manager,
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
        let last = self.users.fetch_sub(1, Ordering::AcqRel) == 1;
        if last {
            let mut registry = REGISTRY.lock();
            if registry
                .get(self.manager.key())
                .is_some_and(|e| Arc::ptr_eq(&e.users, &self.users))
            {
                registry.remove(self.manager.key());
            }
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
