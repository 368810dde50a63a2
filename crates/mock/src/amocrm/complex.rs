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

use super::batch;
use super::drafts::{self, Embedded};
use super::gate::Api;
use super::problem::hal;
use crate::shared::Shared;

pub(crate) const MAX_COMPLEX: usize = 50;

pub(crate) async fn create(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    let amo = &shared.amocrm;
    batch::write(
        amo,
        &bytes,
        MAX_COMPLEX,
        |o, crm, cfg, v| Some(drafts::new_lead(o, crm, Embedded::Complex, cfg.ru(), v)),
        |crm, cfg, items| {
            let now = crate::time::now_secs();
            let out: Vec<Value> = items
                .into_iter()
                .map(|(request_id, d)| {
                    let created = crm.create_lead(d, cfg, now);
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
        },
    )
}
