//! Challenges in Redis: every replica shares attempt counters, cooldowns, caps and single use.
//! Each step is one Lua script, so it is atomic across processes.

use super::store::{Challenge, OtpStore, Reservation, SendDecision};
use crate::error::Result;
use crate::redis_client::{redis_error, Link, RedisConnection};
use futures::future::BoxFuture;
use futures::FutureExt;
use redis::Script;
use std::sync::{Arc, LazyLock};

/// KEYS: challenge hash, sends zset. ARGV: now, cooldown, cap, id, digest, expires, attempts.
static BEGIN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) + tonumber(ARGV[2]) > now then
  return {'cooldown', tostring(tonumber(last[2]) + tonumber(ARGV[2]) - now)}
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {'cap', tostring(math.max(1, tonumber(first[2]) + 3600000 - now))}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[4], 'digest', ARGV[5], 'exp', ARGV[6], 'left', ARGV[7], 'sent', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[6]) + 60000)
redis.call('ZADD', KEYS[2], now, ARGV[4])
redis.call('PEXPIRE', KEYS[2], 3600000)
return {'ok', '0'}",
    )
});

static CANCEL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 0",
    )
});

static RESERVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local c = redis.call('HMGET', KEYS[1], 'id', 'digest', 'exp', 'left')
if not c[1] then return {'none'} end
if tonumber(c[3]) <= tonumber(ARGV[1]) then return {'expired'} end
local left = tonumber(c[4])
if left <= 0 then return {'exhausted'} end
redis.call('HSET', KEYS[1], 'left', left - 1)
return {'reserved', c[1], c[2], tostring(left - 1)}",
    )
});

static CONSUME: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0",
    )
});

pub struct RedisOtpStore {
    conn: Arc<RedisConnection>,
    prefix: String,
}

impl RedisOtpStore {
    pub fn new(conn: Arc<RedisConnection>, prefix: Option<String>) -> Self {
        RedisOtpStore {
            conn,
            prefix: prefix.unwrap_or_else(|| "uzgate:otp".into()),
        }
    }

    /// What every key of this store starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The challenge and its send log: one hash slot in a cluster (one script touches both).
    fn keys(&self, link: &Link, phone: &str) -> (String, String) {
        let challenge = format!("{}:{phone}", self.prefix);
        let sends = link.related_key(&challenge, "sends");
        (challenge, sends)
    }
}

impl OtpStore for RedisOtpStore {
    fn begin_send(
        &self,
        phone: &str,
        c: Challenge,
        cooldown_ms: u64,
        hourly_cap: u32,
        now_ms: u64,
    ) -> BoxFuture<'_, Result<SendDecision>> {
        let phone = phone.to_string();
        async move {
            let mut conn = self.conn.get().await?;
            let (k, sends) = self.keys(&conn, &phone);
            let r: Vec<String> = BEGIN
                .key(k)
                .key(sends)
                .arg(now_ms)
                .arg(cooldown_ms)
                .arg(hourly_cap)
                .arg(&c.id)
                .arg(&c.digest)
                .arg(c.expires_at_ms)
                .arg(c.attempts_left)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error("OTP send", e))?;
            let wait = r.get(1).and_then(|w| w.parse().ok()).unwrap_or(0);
            Ok(match r.first().map(String::as_str) {
                Some("cooldown") => SendDecision::Cooldown(wait),
                Some("cap") => SendDecision::HourlyCap(wait),
                _ => SendDecision::Allowed,
            })
        }
        .boxed()
    }

    fn cancel_send(&self, phone: &str, challenge_id: &str) -> BoxFuture<'_, Result<()>> {
        let phone = phone.to_string();
        let id = challenge_id.to_string();
        async move {
            let mut conn = self.conn.get().await?;
            let (k, sends) = self.keys(&conn, &phone);
            let _: i64 = CANCEL
                .key(k)
                .key(sends)
                .arg(id)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error("OTP cancel", e))?;
            Ok(())
        }
        .boxed()
    }

    fn reserve_attempt(&self, phone: &str, now_ms: u64) -> BoxFuture<'_, Result<Reservation>> {
        let phone = phone.to_string();
        async move {
            let mut conn = self.conn.get().await?;
            let (k, _) = self.keys(&conn, &phone);
            let r: Vec<String> = RESERVE
                .key(k)
                .arg(now_ms)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error("OTP verify", e))?;
            Ok(match r.first().map(String::as_str) {
                Some("reserved") if r.len() == 4 => Reservation::Reserved {
                    id: r[1].clone(),
                    digest: r[2].clone(),
                    left: r[3].parse().unwrap_or(0),
                },
                Some("expired") => Reservation::Expired,
                Some("exhausted") => Reservation::Exhausted,
                _ => Reservation::NotFound,
            })
        }
        .boxed()
    }

    fn consume(&self, phone: &str, challenge_id: &str) -> BoxFuture<'_, Result<bool>> {
        let phone = phone.to_string();
        let id = challenge_id.to_string();
        async move {
            let mut conn = self.conn.get().await?;
            let (k, _) = self.keys(&conn, &phone);
            let n: i64 = CONSUME
                .key(k)
                .arg(id)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error("OTP consume", e))?;
            Ok(n == 1)
        }
        .boxed()
    }
}
