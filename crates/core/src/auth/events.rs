//! Token lifecycle events users can hook alerts to.

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
}

impl TokenEvent {
    pub fn name(&self) -> &'static str {
        match self {
            TokenEvent::Refreshed { .. } => "token_refreshed",
            TokenEvent::RefreshFailed { .. } => "refresh_failed",
            TokenEvent::ReauthorizationRequired { .. } => "reauthorization_required",
        }
    }
}

/// Must not block: called from the refresh task.
pub trait EventSink: Send + Sync {
    fn event(&self, event: &TokenEvent);
}
