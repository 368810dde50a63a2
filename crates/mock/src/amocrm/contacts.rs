//! `POST /api/v4/contacts`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::body;
use super::drafts;
use super::gate::Api;
use super::listing::MAX_LIMIT;
use super::problem::{self, hal, self_link};
use super::validation::{BatchErrors, Violations};
use crate::shared::Shared;

pub(crate) async fn create(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    let amo = &shared.amocrm;
    let items = match body::items(&bytes) {
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
            accepted.push((
                request_id.clone(),
                drafts::contact(o, &crm, cfg.ru(), &mut v),
            ));
        }
        errors.add(&request_id, v);
    }
    if !errors.is_empty() {
        amo.stats.validation_errors.inc();
        return errors.into_response();
    }
    let base = &shared.base_url;
    let now = crate::time::now_ms() / 1000;
    let contacts: Vec<Value> = accepted
        .into_iter()
        .map(|(request_id, d)| {
            let id = crm.create_contact(d, &cfg, now);
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
    hal(&json!({
        "_links": self_link(&format!("{base}/api/v4/contacts")),
        "_embedded": {"contacts": contacts},
    }))
}
