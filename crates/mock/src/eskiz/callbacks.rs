//! Delivery callbacks: Eskiz POSTs each status change to the message's `callback_url`.
//!
//! Best effort and off the request path: one task per message sleeps until the message is
//! ACCEPTED (that callback is optional, switch `callbackAccepted`) and until it is final,
//! and posts each time. All values are strings; `status` is the per-part state (`DELIVRD`…)
//! and `status_date` Tashkent local time. Send-global callbacks have no `request_id` and
//! no `user_sms_id`. Tasks end with the sandbox.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::lifecycle::Outcome;
use super::store::Message;
use crate::shared::Shared;

/// Pause before retrying a failed callback, multiplied by the attempt number.
const RETRY_STEP: Duration = Duration::from_millis(100);

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    message_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_sms_id: Option<&'a str>,
    country: &'a str,
    phone_number: &'a str,
    sms_count: String,
    status: &'a str,
    status_date: String,
}

pub(crate) fn schedule(shared: &Arc<Shared>, message: Arc<Message>) {
    if message.callback_url.is_none() {
        return;
    }
    let shared = shared.clone();
    let stop = shared.shutdown.wait();
    tokio::spawn(async move {
        tokio::select! {
            _ = stop => {}
            _ = run(&shared, &message) => {}
        }
    });
}

async fn run(shared: &Shared, m: &Message) {
    let t = m.timeline;
    sleep_until_ms(t.accepted_ms).await;
    if shared.eskiz.config.load().callback_accepted {
        post(shared, m, t.accepted_ms).await;
    }
    if t.outcome == Outcome::NoReport {
        return;
    }
    sleep_until_ms(t.final_ms).await;
    post(shared, m, t.final_ms).await;
}

async fn sleep_until_ms(at_ms: u64) {
    let now = crate::time::now_ms();
    if at_ms > now {
        tokio::time::sleep(Duration::from_millis(at_ms - now)).await;
    }
}

/// Posts the message's state as of `at_ms`, with the configured retries.
async fn post(shared: &Shared, m: &Message, at_ms: u64) {
    let Some(url) = m.callback_url.as_deref() else {
        return;
    };
    let global = m.country.is_some();
    let body = Body {
        request_id: (!global).then(|| m.request_id.to_string()),
        message_id: m.id.to_string(),
        user_sms_id: if global {
            None
        } else {
            Some(m.user_sms_id.as_deref().unwrap_or(""))
        },
        country: m.country.as_deref().unwrap_or("UZ"),
        phone_number: &m.to,
        sms_count: m.segments.parts.to_string(),
        status: m.timeline.part_state(at_ms),
        status_date: crate::time::plain_tashkent(at_ms),
    };
    let stats = &shared.eskiz.stats;
    let attempts = 1 + shared.eskiz.config.load().callback_retries;
    for attempt in 1..=attempts {
        let request = shared.http.post(url);
        let request = if shared.eskiz.config.load().callback_form {
            request.form(&body)
        } else {
            request.json(&body)
        };
        stats.callbacks_sent.inc();
        match request.send().await {
            Ok(resp) if resp.status().is_success() => return,
            _ => stats.callbacks_failed.inc(),
        }
        if attempt < attempts {
            tokio::time::sleep(RETRY_STEP * attempt).await;
        }
    }
}
