//! Accepted messages.
//!
//! Ids are sequential and messages are appended in id order, so a message is found by id
//! with an index into the deque; a request id (UUID) maps to the first message it covers.
//! The store keeps the most recent [`RETAIN`] messages so a benchmark can run for ever in
//! bounded memory; counters elsewhere stay exact.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use uuid::Uuid;

use super::lifecycle::Timeline;
use crate::text::Segments;

pub(crate) const RETAIN: usize = 50_000;
/// How many recent messages `inbox()` returns.
pub(crate) const INBOX_LIMIT: usize = 10_000;
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

impl Message {
    pub(crate) fn total_price(&self) -> i64 {
        self.price * self.segments.parts as i64
    }
}

struct Inner {
    next_id: u64,
    messages: VecDeque<Arc<Message>>,
    by_request: HashMap<Uuid, u64>,
    /// `inbox()` shows messages with a greater id (`clear_inbox`).
    inbox_floor: u64,
}

pub(crate) struct MessageStore {
    inner: Mutex<Inner>,
}

impl MessageStore {
    pub(crate) fn new() -> Self {
        MessageStore {
            inner: Mutex::new(Inner {
                next_id: FIRST_ID,
                messages: VecDeque::new(),
                by_request: HashMap::new(),
                inbox_floor: 0,
            }),
        }
    }

    /// Assigns ids and stores the messages (all of one request).
    pub(crate) fn insert(&self, drafts: Vec<Message>) -> Vec<Arc<Message>> {
        let mut inner = self.inner.lock();
        let mut out = Vec::with_capacity(drafts.len());
        for mut m in drafts {
            m.id = inner.next_id;
            inner.next_id += 1;
            let id = m.id;
            inner.by_request.entry(m.request_id).or_insert(id);
            let m = Arc::new(m);
            inner.messages.push_back(m.clone());
            out.push(m);
        }
        while inner.messages.len() > RETAIN {
            if let Some(old) = inner.messages.pop_front() {
                if inner.by_request.get(&old.request_id) == Some(&old.id) {
                    inner.by_request.remove(&old.request_id);
                }
            }
        }
        out
    }

    pub(crate) fn get(&self, id: u64) -> Option<Arc<Message>> {
        let inner = self.inner.lock();
        let first = inner.messages.front()?.id;
        let index = usize::try_from(id.checked_sub(first)?).ok()?;
        inner.messages.get(index).cloned()
    }

    pub(crate) fn get_by_request(&self, request_id: &Uuid) -> Option<Arc<Message>> {
        let id = *self.inner.lock().by_request.get(request_id)?;
        self.get(id)
    }

    /// Every retained message, oldest first.
    pub(crate) fn all(&self) -> Vec<Arc<Message>> {
        self.inner.lock().messages.iter().cloned().collect()
    }

    /// The most recent messages since the last `clear_inbox`, oldest first.
    pub(crate) fn inbox(&self) -> Vec<Arc<Message>> {
        let inner = self.inner.lock();
        let floor = inner.inbox_floor;
        let start = inner.messages.len().saturating_sub(INBOX_LIMIT);
        inner
            .messages
            .range(start..)
            .filter(|m| m.id > floor)
            .cloned()
            .collect()
    }

    pub(crate) fn clear_inbox(&self) {
        let mut inner = self.inner.lock();
        inner.inbox_floor = inner.next_id - 1;
    }
}
