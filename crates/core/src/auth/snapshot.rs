//! The token every request reads, lock-free, from the manager's `ArcSwap`.

use crate::secret::Secret;
use crate::store::{unix_now_ms, StoredToken, Versioned};
use http::HeaderValue;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

pub struct Snapshot {
    /// Ready-made `Authorization` value (marked sensitive).
    pub header: HeaderValue,
    pub access: Secret,
    pub refresh: Option<Secret>,
    /// Monotonic expiry, converted once from the wall-clock one.
    pub expires_at: Option<Instant>,
    pub expires_at_ms: Option<u64>,
    /// When this process received it; with `expires_at` gives the lifetime.
    pub received_at: Instant,
    pub obtained_at_ms: u64,
    /// Bumped on every publish in this process; a request remembers the one it used.
    pub generation: u64,
    /// The store's version of this token (compare-and-set); while it is not saved, the version
    /// it is meant to replace.
    store_version: AtomicU64,
    /// Whether the store holds this token. A token obtained while the store failed is used at
    /// once and saved later (see `TokenManager::keep_saving`).
    persisted: AtomicBool,
    pub meta: serde_json::Map<String, serde_json::Value>,
}

impl Snapshot {
    pub fn new(v: &Versioned, generation: u64, header: HeaderValue, persisted: bool) -> Self {
        let now = Instant::now();
        let expires_at = v.token.expires_at_ms.map(|at| {
            let left = at.saturating_sub(unix_now_ms());
            now + Duration::from_millis(left)
        });
        Snapshot {
            header,
            access: Secret::new(v.token.access_token.as_str()),
            refresh: v.token.refresh_token.as_deref().map(Secret::new),
            expires_at,
            expires_at_ms: v.token.expires_at_ms,
            received_at: now,
            obtained_at_ms: v.token.obtained_at_ms,
            generation,
            store_version: AtomicU64::new(v.version),
            persisted: AtomicBool::new(persisted),
            meta: v.token.meta.clone(),
        }
    }

    pub fn store_version(&self) -> u64 {
        self.store_version.load(Ordering::Acquire)
    }

    pub fn is_persisted(&self) -> bool {
        self.persisted.load(Ordering::Acquire)
    }

    /// The store now holds this token as `version`.
    pub fn mark_persisted(&self, version: u64) {
        self.store_version.store(version, Ordering::Release);
        self.persisted.store(true, Ordering::Release);
    }

    /// The token as it would be stored, for a refresh based on it or a save of it.
    pub fn to_stored(&self) -> StoredToken {
        StoredToken {
            access_token: self.access.expose().to_string(),
            refresh_token: self.refresh.as_ref().map(|r| r.expose().to_string()),
            expires_at_ms: self.expires_at_ms,
            obtained_at_ms: self.obtained_at_ms,
            refused_at_ms: None,
            meta: self.meta.clone(),
        }
    }

    /// Known to be expired now (a token without known expiry never is).
    pub fn is_expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= Instant::now())
    }

    /// How long it lives in all, as seen from this process.
    pub fn lifetime(&self) -> Option<Duration> {
        self.expires_at
            .map(|at| at.saturating_duration_since(self.received_at))
    }

    /// The refresh margin this token gets: the wanted one, clamped to half its lifetime so a
    /// short-lived token is still used. `None` when its expiry is unknown.
    pub fn margin(&self, wanted: Duration) -> Option<Duration> {
        Some(wanted.min(self.lifetime()? / 2))
    }

    /// Time until its proactive refresh is due (zero: due now); `None` when its expiry is unknown.
    pub fn refresh_due_in(&self, wanted_margin: Duration) -> Option<Duration> {
        let expires_at = self.expires_at?;
        let margin = self.margin(wanted_margin)?;
        Some((expires_at - margin).saturating_duration_since(Instant::now()))
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("generation", &self.generation)
            .field("store_version", &self.store_version())
            .field("persisted", &self.is_persisted())
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}
