//! A routed provider's breaker as sends use it: this process's own [`Breaker`], and — when the
//! client has a Redis store — the breaker shared by every replica ([`SharedBreakers`]), read
//! through a local view that is refreshed in the background at most every [`REFRESH`]. A healthy
//! send then asks nothing of Redis; failures, probes and state changes write. When Redis does
//! not answer, the local breaker decides (fail open to per-replica behaviour).

use super::breaker::{Admission, Breaker, BreakerState, Change};
use super::shared::{ProbeClaim, SharedBreakers, SharedState};
use super::BreakerSettings;
use crate::time::unix_now_ms;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A view older than this is refreshed in the background (the send goes on with it).
pub const REFRESH: Duration = Duration::from_millis(500);
/// A view older than this (or none yet) is read before the send: an idle replica's first send
/// learns of a breaker another one opened.
pub const STALE: Duration = Duration::from_secs(2);

/// The shared breaker as this process last saw it.
#[derive(Clone, Debug, Default)]
struct View {
    fetched: Option<Instant>,
    state: SharedState,
    /// `state.open_for` from `fetched`.
    open_until: Option<Instant>,
    /// This process has reported the breaker open (and not yet closed).
    reported_open: bool,
}

impl View {
    /// Takes `state`, which Redis gave to a call made at `asked` — unless a later call's answer
    /// is already here (a slow read must not undo a failure written after it).
    fn set(&mut self, state: SharedState, asked: Instant) {
        if self.fetched.is_some_and(|f| asked < f) {
            return;
        }
        self.open_until = state.open_for.map(|d| asked + d);
        self.fetched = Some(asked);
        self.state = state;
    }

    fn open(&self) -> bool {
        self.open_until.is_some()
    }

    /// `observe`, with what the state says of it.
    fn noted(&mut self) -> Option<Noted> {
        let change = self.observe()?;
        Some(Noted {
            change: Some(change),
            failures: self.state.fails,
            probe_at_ms: self.open_until.map(|u| {
                unix_now_ms() + u.saturating_duration_since(Instant::now()).as_millis() as u64
            }),
            last_code: self.state.last_code.clone(),
        })
    }

    /// The change this process reports now that it sees the state (once per opening/closing).
    fn observe(&mut self) -> Option<Change> {
        match (self.open(), self.reported_open) {
            (true, false) => {
                self.reported_open = true;
                Some(Change::Opened)
            }
            (false, true) => {
                self.reported_open = false;
                Some(Change::Closed)
            }
            _ => None,
        }
    }
}

struct Shared {
    store: Arc<SharedBreakers>,
    view: Arc<Mutex<View>>,
    refreshing: Arc<AtomicBool>,
}

pub struct Guard {
    name: &'static str,
    settings: BreakerSettings,
    local: Mutex<Breaker>,
    shared: Option<Shared>,
}

/// What a step changed, and what the listener is told of it.
pub struct Noted {
    pub change: Option<Change>,
    pub failures: u32,
    pub probe_at_ms: Option<u64>,
    /// The last failure's code, when another replica saw it.
    pub last_code: Option<String>,
}

impl Noted {
    /// A change with nothing more to say (a closing).
    pub fn seen(change: Change) -> Self {
        Noted {
            change: Some(change),
            failures: 0,
            probe_at_ms: None,
            last_code: None,
        }
    }
}

impl Guard {
    pub fn local(name: &'static str, settings: BreakerSettings) -> Self {
        Guard {
            name,
            settings,
            local: Mutex::new(Breaker::new(settings.failures, settings.cool_down)),
            shared: None,
        }
    }

    pub fn shared(
        name: &'static str,
        settings: BreakerSettings,
        store: Arc<SharedBreakers>,
    ) -> Self {
        Guard {
            shared: Some(Shared {
                store,
                view: Arc::default(),
                refreshing: Arc::default(),
            }),
            ..Guard::local(name, settings)
        }
    }

    /// The shared breaker, when there is one and Redis is taken as answering.
    fn sharing(&self) -> Option<&Shared> {
        self.shared.as_ref().filter(|s| s.store.available())
    }

    /// Whether the state is shared with other replicas (Redis configured and answering).
    pub fn is_shared(&self) -> bool {
        self.sharing().is_some()
    }

    /// Whether to send now, and a change this process learns of from the shared state.
    pub async fn admit(&self) -> (Admission, Option<Noted>) {
        let Some(s) = self.sharing() else {
            return (self.local.lock().admit(unix_now_ms()), None);
        };
        let age = s.view.lock().fetched.map(|f| f.elapsed());
        match age {
            Some(age) if age < REFRESH => {}
            Some(age) if age < STALE => self.refresh_in_background(s),
            _ => {
                let asked = Instant::now();
                if let Ok(state) = s.store.fetch(self.name).await {
                    s.view.lock().set(state, asked);
                } else {
                    return (self.local.lock().admit(unix_now_ms()), None);
                }
            }
        }
        let (open_until, change) = {
            let mut v = s.view.lock();
            (v.open_until, v.noted())
        };
        let Some(until) = open_until else {
            return (Admission::Pass, change);
        };
        let now = Instant::now();
        if now < until {
            let retry_in_ms = (until - now).as_millis().max(1) as u64;
            return (Admission::Skip { retry_in_ms }, change);
        }
        let asked = Instant::now();
        match s
            .store
            .claim_probe(self.name, self.settings.cool_down)
            .await
        {
            Ok(ProbeClaim::Mine) => {
                s.view.lock().state.probing = true;
                (Admission::Probe, change)
            }
            Ok(ProbeClaim::Wait(d)) => {
                // Not this replica's probe: look again once it may be over.
                s.view.lock().open_until = Some(Instant::now() + d);
                let retry_in_ms = d.as_millis().max(1) as u64;
                (Admission::Skip { retry_in_ms }, change)
            }
            Ok(ProbeClaim::Closed) => {
                let mut v = s.view.lock();
                v.set(SharedState::default(), asked);
                (Admission::Pass, change.or(v.noted()))
            }
            Err(_) => (self.local.lock().admit(unix_now_ms()), change),
        }
    }

