//! The messages the Play Mobile imitation accepted, oldest first, and how each one's
//! status evolves.
//!
//! Play Mobile knows a message only by the client's `message-id`; the sandbox keeps them
//! in acceptance order (the same id sent twice is kept twice and counted as a duplicate:
//! whether the real service deduplicates is unconfirmed). Status is computed from the
//! clock: `accepted` → `transmitted` → final. The recipient's last four digits choose the
//! final status (switch `specialNumbers`):
//!
//! | ends with | final status |
//! |-----------|--------------|
//! | `0001`    | `not_delivered` |
//! | `0002`    | `expired` |
//! | `0003`    | none: stays `transmitted`, no final report |
//! | anything else | `delivered` |

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{json, Value};

use super::validate::Draft;
use crate::message_log::{MessageLog, Numbered};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    NotDelivered,
    Expired,
    NoReport,
}

impl Outcome {
    pub(crate) fn for_recipient(recipient: &str, special_numbers: bool) -> Outcome {
        if !special_numbers || recipient.len() < 4 {
            return Outcome::Delivered;
        }
        match &recipient[recipient.len() - 4..] {
            "0001" => Outcome::NotDelivered,
            "0002" => Outcome::Expired,
            "0003" => Outcome::NoReport,
            _ => Outcome::Delivered,
        }
    }

    pub(crate) fn status(self) -> Option<&'static str> {
        match self {
            Outcome::Delivered => Some("delivered"),
            Outcome::NotDelivered => Some("not_delivered"),
            Outcome::Expired => Some("expired"),
            Outcome::NoReport => None,
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            Outcome::Delivered => "Delivered to the handset",
            Outcome::NotDelivered => "Not delivered",
            Outcome::Expired => "Lifetime expired",
            Outcome::NoReport => "",
        }
    }
}

pub(crate) struct Message {
    pub seq: u64,
    pub draft: Draft,
    pub parts: u32,
    pub created_ms: u64,
    pub transmitted_ms: u64,
    pub final_ms: u64,
    pub outcome: Outcome,
    /// Another message with the same `message-id` was accepted before this one.
    pub duplicate: bool,
}

impl Numbered for Message {
    fn number(&self) -> u64 {
        self.seq
    }
}

impl Message {
    /// The status at `now_ms` and when it was reached.
    pub(crate) fn status_at(&self, now_ms: u64) -> (&'static str, u64) {
        if now_ms >= self.final_ms {
            if let Some(s) = self.outcome.status() {
                return (s, self.final_ms);
            }
        }
        if now_ms >= self.transmitted_ms {
            return ("transmitted", self.transmitted_ms);
        }
        ("accepted", self.created_ms)
    }

    pub(crate) fn to_json(&self, now_ms: u64) -> Value {
        let d = &self.draft;
        let (status, _) = self.status_at(now_ms);
        json!({
            "messageId": d.message_id,
            "recipient": d.recipient,
            "originator": d.originator,
            "text": d.text,
            "priority": d.priority,
            "templateId": d.template_id,
            "variables": d.variables,
            "timing": d.timing,
            "ttl": d.ttl,
            "parts": self.parts,
            "status": status,
            "duplicate": self.duplicate,
            "at": crate::time::iso_utc_ms(self.created_ms),
        })
    }
}

pub(crate) struct MessageStore {
    inner: Mutex<Inner>,
}

struct Inner {
    log: MessageLog<Message>,
    /// How many retained messages carry each `message-id`.
    ids: HashMap<String, u32>,
}

/// What a message is when accepted; the store numbers it and marks duplicates.
pub(crate) struct NewMessage {
    pub draft: Draft,
    pub parts: u32,
    pub created_ms: u64,
    pub transmitted_ms: u64,
    pub final_ms: u64,
    pub outcome: Outcome,
}

impl MessageStore {
    pub(crate) fn new() -> Self {
        MessageStore {
            inner: Mutex::new(Inner {
                log: MessageLog::new(1),
                ids: HashMap::new(),
            }),
        }
    }

    /// Stores one request's messages together; returns them and how many were duplicates.
    pub(crate) fn add_all(&self, new: Vec<NewMessage>) -> (Vec<Arc<Message>>, u64) {
        let mut inner = self.inner.lock();
        let mut duplicates = 0;
        let mut stored = Vec::with_capacity(new.len());
        for n in new {
            let seen = inner.ids.entry(n.draft.message_id.clone()).or_default();
            let duplicate = *seen > 0;
            *seen += 1;
            duplicates += u64::from(duplicate);
            let seq = inner.log.take_number();
            let m = Arc::new(Message {
                seq,
                draft: n.draft,
                parts: n.parts,
                created_ms: n.created_ms,
                transmitted_ms: n.transmitted_ms,
                final_ms: n.final_ms,
                outcome: n.outcome,
                duplicate,
            });
            inner.log.push(m.clone());
            stored.push(m);
        }
        let Inner { log, ids } = &mut *inner;
        log.trim(|old| {
            if let Some(n) = ids.get_mut(&old.draft.message_id) {
                *n -= 1;
                if *n == 0 {
                    ids.remove(&old.draft.message_id);
                }
            }
        });
        (stored, duplicates)
    }

    pub(crate) fn all(&self) -> Vec<Arc<Message>> {
        self.inner.lock().log.messages().iter().cloned().collect()
    }

    pub(crate) fn inbox(&self) -> Vec<Arc<Message>> {
        self.inner.lock().log.inbox()
    }

    pub(crate) fn clear_inbox(&self) {
        self.inner.lock().log.clear_inbox();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_endings_choose_the_outcome() {
        assert_eq!(
            Outcome::for_recipient("998901230001", true),
            Outcome::NotDelivered
        );
        assert_eq!(
            Outcome::for_recipient("998901230002", true),
            Outcome::Expired
        );
        assert_eq!(
            Outcome::for_recipient("998901230003", true),
            Outcome::NoReport
        );
        assert_eq!(
            Outcome::for_recipient("998901230001", false),
            Outcome::Delivered
        );
        assert_eq!(
            Outcome::for_recipient("998901234567", true),
            Outcome::Delivered
        );
    }
}
