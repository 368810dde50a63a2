//! Helpers shared by the integration tests: a sandbox, a client and the usual calls.
#![allow(dead_code)]

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use uzgate_mock::Sandbox;

pub const EMAIL: &str = "dev@example.uz";
pub const PASSWORD: &str = "s3cret";

/// A sandbox with known credentials and the given extra Eskiz options.
pub async fn sandbox(eskiz: Value) -> Sandbox {
    let mut options = json!({"email": EMAIL, "password": PASSWORD});
    if let (Some(o), Value::Object(extra)) = (options.as_object_mut(), eskiz) {
        o.extend(extra);
    }
    Sandbox::start(json!({"eskiz": options}))
        .await
        .expect("sandbox starts")
}

pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

pub async fn body(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

pub async fn login(c: &Client, url: &str) -> String {
    let resp = c
        .post(format!("{url}/auth/login"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, v) = body(resp).await;
    assert_eq!(status, 200, "{v}");
    v["data"]["token"].as_str().expect("token").to_owned()
}

pub async fn get(c: &Client, url: &str, path: &str, token: &str) -> (StatusCode, Value) {
    body(
        c.get(format!("{url}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// `POST path` with a JSON body.
pub async fn post_json(
    c: &Client,
    url: &str,
    path: &str,
    token: &str,
    json: Value,
) -> (StatusCode, Value) {
    body(
        c.post(format!("{url}{path}"))
            .bearer_auth(token)
            .json(&json)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// `POST path` with an urlencoded form.
pub async fn post_form(
    c: &Client,
    url: &str,
    path: &str,
    token: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    body(
        c.post(format!("{url}{path}"))
            .bearer_auth(token)
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub async fn send(c: &Client, url: &str, token: &str, to: &str, text: &str) -> (StatusCode, Value) {
    post_form(
        c,
        url,
        "/message/sms/send",
        token,
        &[("mobile_phone", to), ("message", text), ("from", "4546")],
    )
    .await
}

/// Polls `check` every 10 ms for up to 3 s.
pub async fn eventually<F: FnMut() -> bool>(mut check: F) -> bool {
    for _ in 0..300 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}
