//! What the Telegram imitation counts.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use crate::stats::Counter;

#[derive(Default)]
pub(crate) struct TelegramStats {
    /// Every request to a `/bot…` path, refused or not.
    pub requests: Counter,
    /// Messages accepted (`ok: true`).
    pub accepted: Counter,
    /// 429s: flood control, forced or not.
    pub rate_limited: Counter,
    /// Every other refusal, by reason (`chatNotFound`, `cantParseEntities`, …).
    rejected: Mutex<BTreeMap<&'static str, u64>>,
}

impl TelegramStats {
    pub(crate) fn reject(&self, reason: &'static str) {
        *self.rejected.lock().entry(reason).or_default() += 1;
    }

    pub(crate) fn to_json(&self) -> Value {
        let rejected: Map<String, Value> = self
            .rejected
            .lock()
            .iter()
            .map(|(reason, n)| ((*reason).to_owned(), Value::from(*n)))
            .collect();
        json!({
            "requests": self.requests.get(),
            "accepted": self.accepted.get(),
            "rejected": rejected,
            "rateLimited": self.rate_limited.get(),
        })
    }

    pub(crate) fn reset(&self) {
        self.requests.reset();
        self.accepted.reset();
        self.rate_limited.reset();
        self.rejected.lock().clear();
    }
}
