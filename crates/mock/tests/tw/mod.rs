//! Helpers shared by the Twilio integration tests.
#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus, Uri};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use parking_lot::Mutex;
use reqwest::header::HeaderMap as ReqwestHeaders;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use uzgate_mock::Sandbox;

// Not every test that includes this module polls.
#[allow(unused_imports)]
pub use support::eventually;

pub const TOKEN: &str = "sandbox-auth-token";
pub const MAGIC_FROM: &str = "+15005550006";

/// A sandbox with the given Twilio options.
pub async fn sandbox(twilio: Value) -> Sandbox {
    support::start("twilio", json!({}), twilio).await
}

/// The sandbox's Twilio account: its SID and the first Messaging Service SID.
pub struct Account {
    pub sid: String,
    pub token: String,
    pub service: String,
}

pub fn account(sb: &Sandbox) -> Account {
    let a = sb.twilio_account();
    Account {
        sid: a["accountSid"].as_str().unwrap().to_owned(),
        token: a["authToken"].as_str().unwrap().to_owned(),
        service: a["messagingServiceSids"][0].as_str().unwrap().to_owned(),
    }
}

/// A SID of the given type that is obviously made up (its 32 digits repeat one pair).
pub fn made_up_sid(prefix: &str, pair: &str) -> String {
    format!("{prefix}{}", pair.repeat(16))
}

pub fn client() -> Client {
    support::client_builder().build().unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: ReqwestHeaders,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A request to `path`, with Basic credentials (none if `auth` is `None`) and, for a POST, a
/// form.
pub fn request(
    c: &Client,
    sb: &Sandbox,
    method: Method,
    path: &str,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> RequestBuilder {
    let mut req = c.request(method.clone(), format!("{}{path}", sb.url()));
    if let Some((user, password)) = auth {
        req = req.basic_auth(user, Some(password));
    }
    if method == Method::POST {
        req = req.form(form);
    }
    req
}

/// One request to `path` (see [`request`]).
pub async fn call(
    c: &Client,
    sb: &Sandbox,
    method: Method,
    path: &str,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Reply {
    let resp = request(c, sb, method, path, auth, form)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

/// One request to `path` as the account.
pub async fn as_account(
    c: &Client,
    sb: &Sandbox,
    a: &Account,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> Reply {
    call(c, sb, method, path, Some((&a.sid, &a.token)), form).await
}

/// A request as the account that runs on its own, to keep the account busy meanwhile; the
/// task ends with its status.
pub fn in_background(
    c: &Client,
    sb: &Sandbox,
    a: &Account,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> JoinHandle<StatusCode> {
    let req = request(c, sb, method, path, Some((&a.sid, &a.token)), form);
    tokio::spawn(async move { req.send().await.unwrap().status() })
}

pub fn messages_path(account: &str) -> String {
    format!("/2010-04-01/Accounts/{account}/Messages.json")
}

pub fn message_path(account: &str, sid: &str) -> String {
    format!("/2010-04-01/Accounts/{account}/Messages/{sid}.json")
}

/// `POST Messages.json` as the account.
pub async fn create(c: &Client, sb: &Sandbox, a: &Account, form: &[(&str, &str)]) -> Reply {
    as_account(c, sb, a, Method::POST, &messages_path(&a.sid), form).await
}

/// The simplest message the account can send.
pub const SEND: [(&str, &str); 3] = [("To", "+15551234567"), ("From", MAGIC_FROM), ("Body", "Hi")];

/// The form of a text message from the magic sender.
pub fn plain<'a>(to: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("To", to), ("From", MAGIC_FROM), ("Body", body)]
}

/// The form of a message sent through the account's Messaging Service at `send_at`.
pub fn scheduled<'a>(a: &'a Account, body: &'a str, send_at: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("To", "+15551234567"),
        ("MessagingServiceSid", &a.service),
        ("Body", body),
        ("ScheduleType", "fixed"),
        ("SendAt", send_at),
    ]
}

/// `form`, with status callbacks to `callback`.
pub fn reporting_to<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    callback: &'a str,
) -> Vec<(&'a str, &'a str)> {
    form.push(("StatusCallback", callback));
    form
}

/// Cancels the scheduled message at `path`.
pub async fn cancel(c: &Client, sb: &Sandbox, a: &Account, path: &str) -> Reply {
    let form = [("Status", "canceled")];
    as_account(c, sb, a, Method::POST, path, &form).await
}

/// `GET` a path as the account.
pub async fn get(c: &Client, sb: &Sandbox, a: &Account, path: &str) -> Reply {
    as_account(c, sb, a, Method::GET, path, &[]).await
}

/// `GET` one message as the account.
pub async fn fetch(c: &Client, sb: &Sandbox, a: &Account, sid: &str) -> Reply {
    get(c, sb, a, &message_path(&a.sid, sid)).await
}

/// Fetches `sid` until its status is `status` (3 s at most); returns the last resource.
pub async fn fetch_until(c: &Client, sb: &Sandbox, a: &Account, sid: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = fetch(c, sb, a, sid).await.json;
        if last["status"] == status {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{sid} never reached {status}: {last}");
}

/// A request the callback receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// Path and query, as requested.
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The form parameters, decoded, in the order sent.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

pub type Inbox = Arc<Mutex<Vec<Received>>>;

/// A tiny server recording what is posted to `/cb`, answering `status`; returns its origin
/// (`http://127.0.0.1:PORT`).
pub async fn receiver(status: u16) -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let app = Router::new()
        .route(
            "/cb",
            post(
                move |State(inbox): State<Inbox>, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let path_and_query = uri
                        .path_and_query()
                        .map(|pq| pq.as_str().to_owned())
                        .unwrap_or_default();
                    inbox.lock().push(Received {
                        path_and_query,
                        headers,
                        body,
                    });
                    async move { AxumStatus::from_u16(status).unwrap() }
                },
            ),
        )
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (origin, inbox)
}

/// `X-Twilio-Signature` computed from its definition, independently of the sandbox: the URL,
/// then each parameter name (sorted) followed by its value, HMAC-SHA1 keyed with the auth
/// token, base64.
pub fn expected_signature(token: &str, url: &str, params: &[(String, String)]) -> String {
    use hmac::{Hmac, Mac};
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut data = url.to_owned();
    for (name, value) in sorted {
        data.push_str(name);
        data.push_str(value);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `s` is an RFC 2822 date as Twilio writes them: `Thu, 24 Aug 2023 05:01:45 +0000`.
pub fn is_rfc2822(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 31
        && ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&&s[..3])
        && &s[3..5] == ", "
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b' '
        && [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .contains(&&s[8..11])
        && b[11] == b' '
        && b[12..16].iter().all(u8::is_ascii_digit)
        && b[16] == b' '
        && b[19] == b':'
        && b[22] == b':'
        && &s[25..] == " +0000"
}

/// An ISO 8601 UTC time `secs` from now.
pub fn iso_in(secs: u64) -> String {
    let at = std::time::SystemTime::now() + std::time::Duration::from_secs(secs);
    let unix = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}
