//! Sliding one-hour send windows shared by many numbers: the global and per-region budgets, the
//! velocity of a number prefix, the sends asked for by one client IP. A send takes one slot in
//! each window of a gate at once (all or none), named by its challenge id, so a later refusal or
//! a definitely failed SMS gives exactly that slot back. Counts must be exact under concurrency:
//! the memory windows take every slot under one lock, the Redis windows in one Lua script (its
//! keys share one hash slot in a cluster, see `RedisSendWindows`).

use crate::error::Result;
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};

/// The length of every window.
pub const WINDOW_MS: u64 = 3_600_000;

/// One window a send must find room in: its name (`global`, `region:UZ`, `prefix:+998901234`,
/// `ip:203.0.113.7`) and how many sends it holds per window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowSlot {
    pub window: String,
    pub limit: u32,
}

/// What taking slots gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Take {
    /// A slot in every window is held under the challenge id.
    Taken,
    /// The window at this index of the request is full (nothing was taken); its oldest send
    /// leaves it in `wait_ms`.
    Refused { index: usize, wait_ms: u64 },
}

pub trait SendWindows: Send + Sync {
    /// Atomically: if every window has room, takes a slot in each under `id`; else none.
    /// The windows of one call must belong to one gate (in a cluster: one hash slot).
    fn take<'a>(
        &'a self,
        slots: &'a [WindowSlot],
        id: &'a str,
        now_ms: u64,
    ) -> BoxFuture<'a, Result<Take>>;

    /// Gives back the slots `id` holds in `windows` (a later gate refused, or the SMS
    /// definitely failed).
    fn refund<'a>(&'a self, windows: &'a [String], id: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// Windows of this process only.
#[derive(Default)]
pub struct MemorySendWindows {
    state: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    /// Per window: send times and challenge ids, oldest first.
    sends: HashMap<String, VecDeque<(u64, String)>>,
    /// When windows that emptied were last dropped (rotating numbers or IPs make many).
    swept_at: u64,
}

impl MemorySendWindows {
    pub fn new() -> Self {
        Self::default()
    }

    /// Windows holding at least one send (for tests of the sweep).
    pub fn len(&self) -> usize {
        self.state.lock().sends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn expire(q: &mut VecDeque<(u64, String)>, now_ms: u64) {
    while q.front().is_some_and(|(t, _)| t + WINDOW_MS <= now_ms) {
        q.pop_front();
    }
}

impl Windows {
    fn take(&mut self, slots: &[WindowSlot], id: &str, now_ms: u64) -> Take {
        if now_ms >= self.swept_at + 60_000 {
            self.sends.retain(|_, q| {
                expire(q, now_ms);
                !q.is_empty()
            });
            self.swept_at = now_ms;
        }
        for (index, slot) in slots.iter().enumerate() {
            if let Some(q) = self.sends.get_mut(&slot.window) {
                expire(q, now_ms);
                if q.len() as u64 >= u64::from(slot.limit) {
                    let oldest = q.front().map_or(now_ms, |(t, _)| *t);
                    let wait_ms = (oldest + WINDOW_MS).saturating_sub(now_ms).max(1);
                    return Take::Refused { index, wait_ms };
                }
            } else if slot.limit == 0 {
                return Take::Refused {
                    index,
                    wait_ms: WINDOW_MS,
                };
            }
        }
        for slot in slots {
            self.sends
                .entry(slot.window.clone())
                .or_default()
                .push_back((now_ms, id.to_string()));
        }
        Take::Taken
    }
}

impl SendWindows for MemorySendWindows {
    fn take<'a>(
        &'a self,
        slots: &'a [WindowSlot],
        id: &'a str,
        now_ms: u64,
    ) -> BoxFuture<'a, Result<Take>> {
        let r = self.state.lock().take(slots, id, now_ms);
        async move { Ok(r) }.boxed()
    }

    fn refund<'a>(&'a self, windows: &'a [String], id: &'a str) -> BoxFuture<'a, Result<()>> {
        {
            let mut state = self.state.lock();
            for w in windows {
                if let Some(q) = state.sends.get_mut(w) {
                    q.retain(|(_, held)| held != id);
                }
            }
        }
        async { Ok(()) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(window: &str, limit: u32) -> WindowSlot {
        WindowSlot {
            window: window.into(),
            limit,
        }
    }

    #[tokio::test]
    async fn all_or_none_and_the_refusal_names_the_full_window() {
        let w = MemorySendWindows::new();
        let gate = [slot("global", 3), slot("region:KZ", 1)];
        assert_eq!(w.take(&gate, "a", 1_000).await.unwrap(), Take::Taken);
        // KZ is full: nothing is taken, not even in `global`.
        assert_eq!(
            w.take(&gate, "b", 2_000).await.unwrap(),
            Take::Refused {
                index: 1,
                wait_ms: WINDOW_MS - 1_000
            }
        );
        let uz = [slot("global", 3), slot("region:UZ", 5)];
        assert_eq!(w.take(&uz, "c", 3_000).await.unwrap(), Take::Taken);
        assert_eq!(w.take(&uz, "d", 3_000).await.unwrap(), Take::Taken);
        assert_eq!(
            w.take(&uz, "e", 4_000).await.unwrap(),
            Take::Refused {
                index: 0,
                wait_ms: WINDOW_MS - 3_000
            }
        );
    }

    #[tokio::test]
    async fn a_refund_frees_exactly_that_slot_and_the_window_slides() {
        let w = MemorySendWindows::new();
        let gate = [slot("prefix:+998901234", 2)];
        w.take(&gate, "a", 0).await.unwrap();
        w.take(&gate, "b", 10).await.unwrap();
        assert!(matches!(
            w.take(&gate, "c", 20).await.unwrap(),
            Take::Refused { .. }
        ));
        w.refund(&["prefix:+998901234".into()], "a").await.unwrap();
        assert_eq!(w.take(&gate, "c", 20).await.unwrap(), Take::Taken);
        assert!(matches!(
            w.take(&gate, "d", WINDOW_MS + 9).await.unwrap(),
            Take::Refused { wait_ms: 1, .. }
        ));
        // `b` (t=10) leaves the window at 10 + 1 h.
        assert_eq!(
            w.take(&gate, "d", WINDOW_MS + 10).await.unwrap(),
            Take::Taken
        );
    }

    #[tokio::test]
    async fn emptied_windows_are_dropped() {
        let w = MemorySendWindows::new();
        for i in 0..100 {
            w.take(&[slot(&format!("ip:10.0.0.{i}"), 1)], "x", 0)
                .await
                .unwrap();
        }
        assert_eq!(w.len(), 100);
        w.take(&[slot("ip:10.0.1.1", 1)], "y", WINDOW_MS + 60_000)
            .await
            .unwrap();
        assert_eq!(w.len(), 1);
    }

    #[tokio::test]
    async fn exact_under_concurrency() {
        let w = std::sync::Arc::new(MemorySendWindows::new());
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let w = w.clone();
                tokio::spawn(async move {
                    w.take(&[slot("global", 25)], &format!("id{i}"), 5)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut taken = 0;
        for t in tasks {
            if t.await.unwrap() == Take::Taken {
                taken += 1;
            }
        }
        assert_eq!(taken, 25);
    }
}
