//! Builds a client's alert engine from its `alerts` option and subscribes it to the client's
//! token events, reporting into the client's logger and metrics.

use std::sync::Arc;
use uzgate_core::alerts::AlertEngine;
use uzgate_core::auth::EventSink;
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::options::AlertOptions;

/// The engine, checked (before any request); `None` without `alerts`.
pub fn engine(
    options: Option<&AlertOptions>,
    integration: String,
) -> uzgate_core::Result<Option<Arc<AlertEngine>>> {
    options.map(|a| a.build(integration)).transpose()
}

/// Connects `engine` to the client: its logger and metrics, its events through `subscribe`.
pub fn attach(
    engine: Option<Arc<AlertEngine>>,
    log: Logger,
    metrics: Arc<Metrics>,
    subscribe: impl FnOnce(Arc<dyn EventSink>),
) {
    if let Some(engine) = engine {
        engine.attach(log, metrics);
        subscribe(engine);
    }
}
