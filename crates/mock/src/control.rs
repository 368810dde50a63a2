//! The control API under `/__sandbox/`, for a sandbox running as its own process:
//! the same operations as the Rust methods of [`crate::Sandbox`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::reply;
use crate::shared::Shared;

fn done() -> Response {
    reply::ok(&json!({"ok": true}))
}

fn failed(message: String) -> Response {
    reply::json(
        StatusCode::BAD_REQUEST,
        &json!({"ok": false, "error": message}),
    )
}

fn outcome(result: Result<(), String>) -> Response {
    match result {
        Ok(()) => done(),
        Err(e) => failed(e),
    }
}

/// A JSON body (empty = `{}`), or what is wrong with it.
fn parse(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.stats())
}

async fn inbox(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.inbox())
}

async fn clear_inbox(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_inbox();
    done()
}

async fn configure(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match parse(&body) {
        Ok(patch) => outcome(shared.configure(patch)),
        Err(e) => failed(e),
    }
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.faults.describe())
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match parse(&body) {
        Ok(fault) => match shared.faults.add(fault) {
            Ok(id) => reply::ok(&json!({"ok": true, "id": id})),
            Err(e) => failed(e),
        },
        Err(e) => failed(e),
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.faults.clear();
    done()
}

async fn expire(State(shared): State<Arc<Shared>>, Path(provider): Path<String>) -> Response {
    outcome(shared.expire_tokens(&provider))
}

async fn revoke(State(shared): State<Arc<Shared>>, Path(provider): Path<String>) -> Response {
    outcome(shared.revoke_tokens(&provider))
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset_stats();
    done()
}

async fn eskiz_templates(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.eskiz.templates_json())
}

async fn eskiz_approve_all(State(shared): State<Arc<Shared>>) -> Response {
    let n = shared.eskiz.approve_templates();
    reply::ok(&json!({"ok": true, "approved": n}))
}

/// Body `{"status": "service" | "reklama" | "rejected" | …}`; `service` when absent.
async fn eskiz_template_status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    body: axum::body::Bytes,
) -> Response {
    let patch = match parse(&body) {
        Ok(v) => v,
        Err(e) => return failed(e),
    };
    let status = patch
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("service");
    outcome(shared.eskiz.set_template_status(id, status))
}

async fn amocrm_code(State(shared): State<Arc<Shared>>) -> Response {
    let code = shared.amocrm.issue_code();
    reply::ok(&json!({"ok": true, "code": code}))
}

async fn amocrm_unblock(State(shared): State<Arc<Shared>>) -> Response {
    shared.amocrm.unblock();
    done()
}

async fn twilio_account(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.twilio.account_json())
}

async fn playmobile_messages(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.playmobile.messages_json())
}

async fn amocrm_leads(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.amocrm.leads_json(&shared.base_url))
}

fn query(uri: &Uri) -> HashMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

async fn telegram_bot(State(shared): State<Arc<Shared>>) -> Response {
    reply::ok(&shared.telegram.bot_json())
}

/// `?chatId=N` keeps one chat's messages.
async fn telegram_messages(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let q = query(&uri);
    let chat = q.get("chatId").and_then(|c| c.parse::<i64>().ok());
    reply::ok(&shared.telegram.messages_json(chat))
}

/// `?name=N` keeps one receiver's requests.
async fn webhook_requests(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let q = query(&uri);
    reply::ok(
        &shared
            .webhooks
            .requests_json(q.get("name").map(String::as_str)),
    )
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/stats", get(stats))
        .route("/inbox", get(inbox).delete(clear_inbox))
        .route("/configure", post(configure))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/expire/{provider}", post(expire))
        .route("/revoke/{provider}", post(revoke))
        .route("/reset", post(reset))
        .route("/eskiz/templates", get(eskiz_templates))
        .route("/eskiz/templates/approve", post(eskiz_approve_all))
        .route("/eskiz/templates/{id}", post(eskiz_template_status))
        .route("/amocrm/code", post(amocrm_code))
        .route("/amocrm/unblock", post(amocrm_unblock))
        .route("/amocrm/leads", get(amocrm_leads))
        .route("/twilio/account", get(twilio_account))
        .route("/playmobile/messages", get(playmobile_messages))
        .route("/telegram/bot", get(telegram_bot))
        .route("/telegram/messages", get(telegram_messages))
        .route("/webhooks", get(webhook_requests))
}
