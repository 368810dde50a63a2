//! Client-side rate limiting hook used by the execution loop. Implementations live with the
//! provider that needs them (amoCRM's GCRA limiter, optionally shared through Redis).

use super::Deadline;
use crate::error::Result;
use futures::future::BoxFuture;
use std::time::Duration;

pub trait Limiter: Send + Sync {
    /// Waits for a slot; errors with `RATE_LIMITED` when the deadline would pass first.
    fn acquire(&self, deadline: Deadline) -> BoxFuture<'_, Result<Duration>>;
    /// The provider answered 429: nobody in this process sends before `wait` has passed.
    fn hold(&self, wait: Duration);
}
