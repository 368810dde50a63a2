//! Builds a client's alert engine from its `alerts` option and subscribes it to the client's
//! token events, reporting into the client's logger and metrics; builds the rate alerts
//! (delivery failures, OTP abuse) that count over a window, shared through the client's Redis.

use std::sync::Arc;
use std::time::Duration;
use uzgate_core::alerts::{
    window_key, AlertCallback, AlertEngine, RateRule, RateWatch, RateWindow,
};
use uzgate_core::auth::EventSink;
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::options::AlertOptions;
use uzgate_core::redis_client::RedisConnection;

/// The engine, checked (before any request); `None` without `alerts`.
pub fn engine(
    options: Option<&AlertOptions>,
    integration: String,
    callback: Option<AlertCallback>,
) -> uzgate_core::Result<Option<Arc<AlertEngine>>> {
    options.map(|a| a.build(integration, callback)).transpose()
}

/// A Redis the processes of one integration share, and what names their part of it.
pub type SharedRedis = Option<(Arc<RedisConnection>, String)>;

/// Connects `engine` to the client: its logger and metrics, the Redis of its store (one alert
/// per incident across processes), its events through `subscribe`.
pub fn attach(
    engine: Option<Arc<AlertEngine>>,
    log: Logger,
    metrics: Arc<Metrics>,
    redis: SharedRedis,
    subscribe: impl FnOnce(Arc<dyn EventSink>),
) {
    if let Some(engine) = engine {
        engine.attach(log, metrics);
        if let Some((conn, scope)) = redis {
            engine.share_through(conn, &scope);
        }
        subscribe(engine);
    }
}

/// A rate alert of `engine` with `rule` over `window`, counted together by the processes that
/// share `redis`.
pub fn rate_watch(
    engine: &Arc<AlertEngine>,
    (rule, window): (RateRule, Duration),
    redis: &SharedRedis,
    kind: &str,
) -> Arc<RateWatch> {
    let mut counts = RateWindow::new(window);
    if let Some((conn, scope)) = redis {
        counts = counts.shared(conn.clone(), window_key(scope, kind));
    }
    RateWatch::new(rule, counts, engine.clone())
}
