//! What the Eskiz imitation counts.

use serde_json::{json, Value};

use crate::stats::Counter;

#[derive(Default)]
pub(crate) struct EskizStats {
    pub requests: Counter,
    pub logins: Counter,
    pub login_failures: Counter,
    pub refreshes: Counter,
    pub refresh_failures: Counter,
    /// Every 401 answered: expired, invalid, revoked or missing tokens.
    pub rejected401: Counter,
    /// Accepted send and send-global requests.
    pub sends: Counter,
    /// Accepted send-batch requests.
    pub batches: Counter,
    /// Messages accepted by any of the three.
    pub messages: Counter,
    /// Send-type requests refused (validation, nick, test mode, moderation, balance).
    pub send_refusals: Counter,
    /// Callback POSTs made (retries included), and those that failed.
    pub callbacks_sent: Counter,
    pub callbacks_failed: Counter,
    pub invalidations: Counter,
}

impl EskizStats {
    pub(crate) fn to_json(&self, sends_by_generation: Value, extra: Value) -> Value {
        let mut v = json!({
            "requests": self.requests.get(),
            "logins": self.logins.get(),
            "loginFailures": self.login_failures.get(),
            "refreshes": self.refreshes.get(),
            "refreshFailures": self.refresh_failures.get(),
            "rejected401": self.rejected401.get(),
            "sends": self.sends.get(),
            "batches": self.batches.get(),
            "messages": self.messages.get(),
            "sendRefusals": self.send_refusals.get(),
            "sendsByGeneration": sends_by_generation,
            "callbacksSent": self.callbacks_sent.get(),
            "callbacksFailed": self.callbacks_failed.get(),
            "invalidations": self.invalidations.get(),
        });
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
        v
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.requests,
            &self.logins,
            &self.login_failures,
            &self.refreshes,
            &self.refresh_failures,
            &self.rejected401,
            &self.sends,
            &self.batches,
            &self.messages,
            &self.send_refusals,
            &self.callbacks_sent,
            &self.callbacks_failed,
            &self.invalidations,
        ] {
            c.reset();
        }
    }
}
