//! The options every network client takes (time budget, connection limits, token refresh margin,
//! token store, log level), written once: `client_options!` adds them to a client's own options,
//! and `Common` turns them into the core's `HttpOptions` and `ManagerOptions`.

use super::parse::positive;
use super::store::TokenStoreOptions;
use crate::auth::ManagerOptions;
use crate::error::Result;
use crate::http::HttpOptions;
use crate::log::Level;
use serde::Deserialize;
use std::time::Duration;

/// Minimum level passed to the logger.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl From<LogLevel> for Level {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Debug => Level::Debug,
            LogLevel::Info => Level::Info,
            LogLevel::Warn => Level::Warn,
            LogLevel::Error => Level::Error,
        }
    }
}

/// Declares a client's option struct with its own fields followed by the common ones. serde's
/// `flatten` would share them too, but it cannot be combined with `deny_unknown_fields`.
macro_rules! client_options {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Where tokens are kept; default `{ type: 'memory' }`.
            pub token_store: Option<$crate::options::TokenStoreOptions>,
            /// Budget of one call in ms, retries and token refresh included (default 30000).
            pub timeout_ms: Option<u32>,
            /// TCP connect timeout in ms (default 5000).
            pub connect_timeout_ms: Option<u32>,
            /// Requests on the wire at once (default 256); the rest wait their turn within their
            /// timeout, so a burst never opens thousands of connections.
            pub max_concurrency: Option<u32>,
            /// Largest provider answer read, in bytes (default 4 MiB = 4194304). A larger body is
            /// not read: the call fails with `PROVIDER_UNAVAILABLE` (reads) or `OUTCOME_UNKNOWN`
            /// (sends).
            pub max_response_bytes: Option<u32>,
            /// Refresh this many ms before a known token expiry (default 60000).
            pub refresh_margin_ms: Option<u32>,
            /// Minimum level passed to the logger (default `info`).
            pub log_level: Option<$crate::options::LogLevel>,
            /// Operator alerts (Telegram, a signed webhook) when the integration gets into
            /// trouble: disconnected, refreshes failing, a token the store cannot save.
            pub alerts: Option<$crate::options::AlertOptions>,
        }

        impl $name {
            /// The common options, borrowed.
            pub fn common(&self) -> $crate::options::Common<'_> {
                $crate::options::Common {
                    token_store: self.token_store.as_ref(),
                    timeout_ms: self.timeout_ms,
                    connect_timeout_ms: self.connect_timeout_ms,
                    max_concurrency: self.max_concurrency,
                    max_response_bytes: self.max_response_bytes,
                    refresh_margin_ms: self.refresh_margin_ms,
                }
            }
        }
    };
}
pub(crate) use client_options;

/// The options every network client shares, as given.
pub struct Common<'a> {
    pub token_store: Option<&'a TokenStoreOptions>,
    pub timeout_ms: Option<u32>,
    pub connect_timeout_ms: Option<u32>,
    pub max_concurrency: Option<u32>,
    pub max_response_bytes: Option<u32>,
    pub refresh_margin_ms: Option<u32>,
}

fn ms(v: u32) -> Duration {
    Duration::from_millis(v as u64)
}

impl Common<'_> {
    /// The HTTP knobs, each zero refused naming the option.
    pub fn http(&self) -> Result<HttpOptions> {
        let mut http = HttpOptions::default();
        if let Some(v) = positive("timeoutMs", self.timeout_ms)? {
            http.timeout = ms(v);
        }
        if let Some(v) = positive("connectTimeoutMs", self.connect_timeout_ms)? {
            http.connect_timeout = ms(v);
        }
        if let Some(v) = positive("maxConcurrency", self.max_concurrency)? {
            http.max_concurrency = v as usize;
        }
        if let Some(v) = positive("maxResponseBytes", self.max_response_bytes)? {
            http.max_response_bytes = v as usize;
        }
        Ok(http)
    }

    /// The token manager's knobs: the refresh margin and the store's lock settings, checked
    /// together (a lease shorter than a refresh is refused).
    pub fn manager(&self) -> Result<ManagerOptions> {
        let mut manager = ManagerOptions::default();
        if let Some(v) = self.refresh_margin_ms {
            manager.refresh_margin = ms(v);
        }
        if let Some(store) = self.token_store {
            store.apply(&mut manager)?;
        }
        manager.validate()?;
        Ok(manager)
    }
}
