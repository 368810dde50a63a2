//! The token manager: one per credential per process.
//!
//! * Reads are lock-free (`ArcSwapOption`); a request copies `(header, generation)`.
//! * A rejected token triggers [`TokenManager::refresh_after_reject`] with the generation the
//!   request used. If the generation already moved on, the caller just retries; if a refresh for
//!   it is in flight, the caller joins it; otherwise it starts one. However many requests fail
//!   together, one refresh request goes out.
//! * The refresh runs in its own task: a caller that times out or goes away cannot cancel it
//!   (a rotating refresh token is spent once the request lands). Its outcome fans out to every
//!   waiter; a failure is latched with backoff for that generation.
//! * The refresh protocol re-reads the store, takes the store's lock, re-reads again, and saves
//!   with compare-and-set, so N processes sharing a store refresh once per expiry.

use super::latch::{next_failure, Failure};
use super::snapshot::Snapshot;
use super::status::TokenStatus;
use super::{Authenticator, Credential, IssueKind, RequestAuth};
use crate::deadline::Deadline;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{EventSink, Sinks, TokenEvent};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::store::{unix_now_ms, Saved, StoreKey, StoredToken, TokenStore, Versioned};
use arc_swap::ArcSwapOption;
use futures::future::{BoxFuture, Shared};
use futures::FutureExt;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::AbortHandle;

type Outcome = std::result::Result<Arc<Snapshot>, Arc<Error>>;

struct Inflight {
    from_generation: u64,
    fut: Shared<BoxFuture<'static, Outcome>>,
    task: AbortHandle,
}

#[derive(Clone, Debug)]
pub struct ManagerOptions {
    /// Refresh this long before a known expiry (clamped to half the token's lifetime).
    pub refresh_margin: Duration,
    /// Refresh in the background before expiry.
    pub proactive: bool,
    /// Refresh at least this often even when idle (amoCRM refresh tokens lapse unused).
    pub keep_alive: Option<Duration>,
    /// Upper bound of one refresh (the provider call).
    pub refresh_timeout: Duration,
    /// Lease of the cross-process lock: a dead holder blocks others at most this long.
    pub lock_lease: Duration,
    /// How long to wait for the cross-process lock (more than the lease, so a dead holder's
    /// lease runs out while we wait).
    pub lock_wait: Duration,
    /// On close, how long an in-flight refresh may take to persist what it obtained.
    pub close_grace: Duration,
}

impl ManagerOptions {
    /// A lease that can run out while its holder is still inside the provider call lets a
    /// second process refresh with the same (single-use) refresh token: refused at construction.
    pub fn validate(&self) -> Result<()> {
        if self.refresh_timeout.is_zero() {
            return Err(Error::config(
                "tokenStore.refreshTimeoutMs must be positive",
            ));
        }
        if self.lock_lease <= self.refresh_timeout {
            return Err(Error::config(format!(
                "tokenStore.lockLeaseMs ({} ms) must be longer than the refresh timeout ({} ms, \
                 tokenStore.refreshTimeoutMs): otherwise the lock can expire while its holder is \
                 still refreshing; use e.g. 3 × the refresh timeout (defaults 30000 and 10000)",
                self.lock_lease.as_millis(),
                self.refresh_timeout.as_millis()
            )));
        }
        Ok(())
    }
}

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions {
            refresh_margin: Duration::from_secs(60),
            proactive: true,
            keep_alive: None,
            refresh_timeout: Duration::from_secs(10),
            lock_lease: Duration::from_secs(30),
            lock_wait: Duration::from_secs(35),
            close_grace: Duration::from_secs(2),
        }
    }
}

#[derive(Default)]
struct Counters {
    refreshes: u64,
    logins: u64,
    adopted: u64,
    failures: u64,
    last_refresh_at_ms: Option<u64>,
    last_error: Option<Arc<Error>>,
}

