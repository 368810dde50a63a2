//! The time budget of one public call: every attempt, wait and refresh it makes shares it, so a
//! promise settles within the configured timeout whatever happens underneath.

use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
}

impl Deadline {
    pub fn after(budget: Duration) -> Self {
        Deadline {
            at: Instant::now() + budget,
        }
    }

    pub fn at(&self) -> Instant {
        self.at
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub fn is_past(&self) -> bool {
        Instant::now() >= self.at
    }

    /// Whether waiting `wait` still leaves `then` for the next step.
    pub fn allows(&self, wait: Duration, then: Duration) -> bool {
        self.remaining() > wait + then
    }
}
