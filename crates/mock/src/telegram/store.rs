//! The messages the bots sent: numbered per chat as Telegram numbers them, the most recent
//! [`RETAIN`] kept for tests to read back.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use serde_json::{json, Value};

const RETAIN: usize = 10_000;

pub(crate) struct Sent {
    pub bot_id: i64,
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    pub message_id: i64,
    /// As the request carried it (markup and escapes included).
    pub raw_text: String,
    /// As a reader sees it.
    pub text: String,
    pub parse_mode: Option<String>,
    pub date: u64,
    pub at_ms: u64,
}

impl Sent {
    fn to_json(&self) -> Value {
        json!({
            "botId": self.bot_id,
            "chatId": self.chat_id,
            "threadId": self.thread_id,
            "messageId": self.message_id,
            "text": self.text,
            "rawText": self.raw_text,
            "parseMode": self.parse_mode,
            "date": self.date,
            "at": crate::time::iso_utc_ms(self.at_ms),
        })
    }
}

#[derive(Default)]
struct Inner {
    next_id: HashMap<(i64, i64), i64>,
    sent: VecDeque<Sent>,
}

#[derive(Default)]
pub(crate) struct SentStore {
    inner: Mutex<Inner>,
}

impl SentStore {
    /// Stores a message and returns the id it got in its chat (1, 2, 3…).
    pub(crate) fn insert(&self, mut sent: Sent) -> i64 {
        let mut inner = self.inner.lock();
        let next = inner
            .next_id
            .entry((sent.bot_id, sent.chat_id))
            .or_insert(1);
        sent.message_id = *next;
        *next += 1;
        let id = sent.message_id;
        inner.sent.push_back(sent);
        if inner.sent.len() > RETAIN {
            inner.sent.pop_front();
        }
        id
    }

    /// Oldest first; only those to `chat` when given.
    pub(crate) fn to_json(&self, chat: Option<i64>) -> Value {
        let inner = self.inner.lock();
        Value::Array(
            inner
                .sent
                .iter()
                .filter(|s| chat.is_none_or(|c| c == s.chat_id))
                .map(Sent::to_json)
                .collect(),
        )
    }

    /// Forgets the messages (ids keep counting, as in a real chat).
    pub(crate) fn clear(&self) {
        self.inner.lock().sent.clear();
    }
}
