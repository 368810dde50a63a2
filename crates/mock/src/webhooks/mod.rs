//! A webhook receiver: `POST /webhooks/<name>` records the request as it arrived (headers
//! lower-cased, the raw body as text, the time) and answers 200 `{"ok":true}`. It only
//! records: checking a signature is the job of the sender's tests, which read the requests
//! back. To make a receiver fail, slow down, hang or drop the connection, add a fault on
//! `/webhooks/<name>` (with `phase: "after"` the request is still recorded).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use crate::reply;
use crate::shared::Shared;
use crate::stats::Counter;

const RETAIN: usize = 10_000;

struct Received {
    name: String,
    method: String,
    query: Option<String>,
    headers: Map<String, Value>,
    body: String,
    at_ms: u64,
}

#[derive(Default)]
pub(crate) struct Webhooks {
    received: Mutex<VecDeque<Received>>,
    requests: Counter,
    by_name: Mutex<BTreeMap<String, u64>>,
}

/// Whether a request path belongs to the webhook receiver.
pub(crate) fn owns(path: &str) -> bool {
    path.starts_with("/webhooks/")
}

impl Webhooks {
    pub(crate) fn count_request(&self) {
        self.requests.inc();
    }

    fn record(&self, r: Received) {
        *self.by_name.lock().entry(r.name.clone()).or_default() += 1;
        let mut list = self.received.lock();
        list.push_back(r);
        if list.len() > RETAIN {
            list.pop_front();
        }
    }

    /// Oldest first; only those to `name` when given.
    pub(crate) fn requests_json(&self, name: Option<&str>) -> Value {
        let list = self.received.lock();
        Value::Array(
            list.iter()
                .filter(|r| name.is_none_or(|n| n == r.name))
                .map(|r| {
                    json!({
                        "name": r.name,
                        "method": r.method,
                        "query": r.query,
                        "headers": r.headers,
                        "body": r.body,
                        "at": crate::time::iso_utc_ms(r.at_ms),
                        "receivedMs": r.at_ms,
                    })
                })
                .collect(),
        )
    }

    pub(crate) fn stats_json(&self) -> Value {
        let by_name: Map<String, Value> = self
            .by_name
            .lock()
            .iter()
            .map(|(k, n)| (k.clone(), Value::from(*n)))
            .collect();
        json!({"requests": self.requests.get(), "byName": by_name})
    }

    pub(crate) fn reset_stats(&self) {
        self.requests.reset();
        self.by_name.lock().clear();
    }

    pub(crate) fn clear(&self) {
        self.received.lock().clear();
    }
}

/// Headers by lower-case name (HTTP/1 names arrive in any case); repeated ones joined
/// with `, `.
fn headers_map(headers: &HeaderMap) -> Map<String, Value> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        out.entry(name.as_str().to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    out.into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.webhooks.record(Received {
        name,
        method: method.as_str().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers_map(&headers),
        body: String::from_utf8_lossy(&body).into_owned(),
        at_ms: crate::time::now_ms(),
    });
    reply::ok(&json!({"ok": true}))
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new().route("/webhooks/{name}", post(receive))
}
