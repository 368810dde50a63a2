//! Twilio error bodies (`{code, message, more_info, status}`, or RFC 9457 problems) → uzgate
//! errors, by Twilio's error code.

use crate::error::{Error, ErrorCode, Provider};
use crate::http::Response;
use crate::sms::validate::mask_digits;
use serde_json::{json, Value};

/// Twilio's numeric error code, from either body shape.
pub fn twilio_code(resp: &Response) -> Option<u64> {
    resp.json_value()?.get("code")?.as_u64()
}

pub fn refused(resp: &Response, what: &str) -> Error {
    let twilio = twilio_code(resp);
    let code = match (twilio, resp.status) {
        (Some(21211 | 21614 | 21401 | 21421), _) => ErrorCode::InvalidPhone,
        (Some(20003), _) | (_, 401) => ErrorCode::AuthFailed,
        (Some(20404), _) | (_, 404) => ErrorCode::NotFound,
        (Some(20429), _) | (_, 429) => ErrorCode::RateLimited,
        (_, 402) => ErrorCode::AccountUnpaid,
        _ => ErrorCode::ProviderRejected,
    };
    let provider_message = resp.provider_message();
    let mut message = format!("Twilio refused {what} (HTTP {}", resp.status);
    if let Some(c) = twilio {
        message.push_str(&format!(", error {c}"));
    }
    message.push(')');
    if let Some(m) = &provider_message {
        // Twilio echoes numbers in its texts; the copy in `message` is masked.
        message.push_str(": ");
        message.push_str(&mask_digits(m));
    }
    let mut details = json!({ "twilioCode": twilio });
    if let Some(info) = resp.json_value().and_then(|v| v.get("more_info").cloned()) {
        details["moreInfo"] = info;
    }
    Error::new(code, message)
        .with_provider(Provider::Twilio)
        .with_status(resp.status)
        .with_provider_message(provider_message)
        .with_details(details)
}

/// Twilio refusals about the account or sender rather than the message, which another provider
/// may take: 20005 (account not active), 21408 (no permission to send to that region), 21606
/// (the From number cannot send SMS), 21612 (no route from this sender to that number), 21659
/// (From is not a Twilio number), 21660 (From belongs to another account).
const LOCAL_REFUSALS: [u64; 6] = [20005, 21408, 21606, 21612, 21659, 21660];

pub fn refusal_is_local(err: &Error) -> bool {
    err.code == ErrorCode::ProviderRejected
        && err
            .details
            .as_ref()
            .and_then(|d| d.get("twilioCode"))
            .and_then(Value::as_u64)
            .is_some_and(|c| LOCAL_REFUSALS.contains(&c))
}

/// A 2xx whose body we cannot use (see `http::unusable_answer`).
pub fn unusable(resp: &Response, what: &str, sent: bool) -> Error {
    crate::http::unusable_answer(Provider::Twilio, resp, what, sent)
}

/// A JSON value Twilio may send as a string or a number (`num_segments`, `error_code`).
pub fn loose_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
