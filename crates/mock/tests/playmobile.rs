//! The Play Mobile imitation over HTTP: Basic auth, single and batch sends in one
//! `messages` array, the plain-text success answer, numeric error codes in both
//! spellings, duplicate message-ids, the control API reader, faults and delivery reports
//! posted to the account's callback URL.

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use parking_lot::Mutex;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use uzgate_mock::Sandbox;

const LOGIN: &str = "pm-login";
const PASSWORD: &str = "pm-password";

async fn sandbox(extra: Value) -> Sandbox {
    support::start(
        "playmobile",
        json!({"login": LOGIN, "password": PASSWORD}),
        extra,
    )
    .await
}

fn client() -> Client {
    support::client_builder().build().unwrap()
}

/// Posts `body` to `/broker-api/send` with the given credentials: (status, content type, text).
async fn send(
    sb: &Sandbox,
    auth: Option<(&str, &str)>,
    body: &Value,
) -> (StatusCode, String, String) {
    let mut req = client()
        .post(format!("{}/broker-api/send", sb.url()))
        .json(body);
    if let Some((u, p)) = auth {
        req = req.basic_auth(u, Some(p));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, ct, resp.text().await.unwrap())
}

fn message(to: &str, id: &str, text: &str) -> Value {
    json!({"recipient": to, "message-id": id,
           "sms": {"originator": "3700", "content": {"text": text}}})
}

const OK: Option<(&str, &str)> = Some((LOGIN, PASSWORD));

#[tokio::test]
async fn a_single_send_is_received_in_plain_text() {
    let sb = sandbox(json!({})).await;
    let body = json!({"priority": "realtime", "messages": [message("998901234567", "otp1", "Code: 123456")]});
    let (status, ct, text) = send(&sb, OK, &body).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert_eq!(text, "Request is received");
    let msgs = sb.playmobile_messages();
    assert_eq!(msgs.as_array().unwrap().len(), 1);
    let m = &msgs[0];
    assert_eq!(m["messageId"], "otp1");
    assert_eq!(m["recipient"], "998901234567");
    assert_eq!(m["originator"], "3700");
    assert_eq!(m["text"], "Code: 123456");
    assert_eq!(m["priority"], "realtime");
    assert_eq!(m["duplicate"], false);
    let stats = &sb.stats()["playmobile"];
    assert_eq!(
        (
            stats["requests"].as_u64(),
            stats["sends"].as_u64(),
            stats["messages"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let inbox = sb.inbox();
    assert_eq!(inbox[0]["provider"], "playmobile");
    assert_eq!(inbox[0]["id"], "otp1");
    // The eskiz counters are not touched by a Play Mobile path.
    assert_eq!(sb.stats()["eskiz"]["requests"], 0);
    sb.close().await;
}

#[tokio::test]
async fn a_batch_is_one_request_and_a_refusal_accepts_nothing_of_it() {
    let sb = sandbox(json!({})).await;
    let batch = json!({"messages": [
        message("998901234567", "b1", "one"),
        message("998901234568", "b2", "two"),
        message("998901234569", "b3", "three"),
    ]});
    assert_eq!(send(&sb, OK, &batch).await.0, 200);
    let mut bad = batch.clone();
    bad["messages"][2]["recipient"] = json!("+998901234569");
    let (status, _, text) = send(&sb, OK, &bad).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v,
        json!({"error-code": 202, "error-description": "Empty recipient"})
    );
    let stats = &sb.stats()["playmobile"];
    assert_eq!(stats["sends"], 1);
    assert_eq!(stats["messages"], 3);
    assert_eq!(stats["rejected"]["202"], 1);
    assert_eq!(sb.playmobile_messages().as_array().unwrap().len(), 3);
    sb.close().await;
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_401_with_an_empty_body() {
    let sb = sandbox(json!({})).await;
    let body = json!({"messages": [message("998901234567", "a1", "x")]});
    for auth in [None, Some((LOGIN, "wrong")), Some(("other", PASSWORD))] {
        let (status, _, text) = send(&sb, auth, &body).await;
        assert_eq!(status, 401);
        assert_eq!(text, "");
    }
    let stats = &sb.stats()["playmobile"];
    assert_eq!(stats["authFailures"], 3);
    assert_eq!(stats["messages"], 0);
    sb.close().await;
}

#[tokio::test]
async fn error_codes_follow_the_switchable_spelling() {
    let sb = sandbox(json!({"errorKeys": "underscore", "errorCodeAsString": true})).await;
    let body = json!({"messages": [{"recipient": "998901234567", "message-id": "",
        "sms": {"originator": "3700", "content": {"text": "x"}}}]});
    let (status, _, text) = send(&sb, OK, &body).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"error_code": "205", "error_message": "Empty message-id"})
    );
    // Syntax errors and the account lock.
    let resp = client()
        .post(format!("{}/broker-api/send", sb.url()))
        .basic_auth(LOGIN, Some(PASSWORD))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("\"101\""));
    sb.configure(
        json!({"playmobile": {"locked": true, "errorKeys": "hyphen", "errorCodeAsString": false}}),
    )
    .unwrap();
    let (_, _, text) = send(
        &sb,
        OK,
        &json!({"messages": [message("998901234567", "a", "x")]}),
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["error-code"],
        102
    );
    // A bad patch changes nothing.
    assert!(sb
        .configure(json!({"playmobile": {"maxMessageIdLength": 0}}))
        .is_err());
    assert!(sb.configure(json!({"playmobile": {"nope": 1}})).is_err());
    sb.close().await;
}

