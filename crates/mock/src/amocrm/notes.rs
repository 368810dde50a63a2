//! `POST /api/v4/leads/notes` and `POST /api/v4/leads/{id}/notes`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use super::body;
use super::drafts;
use super::gate::Api;
use super::listing::MAX_LIMIT;
use super::problem::{self, hal, self_link};
use super::validation::{BatchErrors, Violations};
use crate::shared::Shared;

/// `entity_id` in each item.
pub(crate) async fn create(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    add(&shared, None, &bytes)
}

/// `entity_id` implied by the path.
pub(crate) async fn create_for(
    State(shared): State<Arc<Shared>>,
    _: Api,
    Path(id): Path<String>,
    uri: Uri,
    bytes: Bytes,
) -> Response {
    match id.parse::<u64>() {
        Ok(id) => add(&shared, Some(id), &bytes),
        Err(_) => problem::not_found(&Method::POST, &format!("{}{uri}", shared.base_url)),
    }
}

fn add(shared: &Shared, entity_id: Option<u64>, bytes: &[u8]) -> Response {
    let amo = &shared.amocrm;
    let items = match body::items(bytes) {
        Ok(items) => items,
        Err(e) => return e.into_response(),
    };
    if items.len() > MAX_LIMIT {
        return problem::over_limit(MAX_LIMIT);
    }
    let cfg = amo.config.load();
    let mut crm = amo.store.lock();
    let mut errors = BatchErrors::default();
    let mut accepted = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let request_id = drafts::request_id(item, i);
        let mut v = Violations::new();
        if let Some(o) = drafts::object(item, &mut v) {
            if let Some(d) = drafts::note(o, &crm, entity_id, &mut v) {
                accepted.push((request_id.clone(), d));
            }
        }
        errors.add(&request_id, v);
    }
    if !errors.is_empty() {
        amo.stats.validation_errors.inc();
        return errors.into_response();
    }
    let base = &shared.base_url;
    let now = crate::time::now_ms() / 1000;
    let notes: Vec<Value> = accepted
        .into_iter()
        .map(|(request_id, d)| {
            let lead = d.entity_id;
            let id = crm.add_note(d, &cfg, now);
            json!({
                "id": id,
                "entity_id": lead,
                "request_id": request_id,
                "_links": self_link(&format!("{base}/api/v4/leads/{lead}/notes/{id}")),
            })
        })
        .collect();
    amo.stats.notes_created.add(notes.len() as u64);
    let path = match entity_id {
        Some(id) => format!("{base}/api/v4/leads/{id}/notes"),
        None => format!("{base}/api/v4/leads/notes"),
    };
    hal(&json!({"_links": self_link(&path), "_embedded": {"notes": notes}}))
}
