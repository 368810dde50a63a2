//! `POST /broker-api/send`: Basic auth, then the body rules, then every message of the
//! request accepted together (a single SMS is a batch of one) and `200 Request is
//! received` in plain text. No id comes back: the client's `message-id` is the handle.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::callbacks;
use super::error;
use super::store::{NewMessage, Outcome};
use super::validate;
use crate::shared::Shared;

pub(crate) async fn send(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pm = &shared.playmobile;
    let config = pm.config.load_full();
    let authorised = basic_credentials(&headers)
        .is_some_and(|(user, password)| config.accepts(&user, &password));
    if !authorised {
        pm.stats.auth_failures.inc();
        return error::unauthorized();
    }
    let drafts = match validate::check(&config, &body) {
        Ok(d) => d,
        Err(code) => {
            pm.stats.reject(code);
            return error::refusal(&config, code);
        }
    };
    let now = crate::time::now_ms();
    let delays = config.status_delays_ms;
    let new = drafts
        .into_iter()
        .map(|draft| {
            let parts = draft
                .text
                .as_deref()
                .map_or(1, |t| crate::text::segments(t, false).parts);
            let outcome = Outcome::for_recipient(&draft.recipient, config.special_numbers);
            let transmitted_ms = now + delays.transmitted;
            NewMessage {
                draft,
                parts,
                created_ms: now,
                transmitted_ms,
                final_ms: (now + delays.final_).max(transmitted_ms),
                outcome,
            }
        })
        .collect::<Vec<_>>();
    let count = new.len() as u64;
    let (stored, duplicates) = pm.store.add_all(new);
    pm.stats.sends.inc();
    pm.stats.messages.add(count);
    pm.stats.duplicate_message_ids.add(duplicates);
    callbacks::schedule(&shared, stored);
    error::received()
}

/// `(user, password)` of an `Authorization: Basic …` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
