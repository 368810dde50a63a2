//! The providers' balances, polled on an interval (off unless `balancePollMs` is set): health
//! checks read the last values instead of calling the providers on every probe, and
//! `uzgate_balance{provider,currency}` carries them to Prometheus. With `routing`, every
//! provider that has a balance query is polled, each kept apart.

use super::types::Balance;
use crate::error::ErrorCode;
use crate::time::unix_now_ms;
use parking_lot::Mutex;
use std::time::Duration;
use tokio::task::AbortHandle;

/// Shortest and longest poll interval: the balance changes with sends, not by the second, and a
/// provider answers it with an authenticated request.
pub const MIN_POLL: Duration = Duration::from_secs(1);
pub const MAX_POLL: Duration = Duration::from_secs(24 * 3600);

/// What the last polls found.
#[derive(Clone, Debug, PartialEq)]
pub struct PolledBalance {
    /// `eskiz`, `twilio`, …
    pub provider: &'static str,
    pub balance: f64,
    pub currency: String,
    /// When that balance was read (Unix ms).
    pub polled_at_ms: u64,
    /// Polls that failed since (0: the value is the latest).
    pub failures_since: u32,
    /// The error code of the last failed poll since then.
    pub last_error: Option<ErrorCode>,
}

#[derive(Default)]
pub(super) struct BalanceWatch {
    /// One entry per provider polled successfully at least once, in the order first read.
    last: Mutex<Vec<PolledBalance>>,
    task: Mutex<Option<AbortHandle>>,
}

impl BalanceWatch {
    /// What the polls last found for `provider`.
    pub fn last(&self, provider: &str) -> Option<PolledBalance> {
        self.last
            .lock()
            .iter()
            .find(|b| b.provider == provider)
            .cloned()
    }

    /// What the polls last found, every provider.
    pub fn all(&self) -> Vec<PolledBalance> {
        self.last.lock().clone()
    }

    pub fn record(&self, balance: &Balance) {
        let polled = PolledBalance {
            provider: balance.provider,
            balance: balance.balance,
            currency: balance.currency.clone(),
            polled_at_ms: unix_now_ms(),
            failures_since: 0,
            last_error: None,
        };
        let mut last = self.last.lock();
        match last.iter_mut().find(|b| b.provider == balance.provider) {
            Some(slot) => *slot = polled,
            None => last.push(polled),
        }
    }

    /// A failed poll keeps the last value (with its time) and says how stale it is.
    pub fn failed(&self, provider: &str, code: ErrorCode) {
        if let Some(last) = self.last.lock().iter_mut().find(|b| b.provider == provider) {
            last.failures_since += 1;
            last.last_error = Some(code);
        }
    }

    /// Remembers the polling task; false (and the task is stopped) when one already runs.
    pub fn started(&self, task: AbortHandle) -> bool {
        let mut slot = self.task.lock();
        if slot.is_some() {
            task.abort();
            return false;
        }
        *slot = Some(task);
        true
    }

    pub fn stop(&self) {
        if let Some(task) = self.task.lock().take() {
            task.abort();
        }
    }
}
