//! The Play Mobile route, at the sandbox root (`https://send.smsxabar.uz` on the live
//! service): `POST /broker-api/send`, with or without the trailing slash one client adds.
//! A wrong method answers 405 with an empty body; other `/broker-api` paths 404.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::Router;

use super::send;
use crate::shared::Shared;

async fn method_not_allowed() -> Response {
    StatusCode::METHOD_NOT_ALLOWED.into_response()
}

async fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/broker-api/send",
            post(send::send).fallback(method_not_allowed),
        )
        .route(
            "/broker-api/send/",
            post(send::send).fallback(method_not_allowed),
        )
        .route("/broker-api", any(not_found))
        .route("/broker-api/{*rest}", any(not_found))
}
