//! The provider's balance, polled on an interval (off unless `balancePollMs` is set): health
//! checks read the last value instead of calling the provider on every probe, and
//! `uzgate_balance{provider,currency}` carries it to Prometheus.

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
    last: Mutex<Option<PolledBalance>>,
    task: Mutex<Option<AbortHandle>>,
}

impl BalanceWatch {
    pub fn last(&self) -> Option<PolledBalance> {
        self.last.lock().clone()
    }

    pub fn record(&self, balance: &Balance) {
        *self.last.lock() = Some(PolledBalance {
            balance: balance.balance,
            currency: balance.currency.clone(),
            polled_at_ms: unix_now_ms(),
            failures_since: 0,
            last_error: None,
        });
    }

    /// A failed poll keeps the last value (with its time) and says how stale it is.
    pub fn failed(&self, code: ErrorCode) {
        if let Some(last) = self.last.lock().as_mut() {
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
