//! `/auth/*`: login, refresh, account info, invalidate.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::bearer::{bearer, Authed};
use super::respond;
use super::tokens::TokenCheck;
use super::Eskiz;
use crate::fields::Fields;
use crate::reply;
use crate::shared::Shared;

fn token_generated(token: &str) -> Response {
    reply::ok(&json!({
        "message": "token_generated",
        "data": {"token": token},
        "token_type": "bearer",
    }))
}

fn issue(eskiz: &Eskiz) -> String {
    let cfg = eskiz.config.load();
    let (token, _) =
        eskiz
            .tokens
            .issue(cfg.token_ttl_secs, cfg.role(), &cfg.account_id.to_string());
    token
}

/// `POST /auth/login` (email, password).
pub(crate) async fn login(State(shared): State<Arc<Shared>>, fields: Fields) -> Response {
    let eskiz = &shared.eskiz;
    let cfg = eskiz.config.load();
    let email_ok = fields
        .text("email")
        .is_some_and(|e| e.eq_ignore_ascii_case(&cfg.email));
    let password_ok = fields.str("password").is_some_and(|p| *p == *cfg.password);
    if !(email_ok && password_ok) {
        eskiz.stats.login_failures.inc();
        let status =
            StatusCode::from_u16(cfg.login_error_status).unwrap_or(StatusCode::UNAUTHORIZED);
        return respond::error(status, "Неверный Email или пароль");
    }
    if cfg.blocked_login {
        // What a blocked account reportedly gets: success, but no token.
        eskiz.stats.login_failures.inc();
        return reply::ok(
            &json!({"message": "token_generated", "data": {}, "token_type": "bearer"}),
        );
    }
    eskiz.stats.logins.inc();
    token_generated(&issue(eskiz))
}

/// `PATCH /auth/refresh`: a new token for the current one (no body).
pub(crate) async fn refresh(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let eskiz = &shared.eskiz;
    let cfg = eskiz.config.load();
    let (parts, _) = req.into_parts();
    let check = match bearer(&parts) {
        Some(token) => eskiz.tokens.check(token),
        None => TokenCheck::Invalid,
    };
    let refuse = |resp: Response| {
        eskiz.stats.refresh_failures.inc();
        eskiz.stats.rejected401.inc();
        resp
    };
    if !cfg.refresh_enabled {
        return refuse(respond::token_invalid());
    }
    let old = match check {
        TokenCheck::Valid(record) => record,
        TokenCheck::Expired(record) if cfg.refresh_expired_allowed => record,
        TokenCheck::Expired(_) => return refuse(respond::token_expired()),
        TokenCheck::Invalid => return refuse(respond::token_invalid()),
    };
    let token = issue(eskiz);
    if cfg.refresh_revokes_old {
        old.revoke();
    }
    eskiz.stats.refreshes.inc();
    token_generated(&token)
}

/// `GET /auth/user`.
pub(crate) async fn user(State(shared): State<Arc<Shared>>, _auth: Authed) -> Response {
    let eskiz = &shared.eskiz;
    let cfg = eskiz.config.load();
    reply::ok(&json!({
        "status": "success",
        "data": {
            "id": cfg.account_id,
            "created_at": "2020-10-14T18:27:03Z",
            "updated_at": crate::time::iso_utc_ms(shared.started_ms),
            "name": cfg.account_name,
            "email": cfg.email,
            "password": "",
            "role": cfg.role(),
            "status": "active",
            "is_vip": false,
            "balance": eskiz.balance(),
        },
        "id": null,
    }))
}

/// `DELETE /auth/invalidate` (legacy): the token stops working.
pub(crate) async fn invalidate(
    State(shared): State<Arc<Shared>>,
    Authed(record): Authed,
) -> Response {
    record.revoke();
    shared.eskiz.stats.invalidations.inc();
    reply::ok(&json!({"message": "Successfully logged out"}))
}
