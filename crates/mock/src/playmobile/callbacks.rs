//! Delivery reports: the sandbox POSTs each status change of a message to the account's
//! `callbackUrl` (Play Mobile agrees the URL per account; requests carry none).
//!
//! The body is the best available description of the real push (unconfirmed):
//! `{"message-id", "channel": "sms", "status", "status-date" (`YYYY-MM-DD HH:MM:SS`, UTC),
//! "description"}`, as one object or an array of one (`callbackShape`), hyphenated or
//! underscored keys (`callbackKeys`). `transmitted` first (switch `callbackTransmitted`),
//! then the final status. Best effort, off the request path; tasks end with the sandbox.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::config::{CallbackShape, KeyStyle};
use super::store::Message;
use crate::shared::Shared;

const RETRY_STEP: Duration = Duration::from_millis(100);

pub(crate) fn schedule(shared: &Arc<Shared>, messages: Vec<Arc<Message>>) {
    if shared.playmobile.config.load().callback_url.is_none() || messages.is_empty() {
        return;
    }
    let shared = shared.clone();
    let stop = shared.shutdown.wait();
    tokio::spawn(async move {
        let all = futures::future::join_all(messages.iter().map(|m| run(&shared, m)));
        tokio::select! {
            _ = stop => {}
            _ = all => {}
        }
    });
}

async fn run(shared: &Shared, m: &Message) {
    sleep_until_ms(m.transmitted_ms).await;
    if shared.playmobile.config.load().callback_transmitted {
        post(
            shared,
            m,
            "transmitted",
            m.transmitted_ms,
            "Transmitted to the operator",
        )
        .await;
    }
    let Some(status) = m.outcome.status() else {
        return;
    };
    sleep_until_ms(m.final_ms).await;
    post(shared, m, status, m.final_ms, m.outcome.description()).await;
}

async fn sleep_until_ms(at_ms: u64) {
    let now = crate::time::now_ms();
    if at_ms > now {
        tokio::time::sleep(Duration::from_millis(at_ms - now)).await;
    }
}

fn utc_plain(ms: u64) -> String {
    let c = crate::time::civil(ms, 0);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

pub(crate) fn body(
    keys: KeyStyle,
    shape: CallbackShape,
    m: &Message,
    status: &str,
    at_ms: u64,
    description: &str,
) -> Value {
    let key = |k: &str| match keys {
        KeyStyle::Hyphen => k.to_owned(),
        KeyStyle::Underscore => k.replace('-', "_"),
    };
    let mut o = Map::new();
    o.insert(key("message-id"), json!(m.draft.message_id));
    o.insert(key("channel"), json!("sms"));
    o.insert(key("status"), json!(status));
    o.insert(key("status-date"), json!(utc_plain(at_ms)));
    o.insert(key("description"), json!(description));
    match shape {
        CallbackShape::Object => Value::Object(o),
        CallbackShape::Array => Value::Array(vec![Value::Object(o)]),
    }
}

async fn post(shared: &Shared, m: &Message, status: &str, at_ms: u64, description: &str) {
    let config = shared.playmobile.config.load_full();
    let Some(url) = config.callback_url.as_deref() else {
        return;
    };
    let payload = body(
        config.callback_keys,
        config.callback_shape,
        m,
        status,
        at_ms,
        description,
    );
    let stats = &shared.playmobile.stats;
    let attempts = 1 + config.callback_retries;
    for attempt in 1..=attempts {
        stats.callbacks_sent.inc();
        match shared.http.post(url).json(&payload).send().await {
            Ok(resp) if resp.status().is_success() => return,
            _ => stats.callbacks_failed.inc(),
        }
        if attempt < attempts {
            tokio::time::sleep(RETRY_STEP * attempt).await;
        }
    }
}
