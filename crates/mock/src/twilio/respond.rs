//! Every Twilio response carries the headers Twilio's edge adds: a request id and the
//! account's current number of concurrent requests.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::sids;
use crate::reply;
use crate::shared::Shared;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("twilio-request-id");
pub(crate) const CONCURRENT_REQUESTS: HeaderName =
    HeaderName::from_static("twilio-concurrent-requests");

pub(crate) fn json<T: Serialize + ?Sized>(
    shared: &Shared,
    status: StatusCode,
    body: &T,
) -> Response {
    stamp(shared, reply::json(status, body))
}

/// 204 for a deleted resource.
pub(crate) fn no_content(shared: &Shared) -> Response {
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    stamp(shared, resp)
}

fn stamp(shared: &Shared, mut resp: Response) -> Response {
    let headers = resp.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&sids::mint("RQ")) {
        headers.insert(REQUEST_ID, id);
    }
    headers.insert(
        CONCURRENT_REQUESTS,
        HeaderValue::from(shared.twilio.concurrency.in_flight()),
    );
    resp
}
