//! Lifecycle events users can hook alerts to (a Telegram message on `reauthorization_required`).
//! Emitted by the token manager and by the HTTP loop (429s); kept here, below both, so neither
//! has to import the other for a type.

use crate::error::Provider;

#[derive(Clone, Debug)]
pub enum TokenEvent {
    Refreshed {
        provider: Provider,
        generation: u64,
        how: &'static str,
        expires_at_ms: Option<u64>,
    },
    RefreshFailed {
        provider: Provider,
        code: &'static str,
        message: String,
    },
    ReauthorizationRequired {
        provider: Provider,
        message: String,
    },
    /// A token the provider issued is in use but the store failed to save it; it is saved again
    /// until the store answers (`tokenStatus().persisted` turns true).
    Unsaved {
        provider: Provider,
        generation: u64,
        code: &'static str,
        message: String,
    },
    /// A token that was in use unsaved is in the store now.
    Saved {
        provider: Provider,
        generation: u64,
    },
    /// amoCRM refused the account itself: 403 (blocked) or 402 (subscription ended); `code` is
    /// `ACCESS_BLOCKED` or `ACCOUNT_UNPAID`.
    AccountRefused {
        provider: Provider,
        code: &'static str,
        status: u16,
    },
    /// A request succeeded again after an `AccountRefused` of that `code`.
    AccountRestored {
        provider: Provider,
        code: &'static str,
    },
    /// The provider answered 429 (the call waits and retries, or fails with `RATE_LIMITED`).
    RateLimited {
        provider: Provider,
        endpoint: &'static str,
        retry_after_ms: Option<u64>,
    },
}

impl TokenEvent {
    pub fn name(&self) -> &'static str {
        match self {
            TokenEvent::Refreshed { .. } => "token_refreshed",
            TokenEvent::RefreshFailed { .. } => "refresh_failed",
            TokenEvent::ReauthorizationRequired { .. } => "reauthorization_required",
            TokenEvent::Unsaved { .. } => "token_unsaved",
            TokenEvent::Saved { .. } => "token_saved",
            TokenEvent::AccountRefused { .. } => "account_refused",
            TokenEvent::AccountRestored { .. } => "account_restored",
            TokenEvent::RateLimited { .. } => "rate_limited",
        }
    }
}

/// Must not block: called from the refresh task.
pub trait EventSink: Send + Sync {
    fn event(&self, event: &TokenEvent);
}

/// A set of sinks, for whoever emits events (token manager, HTTP client).
#[derive(Default)]
pub struct Sinks {
    sinks: parking_lot::Mutex<Vec<(u64, std::sync::Arc<dyn EventSink>)>>,
    next: std::sync::atomic::AtomicU64,
}

impl Sinks {
    pub fn subscribe(&self, sink: std::sync::Arc<dyn EventSink>) -> u64 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.sinks.lock().push((id, sink));
        id
    }

    pub fn unsubscribe(&self, id: u64) {
        self.sinks.lock().retain(|(i, _)| *i != id);
    }

    pub fn emit(&self, event: &TokenEvent) {
        let sinks: Vec<_> = self.sinks.lock().iter().map(|(_, s)| s.clone()).collect();
        for sink in sinks {
            sink.event(event);
        }
    }
}
