//! Helpers shared by the Eskiz integration tests: a sandbox, a client and the usual calls.
#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use uzgate_mock::Sandbox;

// Not every test that includes this module polls.
#[allow(unused_imports)]
pub use support::eventually;

pub const EMAIL: &str = "dev@example.uz";
pub const PASSWORD: &str = "s3cret";

/// A sandbox with known credentials and the given extra Eskiz options.
pub async fn sandbox(eskiz: Value) -> Sandbox {
    let credentials = json!({"email": EMAIL, "password": PASSWORD});
    support::start("eskiz", credentials, eskiz).await
}

/// A sandbox and a client logged in to it: where most tests start.
pub struct Session {
    pub sb: Sandbox,
    pub c: Client,
    pub url: String,
    pub token: String,
}

pub async fn session(eskiz: Value) -> Session {
    let sb = sandbox(eskiz).await;
    let c = client();
    let url = sb.url();
    let token = login(&c, &url).await;
    Session { sb, c, url, token }
}

pub fn client() -> Client {
    support::client_builder().build().unwrap()
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

/// `GET path` with the token, for a test that looks at the raw response (or its absence).
pub fn get_request(c: &Client, url: &str, path: &str, token: &str) -> RequestBuilder {
    c.get(format!("{url}{path}")).bearer_auth(token)
}

pub async fn get(c: &Client, url: &str, path: &str, token: &str) -> (StatusCode, Value) {
    body(get_request(c, url, path, token).send().await.unwrap()).await
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

/// A send without a sender, for a test that looks at the raw response (or its absence).
pub fn send_request(c: &Client, url: &str, token: &str) -> RequestBuilder {
    c.post(format!("{url}/message/sms/send"))
        .bearer_auth(token)
        .form(&[("mobile_phone", "998901234567"), ("message", "x")])
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
