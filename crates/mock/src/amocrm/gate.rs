//! What every `/api/v4` request passes before its handler, in the live order: the block
//! (nginx, 403), the rate limits (429), the access token (401), the subscription on
//! writes (402).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;

use super::limits::Verdict;
use super::problem;
use crate::shared::Shared;

/// The bearer token of a request, if it has one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A request that passed the gate. Its token's generation has been credited with it.
pub(crate) struct Api;

impl FromRequestParts<Arc<Shared>> for Api {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        let amo = &shared.amocrm;
        let cfg = amo.config.load();
        match amo.limits.admit(&cfg) {
            Verdict::Pass => {}
            Verdict::Blocked => {
                amo.stats.blocked.inc();
                return Err(problem::blocked());
            }
            Verdict::Limited { retry_after } => {
                amo.stats.rate_limited.inc();
                return Err(problem::too_many_requests(cfg.rate_limit_body, retry_after));
            }
        }
        let pair = bearer(&parts.headers)
            .filter(|_| !cfg.revoked)
            .and_then(|token| amo.tokens.check_access(token));
        let Some(pair) = pair else {
            amo.stats.rejected401.inc();
            return Err(problem::unauthorized(cfg.ru()));
        };
        pair.requests.inc();
        if cfg.unpaid && parts.method != Method::GET && parts.method != Method::HEAD {
            amo.stats.payment_required.inc();
            return Err(problem::payment_required());
        }
        Ok(Api)
    }
}
