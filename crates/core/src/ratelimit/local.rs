//! This process's budget: `governor`'s GCRA (one atomic, no background task).

use super::{jitter, limited};
use crate::error::{Error, Result};
use crate::http::limit::Limiter;
use crate::http::Deadline;
use futures::future::BoxFuture;
use futures::FutureExt;
use governor::clock::{Clock, DefaultClock};
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use parking_lot::Mutex;
use std::num::NonZeroU32;
use std::time::Duration;
use tokio::time::Instant;

pub struct LocalLimiter {
    limiter: RateLimiter<NotKeyed, InMemoryState, DefaultClock>,
    clock: DefaultClock,
    held_until: Mutex<Option<Instant>>,
}

impl LocalLimiter {
    /// `per_second` requests per second, evenly spaced.
    pub fn new(per_second: f64) -> Result<Self> {
        if !(per_second.is_finite() && per_second > 0.0 && per_second <= 10_000.0) {
            return Err(Error::config(
                "rateLimitPerSecond must be between 0 and 10000",
            ));
        }
        let period = Duration::from_secs_f64(1.0 / per_second);
        let quota = Quota::with_period(period)
            .expect("positive period")
            .allow_burst(NonZeroU32::MIN);
        Ok(LocalLimiter {
            limiter: RateLimiter::direct(quota),
            clock: DefaultClock::default(),
            held_until: Mutex::new(None),
        })
    }
}

/// Waits out a 429 hold; errors if that outlasts the deadline.
pub(super) async fn wait_hold(
    held: &Mutex<Option<Instant>>,
    deadline: Deadline,
) -> Result<Duration> {
    let until = *held.lock();
    match until {
        Some(at) if at > Instant::now() => {
            let wait = at - Instant::now();
            if at > deadline.at() {
                return Err(limited(wait));
            }
            tokio::time::sleep_until(at).await;
            Ok(wait)
        }
        _ => Ok(Duration::ZERO),
    }
}

pub(super) fn extend_hold(held: &Mutex<Option<Instant>>, wait: Duration) {
    let at = Instant::now() + wait;
    let mut h = held.lock();
    if h.is_none_or(|cur| cur < at) {
        *h = Some(at);
    }
}

impl Limiter for LocalLimiter {
    fn acquire(&self, deadline: Deadline) -> BoxFuture<'_, Result<Duration>> {
        async move {
            let mut waited = wait_hold(&self.held_until, deadline).await?;
            loop {
                match self.limiter.check() {
                    Ok(()) => return Ok(waited),
                    Err(not_until) => {
                        let wait = not_until.wait_time_from(self.clock.now()) + jitter();
                        if !deadline.allows(wait, Duration::ZERO) {
                            return Err(limited(wait));
                        }
                        tokio::time::sleep(wait).await;
                        waited += wait;
                    }
                }
            }
        }
        .boxed()
    }

    fn hold(&self, wait: Duration) {
        extend_hold(&self.held_until, wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[tokio::test]
    async fn paces_evenly() {
        let l = LocalLimiter::new(50.0).unwrap();
        let deadline = Deadline::after(Duration::from_secs(5));
        let start = std::time::Instant::now();
        for _ in 0..11 {
            l.acquire(deadline).await.unwrap();
        }
        // 10 intervals of 20 ms: about 200 ms, never a burst.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(190), "{took:?}");
        assert!(took < Duration::from_millis(400), "{took:?}");
    }

    #[tokio::test]
    async fn a_wait_beyond_the_deadline_is_rate_limited() {
        let l = LocalLimiter::new(1.0).unwrap();
        let deadline = Deadline::after(Duration::from_millis(100));
        l.acquire(deadline).await.unwrap();
        let e = l.acquire(deadline).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert!(e.retry_after.unwrap() > Duration::from_millis(500));
    }

    #[tokio::test]
    async fn a_hold_blocks_until_it_passes() {
        let l = LocalLimiter::new(1000.0).unwrap();
        l.hold(Duration::from_millis(120));
        let start = std::time::Instant::now();
        l.acquire(Deadline::after(Duration::from_secs(2)))
            .await
            .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(110));
        l.hold(Duration::from_secs(10));
        assert_eq!(
            l.acquire(Deadline::after(Duration::from_millis(50)))
                .await
                .unwrap_err()
                .code,
            ErrorCode::RateLimited
        );
    }

    #[test]
    fn bad_rates_are_configuration_errors() {
        for r in [0.0, -1.0, f64::NAN, 1e9] {
            assert_eq!(LocalLimiter::new(r).err().unwrap().code, ErrorCode::Config);
        }
    }
}
