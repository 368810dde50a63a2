//! The one error type of uzgate. Every failure a user can see is an [`Error`] with a stable
//! [`ErrorCode`]; the Node binding copies its fields onto the JS `Error` unchanged.

pub use crate::attempt::Attempt;
use std::fmt;
use std::time::Duration;

/// Declares `ErrorCode`, its strings and `ErrorCode::ALL` from one list, so the list cannot
/// disagree with itself; the binding exposes `ALL` and a test holds `nest/errors.ts` to it.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)+) => {
        /// Stable machine-readable codes. The strings are part of the public contract
        /// (`err.code`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }
        }
    };
}

error_codes! {
    /// Bad input, rejected before any network call.
    InvalidArgument => "INVALID_ARGUMENT",
    /// A phone number that cannot be normalised or is not valid for the provider.
    InvalidPhone => "INVALID_PHONE",
    /// Credentials or token rejected and no refresh/login could fix it.
    AuthFailed => "AUTH_FAILED",
    /// amoCRM refresh token rejected: a human must authorise the integration again.
    ReauthorizationRequired => "REAUTHORIZATION_REQUIRED",
    /// The provider (or our own limiter) refused for rate reasons; see `retry_after`.
    RateLimited => "RATE_LIMITED",
    /// The provider processed the request and refused it (validation, moderation, …).
    ProviderRejected => "PROVIDER_REJECTED",
    /// The provider answered with a server error or an unusable body.
    ProviderUnavailable => "PROVIDER_UNAVAILABLE",
    /// amoCRM blocked the account/IP after repeated limit violations (HTTP 403).
    AccessBlocked => "ACCESS_BLOCKED",
    /// amoCRM subscription ended (HTTP 402).
    AccountUnpaid => "ACCOUNT_UNPAID",
    /// No answer in time for a request that is safe to repeat.
    Timeout => "TIMEOUT",
    /// The connection failed before the request could be processed.
    Network => "NETWORK",
    /// A non-idempotent request (an SMS, a lead) may or may not have been processed.
    OutcomeUnknown => "OUTCOME_UNKNOWN",
    /// The resource does not exist at the provider.
    NotFound => "NOT_FOUND",
    /// Bad client configuration.
    Config => "CONFIG",
    /// Reading or writing the token store failed.
    StoreError => "STORE_ERROR",
    /// The client was closed.
    Closed => "CLOSED",
    /// The capability is not available (yet) in this build.
    NotImplemented => "NOT_IMPLEMENTED",
    /// `startSandbox()` without the dev dependency `uzgate-sandbox` installed.
    SandboxNotInstalled => "SANDBOX_NOT_INSTALLED",
    /// A bug: an invariant did not hold.
    Internal => "INTERNAL",
}

impl ErrorCode {
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
    PlayMobile,
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
            Provider::PlayMobile => "playmobile",
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
            Provider::PlayMobile => "Play Mobile",
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
    /// A routed send: each provider tried, in order, and how it ended. Boxed: most errors
    /// have none, and errors travel by value.
    pub attempts: Option<Box<Vec<Attempt>>>,
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
            attempts: None,
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

    pub fn with_attempts(mut self, attempts: Vec<Attempt>) -> Self {
        self.attempts = Some(Box::new(attempts));
        self
    }

    /// The providers a routed send tried (empty for any other error).
    pub fn attempts(&self) -> &[Attempt] {
        self.attempts.as_deref().map(Vec::as_slice).unwrap_or(&[])
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
    fn the_list_holds_19_distinct_upper_snake_codes() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{s}");
        }
        assert_eq!(seen.len(), 19);
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
