//! `POST /api/v4/leads/notes` and `POST /api/v4/leads/{id}/notes`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use super::batch;
use super::drafts;
use super::gate::Api;
use super::listing::MAX_LIMIT;
use super::problem::{self, self_link};
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
    let base = &shared.base_url;
    batch::write(
        amo,
        bytes,
        MAX_LIMIT,
        |o, crm, _, v| drafts::note(o, crm, entity_id, v),
        |crm, cfg, items| {
            let now = crate::time::now_secs();
            let notes: Vec<Value> = items
                .into_iter()
                .map(|(request_id, d)| {
                    let lead = d.entity_id;
                    let id = crm.add_note(d, cfg, now);
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
            batch::written(&path, "notes", notes)
        },
    )
}
