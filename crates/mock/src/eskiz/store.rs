//! Accepted messages.
//!
//! Ids are sequential and messages are appended in id order, so a message is found by id
//! with an index into the log; a request id (UUID) maps to the first message it covers.
//! Only the most recent messages are kept (see [`crate::message_log`]).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use uuid::Uuid;

use super::lifecycle::Timeline;
use crate::message_log::{MessageLog, Numbered};
use crate::text::Segments;

/// First integer message id: Eskiz ids are eight-digit numbers by now.
const FIRST_ID: u64 = 61_000_001;

pub(crate) struct Message {
    pub id: u64,
    pub request_id: Uuid,
    /// `Some(country code)` for send-global.
    pub country: Option<String>,
    pub user_sms_id: Option<String>,
    pub dispatch_id: Option<i64>,
    pub nick: String,
    pub to: String,
    pub text: String,
    pub segments: Segments,
    /// Price of one part.
    pub price: i64,
    pub is_ad: bool,
    pub smsc_id: u8,
    pub timeline: Timeline,
    pub callback_url: Option<String>,
}

impl Numbered for Message {
    fn number(&self) -> u64 {
        self.id
    }
}

impl Message {
    pub(crate) fn total_price(&self) -> i64 {
        self.price * self.segments.parts as i64
    }
}

struct Inner {
    log: MessageLog<Message>,
    by_request: HashMap<Uuid, u64>,
}

pub(crate) struct MessageStore {
    inner: Mutex<Inner>,
}

impl MessageStore {
    pub(crate) fn new() -> Self {
        MessageStore {
            inner: Mutex::new(Inner {
                log: MessageLog::new(FIRST_ID),
                by_request: HashMap::new(),
            }),
        }
    }

    /// Assigns ids and stores the messages (all of one request).
    pub(crate) fn insert(&self, drafts: Vec<Message>) -> Vec<Arc<Message>> {
        let mut inner = self.inner.lock();
        let Inner { log, by_request } = &mut *inner;
        let mut out = Vec::with_capacity(drafts.len());
        for mut m in drafts {
            m.id = log.take_number();
            by_request.entry(m.request_id).or_insert(m.id);
            let m = Arc::new(m);
            log.push(m.clone());
            out.push(m);
        }
        log.trim(|old| {
            if by_request.get(&old.request_id) == Some(&old.id) {
                by_request.remove(&old.request_id);
            }
        });
        out
    }

    pub(crate) fn get(&self, id: u64) -> Option<Arc<Message>> {
        let inner = self.inner.lock();
        let messages = inner.log.messages();
        let first = messages.front()?.id;
        let index = usize::try_from(id.checked_sub(first)?).ok()?;
        messages.get(index).cloned()
    }

    pub(crate) fn get_by_request(&self, request_id: &Uuid) -> Option<Arc<Message>> {
        let id = *self.inner.lock().by_request.get(request_id)?;
        self.get(id)
    }

    /// Every retained message, oldest first.
    pub(crate) fn all(&self) -> Vec<Arc<Message>> {
        self.inner.lock().log.messages().iter().cloned().collect()
    }

    /// The most recent messages since the last `clear_inbox`, oldest first.
    pub(crate) fn inbox(&self) -> Vec<Arc<Message>> {
        self.inner.lock().log.inbox()
    }

    pub(crate) fn clear_inbox(&self) {
        self.inner.lock().log.clear_inbox();
    }
}
