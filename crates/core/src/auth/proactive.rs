//! The background task of a manager: refreshes a margin before expiry (and on the keep-alive
//! period) through the same gate as a 401, so there is one path and no race. It knows the
//! manager only through [`Scheduled`] and holds it weakly: a dropped manager ends it.

use super::snapshot::Snapshot;
use futures::future::BoxFuture;
use parking_lot::Mutex;
use rand::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::AbortHandle;
use tokio::time::Instant;

/// When nothing is known, look again after this long (a notification usually comes first).
const IDLE: Duration = Duration::from_secs(3600);

/// What the scheduler needs to know to plan the next refresh.
pub(super) struct Outlook {
    pub snapshot: Arc<Snapshot>,
    /// A refresh of this snapshot's generation failed: not again before then.
    pub retry_at: Option<Instant>,
    /// No refresh can help until new credentials arrive.
    pub stopped: bool,
}

/// The manager as the scheduler sees it.
pub(super) trait Scheduled: Send + Sync + 'static {
    fn is_closed(&self) -> bool;
    /// `None` while there is no token.
    fn outlook(&self) -> Option<Outlook>;
    /// Refreshes the token of `generation` through the manager's single gate; errors are the
    /// manager's to latch and log.
    fn refresh(self: Arc<Self>, generation: u64) -> BoxFuture<'static, ()>;
}

/// How often to refresh without a request asking.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cadence {
    /// Wanted margin before a known expiry (the snapshot clamps it to half its lifetime).
    pub margin: Duration,
    /// Refresh before expiry at all.
    pub proactive: bool,
    /// Refresh at least this often, even when idle.
    pub keep_alive: Option<Duration>,
}

/// Starts the background task once, wakes it when the token changes, stops it on close.
pub(super) struct Scheduler {
    cadence: Cadence,
    started: AtomicBool,
    task: Mutex<Option<AbortHandle>>,
    wake: Arc<Notify>,
}

impl Scheduler {
    pub fn new(cadence: Cadence) -> Self {
        Scheduler {
            cadence,
            started: AtomicBool::new(false),
            task: Mutex::new(None),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Spawns the task for `target` the first time (no-op when there is nothing to schedule).
    pub fn start<M: Scheduled>(&self, target: &Arc<M>) {
        let c = self.cadence;
        if (c.proactive || c.keep_alive.is_some()) && !self.started.swap(true, Ordering::AcqRel) {
            let task = tokio::spawn(run(Arc::downgrade(target), self.wake.clone(), c));
            *self.task.lock() = Some(task.abort_handle());
            if target.is_closed() {
                task.abort();
            }
        }
    }

    /// The token or the state changed: plan again.
    pub fn poke(&self) {
        self.wake.notify_waiters();
    }

    pub fn stop(&self) {
        if let Some(task) = self.task.lock().take() {
            task.abort();
        }
        self.wake.notify_waiters();
    }
}

async fn run<M: Scheduled>(target: Weak<M>, wake: Arc<Notify>, cadence: Cadence) {
    loop {
        // Registered before reading the state, so a publish in between is not missed.
        let notified = wake.notified();
        let (at, generation) = {
            let Some(m) = target.upgrade() else { return };
            if m.is_closed() {
                return;
            }
            match m.outlook().and_then(|o| next_run(o, cadence)) {
                Some((at, generation)) => (at, Some(generation)),
                None => (Instant::now() + IDLE, None),
            }
        };
        tokio::select! {
            _ = notified => continue,
            _ = tokio::time::sleep_until(at) => {}
        }
        let Some(generation) = generation else {
            continue;
        };
        let Some(m) = target.upgrade() else { return };
        m.refresh(generation).await;
    }
}

/// When to refresh next and which generation that replaces.
fn next_run(o: Outlook, cadence: Cadence) -> Option<(Instant, u64)> {
    let snapshot = o.snapshot;
    let now = Instant::now();
    let mut at: Option<Instant> = snapshot.refresh_due_in(cadence.margin).map(|due| {
        // Up to 10% of the margin earlier (at most 5 s), so replicas do not all fire together.
        let margin = snapshot.margin(cadence.margin).unwrap_or_default();
        let spread = (margin / 10).min(Duration::from_secs(5));
        let jitter = spread.mul_f64(rand::rng().random_range(0.0..1.0));
        (now + due).checked_sub(jitter).unwrap_or(now).max(now)
    });
    if let Some(period) = cadence.keep_alive {
        let keep = now + period.saturating_sub(since_obtained(snapshot.obtained_at_ms));
        at = Some(at.map_or(keep, |a| a.min(keep)));
    }
    let mut at = at?;
    if let Some(retry_at) = o.retry_at {
        at = at.max(retry_at);
    }
    if o.stopped {
        return None;
    }
    Some((at, snapshot.generation))
}

fn since_obtained(obtained_at_ms: u64) -> Duration {
    Duration::from_millis(crate::store::unix_now_ms().saturating_sub(obtained_at_ms))
}
