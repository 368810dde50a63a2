//! Delivery callbacks reach a real local receiver.

mod common;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use common::*;
use parking_lot::Mutex;
use serde_json::{json, Value};

/// (content type, body) of every callback received.
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A tiny server that records what is posted to `/cb`; returns its URL.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/cb",
            post(
                |State(r): State<Received>, headers: HeaderMap, body: Bytes| async move {
                    let ct = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    r.lock()
                        .push((ct, String::from_utf8_lossy(&body).into_owned()));
                    "ok"
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, received)
}

fn is_status_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

#[tokio::test]
async fn json_callbacks_for_accepted_then_delivered() {
    let (cb, received) = receiver().await;
    let Session { sb, c, url, token } =
        session(json!({"acceptAfterMs": 10, "deliverAfterMs": 30})).await;
    let (status, sent) = post_form(
        &c,
        &url,
        "/message/sms/send",
        &token,
        &[
            ("mobile_phone", "998901234567"),
            ("message", "Hi"),
            ("callback_url", &cb),
            ("user_sms_id", "42"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        eventually(|| received.lock().len() >= 2).await,
        "two callbacks"
    );

    let got = received.lock().clone();
    let bodies: Vec<Value> = got
        .iter()
        .map(|(ct, b)| {
            assert!(ct.starts_with("application/json"), "{ct}");
            serde_json::from_str(b).unwrap()
        })
        .collect();
    assert_eq!(bodies[0]["status"], "ACCEPTED");
    let last = &bodies[1];
    assert_eq!(last["status"], "DELIVRD");
    assert_eq!(last["request_id"], sent["id"]);
    assert_eq!(last["user_sms_id"], "42");
    assert_eq!(last["phone_number"], "998901234567");
    assert_eq!(last["country"], "UZ");
    assert_eq!(last["sms_count"], "1");
    assert!(
        last.as_object().unwrap().values().all(Value::is_string),
        "{last}"
    );
    assert!(is_status_date(last["status_date"].as_str().unwrap()));
    let message_id = last["message_id"].as_str().unwrap();
    assert_eq!(sb.inbox()[0]["messageId"].to_string(), message_id);
    assert!(eventually(|| sb.stats()["eskiz"]["callbacksSent"] == 2).await);
    sb.close().await;
}

#[tokio::test]
async fn form_callbacks_and_rejected_numbers() {
    let (cb, received) = receiver().await;
    let Session { sb, c, url, token } = session(json!({"acceptAfterMs": 0, "deliverAfterMs": 10, "callbackForm": true, "callbackAccepted": false})).await;
    post_form(
        &c,
        &url,
        "/message/sms/send",
        &token,
        &[
            ("mobile_phone", "998901230000"),
            ("message", "Hi"),
            ("callback_url", &cb),
        ],
    )
    .await;
    assert!(eventually(|| !received.lock().is_empty()).await);
    // Give a wrongly scheduled second callback the chance to show up.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let got = received.lock().clone();
    assert_eq!(got.len(), 1);
    let (ct, body) = &got[0];
    assert!(ct.starts_with("application/x-www-form-urlencoded"), "{ct}");
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(fields["status"], "REJECTD");
    assert_eq!(fields["user_sms_id"], "");
    sb.close().await;
}

#[tokio::test]
async fn global_callbacks_have_no_request_id() {
    let (cb, received) = receiver().await;
    let Session { sb, c, url, token } =
        session(json!({"acceptAfterMs": 0, "deliverAfterMs": 0, "callbackAccepted": false})).await;
    post_form(
        &c,
        &url,
        "/message/sms/send-global",
        &token,
        &[
            ("mobile_phone", "12025550123"),
            ("message", "Hi"),
            ("country_code", "US"),
            ("unicode", "0"),
            ("callback_url", &cb),
        ],
    )
    .await;
    assert!(eventually(|| !received.lock().is_empty()).await);
    let body: Value = serde_json::from_str(&received.lock()[0].1).unwrap();
    assert!(
        body.get("request_id").is_none() && body.get("user_sms_id").is_none(),
        "{body}"
    );
    assert_eq!(body["country"], "US");
    assert_eq!(body["status"], "DELIVRD");
    sb.close().await;
}
