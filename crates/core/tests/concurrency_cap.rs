//! The per-client cap on requests on the wire: a call that cannot get a slot within its own
//! budget fails with TIMEOUT and sends nothing; token requests never wait for a slot.

use http::HeaderValue;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::auth::StaticAuth;
use uzgate_core::http::{exec, Deadline, HttpClient, HttpOptions, Request};
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::{ErrorCode, Provider};
use uzgate_mock::Sandbox;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_call_times_out_without_being_sent() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let http = Arc::new(
        HttpClient::new(
            Provider::Eskiz,
            &sb.url(),
            HttpOptions {
                max_concurrency: 1,
                ..Default::default()
            },
            Arc::new(Metrics::new()),
            Logger::default(),
        )
        .unwrap(),
    );
    // Any header: the sandbox answers 401, which is all this test needs from it.
    let auth = Arc::new(StaticAuth::new(
        Provider::Eskiz,
        HeaderValue::from_static("Bearer x"),
    ));
    sb.set_fault(
        json!({"path": "/user/get-limit", "kind": "latency", "latencyMs": 800, "times": 1}),
    )
    .unwrap();
    let holder = {
        let (http, auth) = (http.clone(), auth.clone());
        tokio::spawn(async move {
            let req = Request::get("/user/get-limit", "user/get-limit");
            exec::execute(
                &http,
                &req,
                Some(auth.as_ref()),
                Deadline::after(Duration::from_secs(5)),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = sb.stats()["requests"].as_u64().unwrap();
    let req = Request::get("/user/get-limit", "user/get-limit");
    let queued = exec::execute(
        &http,
        &req,
        Some(auth.as_ref()),
        Deadline::after(Duration::from_millis(200)),
    )
    .await;
    let err = queued.unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(err.retryable);
    assert_eq!(
        sb.stats()["requests"].as_u64().unwrap(),
        before,
        "the queued call sent nothing"
    );
    // The holder finishes (the sandbox's 401 for a fake token ends in AUTH_FAILED).
    assert_eq!(
        holder.await.unwrap().unwrap_err().code,
        ErrorCode::AuthFailed
    );
    sb.close().await;
}
