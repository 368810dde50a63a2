//! Status callbacks: one POST to the message's `StatusCallback` per status change after
//! creation, signed with `X-Twilio-Signature` (see `signature`).
//!
//! Parameters: `AccountSid`, `ApiVersion`, `From`, `To`, `MessageSid`, `SmsSid`,
//! `MessageStatus`, `SmsStatus`, `MessagingServiceSid` (with a service), `ErrorCode`
//! (`failed`, `undelivered`) and `RawDlrDoneDate` (`YYMMDDhhmm` UTC; `delivered`,
//! `undelivered`). Form-encoded, or JSON with `bodySHA256` (switch `callbackJson`).
//! Best effort and off the request path: one attempt each, counted; no callbacks under test
//! credentials (decided when the message is created). Tasks end with the sandbox.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};

use super::render::API_VERSION;
use super::signature;
use super::store::Message;
use crate::shared::Shared;

const SIGNATURE_HEADER: &str = "x-twilio-signature";
/// What Twilio's webhook requests identify themselves as.
const USER_AGENT: &str = "TwilioProxy/1.1";

/// Posts a callback for each coming status change of `message`, if it has a callback URL.
pub(crate) fn schedule(shared: &Arc<Shared>, message: Arc<Message>) {
    if !message.callbacks || message.status_callback.is_none() {
        return;
    }
    spawn(shared, move |shared: Arc<Shared>| async move {
        for step in message.timeline.changes() {
            sleep_until_ms(step.at_ms).await;
            // A canceled scheduled message goes no further (its own callback says so).
            if message.canceled_ms().is_some() {
                return;
            }
            post(&shared, &message, step.status, step.at_ms).await;
        }
    });
}

/// Posts the `canceled` callback of a message just canceled.
pub(crate) fn canceled(shared: &Arc<Shared>, message: Arc<Message>, at_ms: u64) {
    if !message.callbacks || message.status_callback.is_none() {
        return;
    }
    spawn(shared, move |shared: Arc<Shared>| async move {
        post(&shared, &message, "canceled", at_ms).await;
    });
}

fn spawn<F>(shared: &Arc<Shared>, task: impl FnOnce(Arc<Shared>) -> F + Send + 'static)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let stop = shared.shutdown.wait();
    let shared = shared.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = stop => {}
            _ = task(shared) => {}
        }
    });
}

async fn sleep_until_ms(at_ms: u64) {
    let now = crate::time::now_ms();
    if at_ms > now {
        tokio::time::sleep(Duration::from_millis(at_ms - now)).await;
    }
}

/// The parameters of the callback for `status`, reached at `at_ms`.
pub(crate) fn params(m: &Message, status: &'static str, at_ms: u64) -> Vec<(&'static str, String)> {
    let mut p = vec![
        ("AccountSid", m.account_sid.clone()),
        ("ApiVersion", API_VERSION.to_owned()),
    ];
    if let Some(from) = m.visible_from(at_ms) {
        p.push(("From", from.to_owned()));
    }
    p.extend([
        ("To", m.to.clone()),
        ("MessageSid", m.sid.clone()),
        ("SmsSid", m.sid.clone()),
        ("MessageStatus", status.to_owned()),
        ("SmsStatus", status.to_owned()),
    ]);
    if let Some(mg) = &m.messaging_service_sid {
        p.push(("MessagingServiceSid", mg.clone()));
    }
    if matches!(status, "failed" | "undelivered") {
        if let Some(code) = m.error_code(at_ms) {
            p.push(("ErrorCode", code.to_string()));
        }
    }
    if matches!(status, "delivered" | "undelivered") {
        p.push(("RawDlrDoneDate", raw_dlr_done_date(at_ms)));
    }
    p
}

/// `YYMMDDhhmm` in UTC, as carriers report the delivery time.
fn raw_dlr_done_date(ms: u64) -> String {
    let c = crate::time::civil(ms, 0);
    format!(
        "{:02}{:02}{:02}{:02}{:02}",
        c.year.rem_euclid(100),
        c.month,
        c.day,
        c.hour,
        c.minute
    )
}

async fn post(shared: &Shared, m: &Message, status: &'static str, at_ms: u64) {
    let Some(url) = m.status_callback.as_deref() else {
        return;
    };
    let cfg = shared.twilio.config.load();
    let params = params(m, status, at_ms);
    let (target, body, content_type, signature) = if cfg.callback_json {
        let object: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(v.as_str())))
            .collect();
        let body = serde_json::to_vec(&object).unwrap_or_default();
        let target = signature::with_body_hash(url, &body);
        let signed_url = signed_form(&target, cfg.sign_callbacks_with_port);
        let sig = signature::sign(&cfg.auth_token, &signed_url, &[]);
        (target, body, "application/json", sig)
    } else {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
            .finish()
            .into_bytes();
        let signed_url = signed_form(url, cfg.sign_callbacks_with_port);
        let sig = signature::sign(&cfg.auth_token, &signed_url, &params);
        (
            url.to_owned(),
            body,
            "application/x-www-form-urlencoded",
            sig,
        )
    };
    let Ok(signature) = HeaderValue::from_str(&signature) else {
        return;
    };
    let stats = &shared.twilio.stats;
    stats.callbacks_sent.inc();
    let sent = shared
        .http
        .post(target)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::USER_AGENT, USER_AGENT)
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await;
    if !sent.is_ok_and(|r| r.status().is_success()) {
        stats.callbacks_failed.inc();
    }
}

fn signed_form(url: &str, with_port: bool) -> String {
    if with_port {
        signature::with_default_port(url).into_owned()
    } else {
        url.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_dlr_done_date_is_yymmddhhmm() {
        // 2024-05-31T17:02:27Z
        assert_eq!(raw_dlr_done_date(1_717_174_947_954), "2405311702");
    }
}
