//! Response envelopes of the resource API: HAL on success, problem+json on errors.
//!
//! Error titles are the HTTP reason phrases and details are English on amocrm.ru too; only
//! the 401 detail follows the account's language. Error bodies are serialised from structs
//! so their members come in the live order.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{json, Value};

use super::config::RateLimitBody;
use super::validation::ItemErrors;
use crate::pages;

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";
pub(crate) const HAL_JSON: &str = "application/hal+json";

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "validation-errors", skip_serializing_if = "Option::is_none")]
    validation_errors: Option<&'a [ItemErrors]>,
    title: &'a str,
    #[serde(rename = "type")]
    kind: String,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl<'a> Problem<'a> {
    fn new(status: StatusCode, detail: &'a str) -> Self {
        Problem {
            validation_errors: None,
            title: status.canonical_reason().unwrap_or("Error"),
            kind: format!("https://httpstatus.es/{}", status.as_u16()),
            status: status.as_u16(),
            detail,
            retry_after: None,
        }
    }

    fn respond(&self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        crate::reply::raw(status, PROBLEM_JSON, bytes)
    }
}

/// A success body as `application/hal+json`.
pub(crate) fn hal(body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    crate::reply::raw(StatusCode::OK, HAL_JSON, bytes)
}

/// A status without any body (and so without a content type).
fn bare(status: StatusCode) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status;
    resp
}

/// An empty list page, a missing entity: 204 and no body at all.
pub(crate) fn no_content() -> Response {
    bare(StatusCode::NO_CONTENT)
}

/// `{"title", "type": "https://httpstatus.es/N", "status", "detail"}`.
pub(crate) fn problem(status: StatusCode, detail: &str) -> Response {
    Problem::new(status, detail).respond()
}

/// 400 with the failing items of a write first.
pub(crate) fn validation_failed(items: &[ItemErrors]) -> Response {
    Problem {
        validation_errors: Some(items),
        ..Problem::new(StatusCode::BAD_REQUEST, "Request validation failed")
    }
    .respond()
}

/// Unknown, expired or revoked access token, or none.
pub(crate) fn unauthorized(ru: bool) -> Response {
    let detail = if ru {
        "Неверный логин или пароль"
    } else {
        "Invalid user name or password"
    };
    problem(StatusCode::UNAUTHORIZED, detail)
}

pub(crate) fn payment_required() -> Response {
    problem(StatusCode::PAYMENT_REQUIRED, "Payment required")
}

/// An empty body, `[]`, or a body that does not decode.
pub(crate) fn empty_request() -> Response {
    problem(StatusCode::BAD_REQUEST, "Request data can not be empty")
}

/// Too many items in one request or one page.
pub(crate) fn over_limit(limit: usize) -> Response {
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!("Limit {limit} per page"),
    )
}

pub(crate) fn not_found(method: &Method, url: &str) -> Response {
    problem(StatusCode::NOT_FOUND, &format!("Cannot {method} {url}"))
}

pub(crate) fn method_not_allowed() -> Response {
    problem(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}

/// 429 in the configured form. `retry_after` is when the limiter will next let a request
/// through, so a client that honours it is not refused again.
pub(crate) fn too_many_requests(form: RateLimitBody, retry_after: u64) -> Response {
    match form {
        RateLimitBody::Json => Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "You have sent too many requests in a given amount of time. Please try again later.",
            )
        }
        .respond(),
        RateLimitBody::Html => pages::nginx_response(StatusCode::TOO_MANY_REQUESTS),
        RateLimitBody::Empty => bare(StatusCode::TOO_MANY_REQUESTS),
    }
}

/// The block after repeated limit violations: nginx's bare 403 page.
pub(crate) fn blocked() -> Response {
    pages::nginx_response(StatusCode::FORBIDDEN)
}

/// `{"self": {"href": url}}`.
pub(crate) fn self_link(url: &str) -> Value {
    json!({"self": {"href": url}})
}
