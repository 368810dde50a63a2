//! amoCRM rate limits, the block after repeated violations, and the unpaid account.

mod amo;

use std::time::Duration;

use amo::*;
use futures::future::join_all;
use serde_json::json;

#[tokio::test]
async fn a_burst_over_the_limit_gets_429_with_retry_after() {
    let s = session(json!({"rateLimitPerSecond": 7})).await;
    let replies = join_all((0..20).map(|_| s.get("/api/v4/account"))).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let limited: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!(ok + limited.len(), 20);
    // One second's worth passes (a few more only if the burst took longer than a tick),
    // the rest is refused.
    assert!(ok >= 7 && !limited.is_empty(), "{ok} passed");
    let r = limited[0];
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.json["title"], "Too Many Requests");
    assert_eq!(r.json["type"], "https://httpstatus.es/429");
    assert_eq!(r.json["status"], 429);
    assert_eq!(
        r.json["detail"],
        "You have sent too many requests in a given amount of time. Please try again later."
    );
    assert!(r.json["retry_after"].as_u64().unwrap() >= 1);
    assert_eq!(s.sb.stats()["amocrm"]["rateLimited"], limited.len() as u64);
    s.sb.close().await;
}

#[tokio::test]
async fn evenly_paced_at_the_limit_is_never_refused() {
    let s = session(json!({"rateLimitPerSecond": 10})).await;
    let start = tokio::time::Instant::now();
    for i in 0..30u64 {
        // 10 per second, each request up to 40 ms early or late.
        let jitter = [0i64, 40, -40, 25, -10][i as usize % 5];
        let at = (i * 100) as i64 + jitter;
        tokio::time::sleep_until(start + Duration::from_millis(at.max(0) as u64)).await;
        let r = s.get("/api/v4/account").await;
        assert_eq!(r.status, 200, "request {i} refused");
    }
    assert_eq!(s.sb.stats()["amocrm"]["rateLimited"], 0);
    s.sb.close().await;
}

#[tokio::test]
async fn the_429_body_can_be_html_or_empty() {
    let s = session(json!({"rateLimitPerSecond": 1, "rateLimitBody": "html"})).await;
    assert_eq!(s.probe().await, 200);
    let html = s.get("/api/v4/account").await;
    assert_eq!(html.status, 429);
    assert!(html.content_type.starts_with("text/html"));
    assert!(html.text.contains("429 Too Many Requests"));
    s.sb.configure(json!({"amocrm": {"rateLimitBody": "empty"}}))
        .unwrap();
    let empty = s.get("/api/v4/account").await;
    assert_eq!(empty.status, 429);
    assert!(empty.text.is_empty());
    s.sb.close().await;
}

#[tokio::test]
async fn repeated_429s_block_every_request_until_unblocked() {
    let s = session(json!({"rateLimitPerSecond": 1, "blockAfter": 3})).await;
    let url = &s.url;
    let statuses: Vec<u16> = {
        let mut out = Vec::new();
        for _ in 0..6 {
            out.push(s.probe().await.as_u16());
        }
        out
    };
    assert_eq!(statuses, [200, 429, 429, 429, 403, 403]);
    // Sticky: waiting does not help, and the OAuth server is blocked too.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let blocked = s.get("/api/v4/account").await;
    assert_eq!(blocked.status, 403);
    assert!(blocked.content_type.starts_with("text/html"));
    assert!(blocked.text.contains("403 Forbidden") && blocked.text.contains("nginx"));
    let refresh_blocked = token_request(&s.c, &s.url, refresh_grant(&s.t.refresh)).await;
    assert_eq!(refresh_blocked.status, 403);
    assert_eq!(s.sb.stats()["amocrm"]["blocked"], 4);
    assert_eq!(s.sb.stats()["amocrm"]["isBlocked"], true);

    s.sb.amocrm_unblock();
    assert_eq!(s.probe().await, 200);

    // Again, lifted over HTTP this time.
    for _ in 0..4 {
        s.probe().await;
    }
    assert_eq!(s.probe().await, 403);
    let r =
        s.c.post(format!("{url}/__sandbox/amocrm/unblock"))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.probe().await, 200);
    s.sb.close().await;
}

#[tokio::test]
async fn an_unpaid_account_refuses_writes_with_402() {
    let s = session(json!({"unpaid": true})).await;
    assert_eq!(s.probe().await, 200);
    let r = s
        .post("/api/v4/leads/complex", json!([{"name": "x"}]))
        .await;
    assert_eq!(r.status, 402);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(
        r.text,
        r#"{"title":"Payment Required","type":"https://httpstatus.es/402","status":402,"detail":"Payment required"}"#
    );
    assert_eq!(s.sb.stats()["amocrm"]["paymentRequired"], 1);
    s.sb.configure(json!({"amocrm": {"unpaid": false}}))
        .unwrap();
    let r = s
        .post("/api/v4/leads/complex", json!([{"name": "x"}]))
        .await;
    assert_eq!(r.status, 200);
    s.sb.close().await;
}
