//! Eskiz answers that are not success, turned into uzgate errors. Classified by HTTP status
//! first; Eskiz's own text goes to `provider_message` untouched.

use crate::error::{Error, ErrorCode, Provider};
use crate::http::Response;
use crate::sms::validate::mask_digits;

/// A non-2xx answer other than 401/429/5xx (those the execution loop handles).
pub fn refused(resp: &Response, what: &str) -> Error {
    let provider_message = resp.provider_message();
    let code = match resp.status {
        404 => ErrorCode::NotFound,
        402 => ErrorCode::AccountUnpaid,
        _ => ErrorCode::ProviderRejected,
    };
    let mut message = format!("Eskiz refused {what} (HTTP {})", resp.status);
    if let Some(text) = &provider_message {
        // Eskiz texts may echo a number; the copy in `message` is masked.
        message.push_str(": ");
        message.push_str(&mask_digits(text));
    }
    let mut err = Error::new(code, message)
        .with_provider(Provider::Eskiz)
        .with_status(resp.status)
        .with_provider_message(provider_message);
    if let Some(body) = resp.json_value() {
        err = err.with_details(body);
    }
    err
}

/// A 2xx whose body we cannot use (see `http::unusable_answer`).
pub fn unusable(resp: &Response, what: &str, sent: bool) -> Error {
    crate::http::unusable_answer(Provider::Eskiz, resp, what, sent)
}

/// Eskiz refusals about the account rather than the message, which another provider may take:
/// a sender name Eskiz has not approved (`from is invalid`), a text its moderation has not passed,
/// a test account's text restriction, a balance used up. Eskiz documents no error codes, so these
/// are recognised by a 400 and its words (lower-cased).
const LOCAL_REFUSALS: [&str; 6] = [
    "from is invalid",
    "модерац",
    "moderat",
    "test mode",
    "недостаточно средств",
    "balance",
];

pub fn refusal_is_local(err: &Error) -> bool {
    err.code == ErrorCode::ProviderRejected
        && err.status == Some(400)
        && err.provider_message.as_deref().is_some_and(|m| {
            let m = m.to_lowercase();
            LOCAL_REFUSALS.iter().any(|words| m.contains(words))
        })
}
