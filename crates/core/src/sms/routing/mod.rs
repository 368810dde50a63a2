//! Several providers in one client: each message goes through the route of its number's region,
//! trying the route's providers in order, and moves to the next one only when the previous one
//! provably did not get it ([`failover::may_try_next`]). A provider that keeps failing is kept
//! out by its circuit breaker for a cool-down and let back in by one probe.

mod alerting;
mod breaker;
mod failover;
mod guard;
mod route;
mod shared;

pub use alerting::breaker_alerts;
pub use breaker::{Admission, Breaker, BreakerState, Change};
pub use failover::may_try_next;
pub use guard::{REFRESH, STALE};
pub use route::{Route, Routes};
pub use shared::SharedBreakers;

use guard::{Guard, Noted};

use super::provider::SmsProvider;
use super::types::{BatchItemResult, BatchResult, DeliveryStatus, SendInput, SendResult};
use crate::error::{Attempt, Error, ErrorCode, Result};
use crate::http::handoff::hand_over_when_refused;
use crate::metrics::Metrics;
use crate::phone;
use futures::{FutureExt, StreamExt};
use parking_lot::Mutex;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// When a provider's breaker opens and how long it stays open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Sends in a row that failed for the provider's sake.
    pub failures: u32,
    pub cool_down: Duration,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            failures: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// One provider of a routed client, by the name routes use.
pub struct Member {
    pub name: &'static str,
    pub provider: Arc<dyn SmsProvider>,
    breaker: Guard,
}

/// A provider's breaker as `providerStatus()` shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStatus {
    pub provider: &'static str,
    /// `closed`, `open` or `half_open`.
    pub breaker: &'static str,
    pub failures_in_a_row: u32,
    /// Open or half-open since (Unix ms).
    pub since_ms: Option<u64>,
    /// The state is shared with the other replicas through Redis (and Redis answers).
    pub shared: bool,
}

/// A breaker that opened or closed, as its listener hears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakerEvent {
    pub provider: &'static str,
    pub change: Change,
    /// Opened: the failures in a row that opened it.
    pub failures: u32,
    /// Opened: the code of the last failure, when this process saw it.
    pub last_code: Option<String>,
    /// Opened: when the first probe may go (Unix ms).
    pub probe_at_ms: Option<u64>,
    /// The breaker is shared with the other replicas (through Redis).
    pub shared: bool,
}

/// Told when a breaker opens or closes (metrics, alerts).
pub type BreakerListener = Arc<dyn Fn(&BreakerEvent) + Send + Sync>;

pub struct Router {
    routes: Routes,
    members: Vec<Member>,
    default_region: String,
    listener: Mutex<Option<BreakerListener>>,
    metrics: Arc<Metrics>,
}

impl Router {
    /// `members` in the order they were configured; `routes` checked against their names.
    pub fn new(
        routes: Routes,
        members: Vec<(&'static str, Arc<dyn SmsProvider>)>,
        breakers: BreakerSettings,
        default_region: String,
        metrics: Arc<Metrics>,
    ) -> Self {
        Router {
            routes,
            members: members
                .into_iter()
                .map(|(name, provider)| Member {
                    name,
                    provider,
                    breaker: Guard::local(name, breakers),
                })
                .collect(),
            default_region,
            listener: Mutex::new(None),
            metrics,
        }
    }

    /// Keeps the breakers in Redis, shared with the other replicas of the deployment.
    pub fn share_breakers(&mut self, store: Arc<SharedBreakers>, breakers: BreakerSettings) {
        for m in &mut self.members {
            m.breaker = Guard::shared(m.name, breakers, store.clone());
        }
    }

    pub fn on_breaker_change(&self, listener: BreakerListener) {
        *self.listener.lock() = Some(listener);
    }

    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }

    pub fn status(&self) -> Vec<ProviderStatus> {
        self.members
            .iter()
            .map(|m| {
                let (state, failures_in_a_row, since_ms) = m.breaker.status();
                ProviderStatus {
                    provider: m.name,
                    breaker: state.as_str(),
                    failures_in_a_row,
                    since_ms,
                    shared: m.breaker.is_shared(),
                }
            })
            .collect()
    }

