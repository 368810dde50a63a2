//! The account's messages.
//!
//! Messages are kept in creation order and indexed by SID. Only the most recent messages
//! are kept (see [`crate::message_log`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::lifecycle::{Step, Timeline};
use crate::message_log::{MessageLog, Numbered};

pub(crate) struct Message {
    /// Creation order, for the inbox and for listing newest first.
    pub seq: u64,
    pub sid: String,
    /// The account that created it: other accounts' paths do not see it.
    pub account_sid: String,
    pub to: String,
    /// The sender. When a Messaging Service picks it, the API shows it only once the
    /// message is queued (`from: null` before).
    pub from: String,
    pub service_picks_sender: bool,
    pub messaging_service_sid: Option<String>,
    /// Redaction (`Body=""`) empties it.
    body: Mutex<String>,
    pub segments: u32,
    pub num_media: u32,
    pub status_callback: Option<String>,
    /// Whether status callbacks are sent (never under test credentials).
    pub callbacks: bool,
    /// `ProvideFeedback`: the resource lists a `feedback` subresource.
    pub feedback: bool,
    pub timeline: Timeline,
    /// When it was canceled; 0 = never.
    canceled_ms: AtomicU64,
    /// When it was last changed through the API (cancel, redaction); 0 = never.
    edited_ms: AtomicU64,
}

/// What a message is when it is created; the store assigns `seq`.
pub(crate) struct NewMessage {
    pub sid: String,
    pub account_sid: String,
    pub to: String,
    pub from: String,
    pub service_picks_sender: bool,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub segments: u32,
    pub num_media: u32,
    pub status_callback: Option<String>,
    pub callbacks: bool,
    pub feedback: bool,
    pub timeline: Timeline,
}

impl Numbered for Message {
    fn number(&self) -> u64 {
        self.seq
    }
}

impl Message {
    pub(crate) fn body(&self) -> String {
        self.body.lock().clone()
    }

    pub(crate) fn redact(&self, now_ms: u64) {
        self.body.lock().clear();
        self.edited_ms.fetch_max(now_ms, Ordering::AcqRel);
    }

    pub(crate) fn canceled_ms(&self) -> Option<u64> {
        match self.canceled_ms.load(Ordering::Acquire) {
            0 => None,
            at => Some(at),
        }
    }

    /// Cancels a message that is still `scheduled`; false if it is not (any more).
    pub(crate) fn cancel(&self, now_ms: u64) -> bool {
        if self.timeline.step(now_ms).status != "scheduled" {
            return false;
        }
        let canceled = self
            .canceled_ms
            .compare_exchange(0, now_ms.max(1), Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if canceled {
            self.edited_ms.fetch_max(now_ms, Ordering::AcqRel);
        }
        canceled
    }

    /// The status in effect at `now_ms` and when it was reached.
    pub(crate) fn step(&self, now_ms: u64) -> Step {
        match self.canceled_ms() {
            Some(at) if at <= now_ms => Step {
                at_ms: at,
                status: "canceled",
            },
            _ => self.timeline.step(now_ms),
        }
    }

    /// When it left for the carrier, once it has (a canceled message never does).
    pub(crate) fn sent_ms(&self, now_ms: u64) -> Option<u64> {
        self.canceled_ms()
            .is_none()
            .then(|| self.timeline.sent_ms(now_ms))
            .flatten()
    }

    /// The delivery error, once the message has ended with one.
    pub(crate) fn error_code(&self, now_ms: u64) -> Option<u32> {
        self.canceled_ms()
            .is_none()
            .then(|| self.timeline.error_code(now_ms))
            .flatten()
    }

    /// When the resource last changed: a status change or an edit.
    pub(crate) fn updated_ms(&self, now_ms: u64) -> u64 {
        self.step(now_ms)
            .at_ms
            .max(self.edited_ms.load(Ordering::Acquire))
    }

    /// Nothing will happen to it any more: it may be deleted.
    pub(crate) fn is_complete(&self, now_ms: u64) -> bool {
        self.canceled_ms().is_some() || now_ms >= self.timeline.final_ms()
    }

    /// The sender as the API shows it at `now_ms`.
    pub(crate) fn visible_from(&self, now_ms: u64) -> Option<&str> {
        let unassigned = matches!(
            self.step(now_ms).status,
            "accepted" | "scheduled" | "canceled"
        );
        (!(self.service_picks_sender && unassigned)).then_some(self.from.as_str())
    }
}

struct Inner {
    log: MessageLog<Message>,
    by_sid: HashMap<String, Arc<Message>>,
}

pub(crate) struct MessageStore {
    inner: Mutex<Inner>,
}

impl MessageStore {
    pub(crate) fn new() -> Self {
        MessageStore {
            inner: Mutex::new(Inner {
                log: MessageLog::new(1),
                by_sid: HashMap::new(),
            }),
        }
    }

    pub(crate) fn insert(&self, m: NewMessage) -> Arc<Message> {
        let mut inner = self.inner.lock();
        let Inner { log, by_sid } = &mut *inner;
        let message = Arc::new(Message {
            seq: log.take_number(),
            sid: m.sid,
            account_sid: m.account_sid,
            to: m.to,
            from: m.from,
            service_picks_sender: m.service_picks_sender,
            messaging_service_sid: m.messaging_service_sid,
            body: Mutex::new(m.body),
            segments: m.segments,
            num_media: m.num_media,
            status_callback: m.status_callback,
            callbacks: m.callbacks,
            feedback: m.feedback,
            timeline: m.timeline,
            canceled_ms: AtomicU64::new(0),
            edited_ms: AtomicU64::new(0),
        });
        log.push(message.clone());
        by_sid.insert(message.sid.clone(), message.clone());
        log.trim(|old| {
            by_sid.remove(&old.sid);
        });
        message
    }

    /// The message `sid` of `account_sid`.
    pub(crate) fn get(&self, account_sid: &str, sid: &str) -> Option<Arc<Message>> {
        let inner = self.inner.lock();
        inner
            .by_sid
            .get(sid)
            .filter(|m| m.account_sid == account_sid)
            .cloned()
    }

    pub(crate) fn remove(&self, sid: &str) {
        let mut inner = self.inner.lock();
        if inner.by_sid.remove(sid).is_some() {
            inner.log.retain(|m| m.sid != sid);
        }
    }

    /// The messages of `account_sid` that pass `keep`, newest first.
    pub(crate) fn newest_first(
        &self,
        account_sid: &str,
        keep: impl Fn(&Message) -> bool,
    ) -> Vec<Arc<Message>> {
        let inner = self.inner.lock();
        inner
            .log
            .messages()
            .iter()
            .rev()
            .filter(|m| m.account_sid == account_sid && keep(m))
            .cloned()
            .collect()
    }

    /// The most recent messages since the last `clear_inbox`, oldest first.
    pub(crate) fn inbox(&self) -> Vec<Arc<Message>> {
        self.inner.lock().log.inbox()
    }

    pub(crate) fn clear_inbox(&self) {
        self.inner.lock().log.clear_inbox();
    }
}
