//! Log lines: emitted through `tracing` and, when the user gave one, handed to a sink (the Node
//! binding forwards them to a JS logger). Callers pass already-masked text: tokens, passwords and
//! OTP codes are never formatted into a message, phone numbers go through [`mask_phone`].

use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Receives every log line of one client. Must not block: it is called on request paths.
pub trait LogSink: Send + Sync {
    fn log(&self, level: Level, scope: &str, message: &str);
}

/// A client's logger: a scope name (`uzgate:eskiz`) and an optional sink.
#[derive(Clone)]
pub struct Logger {
    scope: Arc<str>,
    sink: Option<Arc<dyn LogSink>>,
    min_level: Level,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("scope", &self.scope)
            .finish()
    }
}

impl Default for Logger {
    fn default() -> Self {
        Logger::new("uzgate", None)
    }
}

impl Logger {
    pub fn new(scope: &str, sink: Option<Arc<dyn LogSink>>) -> Self {
        Logger {
            scope: scope.into(),
            sink,
            min_level: Level::Debug,
        }
    }

    /// The same sink under another scope (`uzgate:eskiz:auth`).
    pub fn scoped(&self, scope: &str) -> Self {
        Logger {
            scope: scope.into(),
            sink: self.sink.clone(),
            min_level: self.min_level,
        }
    }

    pub fn with_min_level(mut self, level: Level) -> Self {
        self.min_level = level;
        self
    }

    pub fn log(&self, level: Level, message: fmt::Arguments<'_>) {
        let to_sink = self.sink.is_some() && level >= self.min_level;
        // `tracing` gets every line its subscriber wants, whatever the sink's level.
        let to_tracing = match level {
            Level::Debug => tracing::enabled!(tracing::Level::DEBUG),
            Level::Info => tracing::enabled!(tracing::Level::INFO),
            Level::Warn => tracing::enabled!(tracing::Level::WARN),
            Level::Error => tracing::enabled!(tracing::Level::ERROR),
        };
        if !to_sink && !to_tracing {
            return;
        }
        let text = message.to_string();
        if to_tracing {
            match level {
                Level::Debug => tracing::debug!(scope = %self.scope, "{text}"),
                Level::Info => tracing::info!(scope = %self.scope, "{text}"),
                Level::Warn => tracing::warn!(scope = %self.scope, "{text}"),
                Level::Error => tracing::error!(scope = %self.scope, "{text}"),
            }
        }
        if let (true, Some(sink)) = (to_sink, &self.sink) {
            sink.log(level, &self.scope, &text);
        }
    }

    pub fn debug(&self, message: fmt::Arguments<'_>) {
        self.log(Level::Debug, message)
    }

    pub fn info(&self, message: fmt::Arguments<'_>) {
        self.log(Level::Info, message)
    }

    pub fn warn(&self, message: fmt::Arguments<'_>) {
        self.log(Level::Warn, message)
    }
}

/// `2591999 s` → `30 d`: lifetimes in log lines, without long digit runs that would look like
/// codes to a leak scan.
pub fn human_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => format!("{} ms", d.as_millis()),
        1..=119 => format!("{:.1} s", d.as_secs_f64()),
        120..=7199 => format!("{} min", s / 60),
        7200..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// `998901234567` → `99890***4567`: enough to tell numbers apart in a log, not enough to dial.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head = (chars.len() - 4).min(5);
    let mut out: String = chars[..head].iter().collect();
    out.push_str("***");
    out.extend(&chars[chars.len() - 4..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;

    #[derive(Default)]
    struct Collect(Mutex<Vec<String>>);
    impl LogSink for Collect {
        fn log(&self, level: Level, scope: &str, message: &str) {
            self.0
                .lock()
                .push(format!("{} {scope} {message}", level.as_str()));
        }
    }

    #[test]
    fn masks_phone_numbers() {
        assert_eq!(mask_phone("998901234567"), "99890***4567");
        assert_eq!(mask_phone("+998901234567"), "+9989***4567");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[test]
    fn forwards_to_sink_above_min_level() {
        let sink = Arc::new(Collect::default());
        let log = Logger::new("uzgate:test", Some(sink.clone())).with_min_level(Level::Info);
        log.debug(format_args!("hidden"));
        log.info(format_args!("shown {}", 1));
        assert_eq!(*sink.0.lock(), vec!["info uzgate:test shown 1".to_string()]);
    }
}
