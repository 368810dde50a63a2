//! The store protocol of one refresh, so N processes sharing a store refresh once per expiry:
//! read → adopt what a peer already refreshed → lock → re-read → adopt → obtain → compare-and-set
//! save → publish → release. The compare-and-set on the version is the safety; the lock only
//! saves work. Every record read back passes the authenticator's `check_stored`, and while the
//! key holds nothing, a record an older release left under the legacy default key is moved
//! under it. Never touches the in-memory token: it says what to publish, the manager publishes.

use super::{Authenticator, IssueKind};
use crate::error::{Error, ErrorCode, Result};
use crate::log::Logger;
use crate::store::{Saved, StoreKey, StoredToken, TokenStore, Versioned};
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// How a refresh ends, handed to the manager while the store lock is still held.
pub(super) enum Settled {
    /// Put this record in front of every request.
    Publish(Versioned, IssueKind),
    /// The provider refused the refresh token, and the store still holds it.
    Refused(Error),
}

/// The timings of the protocol (from `ManagerOptions`).
#[derive(Clone, Copy)]
pub(super) struct Timings {
    pub refresh_timeout: Duration,
    pub lock_lease: Duration,
    pub lock_wait: Duration,
}

pub(super) struct RefreshProtocol {
    key: String,
    /// Where an older release kept this token; looked at while the key holds nothing, until
    /// found empty once.
    legacy_key: Mutex<Option<String>>,
    auth: Arc<dyn Authenticator>,
    store: Arc<dyn TokenStore>,
    timings: Timings,
    log: Logger,
}

