//! `GET /oauth2/account/current/subdomain`: where an account lives now.
//!
//! The official PHP client calls it with `X-Refresh-Token` when a refresh fails with
//! 401/404, in case the account moved; a bearer access token is accepted too. A refresh
//! token that could not be exchanged is refused here as well.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::gate::bearer;
use super::oauth_problem::{self as oauth, OAuthError};
use super::problem;
use super::tokens::RefreshCheck;
use crate::reply;
use crate::shared::Shared;

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

pub(crate) async fn lookup(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let amo = &shared.amocrm;
    if amo.limits.is_blocked() {
        amo.stats.blocked.inc();
        return problem::blocked();
    }
    let cfg = amo.config.load();
    let refusal = if let Some(token) = header_text(&headers, "x-refresh-token") {
        let hint = match amo.tokens.check_refresh(token, &cfg.client_id) {
            RefreshCheck::Usable(_) if !cfg.revoked => None,
            RefreshCheck::Usable(_) | RefreshCheck::Revoked { .. } => {
                Some(oauth::HINT_TOKEN_REVOKED)
            }
            RefreshCheck::Unknown => Some(oauth::HINT_TOKEN_GARBAGE),
            RefreshCheck::OtherClient => Some(oauth::HINT_TOKEN_OTHER_CLIENT),
            RefreshCheck::Expired => Some(oauth::HINT_TOKEN_EXPIRED),
        };
        hint.map(|h| OAuthError::token(h).into_response(cfg.ru()))
    } else {
        let valid = bearer(&headers)
            .and_then(|token| amo.tokens.check_access(token))
            .is_some();
        (!valid || cfg.revoked).then(|| problem::unauthorized(cfg.ru()))
    };
    if let Some(resp) = refusal {
        amo.stats.rejected401.inc();
        return resp;
    }
    let tld = cfg.top_level_domain.rsplit('.').next().unwrap_or_default();
    reply::ok(&json!({
        "id": cfg.account_id,
        "subdomain": cfg.subdomain,
        "domain": cfg.account_host(),
        "top_level_domain": tld,
    }))
}
