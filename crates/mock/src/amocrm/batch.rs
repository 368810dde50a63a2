//! What every batch write does: read the items, cap how many there are, check each one,
//! refuse the whole request if any item failed, and only then apply them.
//!
//! The store lock is held from the first check to the last change, so what was checked
//! still holds when it is applied and a write is all or nothing even against concurrent
//! writers.

use axum::response::Response;
use serde_json::{json, Map, Value};

use super::config::AmocrmConfig;
use super::drafts;
use super::problem::{self, hal, self_link};
use super::store::Crm;
use super::validation::{BatchErrors, Violations};
use super::{body, Amocrm};

/// Runs a batch write of at most `limit` items.
///
/// `draft` reads one item's object into a draft, reporting its problems in the violations
/// (`None`: nothing to write, the reason reported). If every item passed, `commit` gets the
/// drafts, each with its item's `request_id`, in request order, and answers.
pub(crate) fn write<D>(
    amo: &Amocrm,
    body: &[u8],
    limit: usize,
    draft: impl Fn(&Map<String, Value>, &Crm, &AmocrmConfig, &mut Violations) -> Option<D>,
    commit: impl FnOnce(&mut Crm, &AmocrmConfig, Vec<(String, D)>) -> Response,
) -> Response {
    let items = match body::items(body) {
        Ok(items) => items,
        Err(e) => return e.into_response(),
    };
    if items.len() > limit {
        return problem::over_limit(limit);
    }
    let cfg = amo.config.load();
    let mut crm = amo.store.lock();
    let mut errors = BatchErrors::default();
    let mut accepted = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let request_id = drafts::request_id(item, i);
        let mut v = Violations::new();
        if let Some(o) = drafts::object(item, &mut v) {
            if let Some(d) = draft(o, &crm, &cfg, &mut v) {
                accepted.push((request_id.clone(), d));
            }
        }
        errors.add(&request_id, v);
    }
    if !errors.is_empty() {
        return refuse(amo, errors);
    }
    commit(&mut crm, &cfg, accepted)
}

/// The 400 of a write with failing items, counted.
pub(crate) fn refuse(amo: &Amocrm, errors: BatchErrors) -> Response {
    amo.stats.validation_errors.inc();
    errors.into_response()
}

/// The HAL answer of a write: the written `items` under `_embedded.{key}`, linked to the
/// collection at `url`.
pub(crate) fn written(url: &str, key: &str, items: Vec<Value>) -> Response {
    hal(&json!({
        "_links": self_link(url),
        "_embedded": {key: items},
    }))
}
