//! `POST /api/v4/contacts`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::batch;
use super::drafts;
use super::gate::Api;
use super::listing::MAX_LIMIT;
use super::problem::self_link;
use crate::shared::Shared;

pub(crate) async fn create(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    let amo = &shared.amocrm;
    let base = &shared.base_url;
    batch::write(
        amo,
        &bytes,
        MAX_LIMIT,
        |o, crm, cfg, v| Some(drafts::contact(o, crm, cfg.ru(), v)),
        |crm, cfg, items| {
            let now = crate::time::now_secs();
            let contacts: Vec<Value> = items
                .into_iter()
                .map(|(request_id, d)| {
                    let id = crm.create_contact(d, cfg, now);
                    json!({
                        "id": id,
                        "is_deleted": false,
                        "is_unsorted": false,
                        "request_id": request_id,
                        "_links": self_link(&format!("{base}/api/v4/contacts/{id}")),
                    })
                })
                .collect();
            amo.stats.contacts_created.add(contacts.len() as u64);
            batch::written(&format!("{base}/api/v4/contacts"), "contacts", contacts)
        },
    )
}
