//! One Redis connection per configured URL, shared by the token store, the shared rate budget
//! and the OTP store: a single server (or an offering's proxy endpoint) through a reconnecting
//! `ConnectionManager`, or a Redis Cluster through the cluster client, chosen by asking the
//! server at the first connect — managed offerings hand out one URL either way.

mod slots;
mod target;

pub use slots::{check_key, related_key};
pub use target::RedisTarget;

use crate::error::{Error, ErrorCode, Provider, Result};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use std::sync::Arc;
use tokio::sync::OnceCell;

pub(crate) fn redis_error(what: &str, e: redis::RedisError) -> Error {
    Error::new(ErrorCode::StoreError, format!("redis {what} failed: {e}"))
        .with_provider(Provider::Store)
        .with_retryable(true)
}

/// One lazily-opened connection; a failed open is tried again by the next call.
pub struct RedisConnection {
    target: RedisTarget,
    link: OnceCell<Link>,
}

impl RedisConnection {
    pub fn new(target: RedisTarget) -> Arc<Self> {
        Arc::new(RedisConnection {
            target,
            link: OnceCell::new(),
        })
    }

    pub async fn get(&self) -> Result<Link> {
        self.link
            .get_or_try_init(|| open(&self.target))
            .await
            .cloned()
    }
}

async fn open(target: &RedisTarget) -> Result<Link> {
    let client = target.client().map_err(|e| redis_error("connect", e))?;
    // One retry: a refused password or an unreachable host is reported at once (the next call
    // opens anew) instead of being retried past the call's deadline.
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(target::CONNECT_TIMEOUT))
        .set_response_timeout(Some(target::RESPONSE_TIMEOUT))
        .set_number_of_retries(1);
    let mut single = ConnectionManager::new_with_config(client, config)
        .await
        .map_err(|e| redis_error("connect", e))?;
    if !serves_cluster(&mut single).await {
        return Ok(Link::Single(single));
    }
    drop(single);
    if target.db() != 0 {
        return Err(Error::config(
            "a Redis Cluster has only database 0: remove the '/N' from the URL",
        ));
    }
    let cluster = target
        .cluster_client()
        .map_err(|e| redis_error("cluster connect", e))?
        .get_async_connection()
        .await
        .map_err(|e| redis_error("cluster connect", e))?;
    Ok(Link::Cluster(cluster))
}

/// `CLUSTER INFO` answers on a cluster node and fails on a single server ("cluster support
/// disabled") and on proxies that hide a cluster behind one endpoint.
async fn serves_cluster(c: &mut ConnectionManager) -> bool {
    redis::cmd("CLUSTER")
        .arg("INFO")
        .query_async::<String>(c)
        .await
        .is_ok_and(|info| info.contains("cluster_state:"))
}

/// A connection to a single server or to a cluster; commands and scripts run on either.
#[derive(Clone)]
pub enum Link {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Link {
    /// Whether related keys must share a hash slot (see [`related_key`]).
    pub fn cluster(&self) -> bool {
        matches!(self, Link::Cluster(_))
    }

    pub fn related_key(&self, base: &str, suffix: &str) -> String {
        related_key(base, suffix, self.cluster())
    }
}

impl ConnectionLike for Link {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Link::Single(c) => c.req_packed_command(cmd),
            Link::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Link::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Link::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Link::Single(c) => c.get_db(),
            Link::Cluster(c) => c.get_db(),
        }
    }
}
