//! After amoCRM blocks an account (403, lifted only by its support), every further call would
//! prolong the block. The breaker fails calls at once for a cooldown, then lets one through.

use parking_lot::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub struct Breaker {
    open_until: Mutex<Option<Instant>>,
    cooldown: Duration,
}

/// The breaker is open for `remaining` more.
pub struct Open {
    pub remaining: Duration,
}

impl Breaker {
    pub fn new(cooldown: Duration) -> Self {
        Breaker {
            open_until: Mutex::new(None),
            cooldown,
        }
    }

    pub fn cooldown(&self) -> Duration {
        self.cooldown
    }

    pub fn check(&self) -> Result<(), Open> {
        match *self.open_until.lock() {
            Some(until) if until > Instant::now() => Err(Open {
                remaining: until - Instant::now(),
            }),
            _ => Ok(()),
        }
    }

    pub fn trip(&self) {
        *self.open_until.lock() = Some(Instant::now() + self.cooldown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_then_lets_one_through_after_the_cooldown() {
        let b = Breaker::new(Duration::from_secs(600));
        assert!(b.check().is_ok());
        b.trip();
        let open = b.check().err().unwrap();
        assert!(open.remaining > Duration::from_secs(599));
        tokio::time::advance(Duration::from_secs(601)).await;
        assert!(b.check().is_ok());
    }
}
