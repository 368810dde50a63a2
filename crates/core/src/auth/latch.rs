//! A failed refresh is remembered for its generation with a growing backoff (1 s → 60 s), so a
//! burst of requests on a broken credential costs one request to the provider, not thousands —
//! and it is never remembered forever: a new generation or a manual refresh clears it.

use crate::error::Error;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const FIRST: Duration = Duration::from_secs(1);
const MAX: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct Failure {
    pub generation: u64,
    pub error: Arc<Error>,
    pub retry_at: Instant,
    pub attempts: u32,
}

/// The next failure record for `generation`, given the previous one.
pub fn next_failure(previous: Option<&Failure>, generation: u64, error: Arc<Error>) -> Failure {
    let attempts = match previous {
        Some(f) if f.generation == generation => f.attempts + 1,
        _ => 1,
    };
    let base = FIRST.saturating_mul(1 << (attempts - 1).min(6)).min(MAX);
    let jittered = base.mul_f64(rand::rng().random_range(0.8..=1.2));
    let wait = error
        .retry_after
        .map_or(jittered, |hint| hint.max(jittered));
    Failure {
        generation,
        error,
        retry_at: Instant::now() + wait,
        attempts,
    }
}

impl Failure {
    /// The error to hand out without a new request, while the backoff runs.
    pub fn blocks(&self, generation: u64) -> Option<Arc<Error>> {
        (self.generation == generation && Instant::now() < self.retry_at)
            .then(|| self.error.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[tokio::test(start_paused = true)]
    async fn backs_off_per_generation_and_expires() {
        let e = Arc::new(Error::new(ErrorCode::AuthFailed, "x"));
        let f1 = next_failure(None, 3, e.clone());
        assert_eq!(f1.attempts, 1);
        assert!(f1.blocks(3).is_some());
        assert!(f1.blocks(4).is_none(), "another generation is not blocked");
        tokio::time::advance(Duration::from_millis(1300)).await;
        assert!(f1.blocks(3).is_none(), "the latch runs out");
        let f2 = next_failure(Some(&f1), 3, e.clone());
        assert_eq!(f2.attempts, 2);
        let wait = f2.retry_at - Instant::now();
        assert!(wait >= Duration::from_millis(1600) && wait <= Duration::from_millis(2400));
        let mut f = f2;
        for _ in 0..10 {
            f = next_failure(Some(&f), 3, e.clone());
        }
        assert!(f.retry_at - Instant::now() <= Duration::from_secs(72));
    }

    #[tokio::test(start_paused = true)]
    async fn honours_the_providers_retry_after() {
        let e = Arc::new(
            Error::new(ErrorCode::RateLimited, "x").with_retry_after(Some(Duration::from_secs(30))),
        );
        let f = next_failure(None, 1, e);
        assert!(f.retry_at - Instant::now() >= Duration::from_secs(30));
    }
}
