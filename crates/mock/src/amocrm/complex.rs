//! `POST /api/v4/leads/complex`: a lead with its new (or existing) contact and company in
//! one call — what a website form sends.
//!
//! At most 50 leads per request, one contact and one company per lead. The answer is not
//! HAL but a top-level array, and each `request_id` is an array (it lists the requests
//! merged into one lead when duplicate control is on; the sandbox never merges).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::body;
use super::catalog::MAIN_PIPELINE;
use super::drafts::{self, Embedded};
use super::gate::Api;
use super::problem::{self, hal};
use super::validation::{BatchErrors, Violations};
use crate::shared::Shared;

pub(crate) const MAX_COMPLEX: usize = 50;

pub(crate) async fn create(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    let amo = &shared.amocrm;
    let items = match body::items(&bytes) {
        Ok(items) => items,
        Err(e) => return e.into_response(),
    };
    if items.len() > MAX_COMPLEX {
        return problem::over_limit(MAX_COMPLEX);
    }
    let cfg = amo.config.load();
    let mut crm = amo.store.lock();
    let mut errors = BatchErrors::default();
    let mut accepted = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let request_id = drafts::request_id(item, i);
        let mut v = Violations::new();
        if let Some(o) = drafts::object(item, &mut v) {
            let d = drafts::lead(
                o,
                &crm,
                MAIN_PIPELINE.id,
                Embedded::Complex,
                cfg.ru(),
                &mut v,
            );
            accepted.push((request_id.clone(), d));
        }
        errors.add(&request_id, v);
    }
    if !errors.is_empty() {
        amo.stats.validation_errors.inc();
        return errors.into_response();
    }
    let now = crate::time::now_ms() / 1000;
    let out: Vec<Value> = accepted
        .into_iter()
        .map(|(request_id, d)| {
            let created = crm.create_lead(d, &cfg, now);
            amo.stats.contacts_created.add(created.new_contacts);
            amo.stats.companies_created.add(created.new_companies);
            json!({
                "id": created.lead,
                "contact_id": created.contact,
                "company_id": created.company,
                "request_id": [request_id],
                "merged": false,
            })
        })
        .collect();
    amo.stats.leads_created.add(out.len() as u64);
    hal(&Value::Array(out))
}
