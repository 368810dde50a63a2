//! amoCRM / Kommo API v4 with OAuth 2.0 and rotating, single-use refresh tokens (see
//! docs/providers/amocrm.md). Tokens go through the shared token manager and a persistent store;
//! requests through a rate limiter (7/s by default, optionally one budget shared through Redis)
//! and a breaker that stops every call once amoCRM has blocked the account (403). Which host the
//! secrets go to is decided by the configuration only (`account_policy.rs`).

mod account_host;
mod account_policy;
mod account_state;
mod api_path;
mod auth;
mod breaker;
mod errors;
mod leads;
mod oauth;
mod retry_after;
pub mod types;

pub use account_host::AccountHost;
pub use auth::{META_BASE_DOMAIN, META_LONG_LIVED};
pub use oauth::AmoDomain;
pub use types::*;

use crate::auth::{
    shared_manager, IssueKind, ManagerOptions, RequestAuth, TokenHandle, TokenManager, TokenStatus,
};
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::http::limit::Limiter;
use crate::http::{exec, Deadline, HttpClient, HttpOptions, Request, Response};
use crate::jwt;
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::ratelimit::LocalLimiter;
use crate::secret::Secret;
use crate::store::{unix_now_ms, MemoryStore, StoreKey, StoredToken, TokenStore};
use account_policy::AccountPolicy;
use account_state::AccountState;
use auth::AmoAuth;
use breaker::Breaker;
use http::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub struct AmoCrmConfig {
    /// `example` of `example.amocrm.ru`: the one account whose callbacks, widget installs and
    /// stored tokens are accepted.
    pub subdomain: Option<String>,
    pub domain: AmoDomain,
    /// Root replacing `https://{subdomain}.amocrm.ru` (and the consent host): a sandbox or a
    /// proxy. Fixed for the client's life.
    pub base_url: Option<String>,
    /// Multi-account installs (no `subdomain`, no `base_url`): the callback's referer, judged
    /// by the account-host rule, chooses the host the client secret is sent to.
    pub allow_any_account: bool,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// A private integration's long-lived token: no OAuth, no refresh.
    pub long_lived_token: Option<Secret>,
    pub http: HttpOptions,
    pub manager: ManagerOptions,
    pub store: Option<Arc<dyn TokenStore>>,
    pub store_key: Option<String>,
    /// Requests per second of this client (default 7, amoCRM's per-integration limit).
    pub rate_limit_per_second: f64,
    /// A limiter shared with other processes (Redis); replaces the in-process one.
    pub shared_limiter: Option<Arc<dyn Limiter>>,
    /// How long calls fail fast after amoCRM answered 403 (blocked).
    pub block_cooldown: Duration,
}

impl AmoCrmConfig {
    pub fn new(client_id: String, client_secret: Secret, redirect_uri: String) -> Self {
        AmoCrmConfig {
            subdomain: None,
            domain: AmoDomain::AmoCrmRu,
            base_url: None,
            allow_any_account: false,
            client_id,
            client_secret,
            redirect_uri,
            long_lived_token: None,
            http: HttpOptions::default(),
            manager: ManagerOptions {
                // Refresh tokens lapse after three months unused; refreshing weekly keeps an
                // idle integration alive.
                keep_alive: Some(Duration::from_secs(7 * 86_400)),
                ..Default::default()
            },
            store: None,
            store_key: None,
            rate_limit_per_second: 7.0,
            shared_limiter: None,
            block_cooldown: Duration::from_secs(600),
        }
    }
}

pub struct AmoCrmClient {
    http: Arc<HttpClient>,
    auth: Arc<AmoAuth>,
    tokens: TokenHandle,
    domain: AmoDomain,
    explicit_base: Option<String>,
    policy: Arc<AccountPolicy>,
    client_id: String,
    long_lived: Option<Secret>,
    breaker: Breaker,
    account_state: AccountState,
    metrics: Arc<Metrics>,
    log: Logger,
}

/// The API client's root while no account is known (multi-account installs before the first
/// exchange): a reserved name that never resolves, and no request is ever sent there.
const NO_ACCOUNT_YET: &str = "https://account-not-yet-known.invalid";

