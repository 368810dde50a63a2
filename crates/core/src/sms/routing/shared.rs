//! A provider's breaker kept in Redis, so the replicas of one deployment rest a failing provider
//! together: a hash per provider (`fails` in a row, `until` it is open, `since`, the last `code`)
//! and a probe key taken with `SET NX PX` so exactly one replica sends the half-open probe. Lua
//! scripts on Redis's clock make each step atomic and leave clocks of the replicas out of it;
//! answers are "milliseconds left", turned into local instants by the caller.
//!
//! Only failures, probes and state changes write; reading the state is the caller's periodic
//! refresh, so a healthy send never waits for Redis.

use crate::error::{Error, ErrorCode, Result};
use crate::log::Logger;
use crate::redis_client::{redis_error, RedisConnection};
use parking_lot::Mutex;
use redis::Script;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

/// A call to Redis that takes longer is abandoned: the breaker then decides locally.
const CALL_TIMEOUT: Duration = Duration::from_millis(500);
/// After Redis failed to answer, this long on the local breaker before asking again.
const BACK_OFF: Duration = Duration::from_secs(1);
/// Failures in a row are forgotten this long after the last write (and an open breaker nobody
/// probed by then counts as closed).
const KEEP_EXTRA_MS: u64 = 600_000;

const NOW: &str = "local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
";

/// KEYS: state, probe. → {fails, ms left open (-1: closed), since, last code, probe taken (0/1)}.
static FETCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}local h = redis.call('HMGET', KEYS[1], 'fails', 'until', 'since', 'code')
local left = -1
if h[2] then left = math.max(tonumber(h[2]) - now, 0) end
return {{tonumber(h[1] or 0), left, tonumber(h[3] or 0), h[4] or '', redis.call('EXISTS', KEYS[2])}}"
    ))
});

/// KEYS: state, probe. ARGV: failures that open, cool-down ms, probe (0/1), code, keep ms.
/// → {opened by this call (0/1), fails, ms left open (-1: closed), since}.
static FAIL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}local fails = redis.call('HINCRBY', KEYS[1], 'fails', 1)
redis.call('HSET', KEYS[1], 'code', ARGV[4])
local opened = 0
if redis.call('HEXISTS', KEYS[1], 'until') == 1 then
  if ARGV[3] == '1' then
    redis.call('HSET', KEYS[1], 'until', now + tonumber(ARGV[2]))
    redis.call('DEL', KEYS[2])
  end
elseif fails >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'until', now + tonumber(ARGV[2]), 'since', now)
  opened = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'until', 'since')
local left = -1
if h[1] then left = math.max(tonumber(h[1]) - now, 0) end
return {{opened, fails, left, tonumber(h[2] or 0)}}"
    ))
});

/// KEYS: state, probe. ARGV: cool-down ms. → {1, 0}: this replica probes; {0, ms}: skip for
/// ms; {2, 0}: closed meanwhile.
static PROBE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}local u = redis.call('HGET', KEYS[1], 'until')
if not u then return {{2, 0}} end
local left = tonumber(u) - now
if left > 0 then return {{0, left}} end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return {{1, 0}} end
return {{0, math.max(redis.call('PTTL', KEYS[2]), 1)}}"
    ))
});

/// KEYS: state, probe. → 1 when this call closed an open breaker.
static SUCCEED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local open = redis.call('HEXISTS', KEYS[1], 'until')
redis.call('DEL', KEYS[1], KEYS[2])
return open",
    )
});

/// The shared state of one provider's breaker as Redis last said it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedState {
    pub fails: u32,
    /// Open for this much longer (0: the probe may go); `None`: closed.
    pub open_for: Option<Duration>,
    /// Open since (Redis's clock, Unix ms).
    pub since_ms: u64,
    pub last_code: Option<String>,
    /// A replica has taken the probe.
    pub probing: bool,
}

/// What a failure did to the shared breaker.
#[derive(Debug, PartialEq, Eq)]
pub struct Failed {
    /// This failure opened it (exactly one replica hears this).
    pub opened: bool,
    pub state: SharedState,
}

/// What the probe claim answered.
#[derive(Debug, PartialEq, Eq)]
pub enum ProbeClaim {
    /// This replica sends the probe.
    Mine,
    /// Another replica probes, or the cool-down is not over: skip for this long.
    Wait(Duration),
    /// Closed meanwhile.
    Closed,
}

/// The breakers of one routed client's providers in Redis, and whether Redis answers.
pub struct SharedBreakers {
    conn: Arc<RedisConnection>,
    /// Every provider's keys start with it (`uzgate:breaker:<pseudonym>` or the store key's).
    base: String,
    log: Logger,
    /// Redis did not answer: local breakers until then.
    resting_until: Mutex<Option<Instant>>,
    /// The outage was logged (once per outage).
    told: AtomicBool,
}

impl SharedBreakers {
    pub fn new(conn: Arc<RedisConnection>, base: String, log: Logger) -> Arc<Self> {
        Arc::new(SharedBreakers {
            conn,
            base,
            log,
            resting_until: Mutex::new(None),
            told: AtomicBool::new(false),
        })
    }

