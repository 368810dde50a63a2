//! The Redis deployments `scripts/with-redis.sh` starts — one server, a TLS-only server with a
//! private CA, a three-node cluster on plaintext and TLS ports — as connections; the tests that
//! take them run on each that is there (none outside `npm test`: they skip, saying so).

use std::sync::Arc;
use uzgate_core::redis_client::{RedisConnection, RedisTarget};

#[derive(Clone)]
pub struct Deployment {
    pub name: &'static str,
    target: RedisTarget,
}

impl Deployment {
    /// A connection of its own (as another process would have).
    pub fn connect(&self) -> Arc<RedisConnection> {
        RedisConnection::new(self.target.clone())
    }
}

pub fn deployments() -> Vec<Deployment> {
    let ca = std::env::var("UZGATE_TEST_REDIS_CA_FILE").ok();
    let all = [
        ("redis", "UZGATE_TEST_REDIS_URL", None),
        ("redis TLS", "UZGATE_TEST_REDIS_TLS_URL", ca.clone()),
        ("redis cluster", "UZGATE_TEST_REDIS_CLUSTER_URL", None),
        ("redis cluster TLS", "UZGATE_TEST_REDIS_CLUSTER_TLS_URL", ca),
    ];
    let mut found = Vec::new();
    for (name, var, ca) in all {
        match std::env::var(var) {
            Ok(url) => found.push(Deployment {
                name,
                target: RedisTarget::parse("test", &url, ca.as_deref()).expect(var),
            }),
            Err(_) => {
                eprintln!("SKIPPED on {name}: {var} is not set (run through scripts/with-redis.sh)")
            }
        }
    }
    found
}