#[tokio::test]
async fn strict_limits_refuse_long_ids_and_big_batches() {
    let sb = sandbox(json!({"maxMessageIdLength": 20, "maxMessagesPerRequest": 2})).await;
    let long = json!({"messages": [message("998901234567", &"a".repeat(21), "x")]});
    let (status, _, text) = send(&sb, OK, &long).await;
    assert_eq!(status, 400);
    assert!(text.contains("205"), "{text}");
    let three = json!({"messages": [message("998901234567", "a", "x"), message("998901234567", "b", "x"), message("998901234567", "c", "x")]});
    let (_, _, text) = send(&sb, OK, &three).await;
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["error-code"],
        105
    );
    let ok = json!({"messages": [message("998901234567", &"a".repeat(20), "x")]});
    assert_eq!(send(&sb, OK, &ok).await.0, 200);
    sb.close().await;
}

#[tokio::test]
async fn duplicate_message_ids_are_accepted_and_counted() {
    let sb = sandbox(json!({})).await;
    let body = json!({"messages": [message("998901234567", "same", "x")]});
    assert_eq!(send(&sb, OK, &body).await.0, 200);
    assert_eq!(send(&sb, OK, &body).await.0, 200);
    let msgs = sb.playmobile_messages();
    assert_eq!(msgs[0]["duplicate"], false);
    assert_eq!(msgs[1]["duplicate"], true);
    assert_eq!(sb.stats()["playmobile"]["duplicateMessageIds"], 1);
    sb.close().await;
}

#[tokio::test]
async fn trailing_slash_works_and_other_methods_do_not() {
    let sb = sandbox(json!({})).await;
    let resp = client()
        .post(format!("{}/broker-api/send/", sb.url()))
        .basic_auth(LOGIN, Some(PASSWORD))
        .json(&json!({"messages": [message("998901234567", "s1", "x")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = client()
        .get(format!("{}/broker-api/send", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let http = client()
        .get(format!("{}/__sandbox/playmobile/messages", sb.url()))
        .send()
        .await
        .unwrap();
    let v: Value = http.json().await.unwrap();
    assert_eq!(v[0]["messageId"], "s1");
    sb.close().await;
}

#[tokio::test]
async fn a_fault_after_processing_still_accepts_the_message() {
    let sb = sandbox(json!({})).await;
    sb.set_fault(
        json!({"path": "/broker-api/send", "kind": "reset", "phase": "after", "times": 1}),
    )
    .unwrap();
    let err = client()
        .post(format!("{}/broker-api/send", sb.url()))
        .basic_auth(LOGIN, Some(PASSWORD))
        .json(&json!({"messages": [message("998901234567", "f1", "x")]}))
        .send()
        .await;
    assert!(err.is_err());
    assert_eq!(sb.stats()["playmobile"]["messages"], 1);
    assert_eq!(sb.stats()["faultsInjected"], 1);
    sb.close().await;
}

type Received = Arc<Mutex<Vec<Value>>>;

async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/status",
            post(|State(r): State<Received>, body: Bytes| async move {
                r.lock()
                    .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                "ok"
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/status", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, received)
}

#[tokio::test]
async fn delivery_reports_reach_the_account_callback_url() {
    let (url, received) = receiver().await;
    let sb =
        sandbox(json!({"callbackUrl": url, "statusDelaysMs": {"transmitted": 5, "final": 20}}))
            .await;
    let body = json!({"messages": [
        message("998901234567", "d1", "x"),
        message("998901230001", "d2", "x"),
        message("998901230003", "d3", "x"),
    ]});
    assert_eq!(send(&sb, OK, &body).await.0, 200);
    // d1: transmitted + delivered, d2: transmitted + not_delivered, d3: transmitted only.
    assert!(support::eventually(|| received.lock().len() == 5).await);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let got = received.lock().clone();
    assert_eq!(got.len(), 5);
    let finals: Vec<(String, String)> = got
        .iter()
        .filter(|r| r["status"] != "transmitted")
        .map(|r| {
            (
                r["message-id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(finals.len(), 2);
    assert!(finals.contains(&("d1".into(), "delivered".into())));
    assert!(finals.contains(&("d2".into(), "not_delivered".into())));
    for r in &got {
        assert_eq!(r["channel"], "sms");
        assert_eq!(r["status-date"].as_str().unwrap().len(), 19);
    }
    let stats = &sb.stats()["playmobile"];
    assert_eq!(stats["callbacksSent"], 5);
    assert_eq!(stats["callbacksFailed"], 0);
    sb.close().await;
}

#[tokio::test]
async fn delivery_reports_can_be_arrays_with_underscored_keys() {
    let (url, received) = receiver().await;
    let sb = sandbox(
        json!({"callbackUrl": url, "callbackShape": "array", "callbackKeys": "underscore",
        "callbackTransmitted": false, "statusDelaysMs": {"transmitted": 1, "final": 5}}),
    )
    .await;
    assert_eq!(
        send(
            &sb,
            OK,
            &json!({"messages": [message("998901230002", "e1", "x")]})
        )
        .await
        .0,
        200
    );
    assert!(support::eventually(|| received.lock().len() == 1).await);
    let got = received.lock()[0].clone();
    assert_eq!(got[0]["message_id"], "e1");
    assert_eq!(got[0]["status"], "expired");
    assert!(got[0]["status_date"].is_string());
    sb.close().await;
}
