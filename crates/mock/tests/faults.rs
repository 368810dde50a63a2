//! Injected faults, as a client sees them.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[tokio::test]
async fn status_fault_with_retry_after_then_normal_service() {
    let Session { sb, c, url, token } = session(json!({})).await;
    sb.set_fault(json!({"path": "/message/sms/send", "method": "POST", "kind": "status", "status": 503, "retryAfter": 7, "times": 1}))
        .unwrap();
    let resp = send_request(&c, &url, &token).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(
        body(resp).await.1,
        json!({"message": "Service Unavailable", "status": "error"})
    );
    // Phase "before": the request was not processed.
    assert!(sb.inbox().as_array().unwrap().is_empty());
    assert_eq!(send(&c, &url, &token, "998901234567", "x").await.0, 200);
    let stats = sb.stats();
    assert_eq!(stats["faultsInjected"], 1);
    assert_eq!(stats["eskiz"]["messages"], 1);
    sb.close().await;
}

#[tokio::test]
async fn phase_after_processes_the_request_then_fails() {
    let Session { sb, c, url, token } = session(json!({})).await;
    sb.set_fault(json!({"path": "/message/sms/send", "kind": "status", "phase": "after", "body": "upstream exploded"}))
        .unwrap();
    let resp = send_request(&c, &url, &token).send().await.unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(resp.text().await.unwrap(), "upstream exploded");
    assert_eq!(sb.inbox().as_array().unwrap().len(), 1);
    assert_eq!(sb.stats()["eskiz"]["messages"], 1);
    sb.close().await;
}

#[tokio::test]
async fn reset_cuts_the_connection_without_a_response() {
    let Session { sb, c, url, token } = session(json!({})).await;
    sb.set_fault(
        json!({"path": "/message/sms/send", "kind": "reset", "phase": "after", "times": 1}),
    )
    .unwrap();
    let err = send_request(&c, &url, &token)
        .send()
        .await
        .expect_err("no response");
    assert!(
        err.is_request() || err.is_connect() || err.is_body(),
        "{err:?}"
    );
    // Processed before the cut, and the server is fine afterwards.
    assert_eq!(sb.stats()["eskiz"]["messages"], 1);
    assert_eq!(send(&c, &url, &token, "998901234567", "x").await.0, 200);
    sb.close().await;
}

#[tokio::test]
async fn reset_mid_body_breaks_the_body() {
    let Session { sb, c, url, token } = session(json!({})).await;
    sb.set_fault(json!({"path": "/user/get-limit", "kind": "resetMidBody"}))
        .unwrap();
    let resp = get_request(&c, &url, "/user/get-limit", &token)
        .send()
        .await;
    match resp {
        Ok(resp) => {
            assert_eq!(resp.status(), 200);
            assert!(resp.bytes().await.is_err(), "body must fail");
        }
        Err(e) => assert!(e.is_request() || e.is_body(), "{e:?}"),
    }
    sb.close().await;
}

#[tokio::test]
async fn malformed_and_html_faults() {
    let Session { sb, c, url, token } = session(json!({})).await;
    sb.set_fault(json!({"path": "/user/get-limit", "kind": "malformed", "times": 1}))
        .unwrap();
    sb.set_fault(json!({"path": "/user/get-limit", "kind": "html", "times": 1}))
        .unwrap();
    let resp = get_request(&c, &url, "/user/get-limit", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.json::<serde_json::Value>().await.is_err());
    let resp = get_request(&c, &url, "/user/get-limit", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(resp.text().await.unwrap().contains("502 Bad Gateway"));
    assert_eq!(get(&c, &url, "/user/get-limit", &token).await.0, 200);
    assert_eq!(sb.stats()["faultsInjected"], 2);
    sb.close().await;
}

#[tokio::test]
async fn latency_and_timeout() {
    let Session { sb, c, url, token } = session(json!({})).await;
    let id = sb
        .set_fault(json!({"path": "/user/get-limit", "kind": "latency", "latencyMs": 60}))
        .unwrap();
    assert!(id > 0);
    let started = Instant::now();
    assert_eq!(get(&c, &url, "/user/get-limit", &token).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(60));
    sb.clear_faults();

    // Held until the client gives up.
    sb.set_fault(json!({"path": "/auth/user", "kind": "timeout"}))
        .unwrap();
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(80))
        .build()
        .unwrap();
    let err = get_request(&impatient, &url, "/auth/user", &token)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // Or for latencyMs, then the connection is closed without an answer.
    sb.clear_faults();
    sb.set_fault(json!({"path": "/auth/user", "kind": "timeout", "latencyMs": 40}))
        .unwrap();
    let started = Instant::now();
    let err = get_request(&c, &url, "/auth/user", &token)
        .send()
        .await
        .unwrap_err();
    assert!(
        !err.is_timeout() && started.elapsed() >= Duration::from_millis(40),
        "{err:?}"
    );
    sb.close().await;
}

#[tokio::test]
async fn faults_match_method_and_path_and_can_be_cleared() {
    let sb = start_with_fault().await;
    let c = client();
    let url = sb.url();
    // Login is not covered by the POST /message fault given at start.
    let token = login(&c, &url).await;
    assert_eq!(get(&c, &url, "/user/get-limit", &token).await.0, 200);
    assert_eq!(send(&c, &url, &token, "998901234567", "x").await.0, 429);
    sb.clear_faults();
    assert_eq!(send(&c, &url, &token, "998901234567", "x").await.0, 200);
    sb.set_fault(json!({"kind": "status", "probability": 0}))
        .unwrap();
    assert_eq!(send(&c, &url, &token, "998901234567", "x").await.0, 200);
    assert!(sb
        .set_fault(json!({"kind": "status", "sttus": 500}))
        .is_err());
    sb.close().await;
}

async fn start_with_fault() -> uzgate_mock::Sandbox {
    uzgate_mock::Sandbox::start(json!({
        "eskiz": {"email": EMAIL, "password": PASSWORD},
        "faults": [{"path": "/message", "method": "POST", "kind": "status", "status": 429, "retryAfter": 1}]
    }))
    .await
    .unwrap()
}
