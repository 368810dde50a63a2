//! The one rule that lets a send move to another provider: only when the previous provider
//! provably did not get the message. Everything else — above all `OUTCOME_UNKNOWN`, a timeout
//! after the request left, any 2xx — ends the send where it is, so failover never sends an SMS
//! twice.
//!
//! The HTTP layer already tells the two apart for a send (a request that is not safe to repeat):
//! `NETWORK` only when the connection failed before the request was written, `RATE_LIMITED` for a
//! 429, `PROVIDER_UNAVAILABLE` only for a 503 that said it did not take the request (every other
//! 5xx of a send is `OUTCOME_UNKNOWN`).

use crate::error::{Error, ErrorCode};

/// Why the next provider may be tried after `err`, or `None` when the send must stop here.
/// `local_refusal`: the provider's own verdict that its refusal is about itself (a sender name it
/// does not know, a route it lacks, a balance it has used up), which another provider may accept.
pub fn may_try_next(err: &Error, local_refusal: bool) -> Option<&'static str> {
    match err.code {
        ErrorCode::Network => Some("not_connected"),
        ErrorCode::RateLimited => Some("rate_limited"),
        ErrorCode::ProviderUnavailable => Some("unavailable"),
        ErrorCode::AuthFailed => Some("auth_failed"),
        ErrorCode::AccountUnpaid => Some("unpaid"),
        // The account is locked (Play Mobile 102): the request was refused unread.
        ErrorCode::AccessBlocked => Some("account_locked"),
        // The token could not be read or saved: no request carried the message.
        ErrorCode::StoreError => Some("token_store"),
        ErrorCode::NotImplemented => Some("not_supported"),
        ErrorCode::ProviderRejected if local_refusal => Some("refused_here"),
        // OUTCOME_UNKNOWN, TIMEOUT, INVALID_PHONE / INVALID_ARGUMENT (the same everywhere),
        // PROVIDER_REJECTED of the message itself, CLOSED, CONFIG, INTERNAL …
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: ErrorCode) -> Error {
        Error::new(code, "x")
    }

    #[test]
    fn moves_on_only_when_the_provider_provably_did_not_get_it() {
        for code in [
            ErrorCode::Network,
            ErrorCode::RateLimited,
            ErrorCode::ProviderUnavailable,
            ErrorCode::AuthFailed,
            ErrorCode::AccountUnpaid,
            ErrorCode::AccessBlocked,
            ErrorCode::StoreError,
            ErrorCode::NotImplemented,
        ] {
            assert!(may_try_next(&err(code), false).is_some(), "{code:?}");
        }
        for code in [
            ErrorCode::OutcomeUnknown,
            ErrorCode::Timeout,
            ErrorCode::InvalidPhone,
            ErrorCode::InvalidArgument,
            ErrorCode::ProviderRejected,
            ErrorCode::Closed,
            ErrorCode::Config,
            ErrorCode::Internal,
        ] {
            assert_eq!(may_try_next(&err(code), false), None, "{code:?}");
        }
    }

    #[test]
    fn a_refusal_moves_on_only_when_the_provider_says_it_is_its_own() {
        let refused = err(ErrorCode::ProviderRejected);
        assert_eq!(may_try_next(&refused, true), Some("refused_here"));
        assert_eq!(may_try_next(&err(ErrorCode::OutcomeUnknown), true), None);
    }
}