pub struct TokenManager {
    pub(super) key: String,
    /// Where an older release kept this token; looked at while the key holds nothing, until
    /// found empty once.
    legacy_key: Mutex<Option<String>>,
    auth: Arc<dyn Authenticator>,
    store: Arc<dyn TokenStore>,
    pub(super) options: ManagerOptions,
    pub(super) current: ArcSwapOption<Snapshot>,
    inflight: Mutex<Option<Inflight>>,
    pub(super) latch: Mutex<Option<Failure>>,
    /// Terminal until new credentials are installed (amoCRM: a rejected refresh token).
    pub(super) reauthorization: Mutex<Option<Arc<Error>>>,
    counters: Mutex<Counters>,
    next_generation: AtomicU64,
    pub(super) closed: AtomicBool,
    background_started: AtomicBool,
    pub(super) background: Mutex<Vec<AbortHandle>>,
    pub(super) wake: Arc<Notify>,
    sinks: Sinks,
    pub(super) log: Logger,
    metrics: Arc<Metrics>,
}

impl TokenManager {
    pub fn new(
        key: StoreKey,
        auth: Arc<dyn Authenticator>,
        store: Arc<dyn TokenStore>,
        options: ManagerOptions,
        log: Logger,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        Arc::new(TokenManager {
            key: key.current,
            legacy_key: Mutex::new(key.legacy),
            auth,
            store,
            options,
            current: ArcSwapOption::empty(),
            inflight: Mutex::new(None),
            latch: Mutex::new(None),
            reauthorization: Mutex::new(None),
            counters: Mutex::new(Counters::default()),
            next_generation: AtomicU64::new(1),
            closed: AtomicBool::new(false),
            background_started: AtomicBool::new(false),
            background: Mutex::new(Vec::new()),
            wake: Arc::new(Notify::new()),
            sinks: Sinks::default(),
            log,
            metrics,
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.load_full()
    }

    fn provider_name(&self) -> &'static str {
        self.auth.provider().as_str()
    }

    /// The generation a caller saw: 0 when there was no token at all.
    fn generation_of(snapshot: &Option<Arc<Snapshot>>) -> u64 {
        snapshot.as_ref().map_or(0, |s| s.generation)
    }

    /// The single gate every refresh goes through (401s, proactive timer, manual refresh,
    /// first use). See the module documentation.
    pub fn refresh_after_reject(self: &Arc<Self>, seen: u64) -> BoxFuture<'static, Outcome> {
        if self.is_closed() {
            return futures::future::ready(Err(Arc::new(Error::closed()))).boxed();
        }
        let fut = {
            let mut slot = self.inflight.lock();
            let current = self.current.load_full();
            if Self::generation_of(&current) != seen {
                if let Some(snapshot) = current {
                    // Already replaced: retry with the new token, no refresh.
                    return futures::future::ready(Ok(snapshot)).boxed();
                }
            }
            match slot.as_ref().filter(|f| f.from_generation == seen) {
                Some(flight) => flight.fut.clone(),
                None => {
                    if let Some(e) = self.latch.lock().as_ref().and_then(|f| f.blocks(seen)) {
                        return futures::future::ready(Err(e)).boxed();
                    }
                    let handle = tokio::spawn(self.clone().run_refresh(seen));
                    let task = handle.abort_handle();
                    let fut = async move {
                        handle.await.unwrap_or_else(|join| {
                            Err(Arc::new(Error::internal(if join.is_cancelled() {
                                "the token refresh was cancelled because the client closed"
                            } else {
                                "the token refresh task panicked"
                            })))
                        })
                    }
                    .boxed()
                    .shared();
                    *slot = Some(Inflight {
                        from_generation: seen,
                        fut: fut.clone(),
                        task,
                    });
                    fut
                }
            }
        };
        fut.boxed()
    }

    /// Refresh now, whatever the token's state (`refreshToken()`); clears a latched failure.
    /// A process that holds no token yet first takes the stored one, then replaces it: a manual
    /// refresh always ends with a token the provider has just issued.
    pub async fn force_refresh(self: &Arc<Self>) -> Result<Arc<Snapshot>> {
        *self.latch.lock() = None;
        let seen = Self::generation_of(&self.current.load_full());
        let adopted_before = self.counters.lock().adopted;
        let snapshot = self
            .refresh_after_reject(seen)
            .await
            .map_err(|e| (*e).clone())?;
        if seen == 0 && self.counters.lock().adopted > adopted_before {
            return self
                .refresh_after_reject(snapshot.generation)
                .await
                .map_err(|e| (*e).clone());
        }
        Ok(snapshot)
    }

