//! Twilio's concurrent request limit: 429 / 20429 with `Twilio-Concurrent-Requests`, and
//! `Retry-After` when switched on.

mod tw;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tw::*;

#[tokio::test]
async fn a_request_over_the_limit_gets_20429() {
    let sb = sandbox(json!({"concurrencyLimit": 1, "retryAfter": 2})).await;
    let a = account(&sb);
    let c = client();
    // The first request is held 400 ms, so the second arrives while it is in flight.
    sb.set_fault(json!({"path": "/2010-04-01/", "kind": "latency", "latencyMs": 400, "times": 1}))
        .unwrap();
    let slow = in_background(&c, &sb, &a, Method::POST, &messages_path(&a.sid), &SEND);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = create(&c, &sb, &a, &SEND).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json,
        json!({
            "code": 20429,
            "message": "Too Many Requests",
            "more_info": "https://www.twilio.com/docs/errors/20429",
            "status": 429,
        })
    );
    assert_eq!(r.header("twilio-concurrent-requests"), Some("2"));
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(slow.await.unwrap(), 201);

    // Refused requests were never processed; now the account is idle again.
    let stats = &sb.stats()["twilio"];
    assert_eq!(stats["rateLimited"], 1);
    assert_eq!(stats["rejected"]["20429"], 1);
    assert_eq!(stats["messages"], 1);
    let r = create(&c, &sb, &a, &SEND).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.header("twilio-concurrent-requests"), Some("1"));
    sb.close().await;
}

#[tokio::test]
async fn without_a_limit_bursts_pass_and_retry_after_is_optional() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let replies = futures::future::join_all((0..20).map(|_| create(&c, &sb, &a, &SEND))).await;
    assert!(replies.iter().all(|r| r.status == 201));

    sb.configure(json!({"twilio": {"concurrencyLimit": 1}}))
        .unwrap();
    let hold_list = json!({
        "path": "/2010-04-01/", "method": "GET", "kind": "latency", "latencyMs": 400, "times": 1
    });
    sb.set_fault(hold_list).unwrap();
    let held = in_background(&c, &sb, &a, Method::GET, &messages_path(&a.sid), &[]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = create(&c, &sb, &a, &SEND).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), None);
    assert_eq!(held.await.unwrap(), 200);
    sb.close().await;
}