    /// The providers a message to `to` goes through, in order; `INVALID_PHONE` when no route
    /// takes its region.
    /// (Positions in `members()`: owned, so a batch's sends can hold them across awaits.)
    pub fn via(&self, to: &str) -> Result<Vec<usize>> {
        let phone = phone::normalize(to, &self.default_region)?;
        let region = phone.country.as_deref();
        let via = self.routes.via(region).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidPhone,
                format!(
                    "no route takes numbers of {}: add a route for it or a '*' route",
                    region.unwrap_or("an unknown region")
                ),
            )
        })?;
        Ok(via
            .iter()
            .filter_map(|name| self.members.iter().position(|m| m.name == name))
            .collect())
    }

    /// Sends through the route of `input.to`; `global`: international sending where the
    /// provider has a route of its own for it (Eskiz `send-global`).
    pub async fn send(&self, input: SendInput, global: bool) -> Result<SendResult> {
        let via = self.via(&input.to)?;
        self.send_via(via, input, global).await
    }

    /// Sends `input` through `via`, the providers of its route, in order.
    async fn send_via(
        &self,
        via: Vec<usize>,
        input: SendInput,
        global: bool,
    ) -> Result<SendResult> {
        let mut attempts: Vec<Attempt> = Vec::with_capacity(via.len());
        let mut last: Option<Error> = None;
        let mut input = Some(input);
        for (pos, member) in via.iter().map(|&i| &self.members[i]).enumerate() {
            let (admission, seen) = member.breaker.admit().await;
            self.report(member, seen, None);
            if let Admission::Skip { retry_in_ms } = admission {
                attempts.push(Attempt::skipped(member.name, retry_in_ms));
                continue;
            }
            let probe = admission == Admission::Probe;
            let later = &via[pos + 1..];
            // The last provider that may be tried takes the message itself, not a copy.
            let this = if later.is_empty() {
                input.take()
            } else {
                input.clone()
            };
            let Some(this) = this else { break };
            let send = if global {
                member.provider.send_global(this)
            } else {
                member.provider.send(this)
            };
            let sent = hand_over_when_refused(self.may_take_over(later), send).await;
            match sent {
                Ok(mut result) => {
                    let change = member.breaker.success(probe).await;
                    self.report(member, change.map(Noted::seen), None);
                    attempts.push(Attempt::sent(member.name));
                    result.attempts = attempts;
                    return Ok(result);
                }
                Err(e) => {
                    let local = member.provider.refusal_is_local(&e);
                    let next = may_try_next(&e, local);
                    // Any other answer (a refused number, a text it will not take) shows the
                    // provider up and answering: it closes a half-open breaker like a success.
                    let noted = if provider_trouble(&e) {
                        Some(member.breaker.failure(probe, e.code.as_str()).await)
                    } else {
                        member.breaker.success(probe).await.map(Noted::seen)
                    };
                    self.report(member, noted, Some(e.code.as_str()));
                    if let Some(reason) = next {
                        self.metrics.failover(member.name, reason);
                    }
                    attempts.push(Attempt::failed(member.name, e.code.as_str(), next));
                    if next.is_none() {
                        return Err(e.with_attempts(attempts));
                    }
                    last = Some(e);
                }
            }
        }
        Err(match last {
            Some(e) => e.with_attempts(attempts),
            None => Error::new(
                ErrorCode::ProviderUnavailable,
                "every provider of this number's route is resting after repeated failures (circuit open); nothing was sent",
            )
            .with_retry_after(attempts.iter().filter_map(|a| a.retry_in_ms).min().map(Duration::from_millis))
            .with_attempts(attempts),
        })
    }

    /// Each message through its own route, `CONCURRENT` at a time, in order; every number is
    /// checked (valid, with a route) before any is sent. A message that fails is reported in its
    /// item; the others still go.
    pub async fn send_batch(&self, messages: Vec<SendInput>) -> Result<BatchResult> {
        const CONCURRENT: usize = 8;
        if messages.is_empty() {
            return Err(Error::invalid("messages must hold at least one message"));
        }
        // Each route is found once: here, for the check, and then used for the send.
        let mut routed = Vec::with_capacity(messages.len());
        for (i, m) in messages.into_iter().enumerate() {
            let via = self
                .via(&m.to)
                .map_err(|e| Error::new(e.code, format!("messages[{i}]: {}", e.message)))?;
            routed.push((via, m));
        }
        let sends = routed.into_iter().map(|(via, m)| {
            let (to, reference) = (m.to.clone(), m.reference.clone());
            self.send_via(via, m, false)
                .map(move |sent| batch_item(sent, to, reference))
        });
        let items: Vec<BatchItemResult> = futures::stream::iter(sends)
            .buffered(CONCURRENT)
            .collect()
            .await;
        Ok(BatchResult {
            id: String::new(),
            provider: "routed",
            dispatch_id: None,
            segments: items.iter().map(|i| i.segments).sum(),
            messages: items,
        })
    }

    /// Whether one of `later` (positions in `members`) could take a send now: then this
    /// provider hands a refused send over at once instead of retrying it itself.
    fn may_take_over(&self, later: &[usize]) -> bool {
        later
            .iter()
            .any(|&i| self.members[i].breaker.status().0 != BreakerState::Open)
    }

    fn report(&self, member: &Member, noted: Option<Noted>, last_code: Option<&str>) {
        let Some(Noted {
            change: Some(change),
            failures,
            probe_at_ms,
            last_code: seen_code,
        }) = noted
        else {
            return;
        };
        self.metrics.breaker(
            member.name,
            match change {
                Change::Opened => "opened",
                Change::Closed => "closed",
            },
        );
        if let Some(listener) = self.listener.lock().clone() {
            listener(&BreakerEvent {
                provider: member.name,
                change,
                failures,
                last_code: last_code.map(str::to_string).or(seen_code),
                probe_at_ms,
                shared: member.breaker.is_shared(),
            });
        }
    }
}

/// One message's line in a routed batch.
fn batch_item(sent: Result<SendResult>, to: String, reference: Option<String>) -> BatchItemResult {
    match sent {
        Ok(r) => BatchItemResult {
            to: r.to,
            status: r.status,
            raw_status: r.raw_status,
            segments: r.segments,
            reference,
            id: Some(r.id),
            error: None,
            provider: Some(r.provider),
        },
        Err(e) => BatchItemResult {
            to,
            status: DeliveryStatus::Failed,
            raw_status: String::new(),
            segments: 0,
            reference,
            id: None,
            error: Some((e.code.as_str().to_string(), e.message)),
            provider: None,
        },
    }
}

/// Whether an error counts against the provider's breaker: what says the provider is unwell
/// (unreachable, limiting, refusing the account, an unknown outcome) — not a refusal of one
/// message (its text, its number), which says nothing of the next.
fn provider_trouble(e: &Error) -> bool {
    matches!(
        e.code,
        ErrorCode::Network
            | ErrorCode::RateLimited
            | ErrorCode::ProviderUnavailable
            | ErrorCode::AuthFailed
            | ErrorCode::AccountUnpaid
            | ErrorCode::AccessBlocked
            | ErrorCode::StoreError
            | ErrorCode::OutcomeUnknown
            | ErrorCode::Timeout
    )
}
