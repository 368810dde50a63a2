//! `POST /oauth2/access_token`: the `authorization_code` and `refresh_token` grants.
//!
//! Checks run in league/oauth2-server's order, so a request with several problems gets the
//! error the live server would give first: grant type, client id and secret, redirect URI,
//! then the code or refresh token itself.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::body::{params, text};
use super::codes::CodeRefusal;
use super::config::AmocrmConfig;
use super::oauth_problem::{self as oauth, OAuthError};
use super::problem;
use super::tokens::{Issued, RefreshCheck};
use super::Amocrm;
use crate::reply;
use crate::shared::Shared;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Grant {
    Code,
    Refresh,
}

fn tokens(cfg: &AmocrmConfig, issued: Issued) -> Response {
    reply::ok(&json!({
        "token_type": "Bearer",
        "expires_in": cfg.access_token_ttl_secs,
        "server_time": crate::time::now_secs(),
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
    }))
}

pub(crate) async fn access_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let amo = &shared.amocrm;
    if amo.limits.is_blocked() {
        amo.stats.blocked.inc();
        return problem::blocked();
    }
    let cfg = amo.config.load();
    let p = params(&headers, &body);
    let grant = match text(&p, "grant_type").as_deref() {
        Some("authorization_code") => Grant::Code,
        Some("refresh_token") => Grant::Refresh,
        _ => return OAuthError::bad(oauth::HINT_GRANT_TYPE).into_response(cfg.ru()),
    };
    let outcome = check_client(&cfg, &p).and_then(|()| match grant {
        Grant::Code => exchange_code(amo, &cfg, &p),
        Grant::Refresh => refresh(amo, &cfg, &p),
    });
    match outcome {
        Ok(issued) => tokens(&cfg, issued),
        Err(error) => {
            match grant {
                Grant::Code => amo.stats.code_failures.inc(),
                Grant::Refresh => amo.stats.refresh_failures.inc(),
            }
            if error.status() == StatusCode::UNAUTHORIZED {
                amo.stats.rejected401.inc();
            }
            error.into_response(cfg.ru())
        }
    }
}

/// Client id, secret and redirect URI, common to both grants.
fn check_client(cfg: &AmocrmConfig, p: &Map<String, Value>) -> Result<(), OAuthError> {
    let client_id = text(p, "client_id").ok_or_else(|| OAuthError::missing("client_id"))?;
    let secret = text(p, "client_secret").ok_or_else(|| OAuthError::missing("client_secret"))?;
    if *client_id != *cfg.client_id || *secret != *cfg.client_secret {
        return Err(OAuthError::Client);
    }
    let redirect_uri =
        text(p, "redirect_uri").ok_or_else(|| OAuthError::missing("redirect_uri"))?;
    if *redirect_uri != *cfg.redirect_uri {
        return Err(OAuthError::bad(oauth::HINT_REDIRECT_URI));
    }
    Ok(())
}

fn exchange_code(
    amo: &Amocrm,
    cfg: &AmocrmConfig,
    p: &Map<String, Value>,
) -> Result<Issued, OAuthError> {
    let code = text(p, "code").ok_or_else(|| OAuthError::missing("code"))?;
    let hint = match amo.codes.redeem(&code, &cfg.client_id) {
        Ok(()) => {
            amo.stats.code_exchanges.inc();
            return Ok(amo.tokens.issue(cfg, None));
        }
        Err(CodeRefusal::Unknown) => oauth::HINT_CODE_GARBAGE,
        Err(CodeRefusal::Expired) => oauth::HINT_CODE_EXPIRED,
        Err(CodeRefusal::Revoked) => oauth::HINT_CODE_REVOKED,
        Err(CodeRefusal::OtherClient) => oauth::HINT_CODE_OTHER_CLIENT,
    };
    Err(OAuthError::bad(hint))
}

fn refresh(amo: &Amocrm, cfg: &AmocrmConfig, p: &Map<String, Value>) -> Result<Issued, OAuthError> {
    let token = text(p, "refresh_token").ok_or_else(|| OAuthError::missing("refresh_token"))?;
    let pair = match amo.tokens.check_refresh(&token, &cfg.client_id) {
        RefreshCheck::Usable(_) if cfg.revoked => {
            return Err(OAuthError::token(oauth::HINT_TOKEN_REVOKED))
        }
        RefreshCheck::Usable(pair) => pair,
        RefreshCheck::Unknown => return Err(OAuthError::token(oauth::HINT_TOKEN_GARBAGE)),
        RefreshCheck::OtherClient => return Err(OAuthError::token(oauth::HINT_TOKEN_OTHER_CLIENT)),
        RefreshCheck::Expired => return Err(OAuthError::token(oauth::HINT_TOKEN_EXPIRED)),
        RefreshCheck::Revoked { spent } => {
            if spent {
                amo.stats.revoked_reuses.inc();
            }
            return Err(OAuthError::token(oauth::HINT_TOKEN_REVOKED));
        }
    };
    if !amo.tokens.rotate(&pair, cfg.rotation) {
        // Spent by a concurrent exchange of the same token.
        amo.stats.revoked_reuses.inc();
        return Err(OAuthError::token(oauth::HINT_TOKEN_REVOKED));
    }
    pair.refreshes.inc();
    amo.stats.refreshes.inc();
    Ok(amo.tokens.issue(cfg, Some(pair)))
}
