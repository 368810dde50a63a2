//! What each fault kind does to one exchange.

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;

use super::{Fault, FaultKind, Phase};
use crate::pages;
use crate::shutdown::Shutdown;

/// How long a `timeout` fault without `latencyMs` holds a request: longer than any sane
/// client timeout, short enough that a forgotten request does not live for ever.
const DEFAULT_HOLD: Duration = Duration::from_secs(300);

/// Pause between the first half of a `resetMidBody` body and the cut, so the half is
/// flushed to the client rather than discarded with the connection.
const MID_BODY_PAUSE: Duration = Duration::from_millis(30);

/// How the server must finish an exchange that met a fault.
pub(crate) enum Injected {
    Respond(Response),
    /// Close the connection without a response, with a TCP reset.
    Abort,
    /// Send this response, whose body fails halfway; then reset the connection.
    CutBody(Response),
}

/// Runs `process` (the normal handling) or not, according to the fault's phase, and
/// breaks the result according to its kind.
pub(crate) async fn inject<F, Fut>(fault: &Fault, shutdown: &Shutdown, process: F) -> Injected
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Response>,
{
    if fault.kind == FaultKind::Latency {
        return Injected::Respond(delayed(fault, shutdown, process).await);
    }
    let processed = match fault.phase {
        Phase::Before => None,
        Phase::After => Some(process().await),
    };
    // A broken answer can also be a slow one.
    if let (FaultKind::Status | FaultKind::Html | FaultKind::Malformed, Some(latency)) =
        (fault.kind, fault.latency)
    {
        hold(latency, shutdown).await;
    }

    match fault.kind {
        FaultKind::Latency => unreachable!("answered by delayed()"),
        FaultKind::Status => Injected::Respond(with_retry_after(status_response(fault), fault)),
        FaultKind::Html => {
            Injected::Respond(with_retry_after(pages::nginx_response(fault.status), fault))
        }
        FaultKind::Malformed => Injected::Respond(with_retry_after(malformed(fault), fault)),
        FaultKind::Reset => Injected::Abort,
        FaultKind::Timeout => {
            hold(fault.latency.unwrap_or(DEFAULT_HOLD), shutdown).await;
            Injected::Abort
        }
        FaultKind::ResetMidBody => {
            let (status, content_type, full) = match processed {
                // Cut the real answer, so the client had really been about to get it.
                Some(resp) => {
                    let status = resp.status();
                    let ct = resp.headers().get(header::CONTENT_TYPE).cloned();
                    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                        .await
                        .unwrap_or_default();
                    (status, ct, bytes)
                }
                None => (
                    StatusCode::OK,
                    Some(HeaderValue::from_static("application/json")),
                    body_bytes(fault).unwrap_or_else(|| {
                        Bytes::from_static(
                            br#"{"id":"00000000-0000-4000-8000-000000000000","message":"Waiting for SMS provider","status":"waiting"}"#,
                        )
                    }),
                ),
            };
            Injected::CutBody(cut_body(status, content_type, full))
        }
    }
}

/// A normal answer, late: the wait comes before processing or after, per the phase.
async fn delayed<F, Fut>(fault: &Fault, shutdown: &Shutdown, process: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Response>,
{
    let latency = fault.latency.unwrap_or_default();
    match fault.phase {
        Phase::Before => {
            hold(latency, shutdown).await;
            process().await
        }
        Phase::After => {
            let resp = process().await;
            hold(latency, shutdown).await;
            resp
        }
    }
}

async fn hold(duration: Duration, shutdown: &Shutdown) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = shutdown.wait() => {}
    }
}

fn body_bytes(fault: &Fault) -> Option<Bytes> {
    match fault.body.as_ref()? {
        serde_json::Value::String(s) => Some(Bytes::from(s.clone())),
        other => Some(Bytes::from(other.to_string())),
    }
}

fn status_response(fault: &Fault) -> Response {
    let body = body_bytes(fault).unwrap_or_else(|| {
        let reason = fault.status.canonical_reason().unwrap_or("Error");
        Bytes::from(serde_json::json!({"message": reason, "status": "error"}).to_string())
    });
    let content_type = if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    crate::reply::raw(fault.status, content_type, body)
}

fn malformed(fault: &Fault) -> Response {
    let body = body_bytes(fault).unwrap_or_else(|| {
        Bytes::from_static(br#"{"message":"Waiting for SMS provider","status":"wai"#)
    });
    crate::reply::raw(fault.status, "application/json", body)
}

fn with_retry_after(mut resp: Response, fault: &Fault) -> Response {
    if let Some(secs) = fault.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// A response that announces the full length, sends the first half, pauses so the half
/// reaches the client, then fails the body stream.
fn cut_body(status: StatusCode, content_type: Option<HeaderValue>, full: Bytes) -> Response {
    let total = full.len().max(2);
    let half = full.slice(..full.len() / 2);
    let stream = futures::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(half), 1)),
                1 => {
                    tokio::time::sleep(MID_BODY_PAUSE).await;
                    Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "fault: connection cut mid-body",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    if let Some(ct) = content_type {
        headers.insert(header::CONTENT_TYPE, ct);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(total));
    resp
}
