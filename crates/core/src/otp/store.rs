//! Where challenges live: in memory for one process, in Redis when replicas must share attempt
//! counters and single use.

use crate::error::Result;
use futures::future::BoxFuture;

/// One sent code, as stored (never the code itself).
#[derive(Clone, Debug, PartialEq)]
pub struct Challenge {
    pub id: String,
    /// Hex HMAC of the code (see `code::digest`).
    pub digest: String,
    pub expires_at_ms: u64,
    pub attempts_left: u32,
    pub sent_at_ms: u64,
}

/// Whether a send may go ahead.
#[derive(Clone, Debug, PartialEq)]
pub enum SendDecision {
    /// Stored; the previous code of the phone is replaced.
    Allowed,
    /// Too soon after the last send; wait this many ms.
    Cooldown(u64),
    /// The hourly cap is reached; the oldest send leaves the window in this many ms.
    HourlyCap(u64),
}

/// The outcome of reserving one guess.
#[derive(Clone, Debug, PartialEq)]
pub enum Reservation {
    /// No code for this phone (never sent, used, or expired and removed).
    NotFound,
    Expired,
    /// The code is dead: its attempts are used up.
    Exhausted,
    /// One attempt taken: compare against `digest`; `left` attempts remain after this one.
    Reserved {
        id: String,
        digest: String,
        left: u32,
    },
}

pub trait OtpStore: Send + Sync {
    /// Atomically: check cooldown and hourly cap, then store `challenge` for `phone`.
    fn begin_send(
        &self,
        phone: &str,
        challenge: Challenge,
        cooldown_ms: u64,
        hourly_cap: u32,
        now_ms: u64,
    ) -> BoxFuture<'_, Result<SendDecision>>;

    /// Undo a send whose SMS was definitely not sent (the challenge and its count).
    fn cancel_send(&self, phone: &str, challenge_id: &str) -> BoxFuture<'_, Result<()>>;

    /// Atomically take one attempt of the current challenge.
    fn reserve_attempt(&self, phone: &str, now_ms: u64) -> BoxFuture<'_, Result<Reservation>>;

    /// Atomically remove the challenge if it is still `challenge_id`: true for exactly one caller.
    fn consume(&self, phone: &str, challenge_id: &str) -> BoxFuture<'_, Result<bool>>;
}
