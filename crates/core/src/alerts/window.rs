//! Counts over a sliding window for the alerts that watch a rate (OTP hourly-cap hits, failed
//! deliveries): ten buckets per window, so memory stays a few numbers however hard an attacker
//! pushes, and the window slides in tenths. Processes that share a Redis keep the buckets in one
//! hash there (a Lua script on Redis's clock adds and sums), so every replica sees the same
//! totals; when Redis does not answer, this process's own counts stand in.

use crate::error::Result;
use crate::redis_client::{redis_error, RedisConnection};
use parking_lot::Mutex;
use redis::Script;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Buckets per window.
const BUCKETS: u64 = 10;

/// How many ms one bucket spans, here and in Redis alike.
fn bucket_width_ms(window: Duration) -> u64 {
    (window.as_millis() as u64 / BUCKETS).max(1)
}

/// Two counts: all events, and those of them that matter (failed reports; cap hits count in
/// both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub marked: u64,
}

/// The buckets of one process, keyed by bucket number (time / bucket width).
pub struct Buckets {
    width_ms: u64,
    buckets: BTreeMap<u64, Counts>,
}

impl Buckets {
    pub fn new(window: Duration) -> Self {
        Buckets {
            width_ms: bucket_width_ms(window),
            buckets: BTreeMap::new(),
        }
    }

    /// Adds `add` at `now_ms` and returns the sums over the window ending now.
    pub fn add(&mut self, now_ms: u64, add: Counts) -> Counts {
        let current = now_ms / self.width_ms;
        let oldest = current.saturating_sub(BUCKETS - 1);
        self.buckets.retain(|b, _| *b >= oldest);
        if add != Counts::default() {
            let c = self.buckets.entry(current).or_default();
            c.total += add.total;
            c.marked += add.marked;
        }
        self.buckets
            .values()
            .fold(Counts::default(), |s, c| Counts {
                total: s.total + c.total,
                marked: s.marked + c.marked,
            })
    }
}

/// KEYS: the hash. ARGV: bucket width ms, buckets, add total, add marked, expiry ms.
/// → {total, marked} over the window ending at Redis's now.
static ADD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local current = math.floor(now / tonumber(ARGV[1]))
local oldest = current - tonumber(ARGV[2]) + 1
if tonumber(ARGV[3]) > 0 then redis.call('HINCRBY', KEYS[1], current .. ':t', ARGV[3]) end
if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[1], current .. ':m', ARGV[4]) end
local total, marked = 0, 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local field = all[i]
  local sep = string.find(field, ':')
  local bucket = tonumber(string.sub(field, 1, sep - 1))
  if bucket < oldest then
    redis.call('HDEL', KEYS[1], field)
  elseif string.sub(field, sep + 1) == 't' then
    total = total + tonumber(all[i + 1])
  else
    marked = marked + tonumber(all[i + 1])
  end
end
if #all > 0 or tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return {total, marked}",
    )
});

/// A window counted here, and in Redis too when processes share one.
pub struct RateWindow {
    local: Mutex<Buckets>,
    window: Duration,
    shared: Option<(Arc<RedisConnection>, String)>,
}

impl RateWindow {
    pub fn new(window: Duration) -> Self {
        RateWindow {
            local: Mutex::new(Buckets::new(window)),
            window,
            shared: None,
        }
    }

    /// Counts in `key` of this Redis, shared with every process using the same key.
    pub fn shared(mut self, conn: Arc<RedisConnection>, key: String) -> Self {
        self.shared = Some((conn, key));
        self
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// Adds `add` now; the sums over the window (shared ones when Redis answers).
    pub async fn add(&self, add: Counts) -> Counts {
        let local = self.local.lock().add(crate::time::unix_now_ms(), add);
        match &self.shared {
            Some((conn, key)) => self.add_shared(conn, key, add).await.unwrap_or(local),
            None => local,
        }
    }

    async fn add_shared(&self, conn: &RedisConnection, key: &str, add: Counts) -> Result<Counts> {
        let width = bucket_width_ms(self.window);
        let mut c = conn.get().await?;
        let (total, marked): (u64, u64) = ADD
            .key(key)
            .arg(width)
            .arg(BUCKETS)
            .arg(add.total)
            .arg(add.marked)
            .arg(self.window.as_millis() as u64 * 2)
            .invoke_async(&mut c)
            .await
            .map_err(|e| redis_error("alert window", e))?;
        Ok(Counts { total, marked })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit() -> Counts {
        Counts {
            total: 1,
            marked: 1,
        }
    }

    #[test]
    fn sums_what_falls_inside_the_window_and_forgets_the_rest() {
        let mut b = Buckets::new(Duration::from_secs(10));
        assert_eq!(b.add(0, hit()).marked, 1);
        assert_eq!(b.add(5_000, hit()).marked, 2);
        assert_eq!(
            b.add(
                9_999,
                Counts {
                    total: 1,
                    marked: 0
                }
            ),
            Counts {
                total: 3,
                marked: 2
            }
        );
        // The first event's bucket [0, 1 s) leaves the window once 10 s have passed.
        assert_eq!(b.add(10_000, Counts::default()).marked, 1);
        // The window is whole buckets: at 15 s it spans [6 s, 16 s).
        assert_eq!(
            b.add(15_000, Counts::default()),
            Counts {
                total: 1,
                marked: 0
            }
        );
        assert_eq!(b.add(20_000, Counts::default()), Counts::default());
    }

    #[test]
    fn memory_stays_ten_buckets_under_any_load() {
        let mut b = Buckets::new(Duration::from_secs(1));
        for ms in 0..100_000u64 {
            b.add(ms, hit());
        }
        assert!(b.buckets.len() <= BUCKETS as usize);
        assert_eq!(b.add(100_000, Counts::default()).total, 900);
    }
}
