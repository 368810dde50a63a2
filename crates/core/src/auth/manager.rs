//! The token manager: one per credential per process. It composes the pieces and owns the
//! order in which they act; each piece lives in its own file:
//!
//! * [`SnapshotCache`](super::cache): lock-free reads; a request copies `(header, generation)`.
//! * [`State`](super::state): one value for what the manager is doing (idle, refreshing,
//!   backing off, waiting for a new authorisation, closed), under one lock.
//! * The single gate, [`TokenManager::refresh_after_reject`], with the generation the caller
//!   used: a generation already replaced means just retry; a refresh in flight for it is
//!   joined; otherwise one starts (unless a failure of it is still backing off). However many
//!   requests fail together, one refresh request goes out. The refresh runs in its own task
//!   ([`Flight`]), so a caller that goes away cannot cancel it; its outcome fans out to every
//!   waiter; a failure is latched with backoff for that generation.
//! * [`RefreshProtocol`](super::protocol): the store's read → lock → re-read → adopt →
//!   obtain → compare-and-set, so N processes sharing a store refresh once per expiry.
//! * [`Scheduler`](super::proactive): refreshes before expiry and on the keep-alive period,
//!   through the same gate.

use super::cache::SnapshotCache;
use super::options::ManagerOptions;
use super::proactive::{Cadence, Outlook, Scheduled, Scheduler};
use super::protocol::{Held, RefreshProtocol, Settled, Timings};
use super::snapshot::Snapshot;
use super::state::{Flight, Outcome, State};
use super::status::{Tally, TokenStatus};
use super::{Authenticator, Credential, IssueKind, RequestAuth};
use crate::deadline::Deadline;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{EventSink, Sinks, TokenEvent};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::store::{BoundedStore, StoreKey, StoredToken, TokenStore, Versioned};
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

