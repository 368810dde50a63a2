//! Helpers shared by the amoCRM integration tests.
#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use uzgate_mock::Sandbox;

/// The integration's defaults.
pub const CLIENT_ID: &str = "4f6b1c2e-8d3a-4e7f-9b2c-5a1d0e3f7c68";
pub const SECRET: &str = "sandbox-client-secret";
pub const REDIRECT: &str = "http://127.0.0.1/amocrm/callback";

/// A sandbox with the given amoCRM options. Most tests are not about rate limits, so the
/// limit is off unless `extra` sets it.
pub async fn sandbox(extra: Value) -> Sandbox {
    support::start("amocrm", json!({"rateLimitPerSecond": 0}), extra).await
}

/// A client that does not follow redirects, so consent redirects can be inspected.
pub fn client() -> Client {
    support::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
    pub json: Value,
}

pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        text,
        json,
    }
}

/// `POST /oauth2/access_token` with a JSON body.
pub async fn token_request(c: &Client, url: &str, body: Value) -> Reply {
    reply(
        c.post(format!("{url}/oauth2/access_token"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub fn code_grant(code: &str) -> Value {
    json!({
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
    })
}

pub fn refresh_grant(refresh_token: &str) -> Value {
    json!({
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "redirect_uri": REDIRECT,
    })
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

fn tokens_of(r: &Reply) -> Tokens {
    assert_eq!(r.status, 200, "{}", r.text);
    Tokens {
        access: r.json["access_token"].as_str().unwrap().to_owned(),
        refresh: r.json["refresh_token"].as_str().unwrap().to_owned(),
    }
}

/// A fresh token pair: a code minted directly, then exchanged.
pub async fn authorize(sb: &Sandbox, c: &Client) -> Tokens {
    let code = sb.amocrm_issue_code();
    tokens_of(&token_request(c, &sb.url(), code_grant(&code)).await)
}

pub async fn refresh(c: &Client, url: &str, refresh_token: &str) -> Tokens {
    tokens_of(&token_request(c, url, refresh_grant(refresh_token)).await)
}

pub async fn get(c: &Client, url: &str, path: &str, token: &str) -> Reply {
    reply(
        c.get(format!("{url}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub async fn post(c: &Client, url: &str, path: &str, token: &str, body: Value) -> Reply {
    write(c, Method::POST, &format!("{url}{path}"), token, body).await
}

pub async fn patch(c: &Client, url: &str, path: &str, token: &str, body: Value) -> Reply {
    write(c, Method::PATCH, &format!("{url}{path}"), token, body).await
}

/// A JSON body sent to `href` with the token.
async fn write(c: &Client, method: Method, href: &str, token: &str, body: Value) -> Reply {
    let resp = c
        .request(method, href)
        .bearer_auth(token)
        .json(&body)
        .send();
    reply(resp.await.unwrap()).await
}

/// Whether `token` is accepted now: the status of the cheapest authorised request.
pub async fn probe(c: &Client, url: &str, token: &str) -> StatusCode {
    get(c, url, "/api/v4/account", token).await.status
}

/// A sandbox and a client holding a fresh token pair: where the API tests start.
pub struct Session {
    pub sb: Sandbox,
    pub c: Client,
    pub url: String,
    pub t: Tokens,
}

pub async fn session(extra: Value) -> Session {
    let sb = sandbox(extra).await;
    let c = client();
    let url = sb.url();
    let t = authorize(&sb, &c).await;
    Session { sb, c, url, t }
}

/// The API calls, with the session's access token.
impl Session {
    pub async fn get(&self, path: &str) -> Reply {
        get(&self.c, &self.url, path, &self.t.access).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        post(&self.c, &self.url, path, &self.t.access, body).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        patch(&self.c, &self.url, path, &self.t.access, body).await
    }

    pub async fn probe(&self) -> StatusCode {
        probe(&self.c, &self.url, &self.t.access).await
    }
}

/// The resource API's 401 body (Russian account).
pub fn unauthorized() -> Value {
    json!({
        "title": "Unauthorized",
        "type": "https://httpstatus.es/401",
        "status": 401,
        "detail": "Неверный логин или пароль",
    })
}

/// A token-endpoint error body with a Russian title and detail.
pub fn oauth_error(status: u16, hint: &str) -> Value {
    json!({
        "hint": hint,
        "title": "Некорректный запрос",
        "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
        "status": status,
        "detail": "В запросе отсутствует ряд параметров или параметры невалидны",
    })
}
