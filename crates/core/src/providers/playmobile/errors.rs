//! Play Mobile's refusals → uzgate errors, by HTTP status and Play Mobile's numeric error
//! code (never by its text).
//!
//! A 400 carries `{"error-code": <n>, "error-description": "…"}`; clients disagree on the
//! spelling (`error_code`, `error_message`) and on the code's type, so every documented form
//! is read. Each code says what to do next in the error's message.

use crate::error::{Error, ErrorCode, Provider};
use crate::http::Response;
use crate::sms::validate::mask_digits;
use serde_json::{json, Value};

/// The error code of a Play Mobile error body, in any documented spelling and type.
pub fn playmobile_code(body: &Value) -> Option<u64> {
    ["error-code", "error_code", "errorCode"]
        .iter()
        .find_map(|k| body.get(*k))
        .and_then(|v| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
}

/// The description of a Play Mobile error body, in any documented spelling.
fn playmobile_description(body: &Value) -> Option<String> {
    [
        "error-description",
        "error_description",
        "error-message",
        "error_message",
        "description",
        "message",
    ]
    .iter()
    .find_map(|k| body.get(*k).and_then(Value::as_str))
    .filter(|s| !s.is_empty())
    .map(str::to_string)
}

/// uzgate's code for a Play Mobile error code, and what the user should do about it.
pub fn classify(code: u64) -> (ErrorCode, &'static str) {
    match code {
        // An internal error on their side after the request arrived: it may have been
        // queued, so a send is never repeated blindly.
        100 => (
            ErrorCode::OutcomeUnknown,
            "Play Mobile reported an internal error; the message may or may not go out, so check \
             its delivery report before sending it again",
        ),
        101 => (
            ErrorCode::ProviderRejected,
            "Play Mobile could not parse the request; check playmobile.baseUrl and report this \
             to the uzgate maintainers",
        ),
        102 => (
            ErrorCode::AccessBlocked,
            "the Play Mobile account is locked; ask Play Mobile to unlock it",
        ),
        104 => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused the priority; use low, normal, high or realtime in \
             playmobile.priority",
        ),
        105 => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused the number of messages in one request; send smaller batches",
        ),
        202 => (
            ErrorCode::InvalidPhone,
            "Play Mobile refused the recipient; it takes Uzbek numbers (998 and 9 digits)",
        ),
        103 | 205 | 206 | 301..=306 | 402 | 403 | 407 | 408 | 410 | 411 => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused a field uzgate sends; report this to the uzgate maintainers",
        ),
        401 => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused the originator; set playmobile.originator (or `from`) to a \
             sender registered for the account",
        ),
        404..=406 => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused the text; check its content",
        ),
        _ => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused the request with an undocumented code",
        ),
    }
}

/// Play Mobile refusals about Play Mobile rather than the message, which another provider may
/// take: its request format (101 syntax, 103/205/206/30x/402/403/407/408/410/411 fields uzgate
/// sends), its limits and settings (104 priority, 105 too many ids) and 401, a sender it does not
/// know. The text (404–406), the recipient (202) and undocumented codes stay with the message;
/// 100 is `OUTCOME_UNKNOWN` and never moves on.
pub fn refusal_is_local(err: &Error) -> bool {
    err.code == ErrorCode::ProviderRejected
        && err.provider == Some(Provider::PlayMobile)
        && err
            .details
            .as_ref()
            .and_then(|d| d.get("playmobileCode"))
            .and_then(Value::as_u64)
            .is_some_and(|c| {
                matches!(
                    c,
                    101 | 103..=105 | 205 | 206 | 301..=306 | 401..=403 | 407 | 408 | 410 | 411
                )
            })
}

