//! One budget for every replica: GCRA in a Lua script on Redis's own clock (no clock skew between
//! hosts). The script answers 0 (go) or how many ms to wait.

use super::local::{extend_hold, wait_hold};
use super::{jitter, limited};
use crate::error::{Error, Result};
use crate::http::limit::Limiter;
use crate::http::Deadline;
use crate::redis_client::{redis_error, RedisConnection};
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use redis::Script;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::time::Instant;

static GCRA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
local allow_at = tat + interval - interval * tonumber(ARGV[2])
if now < allow_at then return math.ceil(allow_at - now) end
local new_tat = tat + interval
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now) + 1000)
return 0",
    )
});

/// A 429 seen by one replica holds all of them: the bucket's theoretical arrival time moves to
/// `now + wait`.
static HOLD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if until_ms > tat then redis.call('SET', KEYS[1], tostring(until_ms), 'PX', tonumber(ARGV[1]) + 1000) end
return 0",
    )
});

pub struct RedisLimiter {
    conn: Arc<RedisConnection>,
    bucket: String,
    interval_ms: f64,
    held_until: Mutex<Option<Instant>>,
}

impl RedisLimiter {
    pub fn new(conn: Arc<RedisConnection>, bucket: String, per_second: f64) -> Result<Self> {
        if !(per_second.is_finite() && per_second > 0.0 && per_second <= 10_000.0) {
            return Err(Error::config(
                "rateLimitPerSecond must be between 0 and 10000",
            ));
        }
        Ok(RedisLimiter {
            conn,
            bucket,
            interval_ms: 1000.0 / per_second,
            held_until: Mutex::new(None),
        })
    }
}

impl Limiter for RedisLimiter {
    fn acquire(&self, deadline: Deadline) -> BoxFuture<'_, Result<Duration>> {
        async move {
            let mut waited = wait_hold(&self.held_until, deadline).await?;
            let mut c = self.conn.get().await?;
            loop {
                let wait_ms: i64 = GCRA
                    .key(&self.bucket)
                    .arg(self.interval_ms)
                    .arg(1)
                    .invoke_async(&mut c)
                    .await
                    .map_err(|e| redis_error("rate limit", e))?;
                if wait_ms <= 0 {
                    return Ok(waited);
                }
                let wait = Duration::from_millis(wait_ms as u64) + jitter();
                if !deadline.allows(wait, Duration::ZERO) {
                    return Err(limited(wait));
                }
                tokio::time::sleep(wait).await;
                waited += wait;
            }
        }
        .boxed()
    }

    fn hold(&self, wait: Duration) {
        extend_hold(&self.held_until, wait);
        let conn = self.conn.clone();
        let bucket = self.bucket.clone();
        let ms = wait.as_millis().max(1) as u64;
        // Best effort: the other replicas learn of the 429 on their next acquire.
        tokio::spawn(async move {
            if let Ok(mut c) = conn.get().await {
                let _: std::result::Result<i64, _> =
                    HOLD.key(&bucket).arg(ms).invoke_async(&mut c).await;
            }
        });
    }
}
