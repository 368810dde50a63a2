//! nginx-style HTML pages: what Eskiz's front proxy answers for unknown routes, and what a
//! misbehaving gateway looks like to a client that expects JSON.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

/// The body nginx produces for an error status, byte for byte.
pub(crate) fn nginx_page(status: StatusCode) -> String {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

pub(crate) fn nginx_response(status: StatusCode) -> Response {
    let mut resp = Response::new(Body::from(nginx_page(status)));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::SERVER, HeaderValue::from_static("nginx"));
    resp
}

/// Fallback for unknown paths and for known paths with the wrong method.
pub(crate) async fn not_found() -> Response {
    nginx_response(StatusCode::NOT_FOUND)
}