/// A non-2xx answer (or a 2xx carrying an error body) → the error users see.
pub fn refused(resp: &Response, what: &str) -> Error {
    let body = resp.json_value();
    let pm_code = body.as_ref().and_then(playmobile_code);
    let description = body.as_ref().and_then(playmobile_description);
    let (code, advice) = match (pm_code, resp.status) {
        (_, 401 | 403) => (
            ErrorCode::AuthFailed,
            "Play Mobile refused the credentials; check playmobile.login and playmobile.password",
        ),
        (_, 429) => (
            ErrorCode::RateLimited,
            "Play Mobile is limiting the request rate; send more slowly",
        ),
        (Some(c), _) => classify(c),
        (None, 404 | 405) => (
            ErrorCode::Config,
            "Play Mobile has no such endpoint; playmobile.baseUrl must be the host root \
             (/broker-api/send is appended)",
        ),
        (None, _) => (
            ErrorCode::ProviderRejected,
            "Play Mobile refused the request without an error code",
        ),
    };
    let mut message = format!("Play Mobile refused {what} (HTTP {}", resp.status);
    if let Some(c) = pm_code {
        message.push_str(&format!(", error {c}"));
    }
    message.push(')');
    if let Some(d) = &description {
        message.push_str(": ");
        message.push_str(&mask_digits(d));
    }
    message.push_str("; ");
    message.push_str(advice);
    let retryable = code == ErrorCode::RateLimited;
    Error::new(code, message)
        .with_provider(Provider::PlayMobile)
        .with_status(resp.status)
        .with_retryable(retryable)
        .with_provider_message(description)
        .with_details(json!({ "playmobileCode": pm_code }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn reads_every_documented_spelling() {
        for body in [
            r#"{"error-code": 202, "error-description": "Empty recipient"}"#,
            r#"{"error_code": "202", "error_message": "Empty recipient"}"#,
            r#"{"error_code": 202, "error_description": "Empty recipient"}"#,
        ] {
            let e = refused(&resp(400, body), "the message");
            assert_eq!(e.code, ErrorCode::InvalidPhone, "{body}");
            assert_eq!(e.provider, Some(Provider::PlayMobile));
            assert_eq!(e.status, Some(400));
            assert_eq!(e.provider_message.as_deref(), Some("Empty recipient"));
            assert_eq!(e.details.as_ref().unwrap()["playmobileCode"], 202);
            assert!(e.message.contains("error 202"), "{}", e.message);
            assert!(!e.retryable);
        }
    }

    #[test]
    fn every_documented_code_maps_to_a_stable_code() {
        let cases = [
            (100, ErrorCode::OutcomeUnknown),
            (101, ErrorCode::ProviderRejected),
            (102, ErrorCode::AccessBlocked),
            (103, ErrorCode::ProviderRejected),
            (104, ErrorCode::ProviderRejected),
            (105, ErrorCode::ProviderRejected),
            (202, ErrorCode::InvalidPhone),
            (205, ErrorCode::ProviderRejected),
            (206, ErrorCode::ProviderRejected),
            (301, ErrorCode::ProviderRejected),
            (306, ErrorCode::ProviderRejected),
            (401, ErrorCode::ProviderRejected),
            (404, ErrorCode::ProviderRejected),
            (405, ErrorCode::ProviderRejected),
            (406, ErrorCode::ProviderRejected),
            (407, ErrorCode::ProviderRejected),
            (999, ErrorCode::ProviderRejected),
        ];
        for (pm, ours) in cases {
            assert_eq!(classify(pm).0, ours, "{pm}");
            let e = refused(
                &resp(400, &format!(r#"{{"error-code": {pm}}}"#)),
                "the message",
            );
            assert_eq!(e.code, ours, "{pm}");
            assert!(e.message.contains(&format!("error {pm}")));
        }
    }

    #[test]
    fn only_refusals_about_play_mobile_itself_are_local() {
        let code_of = |pm: u64| refused(&resp(400, &format!(r#"{{"error-code": {pm}}}"#)), "x");
        for pm in [
            101, 103, 104, 105, 205, 206, 301, 306, 401, 402, 403, 407, 408, 410, 411,
        ] {
            assert!(refusal_is_local(&code_of(pm)), "{pm}");
        }
        // The message's own content or recipient, an unknown code, an uncertain outcome, a
        // locked account (ACCESS_BLOCKED, not a refusal of the message) and another provider's
        // refusal with the same number are not.
        for pm in [100, 102, 202, 404, 405, 406, 999] {
            assert!(!refusal_is_local(&code_of(pm)), "{pm}");
        }
        let mut other = code_of(401);
        other.provider = Some(Provider::Eskiz);
        assert!(!refusal_is_local(&other));
        assert!(!refusal_is_local(&refused(&resp(400, "{}"), "x")));
    }

    #[test]
    fn statuses_without_a_code() {
        assert_eq!(refused(&resp(401, ""), "x").code, ErrorCode::AuthFailed);
        assert_eq!(refused(&resp(403, ""), "x").code, ErrorCode::AuthFailed);
        assert_eq!(refused(&resp(404, "<html>"), "x").code, ErrorCode::Config);
        let e = refused(&resp(400, "bad"), "x");
        assert_eq!(e.code, ErrorCode::ProviderRejected);
        assert!(e.message.contains("without an error code"));
    }

    #[test]
    fn digits_in_the_description_are_masked_in_the_message() {
        let e = refused(
            &resp(
                400,
                r#"{"error-code": 202, "error-description": "bad 998901234567"}"#,
            ),
            "the message",
        );
        assert!(!e.message.contains("998901234567"), "{}", e.message);
    }
}