impl RefreshProtocol {
    pub fn new(
        key: StoreKey,
        auth: Arc<dyn Authenticator>,
        store: Arc<dyn TokenStore>,
        timings: Timings,
        log: Logger,
    ) -> Self {
        RefreshProtocol {
            key: key.current,
            legacy_key: Mutex::new(key.legacy),
            auth,
            store,
            timings,
            log,
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    /// One refresh. `our_version` is the store version of the token in use (0: none);
    /// `refusal` is asked, after the first read, whether the provider's refusal still stands
    /// (then only a peer's token helps); `settle` publishes while the lock is held.
    pub async fn run(
        &self,
        our_version: u64,
        refusal: impl Fn() -> Option<Arc<Error>>,
        settle: impl FnOnce(Settled) -> Result<Arc<super::Snapshot>>,
    ) -> Result<Arc<super::Snapshot>> {
        let stored = self.load_checked().await?;
        if let Some(v) = adoptable(stored.as_ref(), our_version) {
            return settle(Settled::Publish(v.clone(), IssueKind::Adopted));
        }
        // Terminal until someone installs new credentials; only the store check above runs.
        if let Some(e) = refusal() {
            return Err((*e).clone());
        }

        let t = self.timings;
        let guard = self
            .store
            .lock(&self.key, t.lock_lease, t.lock_wait)
            .await?;
        let result = async {
            let stored = if guard.is_some() {
                self.load_checked().await?
            } else {
                stored
            };
            if let Some(v) = adoptable(stored.as_ref(), our_version) {
                return settle(Settled::Publish(v.clone(), IssueKind::Adopted));
            }
            let expected = stored.as_ref().map_or(0, |v| v.version);
            let base = stored.map(|v| v.token);
            let obtained = tokio::time::timeout(t.refresh_timeout, self.auth.clone().obtain(base))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorCode::Timeout,
                        "the token request did not finish in time",
                    )
                    .with_provider(self.auth.provider()))
                });
            match obtained {
                Ok(issued) => match self.store.save(&self.key, expected, &issued.token).await? {
                    Saved::Written(version) => settle(Settled::Publish(
                        Versioned {
                            version,
                            token: issued.token,
                        },
                        issued.kind,
                    )),
                    // Our lease ran out and another process saved first: its token wins.
                    Saved::Conflict(Some(other)) => {
                        settle(Settled::Publish(other, IssueKind::Adopted))
                    }
                    Saved::Conflict(None) => Err(Error::new(
                        ErrorCode::StoreError,
                        "the token store changed under a refresh and now holds nothing",
                    )),
                },
                Err(e) if e.code == ErrorCode::ReauthorizationRequired => {
                    // A peer may have rotated the refresh token meanwhile: re-read first.
                    let now = self.load_checked().await?;
                    if let Some(v) = adoptable(now.as_ref(), expected) {
                        return settle(Settled::Publish(v.clone(), IssueKind::Adopted));
                    }
                    settle(Settled::Refused(e))
                }
                Err(e) => Err(e),
            }
        }
        .await;
        if let Some(guard) = guard {
            guard.release().await;
        }
        result
    }

    /// Stores a token obtained outside a refresh (an exchanged code, a long-lived token),
    /// whatever the store held: only the version is read, so a refused record may be replaced.
    pub async fn install(&self, token: StoredToken) -> Result<Versioned> {
        let mut expected = self.store.load(&self.key).await?.map_or(0, |v| v.version);
        for _ in 0..5 {
            match self.store.save(&self.key, expected, &token).await? {
                Saved::Written(version) => return Ok(Versioned { version, token }),
                Saved::Conflict(now) => expected = now.map_or(0, |v| v.version),
            }
        }
        Err(Error::new(
            ErrorCode::StoreError,
            "the token store kept changing while a new token was installed",
        ))
    }

    /// Every read of the stored record goes through here: what the authenticator refuses is
    /// never adopted, refreshed from or reported.
    pub async fn load_checked(&self) -> Result<Option<Versioned>> {
        let stored = self.load_stored().await?;
        if let Some(v) = &stored {
            self.auth.check_stored(&v.token)?;
        }
        Ok(stored)
    }

    /// The stored token. While the key holds nothing, a record an older release left under the
    /// legacy default key is moved under the key (compare-and-set: of several processes doing
    /// it at once, one writes and the others read what it wrote) and the old record removed.
    async fn load_stored(&self) -> Result<Option<Versioned>> {
        let stored = self.store.load(&self.key).await?;
        if stored.is_some() {
            return Ok(stored);
        }
        let Some(legacy) = self.legacy_key.lock().clone() else {
            return Ok(None);
        };
        // The legacy key names the account: keep it out of the error.
        let old = self.store.load(&legacy).await.map_err(|mut e| {
            e.message = e.message.replace(&legacy, "(the previous default key)");
            e
        })?;
        let Some(old) = old else {
            *self.legacy_key.lock() = None;
            return Ok(None);
        };
        // A record that names a host it may not is refused before it is moved.
        self.auth.check_stored(&old.token)?;
        let moved = match self.store.save(&self.key, 0, &old.token).await? {
            Saved::Written(version) => Some(Versioned {
                version,
                token: old.token,
            }),
            Saved::Conflict(now) => now,
        };
        self.store.clear(&legacy).await?;
        *self.legacy_key.lock() = None;
        self.log.info(format_args!(
            "{} token moved from the older default store key to {}",
            self.auth.provider().as_str(),
            self.key
        ));
        Ok(moved)
    }

    /// The one-time migration of this record (see `store::seal_record`).
    pub async fn seal(&self) -> Result<crate::store::Sealing> {
        let key = StoreKey {
            current: self.key.clone(),
            legacy: self.legacy_key.lock().clone(),
        };
        let done = crate::store::seal_record(self.store.as_ref(), &key).await?;
        if matches!(done, crate::store::Sealing::Moved { .. }) {
            *self.legacy_key.lock() = None;
        }
        Ok(done)
    }
}

/// A stored token we should use instead of refreshing: another version than ours, and not
/// already expired.
fn adoptable(stored: Option<&Versioned>, our_version: u64) -> Option<&Versioned> {
    stored.filter(|v| v.version != our_version && !v.token.expired_within(Duration::from_secs(1)))
}