pub struct TokenManager {
    auth: Arc<dyn Authenticator>,
    options: ManagerOptions,
    cache: SnapshotCache,
    state: Mutex<State>,
    protocol: RefreshProtocol,
    scheduler: Scheduler,
    tally: Mutex<Tally>,
    sinks: Sinks,
    log: Logger,
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
        let timings = Timings {
            refresh_timeout: options.refresh_timeout,
            lock_lease: options.lock_lease,
            lock_wait: options.lock_wait,
        };
        let cadence = Cadence {
            margin: options.refresh_margin,
            proactive: options.proactive,
            keep_alive: options.keep_alive,
        };
        Arc::new(TokenManager {
            protocol: RefreshProtocol::new(
                key,
                auth.clone(),
                Arc::new(BoundedStore::new(
                    store,
                    options.store_call_timeout,
                    metrics.clone(),
                )),
                timings,
                log.clone(),
            ),
            scheduler: Scheduler::new(cadence),
            auth,
            options,
            cache: SnapshotCache::new(),
            state: Mutex::new(State::Idle),
            tally: Mutex::new(Tally::default()),
            sinks: Sinks::default(),
            log,
            metrics,
        })
    }

    /// The store key of this manager's record.
    pub fn key(&self) -> &str {
        self.protocol.key()
    }

    pub fn store(&self) -> Arc<dyn TokenStore> {
        self.protocol.store()
    }

    pub fn is_closed(&self) -> bool {
        self.cache.is_closed()
    }

    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.cache.load()
    }

    fn provider_name(&self) -> &'static str {
        self.auth.provider().as_str()
    }

    /// The single gate every refresh goes through (401s, proactive timer, manual refresh,
    /// first use). See the module documentation.
    pub fn refresh_after_reject(self: &Arc<Self>, seen: u64) -> BoxFuture<'static, Outcome> {
        let mut state = self.state.lock();
        if state.is_closed() {
            return futures::future::ready(Err(Arc::new(Error::closed()))).boxed();
        }
        if let Some(current) = self.cache.load().filter(|s| s.generation != seen) {
            // Already replaced: retry with the new token, no refresh.
            return futures::future::ready(Ok(current)).boxed();
        }
        if let Some(flight) = state.flight_for(seen) {
            return flight.outcome.clone().boxed();
        }
        if let Some(e) = state.blocks(seen) {
            return futures::future::ready(Err(e)).boxed();
        }
        let flight = Flight::spawn(seen, self.clone().run_refresh(seen));
        let outcome = flight.outcome.clone();
        state.start(flight);
        outcome.boxed()
    }

    /// Refresh now, whatever the token's state (`refreshToken()`); clears a latched failure.
    /// A process that holds no token yet first takes the stored one, then replaces it: a manual
    /// refresh always ends with a token the provider has just issued.
    pub async fn force_refresh(self: &Arc<Self>) -> Result<Arc<Snapshot>> {
        self.state.lock().forgive();
        let seen = self.cache.generation();
        let adopted_before = self.tally.lock().adopted;
        let snapshot = self
            .refresh_after_reject(seen)
            .await
            .map_err(|e| (*e).clone())?;
        if seen == 0 && self.tally.lock().adopted > adopted_before {
            return self
                .refresh_after_reject(snapshot.generation)
                .await
                .map_err(|e| (*e).clone());
        }
        Ok(snapshot)
    }

    /// The body of a [`Flight`]: the store protocol, then the outcome recorded. The flight
    /// leaves the state only now, so a late caller sees either it or its result, never a gap.
    async fn run_refresh(self: Arc<Self>, seen: u64) -> Outcome {
        let held = self.cache.load().map(|s| Held {
            version: s.store_version(),
            persisted: s.is_persisted(),
            token: s.to_stored(),
        });
        let result = self
            .protocol
            .run(
                held,
                || self.state.lock().refusal(),
                |settled| match settled {
                    Settled::Publish(v, how) => self.publish(v, how),
                    Settled::PublishUnsaved(v, how, e) => self.publish_unsaved(v, how, e),
                    Settled::Refused(e) => {
                        self.declare_reauthorization(e.clone());
                        Err(e)
                    }
                },
            )
            .await;
        let outcome = result.map_err(|error| {
            let error = Arc::new(error);
            self.record_failure(seen, error.clone());
            error
        });
        self.state.lock().land(seen);
        outcome
    }

    /// The one-time migration of this manager's record (see `store::seal_record`).
    pub async fn seal_stored(&self) -> Result<crate::store::Sealing> {
        self.protocol.seal().await
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
        let v = self.protocol.install(token).await?;
        self.state.lock().authorized();
        self.publish(v, kind)
    }

    fn publish(self: &Arc<Self>, v: Versioned, how: IssueKind) -> Result<Arc<Snapshot>> {
        self.publish_as(v, how, true)
    }

    /// A token the provider issued but the store would not save: used at once (with rotating
    /// refresh tokens the old pair is already spent), reported, and saved in the background.
    fn publish_unsaved(
        self: &Arc<Self>,
        v: Versioned,
        how: IssueKind,
        error: Error,
    ) -> Result<Arc<Snapshot>> {
        let snapshot = self.publish_as(v, how, false)?;
        let provider = self.provider_name();
        self.log.warn(format_args!(
            "{provider} token (generation {}) is in use but not saved: {} {}; saving it again \
             until the store answers",
            snapshot.generation, error.code, error.message
        ));
        self.emit(&TokenEvent::Unsaved {
            provider: self.auth.provider(),
            generation: snapshot.generation,
            code: error.code.as_str(),
            message: error.message.clone(),
        });
        tokio::spawn(Self::keep_saving(Arc::downgrade(self), snapshot.clone()));
        Ok(snapshot)
    }

    /// Saves an unsaved token until the store holds it, a newer token replaces it, or the
    /// manager closes; waits double from 250 ms up to 2 s between attempts.
    async fn keep_saving(manager: std::sync::Weak<Self>, snapshot: Arc<Snapshot>) {
        let token = snapshot.to_stored();
        let mut wait = Duration::from_millis(250);
        loop {
            tokio::time::sleep(wait).await;
            // At most 2 s apart: peers wait that long after the store recovers (see protocol).
            wait = (wait * 2).min(Duration::from_secs(2));
            let Some(manager) = manager.upgrade() else {
                return;
            };
            let current = manager.cache.load();
            if manager.is_closed()
                || current.is_none_or(|c| c.generation != snapshot.generation)
                || snapshot.is_persisted()
            {
                return;
            }
            match manager.protocol.write_back(&token).await {
                Ok(Some(version)) => {
                    snapshot.mark_persisted(version);
                    manager.log.info(format_args!(
                        "{} token (generation {}) saved after the store recovered",
                        manager.provider_name(),
                        snapshot.generation
                    ));
                    manager.emit(&TokenEvent::Saved {
                        provider: manager.auth.provider(),
                        generation: snapshot.generation,
                    });
                    return;
                }
                // The store holds a newer token: the next refresh adopts it.
                Ok(None) => return,
                Err(_) => continue,
            }
        }
    }

    fn publish_as(
        self: &Arc<Self>,
        v: Versioned,
        how: IssueKind,
        persisted: bool,
    ) -> Result<Arc<Snapshot>> {
        let header = self.auth.header(&v.token.access_token)?;
        let snapshot = self.cache.publish(&v, header, persisted);
        self.state.lock().succeed();
        self.tally.lock().issued(how);
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
        let generation = snapshot.generation;
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
        self.scheduler.poke();
        self.scheduler.start(self);
        Ok(snapshot)
    }

    fn record_failure(&self, seen: u64, error: Arc<Error>) {
        self.state.lock().fail(seen, error.clone());
        self.tally.lock().failed(error.clone());
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
        self.scheduler.poke();
    }

    fn declare_reauthorization(&self, error: Error) {
        self.state.lock().refuse(Arc::new(error.clone()));
        self.cache.refuse();
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
        let current = self.cache.load();
        let tally = self.tally.lock();
        let state = self
            .state
            .lock()
            .label(current.as_deref(), self.options.refresh_margin);
        tally.status(
            self.provider_name(),
            state,
            current.as_deref(),
            self.store().kind(),
        )
    }

    /// The status, completed from the store when this process holds no token yet — without any
    /// request and without taking the stored token into use (for CLIs and health checks).
    pub async fn stored_status(&self) -> Result<TokenStatus> {
        let mut status = self.status();
        if self.cache.is_empty() {
            if let Some(v) = self.protocol.load_checked().await? {
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

    /// Closes the state (and the hot path with it) once; hands back a refresh still running.
    fn shut(&self) -> Option<Option<Flight>> {
        let mut state = self.state.lock();
        if state.is_closed() {
            return None;
        }
        self.cache.close();
        let flight = state.close();
        drop(state);
        self.scheduler.stop();
        Some(flight)
    }

    /// Stops background work; an in-flight refresh gets `close_grace` to persist what it
    /// obtained, then is aborted. Later calls fail with `CLOSED`.
    pub async fn close(&self) {
        let Some(flight) = self.shut() else { return };
        if let Some(flight) = flight {
            let _ = tokio::time::timeout(self.options.close_grace, flight.outcome).await;
            flight.task.abort();
        }
    }

    /// Synchronous part of close, for drops: abort everything now.
    pub(super) fn abort_all(&self) {
        if let Some(Some(flight)) = self.shut() {
            flight.task.abort();
        }
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
}

impl Scheduled for TokenManager {
    fn is_closed(&self) -> bool {
        TokenManager::is_closed(self)
    }

    fn outlook(&self) -> Option<Outlook> {
        let snapshot = self.cache.load()?;
        let state = self.state.lock();
        Some(Outlook {
            retry_at: state.retry_at(snapshot.generation),
            stopped: state.refusal().is_some(),
            snapshot,
        })
    }

    fn refresh(self: Arc<Self>, generation: u64) -> BoxFuture<'static, ()> {
        // Errors are latched and logged by the manager; the scheduler then waits for the latch.
        async move {
            let _ = self.refresh_after_reject(generation).await;
        }
        .boxed()
    }
}

/// `RequestAuth` over an `Arc<TokenManager>`.
impl RequestAuth for Arc<TokenManager> {
    fn ready(&self) -> Option<Credential> {
        self.cache.ready()
    }

    fn credential(&self, deadline: Deadline) -> BoxFuture<'_, Result<Credential>> {
        async move {
            if self.is_closed() {
                return Err(Error::closed());
            }
            if let Some(c) = self.cache.ready() {
                return Ok(c);
            }
            let seen = self.cache.generation();
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
