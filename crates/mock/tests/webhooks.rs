//! The webhook receiver: what it records, what it answers, and faults on it.

#[path = "support/mod.rs"]
mod support;

use serde_json::json;
use uzgate_mock::Sandbox;

#[tokio::test]
async fn records_headers_body_and_time_and_answers_ok() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let c = support::client_builder().build().unwrap();
    let body = r#"{"kind":"balanceLow","text":"Eskiz balance below 1000"}"#;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let resp = c
        .post(format!("{}/webhooks/ops?x=1", sb.url()))
        .header("Content-Type", "application/json")
        .header("X-Uzgate-Timestamp", "1760000000")
        .header("X-Uzgate-Signature", "v1=abc")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap(),
        json!({"ok": true})
    );
    c.post(format!("{}/webhooks/other", sb.url()))
        .body("x")
        .send()
        .await
        .unwrap();

    let got = sb.webhook_requests(Some("ops"));
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r["name"], "ops");
    assert_eq!(r["method"], "POST");
    assert_eq!(r["query"], "x=1");
    assert_eq!(r["body"], body);
    assert_eq!(r["headers"]["x-uzgate-timestamp"], "1760000000");
    assert_eq!(r["headers"]["x-uzgate-signature"], "v1=abc");
    assert_eq!(r["headers"]["content-type"], "application/json");
    assert!(r["receivedMs"].as_u64().unwrap() >= before);
    assert_eq!(sb.webhook_requests(None).as_array().unwrap().len(), 2);
    let stats = &sb.stats()["webhooks"];
    assert_eq!(stats["requests"], 2);
    assert_eq!(stats["byName"], json!({"ops": 1, "other": 1}));
    assert_eq!(
        sb.stats()["eskiz"]["requests"],
        0,
        "not counted as Eskiz traffic"
    );

    sb.clear_inbox();
    assert_eq!(sb.webhook_requests(None), json!([]));
}

#[tokio::test]
async fn a_fault_makes_one_receiver_fail_hang_or_close() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let c = support::client_builder()
        .timeout(std::time::Duration::from_millis(400))
        .build()
        .unwrap();
    let post = |name: &str| {
        c.post(format!("{}/webhooks/{name}", sb.url()))
            .body("{}")
            .send()
    };
    // Processed, then answered 503: recorded all the same.
    sb.set_fault(
        json!({"path": "/webhooks/down", "kind": "status", "status": 503, "phase": "after"}),
    )
    .unwrap();
    assert_eq!(post("down").await.unwrap().status(), 503);
    assert_eq!(post("up").await.unwrap().status(), 200);
    // Hang (the client gives up) and close without an answer.
    sb.set_fault(json!({"path": "/webhooks/slow", "kind": "timeout", "latencyMs": 2000}))
        .unwrap();
    assert!(post("slow").await.unwrap_err().is_timeout());
    sb.set_fault(json!({"path": "/webhooks/cut", "kind": "reset"}))
        .unwrap();
    assert!(post("cut").await.is_err());
    let names: Vec<_> = sb
        .webhook_requests(None)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["down", "up"]);
    sb.close().await;
}
