//! amoCRM OAuth tokens: the code exchange and the refresh grant, both at
//! `POST {account host}/oauth2/access_token`. Refresh tokens rotate on every use and are
//! single-use: the manager persists the new pair before anyone can use it, and a refused refresh
//! token is terminal (`REAUTHORIZATION_REQUIRED`), never retried in a loop.
//!
//! Token requests go to a target of their own, chosen by the [`AccountPolicy`] for each grant:
//! they never move the API client's host and never spend its rate budget.

use super::account_host::AccountHost;
use super::account_policy::AccountPolicy;
use super::errors::oauth_reason;
use crate::auth::{Authenticator, IssueKind, Issued};
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::http::{exec, Deadline, HttpClient, Request, Response};
use crate::jwt;
use crate::secret::Secret;
use crate::store::{unix_now_ms, StoredToken};
use futures::future::BoxFuture;
use futures::FutureExt;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// Meta keys persisted with the tokens.
pub const META_BASE_DOMAIN: &str = "baseDomain";
pub const META_LONG_LIVED: &str = "longLived";

pub struct AmoAuth {
    /// The API client: token targets share its connection pool, nothing else.
    pub api: Arc<HttpClient>,
    /// The token target known from the configuration (`baseUrl` or the configured account).
    pub fixed_target: Option<Arc<HttpClient>>,
    pub policy: Arc<AccountPolicy>,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    pub timeout: Duration,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<Value>,
}

impl Authenticator for AmoAuth {
    fn provider(&self) -> Provider {
        Provider::AmoCrm
    }

    fn obtain(self: Arc<Self>, current: Option<StoredToken>) -> BoxFuture<'static, Result<Issued>> {
        async move {
            let Some(current) = current else {
                return Err(reauthorization(
                    "amoCRM is not authorised yet: send the user to authorizationUrl() and call exchangeCode()",
                    "not_authorized",
                ));
            };
            if current.meta.get(META_LONG_LIVED).and_then(Value::as_bool) == Some(true) {
                return Err(reauthorization(
                    "the long-lived amoCRM token was refused or expired; generate a new one in the integration settings",
                    "long_lived_token_rejected",
                ));
            }
            let Some(refresh) = current.refresh_token.clone() else {
                return Err(reauthorization("no amoCRM refresh token is stored", "no_refresh_token"));
            };
            let host = self.policy.admit_stored(&current.meta)?;
            let target = self.target(host.as_ref())?;
            let (resp, started_ms) = self
                .grant(&target, "refresh_token", "refresh_token", &refresh)
                .await?;
            if !resp.is_success() {
                return Err(refresh_refused(&resp));
            }
            let token = token_from(&resp, started_ms, current.meta.clone())?;
            Ok(Issued {
                token,
                kind: IssueKind::Refresh,
            })
        }
        .boxed()
    }

    fn check_stored(&self, token: &StoredToken) -> Result<()> {
        self.policy.admit_stored(&token.meta).map(|_| ())
    }
}

impl AmoAuth {
    /// The token endpoint's client for an admitted account host: the fixed one, or (multi-
    /// account installs) one of its own for that host, sharing only the connection pool.
    fn target(&self, host: Option<&AccountHost>) -> Result<Arc<HttpClient>> {
        let origin = self.policy.origin_for(host)?;
        match &self.fixed_target {
            Some(fixed) if fixed.base_url() == origin => Ok(fixed.clone()),
            _ => Ok(Arc::new(self.api.token_target(&origin)?)),
        }
    }

    /// `grant_type=authorization_code`, at the host the policy admitted for this callback.
    pub async fn exchange(
        &self,
        host: Option<&AccountHost>,
        code: &str,
        meta: serde_json::Map<String, Value>,
    ) -> Result<StoredToken> {
        let target = self.target(host)?;
        let (resp, started_ms) = self
            .grant(&target, "authorization_code", "code", code)
            .await?;
        if !resp.is_success() {
            return Err(exchange_refused(&resp));
        }
        token_from(&resp, started_ms, meta)
    }

