//! `GET /api/v4/account` and `GET /api/v4/leads/pipelines`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::json;

use super::catalog::{self, PIPELINES};
use super::gate::Api;
use super::problem::{hal, self_link};
use crate::shared::Shared;

/// The account, the cheap keep-alive probe. `with=amojo_id,version,…` adds those members
/// the sandbox can fill.
pub(crate) async fn account(State(shared): State<Arc<Shared>>, _: Api, uri: Uri) -> Response {
    let cfg = shared.amocrm.config.load();
    let created_at = shared.started_ms / 1000;
    let (country, currency, symbol) = if cfg.ru() {
        ("RU", "RUB", "₽")
    } else {
        ("US", "USD", "$")
    };
    let mut body = json!({
        "id": cfg.account_id,
        "name": cfg.account_name,
        "subdomain": cfg.subdomain,
        "created_at": created_at,
        "created_by": 0,
        "updated_at": created_at,
        "updated_by": 0,
        "current_user_id": cfg.user_id,
        "country": country,
        "currency": currency,
        "currency_symbol": symbol,
        "customers_mode": "disabled",
        "is_unsorted_on": true,
        "mobile_feature_version": 0,
        "is_loss_reason_enabled": true,
        "is_helpbot_enabled": false,
        "is_technical_account": false,
        "contact_name_display_order": 1,
        "_links": self_link(&format!("{}/api/v4/account", shared.base_url)),
    });
    let with = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "with")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    for part in with.split(',').map(str::trim) {
        match part {
            // A stable id derived from the account, as the chat service's id is.
            "amojo_id" => {
                body["amojo_id"] = json!(uuid::Uuid::from_u64_pair(cfg.account_id, 0).to_string())
            }
            "version" => body["version"] = json!(2),
            "drive_url" => {
                body["drive_url"] = json!(format!("https://drive-b.{}", cfg.top_level_domain))
            }
            _ => {}
        }
    }
    hal(&body)
}

pub(crate) async fn pipelines(State(shared): State<Arc<Shared>>, _: Api) -> Response {
    let cfg = shared.amocrm.config.load();
    let base = &shared.base_url;
    let list: Vec<_> = PIPELINES
        .iter()
        .map(|p| catalog::pipeline_json(p, cfg.account_id, base, cfg.ru()))
        .collect();
    hal(&json!({
        "_total_items": list.len(),
        "_links": self_link(&format!("{base}/api/v4/leads/pipelines")),
        "_embedded": {"pipelines": list},
    }))
}
