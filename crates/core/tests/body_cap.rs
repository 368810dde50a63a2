//! Response bodies are read through `max_response_bytes`: an endless body, a declared
//! Content-Length above the cap, and a body just over the cap fail the call with the code its
//! kind of request calls for, after one request (no retry fetching the same body again).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use uzgate_core::http::{exec, Deadline, HttpClient, HttpOptions, Request};
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::{ErrorCode, Provider};

#[derive(Clone, Copy)]
enum Body {
    /// Chunked, never ends (until the client goes away).
    Endless,
    /// `Content-Length: 512 MiB` declared, nothing sent.
    Declared,
    /// Exactly `n` bytes with a Content-Length.
    Exact(usize),
}

/// A listener on 127.0.0.1 answering every request 200 with `body`; counts connections.
async fn serve(body: Body) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = match body {
                    Body::Endless => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
                        loop {
                            if socket.write_all(chunk.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                    Body::Declared => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                            512u64 << 20
                        );
                        socket.write_all(head.as_bytes()).await
                    }
                    Body::Exact(n) => {
                        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {n}\r\n\r\n");
                        let mut all = head.into_bytes();
                        all.extend(std::iter::repeat_n(b'{', n));
                        socket.write_all(&all).await
                    }
                };
                tokio::time::sleep(Duration::from_secs(5)).await;
            });
        }
    });
    (url, connections)
}

fn client(url: &str, cap: usize) -> HttpClient {
    HttpClient::new(
        Provider::Eskiz,
        url,
        HttpOptions {
            max_response_bytes: cap,
            timeout: Duration::from_secs(10),
            ..Default::default()
        },
        Arc::new(Metrics::new()),
        Logger::default(),
    )
    .unwrap()
}

async fn call(http: &HttpClient, read: bool) -> uzgate_core::Result<usize> {
    let req = if read {
        Request::get("/user/get-limit", "user/get-limit")
    } else {
        Request::post("/message/sms/send", "sms/send")
    };
    exec::execute(http, &req, None, Deadline::after(Duration::from_secs(10)))
        .await
        .map(|r| r.body.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_fails_reads_and_sends_with_their_codes() {
    let (url, connections) = serve(Body::Endless).await;
    let http = client(&url, 1 << 20);
    let read = call(&http, true).await.unwrap_err();
    assert_eq!(read.code, ErrorCode::ProviderUnavailable);
    assert_eq!(read.status, Some(200));
    assert!(
        read.message.contains("maxResponseBytes"),
        "{}",
        read.message
    );
    let send = call(&http, false).await.unwrap_err();
    assert_eq!(send.code, ErrorCode::OutcomeUnknown);
    assert!(!send.retryable);
    // One connection each: an oversized answer is not fetched again.
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_above_the_cap_is_refused_before_reading() {
    let (url, connections) = serve(Body::Declared).await;
    let http = client(&url, 4 << 20);
    let started = std::time::Instant::now();
    let read = call(&http, true).await.unwrap_err();
    assert_eq!(read.code, ErrorCode::ProviderUnavailable);
    // Nothing of the body was awaited: the server never sends it.
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_at_the_cap_is_read_and_one_byte_more_is_not() {
    let (url, _) = serve(Body::Exact(1000)).await;
    assert_eq!(call(&client(&url, 1000), true).await.unwrap(), 1000);
    let err = call(&client(&url, 999), true).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ProviderUnavailable);
}
