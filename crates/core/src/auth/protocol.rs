//! The store protocol of one refresh, so N processes sharing a store refresh once per expiry:
//! read → adopt what a peer already refreshed → lock → re-read → adopt → obtain → compare-and-set
//! save → publish → release. The compare-and-set on the version is the safety; the lock only
//! saves work. Every record read back passes the authenticator's `check_stored`, and while the
//! key holds nothing, a record an older release left under the legacy default key is moved
//! under it. Never touches the in-memory token: it says what to publish, the manager publishes.

use super::{Authenticator, IssueKind};
use crate::error::{Error, ErrorCode, Result};
use crate::log::Logger;
use crate::store::{BoundedStore, Saved, StoreKey, StoredToken, TokenStore, Versioned};
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// How a refresh ends, handed to the manager while the store lock is still held.
pub(super) enum Settled {
    /// Put this record in front of every request.
    Publish(Versioned, IssueKind),
    /// Put this token in front of every request although the store refused to save it
    /// (`version`: the one it is meant to replace); the error says why.
    PublishUnsaved(Versioned, IssueKind, Error),
    /// The provider refused the refresh token, and the store still holds it.
    Refused(Error),
}

/// The token this process holds, as the protocol compares and refreshes from it.
pub(super) struct Held {
    pub version: u64,
    pub persisted: bool,
    pub token: StoredToken,
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
    store: Arc<BoundedStore>,
    timings: Timings,
    log: Logger,
}

/// After the store answers again following an outage, how long a refresh waits before it trusts
/// what the store holds: a peer that obtained a token during the outage writes it back within
/// this time (its retries are at most 2 s apart), and refreshing from the older stored pair
/// instead would present a spent refresh token.
const AFTER_RECOVERY: Duration = Duration::from_secs(3);

