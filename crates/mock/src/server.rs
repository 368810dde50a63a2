//! The connection loop.
//!
//! Our own hyper loop rather than `axum::serve`, because faults must be able to cut a
//! connection without answering (`reset`) or halfway through a body (`resetMidBody`),
//! and `close()` must end every connection and free the port at once.

use std::borrow::Cow;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::Uri;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::faults::{self, Injected};
use crate::shared::Shared;
use crate::telegram;
use crate::twilio::{self, concurrency::Admission};

/// Error returned to hyper to make it drop a connection without a response.
#[derive(Debug)]
struct Aborted;

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection aborted by an injected fault")
    }
}

impl std::error::Error for Aborted {}

/// Accepts connections until shutdown, then drops the listener and every connection.
pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, router: Router) {
    let mut connections = JoinSet::new();
    let stop = shared.shutdown.wait();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    shared.server_stats.connections.inc();
                    connections.spawn(serve_connection(stream, shared.clone(), router.clone()));
                }
                // Out of descriptors or a connection that died in the backlog: back off
                // a little instead of spinning.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, router: Router) {
    // Requests are small and answers immediate: Nagle would only add latency.
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ConnIo {
        inner: stream,
        reset: reset.clone(),
    });
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let shared = shared.clone();
        let router = router.clone();
        let reset = reset.clone();
        async move { handle(shared, router, reset, req.map(Body::new)).await }
    });
    // Errors here are clients going away or faults cutting the connection: both expected.
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service)
        .await;
}

async fn handle(
    shared: Arc<Shared>,
    router: Router,
    reset: Arc<AtomicBool>,
    mut req: Request,
) -> Result<Response, Aborted> {
    if req.uri().path().contains("//") {
        normalise_path(&mut req);
    }
    let path = req.uri().path();
    if path.starts_with("/__sandbox/") || path == "/__sandbox" {
        return Ok(route(router, req).await);
    }
    shared.count_request(path);
    // Twilio's concurrency limit counts a request for as long as it is in flight, an
    // injected fault's latency included, and refuses one over the limit before anything.
    let _slot = match twilio::concurrency::enter(&shared, path) {
        Admission::Refused(resp) => return Ok(resp),
        Admission::Admitted(slot) => Some(slot),
        Admission::Uncounted => None,
    };

    let Some(fault) = shared.faults.take(req.method(), path) else {
        return Ok(dispatch(shared, router, req).await);
    };
    shared.server_stats.faults_injected.inc();
    let process = || dispatch(shared.clone(), router, req);
    match faults::inject(&fault, &shared.shutdown, process).await {
        Injected::Respond(resp) => Ok(resp),
        Injected::CutBody(resp) => {
            reset.store(true, Ordering::Release);
            Ok(resp)
        }
        Injected::Abort => {
            reset.store(true, Ordering::Release);
            Err(Aborted)
        }
    }
}

/// Telegram's `/bot<token>/<method>` paths are read by hand (a token is part of a path
/// segment, and anything under `/bot` answers Telegram's envelopes); the rest is routed.
async fn dispatch(shared: Arc<Shared>, router: Router, req: Request) -> Response {
    if telegram::owns(req.uri().path()) {
        telegram::serve(shared, req).await
    } else {
        route(router, req).await
    }
}

async fn route(router: Router, req: Request) -> Response {
    match router.oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// `//report/x` → `/report/x`: the Eskiz docs themselves use doubled slashes.
pub(crate) fn collapse_slashes(path: &str) -> Cow<'_, str> {
    if !path.contains("//") {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    let mut prev_slash = false;
    for c in path.chars() {
        if c == '/' && prev_slash {
            continue;
        }
        prev_slash = c == '/';
        out.push(c);
    }
    Cow::Owned(out)
}

fn normalise_path(req: &mut Request) {
    let uri = req.uri();
    let path = collapse_slashes(uri.path());
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.into_owned(),
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(new_uri) = Uri::from_parts(parts) {
            *req.uri_mut() = new_uri;
        }
    }
}

/// The accepted socket, which turns its close into a TCP reset once a fault asked for it.
struct ConnIo {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Acquire) {
            // Zero linger: close() sends RST instead of FIN, and returns at once.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::collapse_slashes;

    #[test]
    fn collapses_doubled_slashes() {
        assert_eq!(
            collapse_slashes("//report/total-by-smsc"),
            "/report/total-by-smsc"
        );
        assert_eq!(collapse_slashes("/a///b/"), "/a/b/");
        assert_eq!(collapse_slashes("/auth/login"), "/auth/login");
    }
}
