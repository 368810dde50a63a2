//! Builds a client's alert engine from its `alerts` option and subscribes it to the client's
//! token events, reporting into the client's logger and metrics.

use std::sync::Arc;
use uzgate_core::alerts::AlertEngine;
use uzgate_core::auth::EventSink;
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::options::AlertOptions;
use uzgate_core::redis_client::RedisConnection;

/// The engine, checked (before any request); `None` without `alerts`.
pub fn engine(
    options: Option<&AlertOptions>,
    integration: String,
) -> uzgate_core::Result<Option<Arc<AlertEngine>>> {
    options.map(|a| a.build(integration)).transpose()
}

/// Connects `engine` to the client: its logger and metrics, the Redis of its token store (one
/// alert per incident across processes), its events through `subscribe`.
pub fn attach(
    engine: Option<Arc<AlertEngine>>,
    log: Logger,
    metrics: Arc<Metrics>,
    redis: Option<Arc<RedisConnection>>,
    subscribe: impl FnOnce(Arc<dyn EventSink>),
) {
    if let Some(engine) = engine {
        engine.attach(log, metrics);
        if let Some(redis) = redis {
            engine.share_through(redis);
        }
        subscribe(engine);
    }
}