    fn refresh_in_background(&self, s: &Shared) {
        if s.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            s.refreshing.store(false, Ordering::Release);
            return;
        };
        let (store, view, refreshing, name) = (
            s.store.clone(),
            s.view.clone(),
            s.refreshing.clone(),
            self.name,
        );
        runtime.spawn(async move {
            let asked = Instant::now();
            if let Ok(state) = store.fetch(name).await {
                view.lock().set(state, asked);
            }
            refreshing.store(false, Ordering::Release);
        });
    }

    /// The provider took a send (or answered about the message itself); `probe`: it was the
    /// half-open probe.
    pub async fn success(&self, probe: bool) -> Option<Change> {
        let local = self.local.lock().success();
        let Some(s) = self.sharing() else {
            return local;
        };
        let dirty = {
            let v = s.view.lock();
            probe || v.open() || v.state.fails > 0
        };
        if !dirty {
            return None;
        }
        let asked = Instant::now();
        match s.store.succeed(self.name).await {
            Ok(_) => {
                let mut v = s.view.lock();
                v.set(SharedState::default(), asked);
                v.observe()
            }
            Err(_) => local,
        }
    }

    /// A send failed for the provider's sake with `code`; `probe`: it was the half-open probe.
    pub async fn failure(&self, probe: bool, code: &str) -> Noted {
        let (local, local_noted) = {
            let mut b = self.local.lock();
            let change = b.failure(unix_now_ms());
            (change, (b.failures_in_a_row(), b.probe_at_ms()))
        };
        let fallback = Noted {
            change: local,
            failures: local_noted.0,
            probe_at_ms: local_noted.1,
            last_code: None,
        };
        let Some(s) = self.sharing() else {
            return fallback;
        };
        let settings = self.settings;
        let asked = Instant::now();
        match s
            .store
            .fail(
                self.name,
                settings.failures,
                settings.cool_down,
                probe,
                code,
            )
            .await
        {
            Ok(failed) => {
                let mut v = s.view.lock();
                let failures = failed.state.fails;
                let probe_at_ms = failed
                    .state
                    .open_for
                    .map(|d| unix_now_ms() + d.as_millis() as u64);
                let last_code = failed.state.last_code.clone();
                v.set(failed.state, asked);
                Noted {
                    change: v.observe(),
                    failures,
                    probe_at_ms,
                    last_code,
                }
            }
            Err(_) => fallback,
        }
    }

    /// `(state, failures in a row, open since)` for `providerStatus()`.
    pub fn status(&self) -> (BreakerState, u32, Option<u64>) {
        if let Some(s) = self.sharing() {
            let v = s.view.lock();
            if v.fetched.is_some() {
                let state = match v.open_until {
                    None => BreakerState::Closed,
                    Some(until) if Instant::now() >= until && v.state.probing => {
                        BreakerState::HalfOpen
                    }
                    Some(_) => BreakerState::Open,
                };
                let since = (state != BreakerState::Closed).then_some(v.state.since_ms);
                return (state, v.state.fails, since);
            }
        }
        let b = self.local.lock();
        (b.state(), b.failures_in_a_row(), b.since_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_for(ms: u64, fails: u32) -> SharedState {
        SharedState {
            fails,
            open_for: Some(Duration::from_millis(ms)),
            since_ms: 1_000,
            last_code: Some("NETWORK".into()),
            probing: false,
        }
    }

    #[test]
    fn each_process_reports_an_opening_and_a_closing_it_sees_once() {
        let mut v = View::default();
        v.set(
            SharedState {
                fails: 2,
                ..SharedState::default()
            },
            Instant::now(),
        );
        assert!(
            v.noted().is_none(),
            "failures below the threshold say nothing"
        );
        let asked = Instant::now();
        v.set(open_for(5_000, 3), asked);
        let n = v.noted().unwrap();
        assert_eq!((n.change, n.failures), (Some(Change::Opened), 3));
        assert_eq!(n.last_code.as_deref(), Some("NETWORK"));
        let probe_in = n.probe_at_ms.unwrap().saturating_sub(unix_now_ms());
        assert!((4_000..=5_000).contains(&probe_in), "{probe_in}");
        v.set(open_for(4_000, 4), Instant::now());
        assert!(v.noted().is_none(), "still the same opening");
        v.set(SharedState::default(), asked);
        assert!(
            v.open(),
            "a read asked before the last answer changes nothing"
        );
        v.set(SharedState::default(), Instant::now());
        assert_eq!(v.observe(), Some(Change::Closed));
        assert_eq!(v.observe(), None, "closed once");
    }

    #[tokio::test]
    async fn without_redis_the_local_breaker_decides() {
        let settings = BreakerSettings {
            failures: 2,
            cool_down: Duration::from_secs(60),
        };
        let g = Guard::local("eskiz", settings);
        assert_eq!(g.admit().await.0, Admission::Pass);
        assert_eq!(g.failure(false, "NETWORK").await.change, None);
        let opened = g.failure(false, "NETWORK").await;
        assert_eq!((opened.change, opened.failures), (Some(Change::Opened), 2));
        assert!(matches!(g.admit().await.0, Admission::Skip { .. }));
        assert_eq!(g.status().0, BreakerState::Open);
        assert!(!g.is_shared());
    }
}