impl RefreshProtocol {
    pub fn new(
        key: StoreKey,
        auth: Arc<dyn Authenticator>,
        store: Arc<BoundedStore>,
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

    pub fn store(&self) -> Arc<dyn TokenStore> {
        self.store.clone()
    }

    /// One refresh. `held` is the token in use (none: this process holds none yet);
    /// `refusal` is asked, after the first read, whether the provider's refusal still stands
    /// (then only a peer's token helps); `settle` publishes while the lock is held.
    pub async fn run(
        &self,
        held: Option<Held>,
        refusal: impl Fn() -> Option<Arc<Error>>,
        settle: impl FnOnce(Settled) -> Result<Arc<super::Snapshot>>,
    ) -> Result<Arc<super::Snapshot>> {
        let held = held.as_ref();
        let stored = self.load_checked().await?;
        if let Some(e) = self.refused_record(stored.as_ref(), held) {
            return settle(Settled::Refused(e));
        }
        if let Some(v) = adoptable(stored.as_ref(), held) {
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
            let mut stored = if guard.is_some() {
                self.load_checked().await?
            } else {
                stored
            };
            if let Some(recovered) = self.store.recovered_within(AFTER_RECOVERY) {
                tokio::time::sleep_until(recovered + AFTER_RECOVERY).await;
                stored = self.load_checked().await?;
            }
            if let Some(e) = self.refused_record(stored.as_ref(), held) {
                return settle(Settled::Refused(e));
            }
            if let Some(v) = adoptable(stored.as_ref(), held) {
                return settle(Settled::Publish(v.clone(), IssueKind::Adopted));
            }
            let expected = stored.as_ref().map_or(0, |v| v.version);
            let base = refresh_base(stored, held);
            let base_access = base.as_ref().map(|b| b.access_token.clone());
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
                Ok(issued) => match self.store.save(&self.key, expected, &issued.token).await {
                    // The provider has issued (and with rotation, spent the old pair for)
                    // this token: use it now, save it later.
                    Err(e) => settle(Settled::PublishUnsaved(
                        Versioned {
                            version: expected,
                            token: issued.token,
                        },
                        issued.kind,
                        e,
                    )),
                    Ok(Saved::Written(version)) => settle(Settled::Publish(
                        Versioned {
                            version,
                            token: issued.token,
                        },
                        issued.kind,
                    )),
                    // Our lease ran out and another process saved first: its token wins.
                    Ok(Saved::Conflict(Some(other))) => {
                        settle(Settled::Publish(other, IssueKind::Adopted))
                    }
                    Ok(Saved::Conflict(None)) => Err(Error::new(
                        ErrorCode::StoreError,
                        "the token store changed under a refresh and now holds nothing",
                    )),
                },
                Err(e) if e.code == ErrorCode::ReauthorizationRequired => {
                    // A peer may have rotated the refresh token meanwhile: re-read first.
                    let now = self.load_checked().await?;
                    if let Some(v) = now.as_ref().filter(|v| v.version != expected && usable(v)) {
                        return settle(Settled::Publish(v.clone(), IssueKind::Adopted));
                    }
                    if let Some(v) =
                        now.filter(|v| Some(&v.token.access_token) == base_access.as_ref())
                    {
                        self.mark_refused(v).await;
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

    /// The refusal another process noted on the stored record, unless we hold a newer pair.
    fn refused_record(&self, stored: Option<&Versioned>, held: Option<&Held>) -> Option<Error> {
        let v = stored?;
        v.token.refused_at_ms?;
        if held.is_some_and(|h| h.token.obtained_at_ms > v.token.obtained_at_ms) {
            return None;
        }
        Some(
            Error::new(
                ErrorCode::ReauthorizationRequired,
                format!(
                    "{} refused the stored token's refresh token (noted in the token store by \
                     the process it answered); authorise again",
                    self.auth.provider().as_str()
                ),
            )
            .with_provider(self.auth.provider()),
        )
    }

    /// Notes the provider's refusal on the record we refreshed from, so no process sharing the
    /// store presents its refresh token again. Best effort: a failed or lost write only means
    /// each peer learns it from the provider, once.
    async fn mark_refused(&self, v: Versioned) {
        let mut token = v.token;
        token.refused_at_ms = Some(crate::store::unix_now_ms());
        if let Err(e) = self.store.save(&self.key, v.version, &token).await {
            self.log.warn(format_args!(
                "the refusal could not be noted in the token store: {} {}",
                e.code, e.message
            ));
        }
    }

    /// Writes back a token this process holds but the store does not (saved while the store
    /// failed, or lost by the store since): `Some(version)` once the store holds it, `None`
    /// when the store now holds a newer token (the next refresh adopts it). Errors: the store
    /// still fails.
    pub async fn write_back(&self, token: &StoredToken) -> Result<Option<u64>> {
        loop {
            let stored = self.load_checked().await?;
            let expected = match &stored {
                Some(v) if v.token.obtained_at_ms > token.obtained_at_ms => return Ok(None),
                Some(v) if v.token.access_token == token.access_token => {
                    return Ok(Some(v.version))
                }
                Some(v) => v.version,
                None => 0,
            };
            match self.store.save(&self.key, expected, token).await? {
                Saved::Written(version) => return Ok(Some(version)),
                // Someone wrote meanwhile: compare again with what is there now.
                Saved::Conflict(_) => continue,
            }
        }
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

/// A stored token we should use instead of refreshing: not already expired, and newer than the
/// one we hold — another record than our saved one, unless obtained before it (a store rolled
/// back); for an unsaved token, only one obtained after it.
fn adoptable<'a>(stored: Option<&'a Versioned>, held: Option<&Held>) -> Option<&'a Versioned> {
    let v = stored.filter(|v| usable(v))?;
    let newer = match held {
        None => true,
        // Versions start again at 1 in a store that lost its data: another pair under our
        // version number is another record too.
        Some(h) if h.persisted => {
            (v.version != h.version || v.token.access_token != h.token.access_token)
                && v.token.obtained_at_ms >= h.token.obtained_at_ms
        }
        Some(h) => v.token.obtained_at_ms > h.token.obtained_at_ms,
    };
    newer.then_some(v)
}

/// A stored record another process may take into use: not refused, not about to expire.
fn usable(v: &Versioned) -> bool {
    v.token.refused_at_ms.is_none() && !v.token.expired_within(Duration::from_secs(1))
}

/// What the provider refreshes from: the stored token, unless the one we hold is newer (the
/// store failed to save it, lost it, or was rolled back) — its refresh token is the live one.
fn refresh_base(stored: Option<Versioned>, held: Option<&Held>) -> Option<StoredToken> {
    match (stored, held) {
        (Some(s), Some(h)) if h.token.obtained_at_ms > s.token.obtained_at_ms => {
            Some(h.token.clone())
        }
        (Some(s), _) => Some(s.token),
        (None, Some(h)) => Some(h.token.clone()),
        (None, None) => None,
    }
}
