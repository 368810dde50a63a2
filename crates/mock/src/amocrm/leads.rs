//! `/api/v4/leads`: create, update, list and read leads.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::drafts::{self, Embedded};
use super::gate::Api;
use super::listing::{self, MAX_LIMIT};
use super::problem::{self, hal, self_link};
use super::render::{self, Ctx};
use super::validation::{BatchErrors, Violations};
use super::{batch, body};
use crate::shared::Shared;

/// `POST /api/v4/leads`: an array of leads; `_embedded.contacts`/`companies` link existing
/// entities only.
pub(crate) async fn create(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    let amo = &shared.amocrm;
    let base = &shared.base_url;
    batch::write(
        amo,
        &bytes,
        MAX_LIMIT,
        |o, crm, cfg, v| Some(drafts::new_lead(o, crm, Embedded::Links, cfg.ru(), v)),
        |crm, cfg, items| {
            let now = crate::time::now_secs();
            let leads: Vec<Value> = items
                .into_iter()
                .map(|(request_id, d)| {
                    let id = crm.create_lead(d, cfg, now).lead;
                    json!({
                        "id": id,
                        "request_id": request_id,
                        "_links": self_link(&format!("{base}/api/v4/leads/{id}")),
                    })
                })
                .collect();
            amo.stats.leads_created.add(leads.len() as u64);
            batch::written(&format!("{base}/api/v4/leads"), "leads", leads)
        },
    )
}

/// Checks one update item against lead `id` (`None`: the item's own `id`).
fn update_draft(
    crm: &super::store::Crm,
    o: &Map<String, Value>,
    id: Option<u64>,
    ru: bool,
    v: &mut Violations,
) -> Option<(u64, drafts::LeadDraft)> {
    let id = match id {
        Some(id) => id,
        None => match drafts::int(o, "id", v) {
            Some(id) => id,
            None => {
                if o.get("id").is_none_or(Value::is_null) {
                    v.blank("id");
                }
                return None;
            }
        },
    };
    let Some(lead) = crm.leads.get(id) else {
        v.not_a_choice("id");
        return None;
    };
    let d = drafts::lead(o, crm, lead.pipeline_id, Embedded::Links, ru, v);
    Some((id, d))
}

/// `PATCH /api/v4/leads`: an array of `{id, …fields}`.
pub(crate) async fn update(State(shared): State<Arc<Shared>>, _: Api, bytes: Bytes) -> Response {
    let amo = &shared.amocrm;
    let base = &shared.base_url;
    batch::write(
        amo,
        &bytes,
        MAX_LIMIT,
        |o, crm, cfg, v| update_draft(crm, o, None, cfg.ru(), v),
        |crm, _, items| {
            let now = crate::time::now_secs();
            let leads: Vec<Value> = items
                .into_iter()
                .filter_map(|(request_id, (id, d))| {
                    let updated_at = crm.update_lead(id, d, now)?;
                    Some(json!({
                        "id": id,
                        "updated_at": updated_at,
                        "request_id": request_id,
                        "_links": self_link(&format!("{base}/api/v4/leads/{id}")),
                    }))
                })
                .collect();
            amo.stats.leads_updated.add(leads.len() as u64);
            batch::written(&format!("{base}/api/v4/leads"), "leads", leads)
        },
    )
}

/// `PATCH /api/v4/leads/{id}`: one object.
pub(crate) async fn update_one(
    State(shared): State<Arc<Shared>>,
    _: Api,
    Path(id): Path<String>,
    uri: Uri,
    bytes: Bytes,
) -> Response {
    let amo = &shared.amocrm;
    let Ok(id) = id.parse::<u64>() else {
        return problem::not_found(
            &axum::http::Method::PATCH,
            &format!("{}{uri}", shared.base_url),
        );
    };
    let item = match body::object(&bytes) {
        Ok(item) => item,
        Err(e) => return e.into_response(),
    };
    let cfg = amo.config.load();
    let mut crm = amo.store.lock();
    let mut v = Violations::new();
    let update = drafts::object(&item, &mut v)
        .and_then(|o| update_draft(&crm, o, Some(id), cfg.ru(), &mut v));
    let request_id = drafts::request_id(&item, 0);
    let (Some((id, d)), true) = (update, v.is_empty()) else {
        let mut errors = BatchErrors::default();
        errors.add(&request_id, v);
        return batch::refuse(amo, errors);
    };
    let Some(updated_at) = crm.update_lead(id, d, crate::time::now_secs()) else {
        return problem::no_content();
    };
    amo.stats.leads_updated.inc();
    hal(&json!({
        "id": id,
        "updated_at": updated_at,
        "_links": self_link(&format!("{}/api/v4/leads/{id}", shared.base_url)),
    }))
}

/// `GET /api/v4/leads`.
pub(crate) async fn list(State(shared): State<Arc<Shared>>, _: Api, uri: Uri) -> Response {
    let amo = &shared.amocrm;
    let raw_query = uri.query().unwrap_or("");
    let Ok(q) = listing::parse(raw_query) else {
        return problem::over_limit(MAX_LIMIT);
    };
    let cfg = amo.config.load();
    let crm = amo.store.lock();
    let mut rows: Vec<_> = crm.leads.iter().filter(|l| q.matches(l)).collect();
    q.sort(&mut rows);
    let window = q.window(rows.len());
    if window.is_empty() {
        return problem::no_content();
    }
    let ctx = Ctx {
        base: &shared.base_url,
        account_id: cfg.account_id,
        query: raw_query,
    };
    let items: Vec<Value> = rows[window]
        .iter()
        .map(|l| render::lead(&crm, l, &ctx, q.with_contacts))
        .collect();
    let path = format!("{}/api/v4/leads", shared.base_url);
    hal(&q.page(&path, "leads", items))
}

/// `GET /api/v4/leads/{id}`: 204 when there is no such lead.
pub(crate) async fn one(
    State(shared): State<Arc<Shared>>,
    _: Api,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let amo = &shared.amocrm;
    let Ok(id) = id.parse::<u64>() else {
        return problem::not_found(
            &axum::http::Method::GET,
            &format!("{}{uri}", shared.base_url),
        );
    };
    let raw_query = uri.query().unwrap_or("");
    let with_contacts = url::form_urlencoded::parse(raw_query.as_bytes())
        .any(|(k, v)| k == "with" && v.split(',').any(|w| w.trim() == "contacts"));
    let cfg = amo.config.load();
    let crm = amo.store.lock();
    let Some(lead) = crm.leads.get(id) else {
        return problem::no_content();
    };
    let ctx = Ctx {
        base: &shared.base_url,
        account_id: cfg.account_id,
        query: raw_query,
    };
    hal(&render::lead(&crm, lead, &ctx, with_contacts))
}
