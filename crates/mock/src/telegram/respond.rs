//! The Bot API's envelopes: `{"ok":true,"result":…}` and
//! `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`, the HTTP status always
//! equal to `error_code`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::reply;

pub(crate) fn ok(result: Value) -> Response {
    reply::ok(&json!({"ok": true, "result": result}))
}

/// A refusal: its status, its description, and the stats key of its reason.
pub(crate) struct Refusal {
    pub code: u16,
    pub description: String,
    pub reason: &'static str,
    pub retry_after: Option<u64>,
}

impl Refusal {
    pub(crate) fn new(code: u16, description: impl Into<String>, reason: &'static str) -> Self {
        Refusal {
            code,
            description: description.into(),
            reason,
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(message: impl AsRef<str>, reason: &'static str) -> Self {
        Refusal::new(400, format!("Bad Request: {}", message.as_ref()), reason)
    }

    pub(crate) fn flood(retry_after: u64) -> Self {
        Refusal {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            reason: "tooManyRequests",
            retry_after: Some(retry_after),
        }
    }

    pub(crate) fn into_response(self) -> Response {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let Some(secs) = self.retry_after {
            body["parameters"] = json!({"retry_after": secs});
        }
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        reply::json(status, &body)
    }
}
