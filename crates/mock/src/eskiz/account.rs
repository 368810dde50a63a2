//! Account endpoints: balance, sender names, templates, prices.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::bearer::Authed;
use super::{respond, DEFAULT_NICK};
use crate::fields::Fields;
use crate::reply;
use crate::shared::Shared;

/// `GET /user/get-limit`: the balance, in UZS.
pub(crate) async fn get_limit(State(shared): State<Arc<Shared>>, _auth: Authed) -> Response {
    reply::ok(&json!({"data": {"balance": shared.eskiz.balance()}, "status": "success"}))
}

/// `GET /nick/me`: a bare array of approved sender names.
pub(crate) async fn nicks(State(shared): State<Arc<Shared>>, _auth: Authed) -> Response {
    let cfg = shared.eskiz.config.load();
    let mut list = vec![DEFAULT_NICK.to_owned()];
    list.extend(cfg.nicks.iter().filter(|n| *n != DEFAULT_NICK).cloned());
    reply::ok(&list)
}

/// `POST /user/template` (template): submitted for moderation, or approved at once with
/// `autoApproveTemplates`.
pub(crate) async fn submit_template(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let Some(text) = fields.str("template").filter(|t| !t.trim().is_empty()) else {
        return respond::bad_request("template is required");
    };
    let auto = shared.eskiz.config.load().auto_approve_templates;
    let status = if auto { "service" } else { "moderation" };
    shared.eskiz.templates.submit(&text, status);
    reply::ok(&json!({"template": text}))
}

/// `GET /user/templates`.
pub(crate) async fn templates(State(shared): State<Arc<Shared>>, _auth: Authed) -> Response {
    reply::ok(&json!({"success": true, "result": shared.eskiz.templates.list()}))
}

/// `GET /user/prices`: international (`global`) and per-operator (`local`) prices.
pub(crate) async fn prices(State(shared): State<Arc<Shared>>, _auth: Authed) -> Response {
    let cfg = shared.eskiz.config.load();
    let global_price = cfg.global_price_per_part;
    let global: Vec<Value> = [
        ("ae", "United Arab Emirates", "971"),
        ("kz", "Kazakhstan", "7"),
        ("ru", "Russia", "7"),
        ("tj", "Tajikistan", "992"),
        ("kg", "Kyrgyzstan", "996"),
        ("tr", "Turkey", "90"),
        ("us", "United States", "1"),
    ]
    .iter()
    .map(|(code, name, prefix)| {
        json!({"code": code, "name": name, "prefix": prefix, "status": "active", "price": global_price})
    })
    .collect();
    let local: Vec<Value> = [
        (1, "mobiuz"),
        (2, "beeline"),
        (3, "ucell"),
        (4, "humans"),
        (5, "uzmobile_gsm"),
        (6, "uzmobile_cdma"),
        (7, "perfectum"),
    ]
    .iter()
    .map(|(id, name)| {
        json!({"smsc_id": id, "name": name, "price": cfg.price_per_part, "ad_price": cfg.price_per_part})
    })
    .collect();
    reply::ok(&json!({"global": global, "local": local}))
}
