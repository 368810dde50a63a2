//! Sending: `/message/sms/send`, `/send-batch`, `/send-global`.
//!
//! All three go through [`admit`]: sender, test-mode and moderation checks, billing, then
//! the messages are stored, counted and their callbacks scheduled. A refused request
//! changes nothing.

use std::borrow::Cow;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::bearer::Authed;
use super::config::EskizConfig;
use super::lifecycle::{outcome_for, Timeline};
use super::store::Message;
use super::tokens::TokenRecord;
use super::{callbacks, respond, validate, DEFAULT_NICK};
use crate::fields::{value_str, Fields};
use crate::reply;
use crate::shared::Shared;
use crate::text::segments;

/// The only texts a test account may send (verbatim from the docs).
pub(crate) const TEST_TEXTS: [&str; 3] = [
    "Это тест от Eskiz",
    "Bu Eskiz dan test",
    "This is test from Eskiz",
];

const WAITING: &str = "Waiting for SMS provider";

#[derive(Serialize)]
struct Accepted<'a, S: Serialize> {
    id: String,
    message: &'a str,
    status: S,
}

/// One message of a request, validated but not yet admitted.
struct Draft {
    to: String,
    text: String,
    user_sms_id: Option<String>,
}

/// What the whole request shares.
struct Envelope {
    nick: String,
    callback_url: Option<String>,
    dispatch_id: Option<i64>,
    /// `Some(country)` for send-global.
    country: Option<String>,
    force_ucs2: bool,
}

/// Why an otherwise valid send request is refused; answered with a request id, as the
/// live moderation refusal is.
struct Refusal {
    status: StatusCode,
    message: &'static str,
}

impl Refusal {
    fn bad_request(message: &'static str) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            message,
        }
    }

    fn into_response(self) -> Response {
        respond::send_refused(self.status, self.message)
    }
}

fn refused(shared: &Shared, resp: Response) -> Response {
    shared.eskiz.stats.send_refusals.inc();
    resp
}

fn invalid(shared: &Shared, message: &str) -> Response {
    refused(shared, respond::bad_request(message))
}

/// `POST /message/sms/send` (mobile_phone, message, from, callback_url?, user_sms_id?).
pub(crate) async fn send(
    State(shared): State<Arc<Shared>>,
    Authed(token): Authed,
    fields: Fields,
) -> Response {
    let cfg = shared.eskiz.config.load();
    let draft = match single_draft(&fields, &cfg, validate::local_phone) {
        Ok(d) => d,
        Err(msg) => return invalid(&shared, msg),
    };
    let envelope = match envelope(&fields, None, false) {
        Ok(e) => e,
        Err(msg) => return invalid(&shared, msg),
    };
    send_one(&shared, &cfg, &token, draft, envelope)
}

/// `POST /message/sms/send-global` (mobile_phone, message, country_code, unicode, callback_url).
pub(crate) async fn send_global(
    State(shared): State<Arc<Shared>>,
    Authed(token): Authed,
    fields: Fields,
) -> Response {
    let cfg = shared.eskiz.config.load();
    let mut draft = match single_draft(&fields, &cfg, validate::global_phone) {
        Ok(d) => d,
        Err(msg) => return invalid(&shared, msg),
    };
    // The global callback has no user_sms_id: the field is not part of this endpoint.
    draft.user_sms_id = None;
    let country = match fields.text("country_code") {
        None => return invalid(&shared, "country_code is required"),
        Some(c) => match validate::country_code(&c) {
            Ok(c) => c,
            Err(msg) => return invalid(&shared, msg),
        },
    };
    let force_ucs2 = match fields.text("unicode").as_deref() {
        None | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(_) => return invalid(&shared, "unicode is invalid"),
    };
    let envelope = match envelope(&fields, Some(country), force_ucs2) {
        Ok(e) => e,
        Err(msg) => return invalid(&shared, msg),
    };
    send_one(&shared, &cfg, &token, draft, envelope)
}

/// Admits the one message of a send or send-global request and answers for it.
fn send_one(
    shared: &Arc<Shared>,
    cfg: &EskizConfig,
    token: &TokenRecord,
    draft: Draft,
    envelope: Envelope,
) -> Response {
    match admit(shared, cfg, token, vec![draft], envelope) {
        Ok(messages) => {
            shared.eskiz.stats.sends.inc();
            reply::ok(&Accepted {
                id: messages[0].request_id.to_string(),
                message: WAITING,
                status: "waiting",
            })
        }
        Err(refusal) => refused(shared, refusal.into_response()),
    }
}

/// `POST /message/sms/send-batch` (JSON: messages[]{user_sms_id,to,text}, from, dispatch_id,
/// callback_url).
pub(crate) async fn send_batch(
    State(shared): State<Arc<Shared>>,
    Authed(token): Authed,
    fields: Fields,
) -> Response {
    let cfg = shared.eskiz.config.load();
    if cfg.test_mode {
        // A live batch send from a test account got 403.
        return refused(
            &shared,
            respond::error(
                StatusCode::FORBIDDEN,
                "Batch sending is not available in test mode",
            ),
        );
    }
    let drafts = match batch_drafts(&fields, &cfg) {
        Ok(d) => d,
        Err(msg) => return invalid(&shared, &msg),
    };
    let envelope = match envelope(&fields, None, false) {
        Ok(e) => e,
        Err(msg) => return invalid(&shared, msg),
    };
    match admit(&shared, &cfg, &token, drafts, envelope) {
        Ok(messages) => {
            shared.eskiz.stats.batches.inc();
            reply::ok(&Accepted {
                id: messages[0].request_id.to_string(),
                message: WAITING,
                status: vec!["waiting"; messages.len()],
            })
        }
        Err(refusal) => refused(&shared, refusal.into_response()),
    }
}

