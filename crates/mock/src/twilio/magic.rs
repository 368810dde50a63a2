//! Twilio's "magic" test numbers (test credentials docs), honoured by the sandbox whatever
//! the credentials, so tests need no switch. They are all `+1 500 555 …` numbers, which no
//! real account owns or sends to.
//!
//! | `To` | error |
//! |------|-------|
//! | `+15005550001` | 21211 invalid number |
//! | `+15005550002` | 21612 not reachable from this sender |
//! | `+15005550003` | 21408 region not enabled (geo permissions) |
//! | `+15005550004` | 21610 recipient unsubscribed (STOP) |
//! | `+15005550009` | 21614 not a mobile number |
//!
//! | `From` | result |
//! |--------|--------|
//! | `+15005550006` | valid, whatever the account owns |
//! | `+15005550007` | 21606 not a valid sender for this account |
//! | `+15005550008` | 21611 the sender's queue is full |

use super::error::TwilioError;

/// The one sender test credentials accept.
pub(crate) const VALID_FROM: &str = "+15005550006";

/// The error a magic destination produces, if `to` is one.
pub(crate) fn to_refusal(to: &str, from: &str) -> Option<TwilioError> {
    let (code, message) = match to {
        "+15005550001" => (21211, invalid_to(to)),
        "+15005550002" => (
            21612,
            format!(
                "The 'To' phone number: {to}, is not currently reachable using the 'From' \
                 phone number: {from} via SMS."
            ),
        ),
        "+15005550003" => (
            21408,
            format!(
                "Permission to send an SMS has not been enabled for the region indicated by \
                 the 'To' number: {to}."
            ),
        ),
        "+15005550004" => (
            21610,
            "The message From/To pair violates a blacklist rule.".to_owned(),
        ),
        "+15005550009" => (21614, format!("To number: {to}, is not a mobile number")),
        _ => return None,
    };
    Some(TwilioError::bad_request(code, message))
}

/// The error a magic sender produces, if `from` is one that fails.
pub(crate) fn from_refusal(from: &str) -> Option<TwilioError> {
    match from {
        "+15005550007" => Some(not_your_sender(from)),
        "+15005550008" => Some(TwilioError::bad_request(
            21611,
            "This 'From' number has exceeded the maximum number of queued messages",
        )),
        _ => None,
    }
}

/// 21211, the text Twilio gives for a `To` that is not a phone number.
pub(crate) fn invalid_to(to: &str) -> String {
    format!("The 'To' number {to} is not a valid phone number.")
}

/// 21606: a sender the account cannot use.
pub(crate) fn not_your_sender(from: &str) -> TwilioError {
    TwilioError::bad_request(
        21606,
        format!(
            "The From phone number {from} is not a valid, SMS-capable inbound phone number or \
             short code for your account."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_give_their_codes() {
        let code = |to: &str| to_refusal(to, VALID_FROM).map(|e| e.code);
        assert_eq!(code("+15005550001"), Some(21211));
        assert_eq!(code("+15005550002"), Some(21612));
        assert_eq!(code("+15005550003"), Some(21408));
        assert_eq!(code("+15005550004"), Some(21610));
        assert_eq!(code("+15005550009"), Some(21614));
        assert_eq!(code("+15005550006"), None);
        assert_eq!(from_refusal("+15005550007").map(|e| e.code), Some(21606));
        assert_eq!(from_refusal("+15005550008").map(|e| e.code), Some(21611));
        assert!(from_refusal(VALID_FROM).is_none());
    }
}
