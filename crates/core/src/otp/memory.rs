//! Challenges of this process only (one replica, development, tests).

use super::store::{Challenge, OtpStore, Reservation, SendDecision};
use crate::error::Result;
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};

const HOUR_MS: u64 = 3_600_000;

#[derive(Default)]
struct Phone {
    challenge: Option<Challenge>,
    /// Send times within the last hour, oldest first.
    sends: VecDeque<(u64, String)>,
}

#[derive(Default)]
pub struct MemoryOtpStore {
    phones: Mutex<HashMap<String, Phone>>,
}

impl MemoryOtpStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl OtpStore for MemoryOtpStore {
    fn begin_send(
        &self,
        phone: &str,
        challenge: Challenge,
        cooldown_ms: u64,
        hourly_cap: u32,
        now_ms: u64,
    ) -> BoxFuture<'_, Result<SendDecision>> {
        let decision = {
            let mut phones = self.phones.lock();
            let p = phones.entry(phone.to_string()).or_default();
            while p.sends.front().is_some_and(|(t, _)| t + HOUR_MS <= now_ms) {
                p.sends.pop_front();
            }
            let last = p.sends.back().map(|(t, _)| *t);
            if let Some(wait) = last
                .map(|t| (t + cooldown_ms).saturating_sub(now_ms))
                .filter(|w| *w > 0)
            {
                SendDecision::Cooldown(wait)
            } else if p.sends.len() as u32 >= hourly_cap {
                let oldest = p.sends.front().map_or(now_ms, |(t, _)| *t);
                SendDecision::HourlyCap((oldest + HOUR_MS).saturating_sub(now_ms).max(1))
            } else {
                p.sends.push_back((now_ms, challenge.id.clone()));
                p.challenge = Some(challenge);
                SendDecision::Allowed
            }
        };
        async move { Ok(decision) }.boxed()
    }

    fn cancel_send(&self, phone: &str, challenge_id: &str) -> BoxFuture<'_, Result<()>> {
        if let Some(p) = self.phones.lock().get_mut(phone) {
            if p.challenge.as_ref().is_some_and(|c| c.id == challenge_id) {
                p.challenge = None;
            }
            p.sends.retain(|(_, id)| id != challenge_id);
        }
        async { Ok(()) }.boxed()
    }

    fn reserve_attempt(&self, phone: &str, now_ms: u64) -> BoxFuture<'_, Result<Reservation>> {
        let r = {
            let mut phones = self.phones.lock();
            match phones.get_mut(phone).and_then(|p| p.challenge.as_mut()) {
                None => Reservation::NotFound,
                Some(c) if c.expires_at_ms <= now_ms => Reservation::Expired,
                Some(c) if c.attempts_left == 0 => Reservation::Exhausted,
                Some(c) => {
                    c.attempts_left -= 1;
                    Reservation::Reserved {
                        id: c.id.clone(),
                        digest: c.digest.clone(),
                        left: c.attempts_left,
                    }
                }
            }
        };
        async move { Ok(r) }.boxed()
    }

    fn consume(&self, phone: &str, challenge_id: &str) -> BoxFuture<'_, Result<bool>> {
        let done = {
            let mut phones = self.phones.lock();
            match phones.get_mut(phone) {
                Some(p) if p.challenge.as_ref().is_some_and(|c| c.id == challenge_id) => {
                    p.challenge = None;
                    true
                }
                _ => false,
            }
        };
        async move { Ok(done) }.boxed()
    }
}
