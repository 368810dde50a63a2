//! Flood control, with the limits Telegram documents: per chat about one message a second
//! after a short burst (GCRA), at most 20 a minute in a group, about 30 a second per bot
//! overall (sliding windows). A refused send learns how many whole seconds to wait, which
//! the API returns as `retry_after`. A send is counted by every limit only when all admit it.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;

use super::config::TelegramConfig;

const MINUTE_MS: u64 = 60_000;
const SECOND_MS: u64 = 1_000;

#[derive(Default)]
struct Windows {
    /// Per (bot, chat): GCRA's theoretical arrival time, in ms.
    chat_tat: HashMap<(i64, i64), u64>,
    /// Per (bot, group): send times within the last minute.
    group: HashMap<(i64, i64), VecDeque<u64>>,
    /// Per bot: send times within the last second.
    bot: HashMap<i64, VecDeque<u64>>,
}

#[derive(Default)]
pub(crate) struct Flood {
    windows: Mutex<Windows>,
    /// Uses left of a configured `floodWait` (`None`: unlimited while it is configured).
    forced_left: Mutex<Option<u64>>,
}

/// How long until a window of `limit` sends per `span` frees a place, 0 if it has one.
fn window_wait(times: &mut VecDeque<u64>, limit: u32, span: u64, now: u64) -> u64 {
    while times.front().is_some_and(|t| t + span <= now) {
        times.pop_front();
    }
    if limit == 0 || times.len() < limit as usize {
        0
    } else {
        times[times.len() - limit as usize] + span - now
    }
}

impl Flood {
    /// A new `floodWait` took effect: its `times` start over.
    pub(crate) fn arm(&self, cfg: &TelegramConfig) {
        *self.forced_left.lock() = cfg.flood_wait.and_then(|f| f.times);
    }

    /// Admits one send, or returns `retry_after` in seconds.
    pub(crate) fn admit(
        &self,
        cfg: &TelegramConfig,
        bot: i64,
        chat: i64,
        now: u64,
    ) -> Result<(), u64> {
        if let Some(forced) = cfg.flood_wait {
            let mut left = self.forced_left.lock();
            match left.as_mut() {
                None => return Err(forced.retry_after),
                Some(n) if *n > 0 => {
                    *n -= 1;
                    return Err(forced.retry_after);
                }
                Some(_) => {}
            }
        }
        let mut w = self.windows.lock();
        let mut wait = 0;

        let per_chat = cfg.rate_limit_per_chat_per_second;
        let interval = if per_chat > 0 {
            SECOND_MS / per_chat as u64
        } else {
            0
        };
        let tat = w
            .chat_tat
            .get(&(bot, chat))
            .copied()
            .unwrap_or(now)
            .max(now);
        if per_chat > 0 {
            let allow_at = (tat + interval).saturating_sub(interval * cfg.rate_limit_burst as u64);
            wait = wait.max(allow_at.saturating_sub(now));
        }
        let group_limit = if chat < 0 {
            cfg.rate_limit_per_group_per_minute
        } else {
            0
        };
        let group = w.group.entry((bot, chat)).or_default();
        wait = wait.max(window_wait(group, group_limit, MINUTE_MS, now));
        let overall = w.bot.entry(bot).or_default();
        wait = wait.max(window_wait(
            overall,
            cfg.rate_limit_per_second,
            SECOND_MS,
            now,
        ));

        if wait > 0 {
            return Err(wait.div_ceil(1000).max(1));
        }
        if per_chat > 0 {
            w.chat_tat.insert((bot, chat), tat + interval);
        }
        if group_limit > 0 {
            w.group.entry((bot, chat)).or_default().push_back(now);
        }
        if cfg.rate_limit_per_second > 0 {
            w.bot.entry(bot).or_default().push_back(now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::config::FloodWait;

    fn cfg(per_chat: u32, burst: u32, group: u32, overall: u32) -> TelegramConfig {
        TelegramConfig {
            rate_limit_per_chat_per_second: per_chat,
            rate_limit_burst: burst,
            rate_limit_per_group_per_minute: group,
            rate_limit_per_second: overall,
            ..TelegramConfig::default()
        }
    }

    #[test]
    fn per_chat_burst_then_one_a_second() {
        let f = Flood::default();
        let c = cfg(1, 3, 0, 0);
        for _ in 0..3 {
            assert_eq!(f.admit(&c, 1, 5, 10_000), Ok(()));
        }
        assert_eq!(f.admit(&c, 1, 5, 10_000), Err(1));
        // Another chat has its own bucket.
        assert_eq!(f.admit(&c, 1, 6, 10_000), Ok(()));
        assert_eq!(f.admit(&c, 1, 5, 10_999), Err(1));
        assert_eq!(f.admit(&c, 1, 5, 11_000), Ok(()));
        assert_eq!(f.admit(&c, 1, 5, 11_000), Err(1));
    }

    #[test]
    fn twenty_a_minute_in_a_group_and_retry_after_in_whole_seconds() {
        let f = Flood::default();
        let c = cfg(0, 1, 20, 0);
        for k in 0..20 {
            assert_eq!(f.admit(&c, 1, -7, 1_000 + k * 100), Ok(()));
        }
        // The first of the twenty leaves the window at 61 000.
        assert_eq!(f.admit(&c, 1, -7, 3_000), Err(58));
        assert_eq!(
            f.admit(&c, 1, 7, 3_000),
            Ok(()),
            "a private chat is not a group"
        );
        assert_eq!(f.admit(&c, 1, -7, 61_000), Ok(()));
    }

    #[test]
    fn overall_per_bot_limit_and_forced_flood_wait() {
        let f = Flood::default();
        let c = cfg(0, 1, 0, 2);
        assert_eq!(f.admit(&c, 1, 1, 0), Ok(()));
        assert_eq!(f.admit(&c, 1, 2, 0), Ok(()));
        assert_eq!(f.admit(&c, 1, 3, 500), Err(1));
        assert_eq!(f.admit(&c, 2, 3, 500), Ok(()), "another bot");
        let mut forced = cfg(0, 1, 0, 0);
        forced.flood_wait = Some(FloodWait {
            retry_after: 7,
            times: Some(2),
        });
        f.arm(&forced);
        assert_eq!(f.admit(&forced, 1, 1, 0), Err(7));
        assert_eq!(f.admit(&forced, 1, 1, 0), Err(7));
        assert_eq!(f.admit(&forced, 1, 1, 0), Ok(()));
    }
}