fn single_draft(
    fields: &Fields,
    cfg: &EskizConfig,
    phone_rule: fn(&str) -> Result<(), &'static str>,
) -> Result<Draft, &'static str> {
    let to = fields
        .text("mobile_phone")
        .ok_or("mobile_phone is required")?;
    phone_rule(&to)?;
    let text = fields.str("message").filter(|m| !m.trim().is_empty());
    let text = text.ok_or("message is required")?;
    let user_sms_id = match fields.text("user_sms_id") {
        Some(id) => {
            validate::user_sms_id(&id, cfg)?;
            Some(id.into_owned())
        }
        None => None,
    };
    Ok(Draft {
        to: to.into_owned(),
        text: text.into_owned(),
        user_sms_id,
    })
}

fn envelope(
    fields: &Fields,
    country: Option<String>,
    force_ucs2: bool,
) -> Result<Envelope, &'static str> {
    let nick = fields
        .text("from")
        .map_or_else(|| DEFAULT_NICK.to_owned(), Cow::into_owned);
    let callback_url = match fields.str("callback_url") {
        Some(url) => validate::callback_url(&url)?,
        None => None,
    };
    let dispatch_id = match fields.text("dispatch_id") {
        Some(d) => Some(d.parse::<i64>().map_err(|_| "dispatch_id is invalid")?),
        None => None,
    };
    Ok(Envelope {
        nick,
        callback_url,
        dispatch_id,
        country,
        force_ucs2,
    })
}

fn batch_drafts(fields: &Fields, cfg: &EskizConfig) -> Result<Vec<Draft>, String> {
    // JSON is the documented encoding; a form carrying the array as a JSON string is
    // accepted too.
    let parsed;
    let list = match fields.get("messages") {
        Some(Value::Array(list)) => list,
        Some(Value::String(s)) => {
            parsed = serde_json::from_str::<Value>(s).map_err(|_| "messages is invalid")?;
            parsed.as_array().ok_or("messages is invalid")?
        }
        Some(_) => return Err("messages is invalid".into()),
        None => return Err("messages is required".into()),
    };
    if list.is_empty() {
        return Err("messages is required".into());
    }
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| item.get(name).and_then(value_str);
            let to = field("to").ok_or_else(|| format!("messages[{i}].to is required"))?;
            validate::local_phone(&to).map_err(|_| format!("messages[{i}].to is invalid"))?;
            let text = field("text")
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| format!("messages[{i}].text is required"))?;
            let user_sms_id = match field("user_sms_id").filter(|s| !s.is_empty()) {
                Some(id) => {
                    validate::user_sms_id(&id, cfg)
                        .map_err(|_| format!("messages[{i}].user_sms_id is invalid"))?;
                    Some(id.into_owned())
                }
                None => None,
            };
            Ok(Draft {
                to: to.into_owned(),
                text: text.into_owned(),
                user_sms_id,
            })
        })
        .collect()
}

/// Account-level checks, billing and storage for a request's messages.
fn admit(
    shared: &Arc<Shared>,
    cfg: &EskizConfig,
    token: &TokenRecord,
    drafts: Vec<Draft>,
    env: Envelope,
) -> Result<Vec<Arc<Message>>, Refusal> {
    let eskiz = &shared.eskiz;
    if !cfg.nick_allowed(&env.nick) {
        return Err(Refusal::bad_request("from is invalid"));
    }
    if cfg.test_mode
        && drafts
            .iter()
            .any(|d| !TEST_TEXTS.contains(&d.text.as_str()))
    {
        return Err(Refusal::bad_request("Test mode: only the test texts can be sent (Это тест от Eskiz / Bu Eskiz dan test / This is test from Eskiz)"));
    }
    let mut is_ad = vec![false; drafts.len()];
    if cfg.moderation {
        for (flag, d) in is_ad.iter_mut().zip(&drafts) {
            match eskiz.templates.matches(&d.text) {
                Some(ad) => *flag = ad,
                None => return Err(Refusal::bad_request(respond::NOT_MODERATED)),
            }
        }
    }

    let price = if env.country.is_some() {
        cfg.global_price_per_part
    } else {
        cfg.price_per_part
    };
    let segs: Vec<_> = drafts
        .iter()
        .map(|d| segments(&d.text, env.force_ucs2))
        .collect();
    let cost: i64 = segs.iter().map(|s| s.parts as i64 * price).sum();
    if !eskiz.charge(cost) {
        return Err(Refusal::bad_request("Недостаточно средств на балансе"));
    }

    let now = crate::time::now_ms();
    let request_id = Uuid::new_v4();
    let messages: Vec<Message> = drafts
        .into_iter()
        .zip(segs)
        .zip(is_ad)
        .map(|((d, segments), is_ad)| Message {
            id: 0,
            request_id,
            country: env.country.clone(),
            user_sms_id: d.user_sms_id,
            dispatch_id: env.dispatch_id,
            nick: env.nick.clone(),
            smsc_id: if env.country.is_some() {
                8
            } else {
                validate::smsc_of(&d.to)
            },
            timeline: Timeline::new(
                now,
                cfg.accept_after_ms,
                cfg.deliver_after_ms,
                outcome_for(&d.to, cfg.special_numbers),
            ),
            to: d.to,
            text: d.text,
            segments,
            price,
            is_ad,
            callback_url: env.callback_url.clone(),
        })
        .collect();
    let stored = eskiz.store.insert(messages);
    token.sends.inc();
    eskiz.stats.messages.add(stored.len() as u64);
    if env.callback_url.is_some() {
        for m in &stored {
            callbacks::schedule(shared, m.clone());
        }
    }
    Ok(stored)
}
