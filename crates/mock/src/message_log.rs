//! The accepted messages of one SMS provider, as the Eskiz and Twilio stores both keep them:
//! numbered in storage order, oldest first, only the most recent [`RETAIN`] so a benchmark
//! can run for ever in bounded memory (counters elsewhere stay exact), and the inbox's view
//! of them.

use std::collections::VecDeque;
use std::sync::Arc;

pub(crate) const RETAIN: usize = 50_000;

/// How many messages the inbox shows, all providers together (and so at most from one).
pub(crate) const INBOX_LIMIT: usize = 10_000;

/// A message's place in storage order: Eskiz's integer id, Twilio's sequence number.
pub(crate) trait Numbered {
    fn number(&self) -> u64;
}

pub(crate) struct MessageLog<T> {
    /// The number the next message gets.
    next: u64,
    messages: VecDeque<Arc<T>>,
    /// Messages numbered up to this one are hidden from the inbox (`clear_inbox`).
    inbox_floor: u64,
}

impl<T: Numbered> MessageLog<T> {
    pub(crate) fn new(first_number: u64) -> Self {
        MessageLog {
            next: first_number,
            messages: VecDeque::new(),
            inbox_floor: 0,
        }
    }

    /// Numbers a message about to be appended.
    pub(crate) fn take_number(&mut self) -> u64 {
        let number = self.next;
        self.next += 1;
        number
    }

    pub(crate) fn push(&mut self, message: Arc<T>) {
        self.messages.push_back(message);
    }

    /// Drops the oldest messages beyond [`RETAIN`], handing each to `evicted` so the
    /// store's indexes can forget it.
    pub(crate) fn trim(&mut self, mut evicted: impl FnMut(&T)) {
        while self.messages.len() > RETAIN {
            if let Some(old) = self.messages.pop_front() {
                evicted(&old);
            }
        }
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&Arc<T>) -> bool) {
        self.messages.retain(keep);
    }

    /// Every retained message, oldest first.
    pub(crate) fn messages(&self) -> &VecDeque<Arc<T>> {
        &self.messages
    }

    /// The most recent messages not hidden by `clear_inbox`, oldest first.
    pub(crate) fn inbox(&self) -> Vec<Arc<T>> {
        let start = self.messages.len().saturating_sub(INBOX_LIMIT);
        self.messages
            .range(start..)
            .filter(|m| m.number() > self.inbox_floor)
            .cloned()
            .collect()
    }

    /// Hides every message stored so far from the inbox.
    pub(crate) fn clear_inbox(&mut self) {
        self.inbox_floor = self.next - 1;
    }
}
