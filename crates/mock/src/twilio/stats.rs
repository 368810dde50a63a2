//! What the Twilio imitation counts.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use crate::stats::Counter;

#[derive(Default)]
pub(crate) struct TwilioStats {
    /// Every request to a Twilio path, refused or not.
    pub requests: Counter,
    /// Messages created.
    pub messages: Counter,
    /// 401s: missing or wrong credentials.
    pub auth_failures: Counter,
    /// 429s: over the concurrent request limit.
    pub rate_limited: Counter,
    /// Callback POSTs made, and those that failed (error or non-2xx).
    pub callbacks_sent: Counter,
    pub callbacks_failed: Counter,
    pub canceled: Counter,
    pub deleted: Counter,
    /// Every error answered, by Twilio error code.
    rejected: Mutex<BTreeMap<u32, u64>>,
}

impl TwilioStats {
    pub(crate) fn reject(&self, code: u32) {
        *self.rejected.lock().entry(code).or_default() += 1;
    }

    pub(crate) fn to_json(&self) -> Value {
        let rejected: Map<String, Value> = self
            .rejected
            .lock()
            .iter()
            .map(|(code, n)| (code.to_string(), Value::from(*n)))
            .collect();
        json!({
            "requests": self.requests.get(),
            "messages": self.messages.get(),
            "authFailures": self.auth_failures.get(),
            "rejected": rejected,
            "rateLimited": self.rate_limited.get(),
            "callbacksSent": self.callbacks_sent.get(),
            "callbacksFailed": self.callbacks_failed.get(),
            "canceled": self.canceled.get(),
            "deleted": self.deleted.get(),
        })
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.requests,
            &self.messages,
            &self.auth_failures,
            &self.rate_limited,
            &self.callbacks_sent,
            &self.callbacks_failed,
            &self.canceled,
            &self.deleted,
        ] {
            c.reset();
        }
        self.rejected.lock().clear();
    }
}
