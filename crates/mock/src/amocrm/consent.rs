//! The consent page (`www.amocrm.ru/oauth` on the live service) and its two answers.
//!
//! `GET /oauth?client_id&state&mode` shows a page with Allow and Deny links (or, with
//! `autoConsent`, allows at once). Deciding redirects (302) to the integration's redirect
//! URI: `code`, `state` (only if sent), `referer`, `client_id` — or
//! `error=access_denied`, `client_id`, `state`. There is no `redirect_uri`,
//! `response_type` or `scope` parameter: those are fixed in the integration's settings.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::Response;

use super::config::AmocrmConfig;
use crate::reply;
use crate::shared::Shared;

/// The query parameters, first occurrence of each.
fn query(uri: &Uri) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(status: StatusCode, body: String) -> Response {
    reply::raw(status, "text/html; charset=utf-8", body)
}

fn unknown_integration(cfg: &AmocrmConfig) -> Response {
    let text = if cfg.ru() {
        "Интеграция не найдена"
    } else {
        "Integration not found"
    };
    html(
        StatusCode::BAD_REQUEST,
        format!("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{text}</title></head><body><h1>{text}</h1></body></html>\n"),
    )
}

fn redirect(location: &str) -> Response {
    let mut resp = reply::raw(StatusCode::FOUND, "text/html; charset=utf-8", "");
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The redirect URI with `pairs` appended to whatever query it already has.
fn callback(cfg: &AmocrmConfig, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(&cfg.redirect_uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.into()
        }
        // Validated when configured; an unparsable URI cannot get here.
        Err(_) => cfg.redirect_uri.clone(),
    }
}

/// Mints a code and sends the browser back to the integration with it.
fn allow_now(shared: &Shared, cfg: &AmocrmConfig, state: Option<&str>) -> Response {
    let code = shared.amocrm.issue_code();
    let host = cfg.account_host();
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("referer", &host));
    pairs.push(("client_id", &cfg.client_id));
    redirect(&callback(cfg, &pairs))
}

/// `GET /oauth`.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let cfg = shared.amocrm.config.load();
    let q = query(&uri);
    if q.get("client_id") != Some(&cfg.client_id) {
        return unknown_integration(&cfg);
    }
    let state = q.get("state").map(String::as_str);
    if cfg.auto_consent {
        return allow_now(&shared, &cfg, state);
    }
    // The decision links carry the request's own parameters.
    let mut pass = url::form_urlencoded::Serializer::new(String::new());
    for key in ["client_id", "state", "mode"] {
        if let Some(v) = q.get(key) {
            pass.append_pair(key, v);
        }
    }
    let pass = escape(&pass.finish());
    let (title, question, allow, deny) = if cfg.ru() {
        (
            "Предоставить доступ",
            "Интеграция запрашивает доступ к вашему аккаунту",
            "Разрешить",
            "Отказать",
        )
    } else {
        (
            "Grant access",
            "An integration requests access to your account",
            "Allow",
            "Decline",
        )
    };
    let account = escape(&cfg.account_host());
    let client = escape(&cfg.client_id);
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<p>{question} <b>{account}</b> ({client}).</p>\n<p><a id=\"allow\" href=\"/oauth/allow?{pass}\">{allow}</a> <a id=\"deny\" href=\"/oauth/deny?{pass}\">{deny}</a></p>\n</body></html>\n"
        ),
    )
}

/// `GET /oauth/allow`: the user pressed Allow.
pub(crate) async fn allow(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let cfg = shared.amocrm.config.load();
    let q = query(&uri);
    if q.get("client_id") != Some(&cfg.client_id) {
        return unknown_integration(&cfg);
    }
    allow_now(&shared, &cfg, q.get("state").map(String::as_str))
}

/// `GET /oauth/deny`: the user pressed Decline.
pub(crate) async fn deny(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let cfg = shared.amocrm.config.load();
    let q = query(&uri);
    if q.get("client_id") != Some(&cfg.client_id) {
        return unknown_integration(&cfg);
    }
    let mut pairs = vec![
        ("error", "access_denied"),
        ("client_id", cfg.client_id.as_str()),
    ];
    if let Some(state) = q.get("state") {
        pairs.push(("state", state));
    }
    redirect(&callback(&cfg, &pairs))
}
