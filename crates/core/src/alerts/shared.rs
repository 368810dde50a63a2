//! One alert per incident across the processes that share a Redis token store: the incident is a
//! hash in Redis (`since`, `sent`), and a Lua script on Redis's clock decides which process sends
//! the first message, which one the reminder, and which one the "resolved" (the one whose DEL
//! removed it). Without Redis each process decides alone.

use crate::error::Result;
use crate::redis_client::{redis_error, RedisConnection};
use redis::Script;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// An incident outlives its reminders by this much, so a "resolved" still finds it.
const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);

/// KEYS: incident. ARGV: repeat ms, keep ms. → {send (0/1), since ms, repeat (0/1)}.
static RAISE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local since = redis.call('HGET', KEYS[1], 'since')
if not since then
  redis.call('HSET', KEYS[1], 'since', now, 'sent', now)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, now, 0}
end
if now - tonumber(redis.call('HGET', KEYS[1], 'sent') or 0) >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'sent', now)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(since), 1}
end
return {0, tonumber(since), 0}",
    )
});

/// KEYS: incident. → its `since`, or -1 when another process resolved it (or there was none).
static RESOLVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local since = redis.call('HGET', KEYS[1], 'since')
if since and redis.call('DEL', KEYS[1]) == 1 then return tonumber(since) end
return -1",
    )
});

/// What the shared incident says about a message this process is about to send.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// Send it, with the incident's own start and whether it is a reminder.
    Send { since_ms: u64, repeat: bool },
    /// Another process sent it (or will).
    Elsewhere,
}

/// Where the processes sharing `scope` count the window of a rate alert of `kind` together.
pub fn window_key(scope: &str, kind: &str) -> String {
    format!(
        "{}:{kind}:window",
        crate::store::default_key("uzgate:alert", scope)
    )
}

pub struct SharedIncidents {
    conn: Arc<RedisConnection>,
    /// `uzgate:alert:<pseudonym of the scope>`.
    base: String,
}

impl SharedIncidents {
    pub fn new(conn: Arc<RedisConnection>, scope: &str) -> Self {
        SharedIncidents {
            conn,
            base: crate::store::default_key("uzgate:alert", scope),
        }
    }

    fn key(&self, kind: &str) -> String {
        format!("{}:{kind}", self.base)
    }

    pub async fn raise(&self, kind: &str, repeat_after: Duration) -> Result<Claim> {
        let mut c = self.conn.get().await?;
        let (send, since, repeat): (i64, i64, i64) = RAISE
            .key(self.key(kind))
            .arg(repeat_after.as_millis() as u64)
            .arg(KEEP.as_millis() as u64)
            .invoke_async(&mut c)
            .await
            .map_err(|e| redis_error("alert claim", e))?;
        Ok(if send == 1 {
            Claim::Send {
                since_ms: since.max(0) as u64,
                repeat: repeat == 1,
            }
        } else {
            Claim::Elsewhere
        })
    }

    pub async fn resolve(&self, kind: &str) -> Result<Claim> {
        let mut c = self.conn.get().await?;
        let since: i64 = RESOLVE
            .key(self.key(kind))
            .invoke_async(&mut c)
            .await
            .map_err(|e| redis_error("alert resolve", e))?;
        Ok(if since >= 0 {
            Claim::Send {
                since_ms: since as u64,
                repeat: false,
            }
        } else {
            Claim::Elsewhere
        })
    }
}
