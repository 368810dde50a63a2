//! The `Authorization: Bearer <jwt>` check every endpoint but login goes through.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Response;

use super::respond;
use super::tokens::{TokenCheck, TokenRecord};
use crate::shared::Shared;

/// The bearer token of a request, if it has one.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A request authorised by a valid token; extraction fails with Eskiz's 401 bodies.
pub(crate) struct Authed(pub Arc<TokenRecord>);

impl FromRequestParts<Arc<Shared>> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        let eskiz = &shared.eskiz;
        let check = match bearer(parts) {
            Some(token) => eskiz.tokens.check(token),
            None => TokenCheck::Invalid,
        };
        match check {
            TokenCheck::Valid(record) => Ok(Authed(record)),
            TokenCheck::Expired(_) => {
                eskiz.stats.rejected401.inc();
                Err(respond::token_expired())
            }
            TokenCheck::Invalid => {
                eskiz.stats.rejected401.inc();
                Err(respond::token_invalid())
            }
        }
    }
}
