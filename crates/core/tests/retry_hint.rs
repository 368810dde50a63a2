//! A wait hint inside a 429 body is read only through the provider's `RetryHint` hook: the
//! execution loop knows no provider's body. Against a listener on 127.0.0.1 that answers the
//! first request 429 with `{"retry_after": …}` (no header) and every later one 200.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use uzgate_core::auth::{EventSink, TokenEvent};
use uzgate_core::http::{exec, Deadline, HttpClient, HttpOptions, Request, Response};
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::Provider;

async fn serve() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let (status, body) = if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    ("429 Too Many Requests", r#"{"retry_after":0.25}"#)
                } else {
                    ("200 OK", "{}")
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, requests)
}

#[derive(Default)]
struct Waits(Mutex<Vec<Option<u64>>>);

impl EventSink for Waits {
    fn event(&self, event: &TokenEvent) {
        if let TokenEvent::RateLimited { retry_after_ms, .. } = event {
            self.0.lock().push(*retry_after_ms);
        }
    }
}

/// The body's `retry_after` in seconds, as a provider hook would read it.
fn seconds_in_body(resp: &Response) -> Option<Duration> {
    let secs = resp.json_value()?.get("retry_after")?.as_f64()?;
    Some(Duration::from_secs_f64(secs))
}

async fn one_call(hint: Option<uzgate_core::http::RetryHint>) -> (Vec<Option<u64>>, usize) {
    let (url, requests) = serve().await;
    let mut http = HttpClient::new(
        Provider::AmoCrm,
        &url,
        HttpOptions {
            timeout: Duration::from_secs(10),
            ..Default::default()
        },
        Arc::new(Metrics::new()),
        Logger::default(),
    )
    .unwrap();
    if let Some(hint) = hint {
        http = http.with_retry_hint(hint);
    }
    let waits = Arc::new(Waits::default());
    http.events.subscribe(waits.clone());
    let req = Request::get("/api/v4/account", "account");
    let resp = exec::execute(&http, &req, None, Deadline::after(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    let seen = waits.0.lock().clone();
    (seen, requests.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hook_reads_the_body_and_the_loop_waits_as_told() {
    let started = std::time::Instant::now();
    let (waits, requests) = one_call(Some(seconds_in_body)).await;
    assert_eq!(waits, vec![Some(250)]);
    assert_eq!(requests, 2);
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_hook_the_body_is_not_read() {
    let (waits, requests) = one_call(None).await;
    assert_eq!(waits, vec![None]);
    assert_eq!(requests, 2);
}
