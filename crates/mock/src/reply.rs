//! Small response builders shared by all providers.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

/// Serialises `body` as the JSON response body. Serialising our own types cannot fail;
/// if it ever did, a 500 is the honest answer.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw(status, "application/json", bytes),
        Err(_) => raw(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            b"serialisation failed".to_vec(),
        ),
    }
}

pub(crate) fn ok<T: Serialize + ?Sized>(body: &T) -> Response {
    json(StatusCode::OK, body)
}

pub(crate) fn raw(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Body>,
) -> Response {
    let mut resp = Response::new(body.into());
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}
