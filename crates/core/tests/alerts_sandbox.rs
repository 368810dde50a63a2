//! Alert sinks against the sandbox's imitation of Telegram's Bot API and its webhook receiver,
//! over real loopback HTTP: what arrives, 429 waits honoured, a refusal that stops the sink after
//! one request, webhook signatures a receiver can check, and no token in any report.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use uzgate_core::alerts::{
    sign_webhook, Alert, AlertKind, AlertSink, AlertState, SinkReport, TelegramSink, WebhookSink,
};
use uzgate_mock::Sandbox;

fn alert() -> Alert {
    Alert {
        kind: AlertKind::ReauthorizationRequired,
        state: AlertState::Firing,
        integration: "amoCRM example.amocrm.ru".into(),
        since_ms: 1_796_544_000_000,
        detail: "amoCRM refused the refresh token (invalid_grant)".into(),
        action: "connect it again: GET /amocrm/authorize".into(),
        repeat: false,
    }
}

fn telegram(sb: &Sandbox, chat: Option<&str>) -> (AlertSink, String) {
    let bot = sb.telegram_bot();
    let token = bot["token"].as_str().unwrap().to_string();
    let chat = chat
        .map(str::to_string)
        .unwrap_or_else(|| bot["chatId"].to_string());
    let sink =
        TelegramSink::new(reqwest::Client::new(), &token, &chat, None, Some(&sb.url())).unwrap();
    (AlertSink::telegram(sink), token)
}

fn telegram_stat(sb: &Sandbox, name: &str) -> u64 {
    sb.stats()["telegram"][name].as_u64().unwrap()
}

#[tokio::test]
async fn telegram_receives_the_text_as_sent() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let (sink, _) = telegram(&sb, None);
    assert_eq!(sink.deliver(&alert()).await, SinkReport::Sent);
    let messages = sb.telegram_messages(None);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["text"], Value::String(alert().text()));
    sb.close().await;
}

#[tokio::test]
async fn a_429_is_waited_out_as_telegram_asks() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    sb.configure(json!({"telegram": {"floodWait": {"retryAfter": 1, "times": 1}}}))
        .unwrap();
    let (sink, _) = telegram(&sb, None);
    let started = Instant::now();
    assert_eq!(sink.deliver(&alert()).await, SinkReport::Sent);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (
            telegram_stat(&sb, "rateLimited"),
            telegram_stat(&sb, "accepted")
        ),
        (1, 1)
    );
    sb.close().await;
}

#[tokio::test]
async fn a_refusal_stops_the_sink_after_one_request_and_names_no_token() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let (sink, token) = telegram(&sb, Some("-1009999999999"));
    match sink.deliver(&alert()).await {
        SinkReport::Refused { reason, first } => {
            assert!(first);
            assert_eq!(reason, "Telegram 400: Bad Request: chat not found");
            assert!(!reason.contains(&token));
        }
        other => panic!("{other:?}"),
    }
    let requests = telegram_stat(&sb, "requests");
    assert_eq!(requests, 1);
    for _ in 0..3 {
        assert!(matches!(
            sink.deliver(&alert()).await,
            SinkReport::Refused { first: false, .. }
        ));
    }
    assert_eq!(
        telegram_stat(&sb, "requests"),
        requests,
        "not retried forever"
    );
    sb.close().await;
}

#[tokio::test]
async fn the_webhook_is_signed_over_timestamp_and_body() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let secret = format!("whsec-{}", uuid::Uuid::new_v4());
    let url = format!("{}/webhooks/alerts", sb.url());
    let sink = AlertSink::webhook(WebhookSink::new(reqwest::Client::new(), &url, &secret).unwrap());
    assert_eq!(sink.deliver(&alert()).await, SinkReport::Sent);
    let got = sb.webhook_requests(Some("alerts"));
    let got = &got.as_array().unwrap()[0];
    let body = got["body"].as_str().unwrap();
    let ts = got["headers"]["x-uzgate-timestamp"].as_str().unwrap();
    assert_eq!(
        got["headers"]["x-uzgate-signature"].as_str().unwrap(),
        format!("v1={}", sign_webhook(&secret, ts, body))
    );
    let sent: Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent["kind"], "reauthorization_required");
    assert_eq!(sent["state"], "firing");
    assert!(!body.contains(&secret));
    sb.close().await;
}

#[tokio::test]
async fn a_failing_webhook_is_tried_three_times_then_the_alert_dropped() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    sb.set_fault(json!({"path": "/webhooks/down", "kind": "status", "status": 503, "phase": "after", "times": 100}))
        .unwrap();
    let url = format!("{}/webhooks/down", sb.url());
    let sink = AlertSink::webhook(
        WebhookSink::new(reqwest::Client::new(), &url, "0123456789abcdef-secret").unwrap(),
    );
    assert_eq!(
        sink.deliver(&alert()).await,
        SinkReport::Dropped("alert webhook answered 503".into())
    );
    assert_eq!(
        sb.webhook_requests(Some("down")).as_array().unwrap().len(),
        3
    );
    sb.close().await;
}
