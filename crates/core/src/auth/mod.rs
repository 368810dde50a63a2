//! Tokens: how a request gets a valid `Authorization` header, and what happens when the provider
//! refuses it. [`TokenManager`] is the heart (lock-free reads, single-flight refresh keyed by
//! generation, proactive refresh, failure latch, cross-process protocol); providers only supply an
//! [`Authenticator`] that knows how to obtain a token from their API.

mod cache;
mod latch;
mod manager;
mod options;
mod proactive;
mod protocol;
mod registry;
mod snapshot;
mod state;
mod status;

pub use crate::events::{EventSink, Sinks, TokenEvent};
pub use manager::TokenManager;
pub use options::ManagerOptions;
pub use registry::{shared_manager, TokenHandle};
pub use snapshot::Snapshot;
pub use status::TokenStatus;

use crate::deadline::Deadline;
use crate::error::{Error, Provider, Result};
use crate::store::StoredToken;
use futures::future::BoxFuture;
use futures::FutureExt;
use http::HeaderValue;
use std::sync::Arc;

/// The header a request is sent with and the generation of the token behind it.
#[derive(Clone, Debug)]
pub struct Credential {
    pub header: HeaderValue,
    pub generation: u64,
}

/// What the execution loop needs from any kind of authentication.
pub trait RequestAuth: Send + Sync {
    /// The credential without waiting, when one is at hand (the hot path: no allocation).
    fn ready(&self) -> Option<Credential> {
        None
    }

    /// A usable credential, obtaining one if needed.
    fn credential(&self, deadline: Deadline) -> BoxFuture<'_, Result<Credential>>;

    /// The provider refused the credential of `generation`: make a better one available
    /// (single-flight) or fail. The caller then retries once.
    fn rejected(&self, generation: u64, deadline: Deadline) -> BoxFuture<'_, Result<()>>;
}

/// How a token was obtained (for counters and logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueKind {
    /// With the primary credentials (Eskiz email/password).
    Login,
    /// With the current token or refresh token.
    Refresh,
    /// From an authorisation code (amoCRM OAuth).
    Exchange,
    /// Taken from the store, written by another process or an earlier run.
    Adopted,
}

impl IssueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Login => "login",
            IssueKind::Refresh => "refresh",
            IssueKind::Exchange => "exchange",
            IssueKind::Adopted => "adopted",
        }
    }
}

/// A token fresh from the provider.
#[derive(Clone, Debug)]
pub struct Issued {
    pub token: StoredToken,
    pub kind: IssueKind,
}

/// The provider-specific part: how to get a new token.
pub trait Authenticator: Send + Sync + 'static {
    fn provider(&self) -> Provider;

    /// A new token. `current` is the freshest stored token (its refresh token, for rotating
    /// providers), `None` when there is none. Runs inside the manager's own task: it completes
    /// even when the request that caused it is gone. Must not go through the 401-retry path.
    fn obtain(self: Arc<Self>, current: Option<StoredToken>) -> BoxFuture<'static, Result<Issued>>;

    /// The `Authorization` value for an access token.
    fn header(&self, access_token: &str) -> Result<HeaderValue> {
        bearer(access_token)
    }

    /// Refuses a record read back from the store that this client must not use (amoCRM: an
    /// account host other than the configured one). The record itself stays as it is.
    fn check_stored(&self, _token: &StoredToken) -> Result<()> {
        Ok(())
    }
}

pub fn bearer(access_token: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {access_token}"))
        .map_err(|_| Error::internal("the provider issued a token that is not a valid header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Credentials that never change (Twilio Basic auth): a 401 is final.
pub struct StaticAuth {
    credential: Credential,
    provider: Provider,
}

impl StaticAuth {
    pub fn new(provider: Provider, mut header: HeaderValue) -> Self {
        header.set_sensitive(true);
        StaticAuth {
            credential: Credential {
                header,
                generation: 1,
            },
            provider,
        }
    }
}

impl RequestAuth for StaticAuth {
    fn ready(&self) -> Option<Credential> {
        Some(self.credential.clone())
    }

    fn credential(&self, _deadline: Deadline) -> BoxFuture<'_, Result<Credential>> {
        let c = self.credential.clone();
        async move { Ok(c) }.boxed()
    }

    fn rejected(&self, _generation: u64, _deadline: Deadline) -> BoxFuture<'_, Result<()>> {
        let provider = self.provider;
        async move {
            Err(Error::new(
                crate::error::ErrorCode::AuthFailed,
                format!(
                    "{} rejected the configured credentials (HTTP 401); check them in the \
                     {} options",
                    provider.display_name(),
                    provider.as_str()
                ),
            )
            .with_provider(provider)
            .with_status(401))
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests;
