//! A JS logger callback as the core's log sink. The thread-safe function is weak (it never keeps
//! Node alive) and bounded: when JS cannot keep up, lines are dropped and counted rather than
//! blocking a request.

use crate::js_callback::JsCallback;
use napi::bindgen_prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use uzgate_core::log::{Level, LogSink, Logger};
use uzgate_core::options::LogLevel;

#[napi(object)]
pub struct LogLine {
    /// `debug` | `info` | `warn` | `error`
    pub level: String,
    /// Which part of uzgate speaks, e.g. `uzgate:eskiz`.
    pub scope: String,
    /// Already masked: no token, password or code; phone numbers shortened.
    pub message: String,
}

const QUEUE: usize = 1024;

pub struct JsLogSink {
    f: JsCallback<LogLine, QUEUE>,
    dropped: AtomicU64,
}

impl JsLogSink {
    pub fn detach(&self) {
        self.f.detach();
    }
}

impl LogSink for JsLogSink {
    fn log(&self, level: Level, scope: &str, message: &str) {
        let line = LogLine {
            level: level.as_str().to_string(),
            scope: scope.to_string(),
            message: message.to_string(),
        };
        if !self.f.call(line) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The core logger for a client (the JS callback when given, else `tracing` only) and the sink to
/// detach on close.
pub fn logger(
    callback: Option<Function<'_, LogLine, ()>>,
    level: Option<LogLevel>,
) -> Result<(Logger, Option<Arc<JsLogSink>>)> {
    let min = level.map_or(Level::Info, Level::from);
    let sink: Option<Arc<JsLogSink>> = match callback {
        Some(f) => Some(Arc::new(JsLogSink {
            f: JsCallback::new(f)?,
            dropped: AtomicU64::new(0),
        })),
        None => None,
    };
    let as_sink = sink.clone().map(|s| s as Arc<dyn LogSink>);
    Ok((Logger::new("uzgate", as_sink).with_min_level(min), sink))
}
