//! What the Play Mobile imitation counts.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use crate::stats::Counter;

#[derive(Default)]
pub(crate) struct PlayMobileStats {
    /// Every request to a `/broker-api` path, refused or not.
    pub requests: Counter,
    /// Accepted send requests (a batch is one).
    pub sends: Counter,
    /// Messages accepted, over all requests.
    pub messages: Counter,
    /// Accepted messages whose `message-id` had been accepted before.
    pub duplicate_message_ids: Counter,
    /// 401s: missing or wrong credentials.
    pub auth_failures: Counter,
    pub callbacks_sent: Counter,
    pub callbacks_failed: Counter,
    /// Every 400 answered, by Play Mobile error code.
    rejected: Mutex<BTreeMap<u16, u64>>,
}

impl PlayMobileStats {
    pub(crate) fn reject(&self, code: u16) {
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
            "sends": self.sends.get(),
            "messages": self.messages.get(),
            "duplicateMessageIds": self.duplicate_message_ids.get(),
            "authFailures": self.auth_failures.get(),
            "rejected": rejected,
            "callbacksSent": self.callbacks_sent.get(),
            "callbacksFailed": self.callbacks_failed.get(),
        })
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.requests,
            &self.sends,
            &self.messages,
            &self.duplicate_message_ids,
            &self.auth_failures,
            &self.callbacks_sent,
            &self.callbacks_failed,
        ] {
            c.reset();
        }
        self.rejected.lock().clear();
    }
}