    /// The keys of `provider`'s breaker under `base`, in one hash slot on a cluster.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether Redis is taken as answering now (not within the back-off after a failure).
    pub fn available(&self) -> bool {
        match *self.resting_until.lock() {
            Some(until) => Instant::now() >= until,
            None => true,
        }
    }

    async fn call<T: redis::FromRedisValue>(
        &self,
        what: &str,
        provider: &str,
        prepare: impl FnOnce(&mut redis::ScriptInvocation<'_>),
        script: &Script,
    ) -> Result<T> {
        let run = async {
            let mut link = self.conn.get().await?;
            let state = format!("{}:{provider}", self.base);
            let probe = link.related_key(&state, "probe");
            let mut inv = script.key(&state);
            inv.key(&probe);
            prepare(&mut inv);
            inv.invoke_async::<T>(&mut link)
                .await
                .map_err(|e| redis_error(what, e))
        };
        let answer = match tokio::time::timeout(CALL_TIMEOUT, run).await {
            Ok(a) => a,
            Err(_) => Err(Error::new(
                ErrorCode::StoreError,
                format!(
                    "redis {what} took longer than {} ms",
                    CALL_TIMEOUT.as_millis()
                ),
            )),
        };
        match &answer {
            Ok(_) => {
                *self.resting_until.lock() = None;
                if self.told.swap(false, Ordering::AcqRel) {
                    self.log.info(format_args!(
                        "circuit breakers are shared through Redis again"
                    ));
                }
            }
            Err(e) => {
                *self.resting_until.lock() = Some(Instant::now() + BACK_OFF);
                if !self.told.swap(true, Ordering::AcqRel) {
                    self.log.warn(format_args!(
                        "circuit breakers are not shared: {}; each replica rests failing \
                         providers on its own until Redis answers",
                        e.message
                    ));
                }
            }
        }
        answer
    }

    pub async fn fetch(&self, provider: &str) -> Result<SharedState> {
        let (fails, left, since, code, probing): (i64, i64, i64, String, i64) =
            self.call("breaker read", provider, |_| {}, &FETCH).await?;
        Ok(state(fails, left, since, Some(code), probing == 1))
    }

    pub async fn fail(
        &self,
        provider: &str,
        failures: u32,
        cool_down: Duration,
        probe: bool,
        code: &str,
    ) -> Result<Failed> {
        let cool_ms = cool_down.as_millis() as u64;
        let (opened, fails, left, since): (i64, i64, i64, i64) = self
            .call(
                "breaker failure",
                provider,
                |inv| {
                    inv.arg(failures)
                        .arg(cool_ms)
                        .arg(if probe { "1" } else { "0" })
                        .arg(code)
                        .arg(cool_ms + KEEP_EXTRA_MS);
                },
                &FAIL,
            )
            .await?;
        Ok(Failed {
            opened: opened == 1,
            state: state(fails, left, since, Some(code.to_string()), false),
        })
    }

    pub async fn claim_probe(&self, provider: &str, cool_down: Duration) -> Result<ProbeClaim> {
        let cool_ms = cool_down.as_millis() as u64;
        let (what, ms): (i64, i64) = self
            .call(
                "breaker probe",
                provider,
                |inv| {
                    inv.arg(cool_ms);
                },
                &PROBE,
            )
            .await?;
        Ok(match what {
            1 => ProbeClaim::Mine,
            2 => ProbeClaim::Closed,
            _ => ProbeClaim::Wait(Duration::from_millis(ms.max(1) as u64)),
        })
    }

    /// A success: clears the failures; `true` when it closed an open breaker.
    pub async fn succeed(&self, provider: &str) -> Result<bool> {
        let closed: i64 = self
            .call("breaker success", provider, |_| {}, &SUCCEED)
            .await?;
        Ok(closed == 1)
    }
}

fn state(fails: i64, left: i64, since: i64, code: Option<String>, probing: bool) -> SharedState {
    SharedState {
        fails: fails.clamp(0, u32::MAX as i64) as u32,
        open_for: (left >= 0).then(|| Duration::from_millis(left as u64)),
        since_ms: since.max(0) as u64,
        last_code: code.filter(|c| !c.is_empty()),
        probing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_answers_become_states() {
        assert_eq!(
            state(0, -1, 0, Some(String::new()), false),
            SharedState::default(),
            "no hash: closed, nothing failed"
        );
        assert_eq!(
            state(
                5,
                1_200,
                1_796_544_000_000,
                Some("RATE_LIMITED".into()),
                true
            ),
            SharedState {
                fails: 5,
                open_for: Some(Duration::from_millis(1_200)),
                since_ms: 1_796_544_000_000,
                last_code: Some("RATE_LIMITED".into()),
                probing: true,
            }
        );
        assert_eq!(state(3, 0, 7, None, false).open_for, Some(Duration::ZERO));
    }
}
