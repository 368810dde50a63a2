//! How Eskiz tokens are obtained: `PATCH /auth/refresh` with the current token and, if that
//! fails for any reason, `POST /auth/login` with email and API secret. Both run inside the
//! manager's single refresh task, so the login fallback is single-flight too. Neither goes
//! through the 401-retry path: a refused refresh never triggers another refresh.

use super::wire::TokenResponse;
use crate::auth::{Authenticator, IssueKind, Issued};
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::http::{exec, Deadline, HttpClient, Request, Response};
use crate::jwt;
use crate::secret::Secret;
use crate::store::{unix_now_ms, StoredToken};
use futures::future::BoxFuture;
use futures::FutureExt;
use http::{HeaderValue, Method};
use std::sync::Arc;
use std::time::Duration;

pub struct EskizAuth {
    pub http: Arc<HttpClient>,
    pub email: String,
    pub password: Secret,
    /// Budget of one token request.
    pub timeout: Duration,
}

impl Authenticator for EskizAuth {
    fn provider(&self) -> Provider {
        Provider::Eskiz
    }

    fn obtain(self: Arc<Self>, current: Option<StoredToken>) -> BoxFuture<'static, Result<Issued>> {
        async move {
            if let Some(current) = current {
                match self.refresh(&current.access_token).await {
                    Ok(token) => {
                        return Ok(Issued {
                            token,
                            kind: IssueKind::Refresh,
                        })
                    }
                    Err(e) => self.http.log.info(format_args!(
                        "Eskiz token refresh failed ({}); logging in again",
                        e.code
                    )),
                }
            }
            let token = self.login().await?;
            Ok(Issued {
                token,
                kind: IssueKind::Login,
            })
        }
        .boxed()
    }
}

impl EskizAuth {
    async fn refresh(&self, access_token: &str) -> Result<StoredToken> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map_err(|_| Error::internal("stored Eskiz token is not a valid header"))?;
        auth.set_sensitive(true);
        // Not idempotent: a refresh whose answer was lost must not be repeated with the same
        // (possibly revoked) token; the login fallback covers it.
        let req = Request::new(Method::PATCH, "/auth/refresh", "auth/refresh")
            .idempotent(false)
            .header(http::header::AUTHORIZATION, auth);
        let resp = exec::execute(&self.http, &req, None, Deadline::after(self.timeout)).await?;
        token_from(&resp, "the token refresh")
    }

    async fn login(&self) -> Result<StoredToken> {
        // Logging in twice is harmless, so transport failures may be retried (bounded).
        let req = Request::post("/auth/login", "auth/login")
            .idempotent(true)
            .form(&[
                ("email", self.email.as_str()),
                ("password", self.password.expose()),
            ]);
        let resp = exec::execute(&self.http, &req, None, Deadline::after(self.timeout))
            .await
            .map_err(|e| match e.code {
                // A 5xx/timeout on login is the provider's trouble, not bad credentials.
                ErrorCode::OutcomeUnknown => Error::new(ErrorCode::ProviderUnavailable, e.message)
                    .with_provider(Provider::Eskiz)
                    .with_retryable(true),
                _ => e,
            })?;
        token_from(&resp, "the login")
    }
}

/// Both endpoints answer `{"data":{"token":…}}`. A 200 without a token (a blocked account) and
/// any 4xx are `AUTH_FAILED`.
fn token_from(resp: &Response, what: &str) -> Result<StoredToken> {
    let obtained_at_ms = unix_now_ms();
    if !resp.is_success() {
        let code = if matches!(resp.status, 400 | 401 | 403 | 422) {
            ErrorCode::AuthFailed
        } else {
            ErrorCode::ProviderRejected
        };
        return Err(
            Error::new(code, format!("Eskiz refused {what} (HTTP {})", resp.status))
                .with_provider(Provider::Eskiz)
                .with_status(resp.status)
                .with_provider_message(resp.provider_message()),
        );
    }
    let token = serde_json::from_slice::<TokenResponse>(&resp.body)
        .ok()
        .and_then(|r| r.data)
        .and_then(|d| d.token)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::AuthFailed,
                format!("Eskiz answered {what} without a token (is the account blocked?)"),
            )
            .with_provider(Provider::Eskiz)
            .with_status(resp.status)
        })?;
    let expires_at_ms = jwt::expiry_unix_secs(&token).map(|s| s.saturating_mul(1000));
    Ok(StoredToken {
        access_token: token,
        refresh_token: None,
        expires_at_ms,
        obtained_at_ms,
        refused_at_ms: None,
        meta: Default::default(),
    })
}
