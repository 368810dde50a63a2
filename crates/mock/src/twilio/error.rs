//! Twilio's REST error body, `{"code", "message", "more_info", "status"}`, and the errors
//! every resource shares.
//!
//! v2010 documents no 4xx bodies; this is the shape Twilio has always answered with. Every
//! error answered is counted by code (stat `rejected`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::respond;
use crate::shared::Shared;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TwilioError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    code: u32,
    message: &'a str,
    more_info: String,
    status: u16,
}

impl TwilioError {
    pub(crate) fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        TwilioError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: every 21xxx validation error, and the other refusals of a well-formed request.
    pub(crate) fn bad_request(code: u32, message: impl Into<String>) -> Self {
        TwilioError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401 / 20003: missing or wrong credentials.
    pub(crate) fn authenticate() -> Self {
        TwilioError::new(StatusCode::UNAUTHORIZED, 20003, "Authenticate")
    }

    /// 404 / 20404, naming the path as Twilio does.
    pub(crate) fn not_found(path: &str) -> Self {
        TwilioError::new(
            StatusCode::NOT_FOUND,
            20404,
            format!("The requested resource {path} was not found"),
        )
    }

    /// 405 / 20004.
    pub(crate) fn method_not_allowed() -> Self {
        TwilioError::new(StatusCode::METHOD_NOT_ALLOWED, 20004, "Method not allowed")
    }

    /// 403 / 20008: test credentials reach only `POST …/Messages.json`.
    pub(crate) fn test_credentials() -> Self {
        TwilioError::new(
            StatusCode::FORBIDDEN,
            20008,
            "Resource not accessible with Test Account Credentials",
        )
    }

    /// 429 / 20429: over the account's concurrent request limit.
    pub(crate) fn too_many_requests() -> Self {
        TwilioError::new(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests")
    }

    pub(crate) fn into_response(self, shared: &Shared) -> Response {
        shared.twilio.stats.reject(self.code);
        let body = Body {
            code: self.code,
            message: &self.message,
            more_info: format!("https://www.twilio.com/docs/errors/{}", self.code),
            status: self.status.as_u16(),
        };
        let mut resp = respond::json(shared, self.status, &body);
        if self.code == 20003 {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        resp
    }
}
