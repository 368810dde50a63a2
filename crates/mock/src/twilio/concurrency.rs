//! Twilio's account-wide limit on concurrent REST requests (429 / 20429).
//!
//! A request holds a slot for its whole exchange as the server sees it, from the moment it
//! arrives until its response is handed over, including an injected fault's latency: that
//! is what a slow request costs at Twilio's edge. A request over the limit is refused at
//! once and is never processed, so it is always safe to retry.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::http::HeaderValue;
use axum::response::Response;

use super::error::TwilioError;
use super::respond::CONCURRENT_REQUESTS;
use crate::shared::Shared;

#[derive(Default)]
pub(crate) struct Concurrency {
    in_flight: AtomicU64,
}

impl Concurrency {
    pub(crate) fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// What the limit makes of a request.
pub(crate) enum Admission {
    /// Not a Twilio request.
    Uncounted,
    /// In flight until the slot is dropped.
    Admitted(Slot),
    /// Over the limit: this 429 is the answer.
    Refused(Response),
}

/// Held while a Twilio request is in flight.
pub(crate) struct Slot {
    shared: Arc<Shared>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared
            .twilio
            .concurrency
            .in_flight
            .fetch_sub(1, Ordering::AcqRel);
    }
}

/// Takes a slot for a request to a Twilio path, or answers the 429 if the account is at
/// its limit. A refused request takes no slot, so it never crowds out another.
pub(crate) fn enter(shared: &Arc<Shared>, path: &str) -> Admission {
    if !super::owns(path) {
        return Admission::Uncounted;
    }
    let twilio = &shared.twilio;
    let cfg = twilio.config.load();
    let limit = u64::from(cfg.concurrency_limit);
    let taken =
        twilio
            .concurrency
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (limit == 0 || n < limit).then_some(n + 1)
            });
    let in_flight = match taken {
        Ok(_) => {
            return Admission::Admitted(Slot {
                shared: shared.clone(),
            })
        }
        Err(in_flight) => in_flight,
    };
    twilio.stats.rate_limited.inc();
    let mut resp = TwilioError::too_many_requests().into_response(shared);
    // The header counts the refused request too: it did arrive concurrently.
    resp.headers_mut()
        .insert(CONCURRENT_REQUESTS, HeaderValue::from(in_flight + 1));
    if let Some(secs) = cfg.retry_after {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Admission::Refused(resp)
}
