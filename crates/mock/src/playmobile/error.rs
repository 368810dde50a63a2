//! Play Mobile's refusals: HTTP 400 with a JSON body naming a numeric error code, 401 with
//! an empty body for wrong credentials, and the plain-text success answer.
//!
//! The code table is the one every client agrees on (100–411); the description is the
//! English short name clients use. The key spelling and the code's type are switchable
//! because the real service's are unconfirmed (`errorKeys`, `errorCodeAsString`).

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::config::{KeyStyle, PlayMobileConfig};
use crate::reply;

/// The success body: plain text, not JSON.
pub(crate) const RECEIVED: &str = "Request is received";

/// The English short name of a documented error code.
pub(crate) fn describe(code: u16) -> &'static str {
    match code {
        100 => "Internal server error",
        101 => "Syntax error",
        102 => "Account lock",
        103 => "Empty channel",
        104 => "Invalid priority",
        105 => "Too much IDs",
        202 => "Empty recipient",
        204 => "Empty email address",
        205 => "Empty message-id",
        206 => "Invalid variables",
        301 => "Invalid localtime",
        302 => "Invalid start-datetime",
        303 => "Invalid end-datetime",
        304 => "Invalid allowed-starttime",
        305 => "Invalid allowed-endtime",
        306 => "Invalid send-evenly",
        401 => "Empty originator",
        402 => "Empty application",
        403 => "Empty ttl",
        404 => "Empty content",
        405 => "Content error",
        406 => "Invalid content",
        407 => "Invalid ttl",
        408 => "Invalid attached files",
        410 => "Invalid retry-attempts",
        411 => "Invalid retry-timeout",
        _ => "Error",
    }
}

/// 400 with `{"error-code": code, "error-description": …}` in the configured spelling.
pub(crate) fn refusal(config: &PlayMobileConfig, code: u16) -> Response {
    let code_value = if config.error_code_as_string {
        Value::from(code.to_string())
    } else {
        Value::from(code)
    };
    let (code_key, text_key) = match config.error_keys {
        KeyStyle::Hyphen => ("error-code", "error-description"),
        KeyStyle::Underscore => ("error_code", "error_message"),
    };
    let mut body = Map::new();
    body.insert(code_key.into(), code_value);
    body.insert(text_key.into(), json!(describe(code)));
    reply::json(StatusCode::BAD_REQUEST, &Value::Object(body))
}

/// 401, empty body, and the Basic challenge.
pub(crate) fn unauthorized() -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"broker-api\""),
    );
    resp
}

pub(crate) fn received() -> Response {
    reply::raw(StatusCode::OK, "text/plain; charset=utf-8", RECEIVED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_name() {
        for code in [
            100, 101, 102, 103, 104, 105, 202, 204, 205, 206, 301, 302, 303, 304, 305, 306, 401,
            402, 403, 404, 405, 406, 407, 408, 410, 411,
        ] {
            assert_ne!(describe(code), "Error", "{code}");
        }
        assert_eq!(describe(999), "Error");
    }
}
