//! A circuit breaker per provider: after `failures` sends in a row that failed for the provider's
//! sake it opens, and sends skip the provider (no request) for `cool_down`; then one send is let
//! through as a probe (half-open) — its success closes the breaker, its failure opens it again.
//! Pure bookkeeping with the time passed in, so it is tested without clocks.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// What a breaker says about sending now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Send.
    Pass,
    /// Send: the one probe after the cool-down.
    Probe,
    /// Skip this provider; it may be tried again in this many ms.
    Skip { retry_in_ms: u64 },
}

/// A change worth telling (metrics, alerts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Opened,
    Closed,
}

#[derive(Clone, Debug)]
pub struct Breaker {
    failures: u32,
    cool_down_ms: u64,
    in_a_row: u32,
    state: BreakerState,
    /// Open: since when (ms). Half-open: when the probe left.
    since_ms: u64,
}

impl Breaker {
    pub fn new(failures: u32, cool_down: Duration) -> Self {
        Breaker {
            failures: failures.max(1),
            cool_down_ms: cool_down.as_millis() as u64,
            in_a_row: 0,
            state: BreakerState::Closed,
            since_ms: 0,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Failures in a row so far.
    pub fn failures_in_a_row(&self) -> u32 {
        self.in_a_row
    }

    /// Since when it is open or half-open (Unix ms), if it is.
    pub fn since_ms(&self) -> Option<u64> {
        (self.state != BreakerState::Closed).then_some(self.since_ms)
    }

    /// Open: when the probe may go (Unix ms).
    pub fn probe_at_ms(&self) -> Option<u64> {
        (self.state == BreakerState::Open).then_some(self.since_ms + self.cool_down_ms)
    }

    pub fn admit(&mut self, now_ms: u64) -> Admission {
        match self.state {
            BreakerState::Closed => Admission::Pass,
            BreakerState::Open => {
                let ready = self.since_ms + self.cool_down_ms;
                if now_ms >= ready {
                    self.state = BreakerState::HalfOpen;
                    self.since_ms = now_ms;
                    Admission::Probe
                } else {
                    Admission::Skip {
                        retry_in_ms: ready - now_ms,
                    }
                }
            }
            // One probe at a time; a probe that never reports back (a dropped future) frees the
            // way after another cool-down.
            BreakerState::HalfOpen if now_ms >= self.since_ms + self.cool_down_ms => {
                self.since_ms = now_ms;
                Admission::Probe
            }
            BreakerState::HalfOpen => Admission::Skip {
                retry_in_ms: self.since_ms + self.cool_down_ms - now_ms,
            },
        }
    }

    /// The provider took a send (or gave an answer that is the message's own fault).
    pub fn success(&mut self) -> Option<Change> {
        self.in_a_row = 0;
        let was = self.state;
        self.state = BreakerState::Closed;
        (was != BreakerState::Closed).then_some(Change::Closed)
    }

    /// A send failed for the provider's sake (unreachable, refusing, unknown outcome).
    pub fn failure(&mut self, now_ms: u64) -> Option<Change> {
        self.in_a_row = self.in_a_row.saturating_add(1);
        match self.state {
            BreakerState::HalfOpen => {
                self.state = BreakerState::Open;
                self.since_ms = now_ms;
                None
            }
            BreakerState::Closed if self.in_a_row >= self.failures => {
                self.state = BreakerState::Open;
                self.since_ms = now_ms;
                Some(Change::Opened)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_skips_then_probes_and_closes() {
        let mut b = Breaker::new(3, Duration::from_secs(10));
        assert_eq!(b.failure(0), None);
        assert_eq!(b.success(), None, "a success resets the count");
        assert_eq!(b.failure(1), None);
        assert_eq!(b.failure(2), None);
        assert_eq!(b.failure(3), Some(Change::Opened));
        assert_eq!(b.admit(4), Admission::Skip { retry_in_ms: 9_999 });
        assert_eq!(b.admit(10_003), Admission::Probe);
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert_eq!(
            b.admit(10_004),
            Admission::Skip { retry_in_ms: 9_999 },
            "one probe at a time"
        );
        assert_eq!(b.success(), Some(Change::Closed));
        assert_eq!(b.admit(10_005), Admission::Pass);
    }

    #[test]
    fn a_failed_probe_opens_it_again_for_another_cool_down() {
        let mut b = Breaker::new(1, Duration::from_secs(5));
        assert_eq!(b.failure(0), Some(Change::Opened));
        assert_eq!(b.admit(5_000), Admission::Probe);
        assert_eq!(b.failure(5_001), None, "still the same incident");
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.admit(6_000), Admission::Skip { retry_in_ms: 4_001 });
        assert_eq!(b.admit(10_001), Admission::Probe);
    }
}
