//! The background task of a manager: refreshes a margin before expiry (and on the keep-alive
//! period) through the same gate as a 401, so there is one path and no race. It holds only a
//! weak reference: a dropped manager ends it.

use super::manager::TokenManager;
use rand::Rng;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// When nothing is known, look again after this long (a notification usually comes first).
const IDLE: Duration = Duration::from_secs(3600);

pub async fn run(manager: Weak<TokenManager>, wake: Arc<Notify>) {
    loop {
        // Registered before reading the state, so a publish in between is not missed.
        let notified = wake.notified();
        let (at, generation) = {
            let Some(m) = manager.upgrade() else { return };
            if m.is_closed() {
                return;
            }
            match next_run(&m) {
                Some(plan) => plan,
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
        let Some(m) = manager.upgrade() else { return };
        // Errors are latched and logged by the manager; the loop then waits for the latch.
        let _ = m.refresh_after_reject(generation).await;
    }
}

/// When to refresh next and which generation that replaces.
fn next_run(m: &Arc<TokenManager>) -> Option<(Instant, Option<u64>)> {
    let snapshot = m.current()?;
    let now = Instant::now();
    let mut at: Option<Instant> = m.refresh_due_in(&snapshot).map(|due| {
        // Up to 10% of the margin earlier (at most 5 s), so replicas do not all fire together.
        let margin = m.effective_margin(&snapshot).unwrap_or_default();
        let spread = (margin / 10).min(Duration::from_secs(5));
        let jitter = spread.mul_f64(rand::rng().random_range(0.0..1.0));
        (now + due).checked_sub(jitter).unwrap_or(now).max(now)
    });
    if let Some(period) = m.options.keep_alive {
        let keep = now + period.saturating_sub(since_obtained(snapshot.obtained_at_ms));
        at = Some(at.map_or(keep, |a| a.min(keep)));
    }
    let mut at = at?;
    if let Some(failure) = m.latch.lock().as_ref() {
        if failure.generation == snapshot.generation && failure.retry_at > at {
            at = failure.retry_at;
        }
    }
    if m.reauthorization.lock().is_some() {
        return None;
    }
    Some((at, Some(snapshot.generation)))
}

fn since_obtained(obtained_at_ms: u64) -> Duration {
    Duration::from_millis(crate::store::unix_now_ms().saturating_sub(obtained_at_ms))
}
