//! What the token manager is doing about its token, as one value: idle, refreshing, backing off
//! after a failure, waiting for a new authorisation, or closed. Every change is a method here,
//! taken under the manager's one state lock, and `status()` reads the state from it. It only
//! records: no I/O, no events, no waiting.

use super::latch::{next_failure, Failure};
use super::snapshot::Snapshot;
use crate::error::Error;
use futures::future::{BoxFuture, Shared};
use futures::FutureExt;
use std::future::Future;
use std::mem;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::AbortHandle;

/// What a refresh hands every caller waiting on it (`Arc`, so it fans out).
pub(super) type Outcome = std::result::Result<Arc<Snapshot>, Arc<Error>>;

/// A refresh under way in its own task: every caller of its generation joins it, and a caller
/// that gives up cannot cancel it (a rotating refresh token is spent once the request lands).
#[derive(Clone)]
pub(super) struct Flight {
    pub from_generation: u64,
    pub outcome: Shared<BoxFuture<'static, Outcome>>,
    pub task: AbortHandle,
}

impl Flight {
    pub fn spawn(
        from_generation: u64,
        refresh: impl Future<Output = Outcome> + Send + 'static,
    ) -> Self {
        let handle = tokio::spawn(refresh);
        let task = handle.abort_handle();
        let outcome = async move {
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
        Flight {
            from_generation,
            outcome,
            task,
        }
    }
}

/// `failure`, where a variant has one, is the last failed refresh: its generation is blocked
/// until `retry_at`, and its attempt count grows the next backoff.
#[derive(Default)]
pub(super) enum State {
    /// Nothing under way and no failure remembered: the token's own clock tells its state.
    #[default]
    Idle,
    /// A refresh replacing `flight.from_generation` runs.
    Refreshing {
        flight: Flight,
        failure: Option<Failure>,
    },
    /// The last refresh failed.
    BackingOff(Failure),
    /// The provider refused the refresh token: only a token a peer stored or new credentials
    /// end this. A flight may still run, to look at the store.
    ReauthorizationRequired {
        error: Arc<Error>,
        failure: Option<Failure>,
        flight: Option<Flight>,
    },
    /// Terminal: every call fails with `CLOSED`.
    Closed,
}

impl State {
    pub fn is_closed(&self) -> bool {
        matches!(self, State::Closed)
    }

    /// The refresh for `generation`, when one runs.
    pub fn flight_for(&self, generation: u64) -> Option<&Flight> {
        match self {
            State::Refreshing { flight, .. }
            | State::ReauthorizationRequired {
                flight: Some(flight),
                ..
            } => Some(flight).filter(|f| f.from_generation == generation),
            _ => None,
        }
    }

    fn failure(&self) -> Option<&Failure> {
        match self {
            State::Refreshing { failure, .. } | State::ReauthorizationRequired { failure, .. } => {
                failure.as_ref()
            }
            State::BackingOff(failure) => Some(failure),
            State::Idle | State::Closed => None,
        }
    }

    /// The error to hand out without a request, while the backoff of `generation` runs.
    pub fn blocks(&self, generation: u64) -> Option<Arc<Error>> {
        self.failure().and_then(|f| f.blocks(generation))
    }

    /// When a refresh of `generation` may next be tried, if a failure of it set a time.
    pub fn retry_at(&self, generation: u64) -> Option<tokio::time::Instant> {
        self.failure()
            .filter(|f| f.generation == generation)
            .map(|f| f.retry_at)
    }

    /// The provider's refusal, while it stands.
    pub fn refusal(&self) -> Option<Arc<Error>> {
        match self {
            State::ReauthorizationRequired { error, .. } => Some(error.clone()),
            _ => None,
        }
    }

    /// A refresh was started (a newer flight replaces an older one of another generation).
    pub fn start(&mut self, flight: Flight) {
        *self = match mem::take(self) {
            State::Idle => State::Refreshing {
                flight,
                failure: None,
            },
            State::BackingOff(failure) => State::Refreshing {
                flight,
                failure: Some(failure),
            },
            State::Refreshing { failure, .. } => State::Refreshing { flight, failure },
            State::ReauthorizationRequired { error, failure, .. } => {
                State::ReauthorizationRequired {
                    error,
                    failure,
                    flight: Some(flight),
                }
            }
            // The gate refuses first; a flight arriving anyway is not left running.
            State::Closed => {
                flight.task.abort();
                State::Closed
            }
        }
    }

    /// The refresh of `generation` is over (its outcome was recorded already).
    pub fn land(&mut self, generation: u64) {
        if self.flight_for(generation).is_none() {
            return;
        }
        *self = match mem::take(self) {
            State::Refreshing { failure, .. } => failure.map_or(State::Idle, State::BackingOff),
            State::ReauthorizationRequired { error, failure, .. } => {
                State::ReauthorizationRequired {
                    error,
                    failure,
                    flight: None,
                }
            }
            other => other,
        }
    }

    /// A refresh of `generation` failed: remember it with a longer backoff.
    pub fn fail(&mut self, generation: u64, error: Arc<Error>) {
        let next = next_failure(self.failure(), generation, error);
        match self {
            State::Refreshing { failure, .. } | State::ReauthorizationRequired { failure, .. } => {
                *failure = Some(next)
            }
            State::Idle | State::BackingOff(_) => *self = State::BackingOff(next),
            State::Closed => {}
        }
    }

