//! The knobs of a token manager (margins, timeouts, the cross-process lock), and the one rule
//! that ties them: a lock lease that can run out during a refresh is refused at construction.

use crate::error::{Error, Result};
use std::time::Duration;

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
    /// Deadline of each token-store call (a lock's: its wait plus this); a call that does not
    /// answer by then is abandoned as a `STORE_ERROR`.
    pub store_call_timeout: Duration,
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
        if self.store_call_timeout.is_zero() {
            return Err(Error::config("tokenStore.callTimeoutMs must be positive"));
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
            store_call_timeout: Duration::from_secs(5),
        }
    }
}
