//! Tokens in Redis, shared by every replica.
//!
//! * A token is a hash `{v, data}`; saves are a Lua compare-and-set on `v`, so a writer whose
//!   lock lease ran out cannot overwrite a newer token.
//! * The refresh lock is `SET <key>:lock <uuid> NX PX <lease>` (`{<key>}:lock` in a cluster: one slot), released by a compare-and-delete
//!   so a late holder never deletes someone else's lock. A dead holder blocks others only until
//!   the lease runs out.
//! * The same connection serves the shared rate-limit budget (`ratelimit::RedisLimiter`).

use super::codec::Codec;
use super::{LockGuard, Saved, StoredToken, TokenStore, Versioned};
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::redis_client::{redis_error, RedisConnection};
use futures::future::BoxFuture;
use futures::FutureExt;
use redis::Script;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::time::Instant;

const POLL: Duration = Duration::from_millis(25);

static CAS_SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'data', ARGV[3]) return 1",
    )
});

static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
    )
});

pub struct RedisStore {
    conn: Arc<RedisConnection>,
    codec: Codec,
}

impl RedisStore {
    pub fn new(conn: Arc<RedisConnection>, codec: Codec) -> Self {
        RedisStore { conn, codec }
    }

    pub fn connection(&self) -> &Arc<RedisConnection> {
        &self.conn
    }

    async fn read(&self, key: &str) -> Result<Option<Versioned>> {
        match self.read_raw(key).await? {
            Some((version, data)) => Ok(Some(Versioned {
                version,
                token: self.codec.decode(key, version, &data)?,
            })),
            None => Ok(None),
        }
    }

    async fn read_raw(&self, key: &str) -> Result<Option<(u64, String)>> {
        let mut c = self.conn.get().await?;
        let (v, data): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(key)
            .arg("v")
            .arg("data")
            .query_async(&mut c)
            .await
            .map_err(|e| redis_error("HMGET", e))?;
        Ok(match (v, data) {
            (Some(version), Some(data)) => Some((version, data)),
            _ => None,
        })
    }
}

struct RedisLock {
    conn: Arc<RedisConnection>,
    key: String,
    owner: String,
}

impl LockGuard for RedisLock {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        async move {
            if let Ok(mut c) = self.conn.get().await {
                let _: std::result::Result<i64, _> = RELEASE
                    .key(&self.key)
                    .arg(&self.owner)
                    .invoke_async(&mut c)
                    .await;
            }
        }
        .boxed()
    }
}

impl TokenStore for RedisStore {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn shared(&self) -> bool {
        true
    }

    fn load(&self, key: &str) -> BoxFuture<'_, Result<Option<Versioned>>> {
        let key = key.to_string();
        async move { self.read(&key).await }.boxed()
    }

    fn save(&self, key: &str, expected: u64, token: &StoredToken) -> BoxFuture<'_, Result<Saved>> {
        let key = key.to_string();
        let data = self.codec.encode(&key, expected + 1, token);
        async move {
            let data = data?;
            if self.save_raw(&key, expected, data).await? {
                Ok(Saved::Written(expected + 1))
            } else {
                Ok(Saved::Conflict(self.read(&key).await?))
            }
        }
        .boxed()
    }

    fn codec(&self) -> Option<&Codec> {
        Some(&self.codec)
    }

    fn load_raw(&self, key: &str) -> BoxFuture<'_, Result<Option<(u64, String)>>> {
        let key = key.to_string();
        async move { self.read_raw(&key).await }.boxed()
    }

    fn save_raw(&self, key: &str, expected: u64, data: String) -> BoxFuture<'_, Result<bool>> {
        let key = key.to_string();
        async move {
            let mut c = self.conn.get().await?;
            let written: i64 = CAS_SAVE
                .key(&key)
                .arg(expected.to_string())
                .arg((expected + 1).to_string())
                .arg(data)
                .invoke_async(&mut c)
                .await
                .map_err(|e| redis_error("token save", e))?;
            Ok(written == 1)
        }
        .boxed()
    }

    fn clear(&self, key: &str) -> BoxFuture<'_, Result<()>> {
        let key = key.to_string();
        async move {
            let mut c = self.conn.get().await?;
            let _: i64 = redis::cmd("DEL")
                .arg(&key)
                .query_async(&mut c)
                .await
                .map_err(|e| redis_error("DEL", e))?;
            Ok(())
        }
        .boxed()
    }

    fn lock(
        &self,
        key: &str,
        lease: Duration,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Option<Box<dyn LockGuard>>>> {
        let key = key.to_string();
        async move {
            let owner = uuid::Uuid::new_v4().to_string();
            let until = Instant::now() + wait;
            let mut c = self.conn.get().await?;
            let lock_key = c.related_key(&key, "lock");
            loop {
                let acquired: Option<String> = redis::cmd("SET")
                    .arg(&lock_key)
                    .arg(&owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(lease.as_millis().max(1) as u64)
                    .query_async(&mut c)
                    .await
                    .map_err(|e| redis_error("SET NX", e))?;
                if acquired.is_some() {
                    return Ok(Some(Box::new(RedisLock {
                        conn: self.conn.clone(),
                        key: lock_key,
                        owner,
                    }) as Box<dyn LockGuard>));
                }
                if Instant::now() >= until {
                    return Err(Error::new(
                        ErrorCode::StoreError,
                        format!(
                            "another process held the refresh lock {lock_key} for more than {} ms",
                            wait.as_millis()
                        ),
                    )
                    .with_provider(Provider::Store)
                    .with_retryable(true));
                }
                tokio::time::sleep(POLL).await;
            }
        }
        .boxed()
    }
}
