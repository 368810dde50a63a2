//! Send windows in Redis, so every replica counts against one budget. A window is a sorted set
//! (member: the challenge id, score: the send time); one Lua script takes a slot in every window
//! of a gate or in none, so a budget of B holds exactly however many replicas ask at once. In a
//! cluster the windows of the budget gate (global and per region) share one hash slot through
//! `Link::related_key`; the prefix and client-IP gates have one window per call.

use super::windows::{SendWindows, Take, WindowSlot, WINDOW_MS};
use crate::error::Result;
use crate::redis_client::{redis_error, Link, RedisConnection};
use futures::future::BoxFuture;
use futures::FutureExt;
use redis::Script;
use std::sync::{Arc, LazyLock};

/// KEYS: the windows. ARGV: now, window ms, id, then one limit per key. Answers `{0, 0}` when a
/// slot was taken in each, else `{index (1-based), ms until its oldest send leaves}`.
static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local now = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
for i, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now - win)
  if redis.call('ZCARD', k) >= tonumber(ARGV[3 + i]) then
    local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    local wait = win
    if first[2] then wait = math.max(1, tonumber(first[2]) + win - now) end
    return {i, wait}
  end
end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, now, ARGV[3])
  redis.call('PEXPIRE', k, win)
end
return {0, 0}",
    )
});

pub struct RedisSendWindows {
    conn: Arc<RedisConnection>,
    prefix: String,
}

impl RedisSendWindows {
    /// `prefix`: the OTP store's (default `uzgate:otp`).
    pub fn new(conn: Arc<RedisConnection>, prefix: Option<String>) -> Self {
        RedisSendWindows {
            conn,
            prefix: prefix.unwrap_or_else(|| "uzgate:otp".into()),
        }
    }

    /// `budget:global` and `budget:region:UZ` share `<prefix>:budget`'s slot; other windows
    /// are keys of their own.
    fn key(&self, link: &Link, window: &str) -> String {
        match window.strip_prefix("budget:") {
            Some(rest) => link.related_key(&format!("{}:budget", self.prefix), rest),
            None => format!("{}:{window}", self.prefix),
        }
    }
}

impl SendWindows for RedisSendWindows {
    fn take<'a>(
        &'a self,
        slots: &'a [WindowSlot],
        id: &'a str,
        now_ms: u64,
    ) -> BoxFuture<'a, Result<Take>> {
        async move {
            if slots.is_empty() {
                return Ok(Take::Taken);
            }
            let mut conn = self.conn.get().await?;
            let mut call = TAKE.prepare_invoke();
            for s in slots {
                call.key(self.key(&conn, &s.window));
            }
            call.arg(now_ms).arg(WINDOW_MS).arg(id);
            for s in slots {
                call.arg(s.limit);
            }
            let (index, wait_ms): (usize, u64) = call
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error("OTP send windows", e))?;
            Ok(match index {
                0 => Take::Taken,
                i => Take::Refused {
                    index: i - 1,
                    wait_ms,
                },
            })
        }
        .boxed()
    }

    fn refund<'a>(&'a self, windows: &'a [String], id: &'a str) -> BoxFuture<'a, Result<()>> {
        async move {
            let mut conn = self.conn.get().await?;
            for w in windows {
                let key = self.key(&conn, w);
                let _: i64 = redis::cmd("ZREM")
                    .arg(key)
                    .arg(id)
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| redis_error("OTP send windows", e))?;
            }
            Ok(())
        }
        .boxed()
    }
}
