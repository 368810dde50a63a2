//! The one error type of uzgate. Every failure a user can see is an [`Error`] with a stable
//! [`ErrorCode`]; the Node binding copies its fields onto the JS `Error` unchanged.

use std::fmt;
use std::time::Duration;

/// Stable machine-readable codes. The strings are part of the public contract (`err.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Bad input, rejected before any network call.
    InvalidArgument,
    /// A phone number that cannot be normalised or is not valid for the provider.
    InvalidPhone,
    /// Credentials or token rejected and no refresh/login could fix it.
    AuthFailed,
    /// amoCRM refresh token rejected: a human must authorise the integration again.
    ReauthorizationRequired,
    /// The provider (or our own limiter) refused for rate reasons; see `retry_after`.
    RateLimited,
    /// The provider processed the request and refused it (validation, moderation, …).
    ProviderRejected,
    /// The provider answered with a server error or an unusable body.
    ProviderUnavailable,
    /// amoCRM blocked the account/IP after repeated limit violations (HTTP 403).
    AccessBlocked,
    /// amoCRM subscription ended (HTTP 402).
    AccountUnpaid,
    /// No answer in time for a request that is safe to repeat.
    Timeout,
    /// The connection failed before the request could be processed.
    Network,
    /// A non-idempotent request (an SMS, a lead) may or may not have been processed.
    OutcomeUnknown,
    /// The resource does not exist at the provider.
    NotFound,
    /// Bad client configuration.
    Config,
    /// Reading or writing the token store failed.
    StoreError,
    /// The client was closed.
    Closed,
    /// The capability is not available (yet) in this build.
    NotImplemented,
    /// A bug: an invariant did not hold.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::InvalidPhone => "INVALID_PHONE",
            ErrorCode::AuthFailed => "AUTH_FAILED",
            ErrorCode::ReauthorizationRequired => "REAUTHORIZATION_REQUIRED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::ProviderRejected => "PROVIDER_REJECTED",
            ErrorCode::ProviderUnavailable => "PROVIDER_UNAVAILABLE",
            ErrorCode::AccessBlocked => "ACCESS_BLOCKED",
            ErrorCode::AccountUnpaid => "ACCOUNT_UNPAID",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Network => "NETWORK",
            ErrorCode::OutcomeUnknown => "OUTCOME_UNKNOWN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Config => "CONFIG",
            ErrorCode::StoreError => "STORE_ERROR",
            ErrorCode::Closed => "CLOSED",
            ErrorCode::NotImplemented => "NOT_IMPLEMENTED",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// Whether repeating the same call later may succeed. Providers' own hints override it.
    fn default_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited
                | ErrorCode::ProviderUnavailable
                | ErrorCode::Timeout
                | ErrorCode::Network
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which service an error (or a metric) belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    Eskiz,
    Twilio,
    AmoCrm,
    Console,
    Otp,
    Store,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Eskiz => "eskiz",
            Provider::Twilio => "twilio",
            Provider::AmoCrm => "amocrm",
            Provider::Console => "console",
            Provider::Otp => "otp",
            Provider::Store => "store",
        }
    }

    /// The name people use: `Eskiz`, `amoCRM`, …
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Eskiz => "Eskiz",
            Provider::Twilio => "Twilio",
            Provider::AmoCrm => "amoCRM",
            Provider::Console => "the console provider",
            Provider::Otp => "OTP",
            Provider::Store => "the token store",
        }
    }
}

/// A failure as users see it. Messages never contain tokens, passwords or OTP codes, and phone
/// numbers in them are masked.
#[derive(Clone, Debug)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub provider: Option<Provider>,
    /// The provider's HTTP status, when there was a response.
    pub status: Option<u16>,
    pub retryable: bool,
    pub retry_after: Option<Duration>,
    /// The provider's own words (e.g. Eskiz's moderation text), untouched.
    pub provider_message: Option<String>,
    /// Structured detail: validation errors field by field, the provider's error code, ….
    pub details: Option<serde_json::Value>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            provider: None,
            status: None,
            retryable: code.default_retryable(),
            retry_after: None,
            provider_message: None,
            details: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Config, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    pub fn closed() -> Self {
        Error::new(ErrorCode::Closed, "the client was closed")
    }

    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.provider = Some(provider);
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    pub fn with_provider_message(mut self, message: Option<String>) -> Self {
        self.provider_message = message.filter(|m| !m.is_empty());
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn retry_after_ms(&self) -> Option<u64> {
        self.retry_after.map(|d| d.as_millis() as u64)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        assert_eq!(ErrorCode::OutcomeUnknown.as_str(), "OUTCOME_UNKNOWN");
        assert_eq!(
            ErrorCode::ReauthorizationRequired.to_string(),
            "REAUTHORIZATION_REQUIRED"
        );
    }

    #[test]
    fn retryable_follows_the_code_unless_overridden() {
        assert!(Error::new(ErrorCode::Network, "x").retryable);
        assert!(!Error::new(ErrorCode::AuthFailed, "x").retryable);
        assert!(
            !Error::new(ErrorCode::Timeout, "x")
                .with_retryable(false)
                .retryable
        );
    }
}