    async fn run_refresh(self: Arc<Self>, seen: u64) -> Outcome {
        let result = self.refresh_protocol().await;
        let outcome = match result {
            Ok(snapshot) => Ok(snapshot),
            Err(error) => {
                let error = Arc::new(error);
                self.record_failure(seen, error.clone());
                Err(error)
            }
        };
        // Cleared only now: a late caller sees either this flight or its result, never a gap.
        let mut slot = self.inflight.lock();
        if slot.as_ref().map(|f| f.from_generation) == Some(seen) {
            *slot = None;
        }
        outcome
    }

    /// Read, lock, re-read, obtain, compare-and-set, publish.
    async fn refresh_protocol(self: &Arc<Self>) -> Result<Arc<Snapshot>> {
        let current = self.current.load_full();
        let our_version = current.as_ref().map_or(0, |s| s.store_version);

        let stored = self.load_checked().await?;
        if let Some(v) = adoptable(stored.as_ref(), our_version) {
            return self.publish(v.clone(), IssueKind::Adopted);
        }
        // Terminal until someone installs new credentials; only the store check above runs.
        if let Some(e) = self.reauthorization.lock().clone() {
            return Err((*e).clone());
        }

        let guard = self
            .store
            .lock(&self.key, self.options.lock_lease, self.options.lock_wait)
            .await?;
        let result = async {
            let stored = if guard.is_some() {
                self.load_checked().await?
            } else {
                stored
            };
            if let Some(v) = adoptable(stored.as_ref(), our_version) {
                return self.publish(v.clone(), IssueKind::Adopted);
            }
            let expected = stored.as_ref().map_or(0, |v| v.version);
            let base = stored.map(|v| v.token);
            let obtained =
                tokio::time::timeout(self.options.refresh_timeout, self.auth.clone().obtain(base))
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
                    Saved::Written(version) => self.publish(
                        Versioned {
                            version,
                            token: issued.token,
                        },
                        issued.kind,
                    ),
                    // Our lease ran out and another process saved first: its token wins.
                    Saved::Conflict(Some(other)) => self.publish(other, IssueKind::Adopted),
                    Saved::Conflict(None) => Err(Error::new(
                        ErrorCode::StoreError,
                        "the token store changed under a refresh and now holds nothing",
                    )),
                },
                Err(e) if e.code == ErrorCode::ReauthorizationRequired => {
                    // A peer may have rotated the refresh token meanwhile: re-read first.
                    let now = self.load_checked().await?;
                    if let Some(v) = adoptable(now.as_ref(), expected) {
                        return self.publish(v.clone(), IssueKind::Adopted);
                    }
                    self.declare_reauthorization(e.clone());
                    Err(e)
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
            self.provider_name(),
            self.key
        ));
        Ok(moved)
    }

    /// The one-time migration of this manager's record (see `store::seal_record`).
    pub async fn seal_stored(&self) -> Result<crate::store::Sealing> {
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

    /// Puts a token into the store and in front of every request (an exchanged authorisation
    /// code, a long-lived token). Ends a `reauthorization_required` state.
    pub async fn install(
        self: &Arc<Self>,
        token: StoredToken,
        kind: IssueKind,
    ) -> Result<Arc<Snapshot>> {
        if self.is_closed() {
            return Err(Error::closed());
        }
        // Only the version is read: a refused record may be replaced by a fresh authorisation.
        let mut expected = self.store.load(&self.key).await?.map_or(0, |v| v.version);
        for _ in 0..5 {
            match self.store.save(&self.key, expected, &token).await? {
                Saved::Written(version) => {
                    *self.reauthorization.lock() = None;
                    return self.publish(Versioned { version, token }, kind);
                }
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
    async fn load_checked(&self) -> Result<Option<Versioned>> {
        let stored = self.load_stored().await?;
        if let Some(v) = &stored {
            self.auth.check_stored(&v.token)?;
        }
        Ok(stored)
    }

    fn publish(self: &Arc<Self>, v: Versioned, how: IssueKind) -> Result<Arc<Snapshot>> {
        let header = self.auth.header(&v.token.access_token)?;
        let generation = self.next_generation.fetch_add(1, Ordering::AcqRel);
        let snapshot = Arc::new(Snapshot::new(&v, generation, header));
        self.current.store(Some(snapshot.clone()));
        *self.latch.lock() = None;
        *self.reauthorization.lock() = None;
        {
            let mut c = self.counters.lock();
            match how {
                IssueKind::Refresh => c.refreshes += 1,
                IssueKind::Login | IssueKind::Exchange => c.logins += 1,
                IssueKind::Adopted => c.adopted += 1,
            }
            c.last_refresh_at_ms = Some(unix_now_ms());
        }
        let provider = self.provider_name();
        self.metrics.refresh(
            provider,
            match how {
                IssueKind::Refresh => "ok",
                other => other.as_str(),
            },
        );
        let expires = snapshot
            .lifetime()
            .map(|d| format!("; valid for {}", crate::log::human_duration(d)))
            .unwrap_or_default();
        self.log.info(format_args!(
            "{provider} token obtained by {} (generation {generation}){expires}",
            how.as_str()
        ));
        self.emit(&TokenEvent::Refreshed {
            provider: self.auth.provider(),
            generation,
            how: how.as_str(),
            expires_at_ms: snapshot.expires_at_ms,
        });
        self.wake.notify_waiters();
        self.ensure_background();
        Ok(snapshot)
    }

    fn record_failure(&self, seen: u64, error: Arc<Error>) {
        {
            let mut latch = self.latch.lock();
            let next = next_failure(latch.as_ref(), seen, error.clone());
            *latch = Some(next);
        }
        {
            let mut c = self.counters.lock();
            c.failures += 1;
            c.last_error = Some(error.clone());
        }
        let provider = self.provider_name();
        self.metrics.refresh(
            provider,
            if error.code == ErrorCode::ReauthorizationRequired {
                "reauthorization_required"
            } else {
                "failed"
            },
        );
        self.log.warn(format_args!(
            "{provider} token refresh failed: {} {}",
            error.code, error.message
        ));
        self.emit(&TokenEvent::RefreshFailed {
            provider: self.auth.provider(),
            code: error.code.as_str(),
            message: error.message.clone(),
        });
        self.wake.notify_waiters();
    }

    fn declare_reauthorization(&self, error: Error) {
        *self.reauthorization.lock() = Some(Arc::new(error.clone()));
        self.log.warn(format_args!(
            "{} integration needs to be authorised again: {}",
            self.provider_name(),
            error.message
        ));
        self.emit(&TokenEvent::ReauthorizationRequired {
            provider: self.auth.provider(),
            message: error.message,
        });
    }

    pub fn subscribe(&self, sink: Arc<dyn EventSink>) -> u64 {
        self.sinks.subscribe(sink)
    }

    pub fn unsubscribe(&self, id: u64) {
        self.sinks.unsubscribe(id)
    }

    fn emit(&self, event: &TokenEvent) {
        self.sinks.emit(event)
    }

    pub fn status(&self) -> TokenStatus {
        let current = self.current.load_full();
        let counters = self.counters.lock();
        let failed = self
            .latch
            .lock()
            .as_ref()
            .is_some_and(|f| f.blocks(Self::generation_of(&current)).is_some());
        let refreshing = self.inflight.lock().is_some();
        let state = if self.is_closed() {
            "closed"
        } else if self.reauthorization.lock().is_some() {
            "reauthorization_required"
        } else if refreshing {
            "refreshing"
        } else if failed {
            "failed"
        } else {
            match &current {
                None => "empty",
                Some(s) if s.is_expired() => "expired",
                Some(s) if self.refresh_due_in(s).is_some_and(|d| d.is_zero()) => "expiring",
                Some(_) => "valid",
            }
        };
        TokenStatus {
            provider: self.provider_name(),
            state,
            generation: Self::generation_of(&current),
            expires_at_ms: current.as_ref().and_then(|s| s.expires_at_ms),
            obtained_at_ms: current.as_ref().map(|s| s.obtained_at_ms),
            last_refresh_at_ms: counters.last_refresh_at_ms,
            refreshes: counters.refreshes,
            logins: counters.logins,
            adopted: counters.adopted,
            failures: counters.failures,
            last_error_code: counters.last_error.as_ref().map(|e| e.code.as_str()),
            last_error_message: counters.last_error.as_ref().map(|e| e.message.clone()),
            store: self.store.kind(),
        }
    }

    /// The status, completed from the store when this process holds no token yet — without any
    /// request and without taking the stored token into use (for CLIs and health checks).
    pub async fn stored_status(&self) -> Result<TokenStatus> {
        let mut status = self.status();
        if self.current.load().is_none() {
            if let Some(v) = self.load_checked().await? {
                status.state = if v.token.expired_within(Duration::ZERO) {
                    "expired"
                } else {
                    "valid"
                };
                status.expires_at_ms = v.token.expires_at_ms;
                status.obtained_at_ms = Some(v.token.obtained_at_ms);
            }
        }
        Ok(status)
    }

    /// Stops background work; an in-flight refresh gets `close_grace` to persist what it
    /// obtained, then is aborted. Later calls fail with `CLOSED`.
    pub async fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        for task in self.background.lock().drain(..) {
            task.abort();
        }
        self.wake.notify_waiters();
        let flight = self
            .inflight
            .lock()
            .as_ref()
            .map(|f| (f.fut.clone(), f.task.clone()));
        if let Some((fut, task)) = flight {
            let _ = tokio::time::timeout(self.options.close_grace, fut).await;
            task.abort();
        }
    }

    /// Synchronous part of close, for drops: abort everything now.
    pub(super) fn abort_all(&self) {
        self.closed.store(true, Ordering::Release);
        for task in self.background.lock().drain(..) {
            task.abort();
        }
        if let Some(f) = self.inflight.lock().take() {
            f.task.abort();
        }
        self.wake.notify_waiters();
    }

    fn ensure_background(self: &Arc<Self>) {
        if (self.options.proactive || self.options.keep_alive.is_some())
            && !self.background_started.swap(true, Ordering::AcqRel)
        {
            let task = tokio::spawn(super::proactive::run(
                Arc::downgrade(self),
                self.wake.clone(),
            ));
            self.background.lock().push(task.abort_handle());
            if self.is_closed() {
                task.abort();
            }
        }
    }

    /// Time until the proactive refresh of `s` is due (zero: due now); `None` when its expiry
    /// is unknown. The margin is clamped to half the lifetime so short tokens are still used.
    pub(super) fn refresh_due_in(&self, s: &Snapshot) -> Option<Duration> {
        let expires_at = s.expires_at?;
        let margin = self.effective_margin(s)?;
        Some((expires_at - margin).saturating_duration_since(tokio::time::Instant::now()))
    }

    pub(super) fn effective_margin(&self, s: &Snapshot) -> Option<Duration> {
        Some(self.options.refresh_margin.min(s.lifetime()? / 2))
    }

    fn waiter_timeout(&self) -> Error {
        Error::new(
            ErrorCode::Timeout,
            "no valid token within the timeout (the refresh goes on in the background)",
        )
        .with_provider(self.auth.provider())
    }

    async fn wait_outcome(
        &self,
        fut: BoxFuture<'static, Outcome>,
        deadline: Deadline,
    ) -> Result<Arc<Snapshot>> {
        match tokio::time::timeout_at(deadline.at(), fut).await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err((*e).clone()),
            Err(_) => Err(self.waiter_timeout()),
        }
    }

    pub(super) fn ready_credential(&self) -> Option<Credential> {
        if self.is_closed() {
            return None;
        }
        let guard = self.current.load();
        let s = guard.as_ref()?;
        if s.is_expired() {
            return None;
        }
        Some(Credential {
            header: s.header.clone(),
            generation: s.generation,
        })
    }
}

/// A stored token we should use instead of refreshing: another version than ours, and not
/// already expired.
fn adoptable(stored: Option<&Versioned>, our_version: u64) -> Option<&Versioned> {
    stored.filter(|v| v.version != our_version && !v.token.expired_within(Duration::from_secs(1)))
}

/// `RequestAuth` over an `Arc<TokenManager>`.
impl RequestAuth for Arc<TokenManager> {
    fn ready(&self) -> Option<Credential> {
        self.ready_credential()
    }

    fn credential(&self, deadline: Deadline) -> BoxFuture<'_, Result<Credential>> {
        async move {
            if self.is_closed() {
                return Err(Error::closed());
            }
            if let Some(c) = self.ready_credential() {
                return Ok(c);
            }
            let seen = TokenManager::generation_of(&self.current.load_full());
            let s = self
                .wait_outcome(self.refresh_after_reject(seen), deadline)
                .await?;
            Ok(Credential {
                header: s.header.clone(),
                generation: s.generation,
            })
        }
        .boxed()
    }

    fn rejected(&self, generation: u64, deadline: Deadline) -> BoxFuture<'_, Result<()>> {
        async move {
            self.wait_outcome(self.refresh_after_reject(generation), deadline)
                .await
                .map(|_| ())
        }
        .boxed()
    }
}
