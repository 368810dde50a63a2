//! Client-side rate limits (amoCRM allows 7 requests/s per integration and blocks accounts that
//! keep exceeding it). Both limiters pace requests evenly (GCRA with a burst of one) and honour a
//! provider's 429 by holding everyone until its `Retry-After` has passed.

mod local;
mod shared;

pub use local::LocalLimiter;
pub use shared::RedisLimiter;

use crate::error::{Error, ErrorCode};
use std::time::Duration;

fn limited(wait: Duration) -> Error {
    Error::new(
        ErrorCode::RateLimited,
        "the rate limit would delay this call beyond its timeout",
    )
    .with_retry_after(Some(wait))
}

/// Up to 2 ms, so processes woken together do not send together.
fn jitter() -> Duration {
    Duration::from_micros(rand::random::<u64>() % 2_000)
}
