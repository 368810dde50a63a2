//! Eskiz's response envelopes.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::reply;

/// `{"message": …, "status": "error"}`: validation and other refusals.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    reply::json(status, &json!({"message": message, "status": "error"}))
}

pub(crate) fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

/// A refused send carries a request id, as the live moderation error does.
pub(crate) fn send_refused(status: StatusCode, message: &str) -> Response {
    reply::json(
        status,
        &json!({"id": Uuid::new_v4().to_string(), "message": message, "status": "error"}),
    )
}

pub(crate) fn token_invalid() -> Response {
    reply::json(
        StatusCode::UNAUTHORIZED,
        &json!({"status": "token-invalid", "message": "Token is invalid"}),
    )
}

pub(crate) fn token_expired() -> Response {
    reply::json(
        StatusCode::UNAUTHORIZED,
        &json!({"status": "token-invalid", "message": "Expired token"}),
    )
}

pub(crate) fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, message)
}

/// `{"status":"success","data":…,"id":null}`, the current API's success envelope.
pub(crate) fn success(data: serde_json::Value) -> Response {
    reply::ok(&json!({"status": "success", "data": data, "id": null}))
}

/// The text of the live moderation refusal.
pub(crate) const NOT_MODERATED: &str = "Этот смс текст еще не прошёл модерацию. Сначала добавьте его через API - Шаблоны - Отправить шаблон или через кабинет my.eskiz.uz - СМС - Мои тексты.";