    /// `POST /oauth2/access_token` with one grant; the answer and when the request started
    /// (expiry counts from then). Never repeated once it may have landed: a code and a refresh
    /// token are both single-use.
    async fn grant(
        &self,
        target: &HttpClient,
        grant_type: &str,
        field: &str,
        value: &str,
    ) -> Result<(Response, u64)> {
        let mut body = json!({
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose(),
            "grant_type": grant_type,
            "redirect_uri": self.redirect_uri,
        });
        body[field] = json!(value);
        let req = Request::post("/oauth2/access_token", "oauth2/access_token")
            .idempotent(false)
            .json(&body);
        let started_ms = unix_now_ms();
        let resp = exec::execute(target, &req, None, Deadline::after(self.timeout)).await?;
        Ok((resp, started_ms))
    }
}

fn reauthorization(message: &str, reason: &str) -> Error {
    Error::new(ErrorCode::ReauthorizationRequired, message)
        .with_provider(Provider::AmoCrm)
        .with_details(json!({ "reason": reason }))
}

/// Any 4xx but 429 on refresh is terminal (the manager re-reads the store before declaring it).
fn refresh_refused(resp: &Response) -> Error {
    if resp.status == 403 {
        return super::errors::refused(resp, "the token refresh");
    }
    let reason = oauth_reason(resp);
    Error::new(
        ErrorCode::ReauthorizationRequired,
        format!(
            "amoCRM refused the refresh token ({reason}, HTTP {}); the integration must be authorised again",
            resp.status
        ),
    )
    .with_provider(Provider::AmoCrm)
    .with_status(resp.status)
    .with_provider_message(resp.provider_message())
    .with_details(json!({ "reason": reason }))
}

fn exchange_refused(resp: &Response) -> Error {
    if resp.status == 403 {
        return super::errors::refused(resp, "the code exchange");
    }
    let reason = oauth_reason(resp);
    let what = match reason {
        "code_revoked" => "the authorization code was already used",
        "code_expired" => "the authorization code expired (codes live 20 minutes)",
        "code_invalid" => "the authorization code is not valid",
        "client_invalid" => "the integration's client id or secret is wrong",
        "redirect_uri_mismatch" => {
            "redirectUri differs from the one registered for the integration"
        }
        _ => "the code exchange was refused",
    };
    Error::new(
        ErrorCode::AuthFailed,
        format!("amoCRM: {what} (HTTP {})", resp.status),
    )
    .with_provider(Provider::AmoCrm)
    .with_status(resp.status)
    .with_provider_message(resp.provider_message())
    .with_details(json!({ "reason": reason }))
}

/// `{token_type, expires_in, access_token, refresh_token}`; expiry from `expires_in` counted
/// from before the request (a slow answer then costs an early refresh, never a 401), else the
/// JWT's `exp`.
fn token_from(
    resp: &Response,
    obtained_at_ms: u64,
    meta: serde_json::Map<String, Value>,
) -> Result<StoredToken> {
    let bad = || {
        Error::new(
            ErrorCode::ProviderUnavailable,
            "amoCRM's token answer carries no access or refresh token",
        )
        .with_provider(Provider::AmoCrm)
        .with_status(resp.status)
    };
    let t: TokenResponse = serde_json::from_slice(&resp.body).map_err(|_| bad())?;
    let access = t.access_token.filter(|s| !s.is_empty()).ok_or_else(bad)?;
    let refresh = t.refresh_token.filter(|s| !s.is_empty()).ok_or_else(bad)?;
    let expires_in = t.expires_in.as_ref().and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    });
    let expires_at_ms = expires_in
        .map(|s| obtained_at_ms + s * 1000)
        .or_else(|| jwt::expiry_unix_secs(&access).map(|s| s * 1000));
    Ok(StoredToken {
        access_token: access,
        refresh_token: Some(refresh),
        expires_at_ms,
        obtained_at_ms,
        refused_at_ms: None,
        meta,
    })
}
