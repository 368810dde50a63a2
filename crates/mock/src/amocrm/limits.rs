//! Rate limits and the block that follows repeated violations.
//!
//! Each limit is a GCRA token bucket: rate `r` per second, burst of one second's worth
//! (`max(r, 1)` requests). A client sending evenly at `r` is always let through, even with
//! jitter up to most of a second, while a burst beyond one second's worth is refused. A
//! request must pass both the integration's and the account's bucket; a refused request
//! uses neither.
//!
//! Every 429 is remembered for a minute; once `blockAfter` of them fall within that minute
//! the account is blocked (403 on every request) until `unblock`, like amoCRM's block that
//! only support can lift.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use parking_lot::Mutex;

use super::config::AmocrmConfig;

const WINDOW_SECS: f64 = 60.0;

pub(crate) enum Verdict {
    Pass,
    /// Refused; the next request would pass after this many seconds (rounded up, ≥ 1).
    Limited {
        retry_after: u64,
    },
    Blocked,
}

/// Generic cell rate algorithm state: the theoretical arrival time of the next request,
/// in seconds since the limiter's origin.
#[derive(Default)]
struct Bucket {
    tat: f64,
}

impl Bucket {
    /// The bucket's next `tat` if a request at `now` conforms, else how long to wait.
    fn admit(&self, now: f64, rate: f64) -> Result<f64, f64> {
        if rate <= 0.0 {
            return Ok(self.tat);
        }
        let interval = 1.0 / rate;
        let tolerance = (rate.max(1.0) - 1.0) * interval;
        let tat = self.tat.max(now);
        let allowed_at = tat - tolerance;
        if now < allowed_at {
            Err(allowed_at - now)
        } else {
            Ok(tat + interval)
        }
    }
}

#[derive(Default)]
struct State {
    integration: Bucket,
    account: Bucket,
    /// When recent 429s were answered, oldest first.
    refusals: VecDeque<f64>,
}

pub(crate) struct Limits {
    origin: Instant,
    /// Checked without the lock: once blocked, every request is answered from this flag.
    blocked: AtomicBool,
    state: Mutex<State>,
}

impl Limits {
    pub(crate) fn new() -> Self {
        Limits {
            origin: Instant::now(),
            blocked: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        }
    }

    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked.load(Ordering::Acquire)
    }

    /// Decides one API request.
    pub(crate) fn admit(&self, cfg: &AmocrmConfig) -> Verdict {
        if self.is_blocked() {
            return Verdict::Blocked;
        }
        let now = self.origin.elapsed().as_secs_f64();
        let mut state = self.state.lock();
        let integration = state.integration.admit(now, cfg.rate_limit_per_second);
        let account = state.account.admit(now, cfg.account_rate_limit_per_second);
        match (integration, account) {
            (Ok(i), Ok(a)) => {
                state.integration.tat = i;
                state.account.tat = a;
                Verdict::Pass
            }
            (i, a) => {
                let wait = i.err().unwrap_or(0.0).max(a.err().unwrap_or(0.0));
                while state
                    .refusals
                    .front()
                    .is_some_and(|&t| now - t >= WINDOW_SECS)
                {
                    state.refusals.pop_front();
                }
                state.refusals.push_back(now);
                if cfg.block_after > 0 && state.refusals.len() >= cfg.block_after as usize {
                    self.blocked.store(true, Ordering::Release);
                }
                Verdict::Limited {
                    retry_after: (wait.ceil() as u64).max(1),
                }
            }
        }
    }

    /// Lifts a block and forgets past violations and bursts.
    pub(crate) fn unblock(&self) {
        let mut state = self.state.lock();
        *state = State::default();
        self.blocked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_of_one_second_then_refusal() {
        let mut b = Bucket::default();
        let mut passed = 0;
        for _ in 0..20 {
            if let Ok(tat) = b.admit(10.0, 7.0) {
                b.tat = tat;
                passed += 1;
            }
        }
        assert_eq!(passed, 7);
        // One interval later exactly one more fits.
        assert!(b.admit(10.0 + 1.0 / 7.0 - 0.01, 7.0).is_err());
        assert!(b.admit(10.0 + 1.0 / 7.0 + 1e-9, 7.0).is_ok());
    }

    #[test]
    fn even_pace_with_jitter_always_passes() {
        let mut b = Bucket::default();
        for i in 0..700 {
            let jitter = if i % 2 == 0 { 0.05 } else { -0.05 };
            let now = 5.0 + i as f64 / 7.0 + jitter;
            b.tat = b.admit(now, 7.0).expect("paced request refused");
        }
    }

    #[test]
    fn blocks_after_enough_refusals_until_unblocked() {
        let limits = Limits::new();
        let cfg = AmocrmConfig {
            rate_limit_per_second: 1.0,
            block_after: 3,
            ..AmocrmConfig::default()
        };
        assert!(matches!(limits.admit(&cfg), Verdict::Pass));
        for _ in 0..3 {
            assert!(matches!(
                limits.admit(&cfg),
                Verdict::Limited { retry_after: 1 }
            ));
        }
        assert!(matches!(limits.admit(&cfg), Verdict::Blocked));
        limits.unblock();
        assert!(matches!(limits.admit(&cfg), Verdict::Pass));
    }

    #[test]
    fn zero_rate_is_unlimited() {
        let limits = Limits::new();
        let cfg = AmocrmConfig {
            rate_limit_per_second: 0.0,
            account_rate_limit_per_second: 0.0,
            ..AmocrmConfig::default()
        };
        for _ in 0..1000 {
            assert!(matches!(limits.admit(&cfg), Verdict::Pass));
        }
    }
}
