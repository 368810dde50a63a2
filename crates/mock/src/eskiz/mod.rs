//! The Eskiz.uz imitation (notify.eskiz.uz/api), mounted at the sandbox root.

mod account;
mod auth;
mod bearer;
mod callbacks;
mod config;
mod history;
mod lifecycle;
mod messages;
mod paginate;
mod reports;
mod respond;
mod rows;
mod stats;
mod store;
mod templates;
mod tokens;
mod utilities;
mod validate;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use axum::Router;
use serde_json::{Map, Value};

use crate::options;
use crate::shared::Shared;
use config::EskizConfig;
use stats::EskizStats;
use store::MessageStore;
use templates::Templates;
use tokens::TokenRegistry;

/// Eskiz's shared short number, always an allowed sender.
pub(crate) const DEFAULT_NICK: &str = "4546";

pub(crate) struct Eskiz {
    config: ArcSwap<EskizConfig>,
    tokens: TokenRegistry,
    store: MessageStore,
    templates: Templates,
    balance: AtomicI64,
    stats: EskizStats,
}

impl Eskiz {
    pub(crate) fn new(options: Option<&Value>) -> Result<Eskiz, String> {
        let eskiz = Eskiz {
            config: ArcSwap::from_pointee(EskizConfig::default()),
            tokens: TokenRegistry::new(),
            store: MessageStore::new(),
            templates: Templates::default(),
            balance: AtomicI64::new(EskizConfig::default().initial_balance),
            stats: EskizStats::default(),
        };
        if let Some(options) = options {
            eskiz.configure(options)?;
        }
        Ok(eskiz)
    }

    /// Merges `patch` into the options. `templates` (texts, or `{text, status}` objects) adds
    /// templates, approved as `service` unless a status is given; `initialBalance` also
    /// resets the current balance.
    pub(crate) fn configure(&self, patch: &Value) -> Result<(), String> {
        let mut patch: Map<String, Value> = options::as_object(patch, "eskiz")?.clone();
        let seeds = match patch.remove("templates") {
            Some(v) => parse_template_seeds(v)?,
            None => Vec::new(),
        };
        let config: EskizConfig = options::merge(&**self.config.load(), &patch, "eskiz")?;
        config.validate()?;
        let balance = config.initial_balance;
        self.config.store(Arc::new(config));
        if patch.contains_key("initialBalance") {
            self.balance.store(balance, Ordering::Release);
        }
        for (text, status) in seeds {
            self.templates.submit(&text, &status);
        }
        Ok(())
    }

    pub(crate) fn balance(&self) -> i64 {
        self.balance.load(Ordering::Acquire)
    }

    /// Takes `amount` from the balance; false (and nothing taken) if it is not there.
    fn charge(&self, amount: i64) -> bool {
        self.balance
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                (b >= amount).then(|| b - amount)
            })
            .is_ok()
    }

    pub(crate) fn count_request(&self) {
        self.stats.requests.inc();
    }

    pub(crate) fn stats_json(&self) -> Value {
        self.stats.to_json(
            self.tokens.sends_by_generation(),
            serde_json::json!({
                "tokensIssued": self.tokens.generations.last(),
                "balance": self.balance(),
            }),
        )
    }

    pub(crate) fn reset_stats(&self) {
        self.stats.reset();
        self.tokens.reset_sends();
    }

    pub(crate) fn expire_tokens(&self) {
        self.tokens.generations.expire_all();
    }

    pub(crate) fn revoke_tokens(&self) {
        self.tokens.generations.revoke_all();
    }

    pub(crate) fn inbox(&self) -> Vec<Value> {
        let now = crate::time::now_ms();
        self.store
            .inbox()
            .iter()
            .map(|m| {
                serde_json::json!({
                    "provider": "eskiz",
                    "id": m.request_id.to_string(),
                    "messageId": m.id,
                    "to": m.to,
                    "text": m.text,
                    "from": m.nick,
                    "parts": m.segments.parts,
                    "status": m.timeline.status(now),
                    "callbackUrl": m.callback_url,
                    "userSmsId": m.user_sms_id,
                    "dispatchId": m.dispatch_id,
                    "country": m.country,
                    "at": crate::time::iso_utc_ms(m.timeline.created_ms),
                })
            })
            .collect()
    }

    pub(crate) fn clear_inbox(&self) {
        self.store.clear_inbox();
    }

    pub(crate) fn templates_json(&self) -> Value {
        serde_json::to_value(self.templates.list()).unwrap_or_default()
    }

    pub(crate) fn approve_templates(&self) -> usize {
        self.templates.approve_pending()
    }

    pub(crate) fn set_template_status(&self, id: u64, status: &str) -> Result<(), String> {
        self.templates.set_status(id, status)
    }
}

fn parse_template_seeds(value: Value) -> Result<Vec<(String, String)>, String> {
    let Value::Array(items) = value else {
        return Err("eskiz: templates must be an array".into());
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => Ok((text, "service".to_owned())),
            Value::Object(o) => {
                let text = o
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or("eskiz: a template object needs `text`")?;
                let status = o.get("status").and_then(Value::as_str).unwrap_or("service");
                if !templates::STATUSES.contains(&status) {
                    return Err(format!("eskiz: unknown template status `{status}`"));
                }
                Ok((text.to_owned(), status.to_owned()))
            }
            _ => Err("eskiz: templates are strings or {text, status} objects".into()),
        })
        .collect()
}

/// Endpoints documented as POST also answer GET (clients do that), unless
/// `strictMethods`, where GET gets the nginx 404 the live `/message/sms/check` gives.
pub(crate) struct StrictPost;

impl FromRequestParts<Arc<Shared>> for StrictPost {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        if parts.method == Method::GET && shared.eskiz.config.load().strict_methods {
            Err(crate::pages::nginx_response(
                axum::http::StatusCode::NOT_FOUND,
            ))
        } else {
            Ok(StrictPost)
        }
    }
}

/// Every Eskiz route, at the root (a client's base URL replaces `https://notify.eskiz.uz/api`).
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", patch(auth::refresh))
        .route("/auth/user", get(auth::user))
        .route("/auth/invalidate", delete(auth::invalidate))
        .route("/user/template", post(account::submit_template))
        .route("/user/templates", get(account::templates))
        .route("/user/get-limit", get(account::get_limit))
        .route("/user/prices", get(account::prices))
        .route("/user/totals", post(reports::totals))
        .route("/nick/me", get(account::nicks))
        .route("/message/sms/send", post(messages::send))
        .route("/message/sms/send-batch", post(messages::send_batch))
        .route("/message/sms/send-global", post(messages::send_global))
        .route(
            "/message/sms/get-user-messages",
            post(history::user_messages).get(history::user_messages),
        )
        .route(
            "/message/sms/get-user-messages-by-dispatch",
            post(history::messages_by_dispatch).get(history::messages_by_dispatch),
        )
        .route(
            "/message/sms/get-dispatch-status",
            post(history::dispatch_status).get(history::dispatch_status),
        )
        .route("/message/sms/status_by_id/{id}", get(history::status_by_id))
        .route("/message/sms/normalizer", post(utilities::normalizer))
        .route(
            "/message/sms/check",
            post(utilities::check).get(utilities::check),
        )
        .route(
            "/message/export",
            post(history::export).get(history::export),
        )
        .route("/logs/sms/{id}", get(history::logs))
        .route("/report/total-by-month", get(reports::by_month))
        .route("/report/total-by-smsc", post(reports::by_smsc))
        .route("/report/total-by-range", post(reports::by_range))
        .route("/report/total-by-dispatch", post(reports::by_dispatch))
}
