//! The Message resource: create (`POST …/Messages.json`), fetch, update (cancel, redact) and
//! delete (`…/Messages/{Sid}.json`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::auth::Authed;
use super::error::TwilioError;
use super::form::Form;
use super::lifecycle::{outcome_for, Plan, Timeline};
use super::store::{Message, NewMessage};
use super::validate::{self, Params};
use super::{callbacks, render, respond, sids};
use crate::shared::Shared;
use crate::time::now_ms;

/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` → 201 and the new resource.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    authed: Authed,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let twilio = &shared.twilio;
    let cfg = twilio.config.load();
    let now = now_ms();
    let params = Params {
        to: form.text("To"),
        from: form.text("From"),
        messaging_service_sid: form.text("MessagingServiceSid"),
        body: form.text("Body"),
        media_urls: form.all("MediaUrl"),
        content_sid: form.text("ContentSid"),
        status_callback: form.text("StatusCallback"),
        validity_period: form.text("ValidityPeriod"),
        schedule_type: form.text("ScheduleType"),
        send_at: form.text("SendAt"),
        provide_feedback: form.text("ProvideFeedback"),
    };
    let draft = match validate::draft(&params, &cfg, now) {
        Ok(d) => d,
        Err(e) => return e.into_response(&shared),
    };
    let plan = Plan {
        via_service: draft.messaging_service_sid.is_some(),
        send_at_ms: draft.send_at_ms,
    };
    let outcome = outcome_for(&draft.to, cfg.special_numbers);
    let sid = sids::mint(if draft.num_media > 0 { "MM" } else { "SM" });
    let message = twilio.store.insert(NewMessage {
        sid,
        account_sid: authed.account_sid,
        segments: crate::text::segments(&draft.body, false).parts,
        timeline: Timeline::new(now, plan, &cfg.status_delays_ms, outcome),
        to: draft.to,
        from: draft.from,
        service_picks_sender: draft.service_picks_sender,
        messaging_service_sid: draft.messaging_service_sid,
        body: draft.body,
        num_media: draft.num_media,
        status_callback: draft.status_callback,
        callbacks: !cfg.test_credentials,
        feedback: draft.feedback,
    });
    twilio.stats.messages.inc();
    callbacks::schedule(&shared, message.clone());
    respond::json(
        &shared,
        StatusCode::CREATED,
        &render::message(&message, now),
    )
}

/// The message a `…/Messages/{Sid}.json` path names (live credentials only), or why not.
fn find(
    shared: &Shared,
    authed: &Authed,
    file: &str,
    uri: &Uri,
) -> Result<Arc<Message>, TwilioError> {
    authed.require_live()?;
    file.strip_suffix(".json")
        .and_then(|sid| shared.twilio.store.get(&authed.account_sid, sid))
        .ok_or_else(|| TwilioError::not_found(uri.path()))
}

/// `GET …/Messages/{Sid}.json`: the resource as it is now.
pub(crate) async fn fetch(
    State(shared): State<Arc<Shared>>,
    authed: Authed,
    Path((_, file)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    match find(&shared, &authed, &file, &uri) {
        Ok(m) => respond::json(&shared, StatusCode::OK, &render::message(&m, now_ms())),
        Err(e) => e.into_response(&shared),
    }
}

/// `POST …/Messages/{Sid}.json` with `Status=canceled` (a message still `scheduled`; else
/// 30409) and/or `Body=` (redaction: only an empty body is accepted).
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    authed: Authed,
    Path((_, file)): Path<(String, String)>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let message = match find(&shared, &authed, &file, &uri) {
        Ok(m) => m,
        Err(e) => return e.into_response(&shared),
    };
    let form = Form::parse(&body);
    let now = now_ms();
    let bad = |code: u32, text: String| TwilioError::bad_request(code, text).into_response(&shared);
    if let Some(status) = form.text("Status") {
        if status != "canceled" {
            return bad(
                20001,
                format!("Invalid Status: {status}. The only value accepted is canceled."),
            );
        }
    }
    if let Some(new_body) = form.get("Body") {
        if !new_body.is_empty() {
            return bad(
                20001,
                "Body can only be updated to an empty string, to redact the message.".into(),
            );
        }
    }
    if form.text("Status").is_some() {
        if !message.cancel(now) {
            return bad(30409, "This message cannot be canceled".into());
        }
        shared.twilio.stats.canceled.inc();
        callbacks::canceled(&shared, message.clone(), now);
    }
    if form.get("Body").is_some() {
        message.redact(now);
    }
    respond::json(&shared, StatusCode::OK, &render::message(&message, now))
}

/// `DELETE …/Messages/{Sid}.json` → 204. A message still on its way cannot be deleted
/// (409 / 20009).
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    authed: Authed,
    Path((_, file)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let message = match find(&shared, &authed, &file, &uri) {
        Ok(m) => m,
        Err(e) => return e.into_response(&shared),
    };
    if !message.is_complete(now_ms()) {
        return TwilioError::new(
            StatusCode::CONFLICT,
            20009,
            "Cannot delete this resource before it is complete",
        )
        .into_response(&shared);
    }
    shared.twilio.store.remove(&message.sid);
    shared.twilio.stats.deleted.inc();
    respond::no_content(&shared)
}