impl AmoCrmClient {
    /// Validates the configuration; no I/O.
    pub fn new(config: AmoCrmConfig, log: Logger, metrics: Arc<Metrics>) -> Result<Self> {
        if config.client_id.trim().is_empty() {
            return Err(Error::config("clientId (the integration id) is required"));
        }
        if config.long_lived_token.is_none() {
            if config.client_secret.is_empty() {
                return Err(Error::config(
                    "clientSecret is required (or a longLivedToken)",
                ));
            }
            let ok = url::Url::parse(&config.redirect_uri)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            if !ok {
                return Err(Error::config(
                    "redirectUri must be the absolute http(s) URL registered for the integration",
                ));
            }
        }
        let base_url = config
            .base_url
            .as_deref()
            .map(crate::http::normalize_base_url)
            .transpose()?;
        let policy = Arc::new(AccountPolicy::new(
            config.subdomain.as_deref(),
            config.domain,
            base_url,
            config.allow_any_account,
        )?);
        let base = policy
            .fixed_origin()
            .unwrap_or_else(|| NO_ACCOUNT_YET.to_string());
        let log = log.scoped("uzgate:amocrm");
        let limiter: Arc<dyn Limiter> = match config.shared_limiter {
            Some(l) => l,
            None => Arc::new(LocalLimiter::new(config.rate_limit_per_second)?),
        };
        let http = Arc::new(
            HttpClient::new(
                Provider::AmoCrm,
                &base,
                config.http,
                metrics.clone(),
                log.clone(),
            )?
            .with_limiter(limiter)
            .with_retry_hint(retry_after::from_body),
        );
        config.manager.validate()?;
        let store_key =
            StoreKey::chosen_or_derived(config.store_key, "uzgate:amocrm", config.client_id.trim());
        let store = config
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new()) as Arc<dyn TokenStore>);
        let fixed_target = policy
            .fixed_origin()
            .map(|origin| http.token_target(&origin).map(Arc::new))
            .transpose()?;
        let auth = Arc::new(AmoAuth {
            api: http.clone(),
            fixed_target,
            policy: policy.clone(),
            client_id: config.client_id.trim().to_string(),
            client_secret: config.client_secret,
            redirect_uri: config.redirect_uri,
            timeout: config.manager.refresh_timeout,
        });
        // Clients serving different accounts never share a manager (and its authenticator).
        let registry_key = format!(
            "amocrm|{}|{}|{}|{}|{}|{}",
            config.base_url.as_deref().unwrap_or(""),
            policy.account().map(AccountHost::as_str).unwrap_or(""),
            config.allow_any_account,
            config.client_id.trim(),
            store.kind(),
            store_key.current
        );
        let manager_options = config.manager;
        let (a, l, m) = (auth.clone(), log.clone(), metrics.clone());
        let tokens = shared_manager(&registry_key, move || {
            TokenManager::new(store_key, a, store, manager_options, l, m)
        });
        Ok(AmoCrmClient {
            http,
            auth,
            tokens,
            domain: config.domain,
            explicit_base: config.base_url,
            policy,
            client_id: config.client_id.trim().to_string(),
            long_lived: config.long_lived_token,
            breaker: Breaker::new(config.block_cooldown),
            account_state: AccountState::default(),
            metrics,
            log,
        })
    }

    pub fn tokens(&self) -> &Arc<TokenManager> {
        &self.tokens
    }

    pub fn token_status(&self) -> TokenStatus {
        self.tokens.status()
    }

    /// `token_status`, completed from the store when this process has no token yet (no request).
    pub async fn stored_token_status(&self) -> Result<TokenStatus> {
        self.tokens.stored_status().await
    }

    /// The one-time migration of the stored token to the current record format.
    pub async fn seal_stored_token(&self) -> Result<crate::store::Sealing> {
        self.tokens.seal_stored().await
    }

    pub async fn refresh_token(&self) -> Result<TokenStatus> {
        self.ensure_long_lived().await?;
        self.tokens.force_refresh().await?;
        Ok(self.tokens.status())
    }

    pub async fn close(&self) {
        self.tokens.close().await;
    }

    /// Token events and `rate_limited`.
    pub fn subscribe(&self, sink: Arc<dyn crate::auth::EventSink>) {
        self.tokens.subscribe(sink.clone());
        self.http.events.subscribe(sink);
    }

    /// Prometheus text of this client's counters.
    /// The client's counters, for parts that report into them (alerts).
    pub fn metrics_handle(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    pub fn metrics(&self) -> String {
        self.metrics.render()
    }

    /// The consent URL and the state to keep (cookie/session) until the callback.
    pub fn authorization_url(&self, mode: Option<&str>) -> Result<AuthorizationUrl> {
        let consent = self
            .explicit_base
            .clone()
            .unwrap_or_else(|| self.domain.consent_base().to_string());
        oauth::authorization_url(&consent, &self.client_id, mode)
    }

    /// Checks the callback and the account it names (before any request), exchanges the code
    /// at that account's token endpoint, persists the tokens (with the account host) and ends
    /// any `reauthorization_required` state. The API client's host is not touched: in
    /// multi-account installs it follows the stored token once the exchange has succeeded.
    pub async fn exchange_code(&self, input: ExchangeInput) -> Result<TokenStatus> {
        self.policy.check_configured()?;
        let code = oauth::check_callback(&input)?;
        let host = self.policy.admit_referer(input.referer.as_deref())?;
        let mut meta = serde_json::Map::new();
        if let Some(h) = &host {
            meta.insert(META_BASE_DOMAIN.into(), json!(h.as_str()));
        }
        let token = self.auth.exchange(host.as_ref(), &code, meta).await?;
        self.tokens.install(token, IssueKind::Exchange).await?;
        self.log.info(format_args!("amoCRM integration authorised"));
        Ok(self.tokens.status())
    }

    /// A long-lived token is installed on first use (and again if the store lost it).
    async fn ensure_long_lived(&self) -> Result<()> {
        let Some(token) = &self.long_lived else {
            return Ok(());
        };
        if self.tokens.current().is_some() {
            return Ok(());
        }
        let mut meta = serde_json::Map::new();
        meta.insert(META_LONG_LIVED.into(), json!(true));
        let stored = StoredToken {
            access_token: token.expose().to_string(),
            refresh_token: None,
            expires_at_ms: jwt::expiry_unix_secs(token.expose()).map(|s| s * 1000),
            obtained_at_ms: unix_now_ms(),
            refused_at_ms: None,
            meta,
        };
        self.tokens
            .install(stored, IssueKind::Exchange)
            .await
            .map(|_| ())
    }

    /// An authorised resource call with limits, refresh on 401, retries, the block breaker.
    async fn call(&self, req: Request) -> Result<Response> {
        if self.tokens.is_closed() {
            return Err(Error::closed());
        }
        self.breaker.check()?;
        self.ensure_long_lived().await?;
        let auth: &Arc<TokenManager> = &self.tokens;
        let deadline = self.http.deadline();
        self.follow_account(auth, deadline).await?;
        let resp = exec::execute(&self.http, &req, Some(auth), deadline).await?;
        if resp.status == 403 {
            self.breaker.trip();
            self.log.warn(format_args!(
                "amoCRM answered 403: the account is blocked; calls stop for {}",
                crate::log::human_duration(self.breaker.cooldown())
            ));
        }
        let write = !matches!(req.method, Method::GET | Method::HEAD);
        self.account_state
            .observe(resp.status, write, &self.http.events);
        Ok(resp)
    }

    /// Multi-account installs: the API host is the one the current token was issued for (an
    /// admitted host, checked again here). Otherwise the host is fixed and this does nothing;
    /// with no account configured at all, nothing is sent.
    async fn follow_account(&self, auth: &Arc<TokenManager>, deadline: Deadline) -> Result<()> {
        if !self.policy.follows_account() {
            return self.policy.origin_for(None).map(|_| ());
        }
        if self.tokens.current().is_none() {
            auth.credential(deadline).await?;
        }
        let snapshot = self.tokens.current().ok_or_else(Error::closed)?;
        let host = self.policy.admit_stored(&snapshot.meta)?;
        let origin = self.policy.origin_for(host.as_ref())?;
        self.http.set_base_url(&origin)
    }

    pub async fn account(&self) -> Result<Value> {
        let resp = self
            .call(Request::get("/api/v4/account", "account"))
            .await?;
        if !resp.is_success() {
            return Err(errors::refused(&resp, "the account request"));
        }
        resp.json_value()
            .ok_or_else(|| errors::unusable(&resp, "the account request", false))
    }

    /// Any v4 endpoint with auth, limits and refresh: `request("GET", "/api/v4/contacts?limit=5")`.
    /// Non-2xx answers reject like the typed methods; 204 gives `body: None`.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<RawResponse> {
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PATCH" => Method::PATCH,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            other => {
                return Err(Error::invalid(format!(
                    "method {other:?} must be GET, POST, PATCH, PUT or DELETE"
                )))
            }
        };
        let path = api_path::check_api_path(path)?;
        if body.is_some() && method == Method::GET {
            return Err(Error::invalid("a GET request has no body"));
        }
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        let mut req = Request::new(method, path, "custom").idempotent(idempotent);
        if let Some(b) = &body {
            req = req.json(b);
        }
        let resp = self.call(req).await?;
        if !resp.is_success() {
            return Err(errors::refused(&resp, "the request"));
        }
        let body = if resp.status == 204 || resp.body.is_empty() {
            None
        } else {
            Some(
                resp.json_value()
                    .ok_or_else(|| errors::unusable(&resp, "the request", false))?,
            )
        };
        Ok(RawResponse {
            status: resp.status,
            body,
        })
    }
}

/// Errors a caller sees when the breaker is open are `ACCESS_BLOCKED` without any request.
impl From<breaker::Open> for Error {
    fn from(o: breaker::Open) -> Self {
        Error::new(
            ErrorCode::AccessBlocked,
            "amoCRM blocked this account (HTTP 403); calls are paused so the block is not prolonged",
        )
        .with_provider(Provider::AmoCrm)
        .with_status(403)
        .with_retry_after(Some(o.remaining))
    }
}