    /// The provider refused the refresh token.
    pub fn refuse(&mut self, error: Arc<Error>) {
        *self = match mem::take(self) {
            State::Idle => State::ReauthorizationRequired {
                error,
                failure: None,
                flight: None,
            },
            State::BackingOff(failure) => State::ReauthorizationRequired {
                error,
                failure: Some(failure),
                flight: None,
            },
            State::Refreshing { flight, failure } => State::ReauthorizationRequired {
                error,
                failure,
                flight: Some(flight),
            },
            State::ReauthorizationRequired {
                failure, flight, ..
            } => State::ReauthorizationRequired {
                error,
                failure,
                flight,
            },
            State::Closed => State::Closed,
        }
    }

    /// New credentials were stored: a refusal no longer stands (a failure still does).
    pub fn authorized(&mut self) {
        *self = match mem::take(self) {
            State::ReauthorizationRequired {
                flight: Some(flight),
                failure,
                ..
            } => State::Refreshing { flight, failure },
            State::ReauthorizationRequired {
                flight: None,
                failure,
                ..
            } => failure.map_or(State::Idle, State::BackingOff),
            other => other,
        }
    }

    /// A token was published: failures and refusals are over.
    pub fn succeed(&mut self) {
        self.authorized();
        self.forgive();
    }

    /// Forget the last failure (a manual refresh tries at once); a refusal stands.
    pub fn forgive(&mut self) {
        match self {
            State::Refreshing { failure, .. } | State::ReauthorizationRequired { failure, .. } => {
                *failure = None
            }
            State::BackingOff(_) => *self = State::Idle,
            State::Idle | State::Closed => {}
        }
    }

    /// Closes for good; hands back the refresh still running, if any.
    pub fn close(&mut self) -> Option<Flight> {
        match mem::replace(self, State::Closed) {
            State::Refreshing { flight, .. } => Some(flight),
            State::ReauthorizationRequired { flight, .. } => flight,
            _ => None,
        }
    }

    /// The `state` of `tokenStatus()`, given the token in use and the wanted refresh margin.
    pub fn label(&self, current: Option<&Snapshot>, margin: Duration) -> &'static str {
        match self {
            State::Closed => "closed",
            State::ReauthorizationRequired { .. } => "reauthorization_required",
            State::Refreshing { .. } => "refreshing",
            _ if self.blocks(super::cache::generation_of(current)).is_some() => "failed",
            State::Idle | State::BackingOff(_) => match current {
                None => "empty",
                Some(s) if s.is_expired() => "expired",
                Some(s) if s.refresh_due_in(margin).is_some_and(|d| d.is_zero()) => "expiring",
                Some(_) => "valid",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn flight(from_generation: u64) -> Flight {
        Flight::spawn(from_generation, futures::future::pending())
    }

    fn error(code: ErrorCode) -> Arc<Error> {
        Arc::new(Error::new(code, "x"))
    }

    const MARGIN: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn a_failed_flight_backs_off_its_generation_then_runs_out() {
        let mut s = State::Idle;
        s.start(flight(3));
        assert!(s.flight_for(3).is_some() && s.flight_for(2).is_none());
        assert_eq!(s.label(None, MARGIN), "refreshing");
        s.fail(3, error(ErrorCode::Network));
        s.land(3);
        assert!(matches!(s, State::BackingOff(_)));
        assert!(s.blocks(3).is_some() && s.blocks(4).is_none());
        assert_eq!(
            s.label(None, MARGIN),
            "empty",
            "the failure is of generation 3"
        );
        // The next failure of the same generation backs off longer.
        tokio::time::advance(Duration::from_millis(1300)).await;
        assert!(s.blocks(3).is_none());
        s.start(flight(3));
        s.fail(3, error(ErrorCode::Network));
        s.land(3);
        let State::BackingOff(f) = &s else {
            panic!("backing off")
        };
        assert_eq!(f.attempts, 2);
        s.succeed();
        assert!(matches!(s, State::Idle));
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_outlives_its_flight_until_new_credentials() {
        let mut s = State::Idle;
        s.start(flight(1));
        s.refuse(error(ErrorCode::ReauthorizationRequired));
        s.fail(1, error(ErrorCode::ReauthorizationRequired));
        assert_eq!(s.label(None, MARGIN), "reauthorization_required");
        s.land(1);
        assert!(s.refusal().is_some() && s.blocks(1).is_some());
        // A manual refresh forgets the backoff, not the refusal.
        s.forgive();
        assert!(s.refusal().is_some() && s.blocks(1).is_none());
        s.start(flight(1));
        assert!(s.flight_for(1).is_some());
        assert_eq!(s.label(None, MARGIN), "reauthorization_required");
        s.authorized();
        assert!(s.refusal().is_none());
        assert_eq!(s.label(None, MARGIN), "refreshing", "its flight still runs");
    }

    #[tokio::test(start_paused = true)]
    async fn closing_hands_back_the_running_flight_and_stays_closed() {
        let mut s = State::Idle;
        s.start(flight(5));
        assert_eq!(s.close().map(|f| f.from_generation), Some(5));
        s.fail(5, error(ErrorCode::Network));
        s.succeed();
        s.start(flight(6));
        assert!(s.is_closed() && s.flight_for(6).is_none());
        assert_eq!(s.label(None, MARGIN), "closed");
        assert!(s.close().is_none());
    }
}
