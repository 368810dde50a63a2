//! Eskiz.uz (notify.eskiz.uz/api): JWT bearer tokens that live 30 days, refreshed with
//! `PATCH /auth/refresh`, falling back to a login. See docs/providers/eskiz.md.

mod account;
mod auth;
mod errors;
mod messages;
mod sms_provider;
mod wire;

pub use account::{EskizTemplate, EskizUser};
pub use messages::{HistoryPage, HistoryQuery, HistoryRow};

use crate::auth::{shared_manager, ManagerOptions, TokenHandle, TokenManager};
use crate::error::{Error, Provider, Result};
use crate::http::{exec, HttpClient, HttpOptions, Request, Response};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::secret::Secret;
use crate::sms::validate;
use crate::store::{MemoryStore, StoreKey, TokenStore};
use auth::EskizAuth;
use std::sync::Arc;

pub const DEFAULT_BASE_URL: &str = "https://notify.eskiz.uz/api";
/// Eskiz's shared short number, usable without an approved nick.
pub const DEFAULT_SENDER: &str = "4546";

pub struct EskizConfig {
    pub email: String,
    /// The API secret from the Eskiz cabinet (sent as `password`).
    pub password: Secret,
    pub base_url: Option<String>,
    pub from: Option<String>,
    pub callback_url: Option<String>,
    pub http: HttpOptions,
    pub manager: ManagerOptions,
    pub store: Option<Arc<dyn TokenStore>>,
    /// Key of the token in the store; defaults to `uzgate:eskiz:` + a short SHA-256 of the
    /// e-mail (see `store::StoreKey`).
    pub store_key: Option<String>,
}

pub struct EskizClient {
    http: Arc<HttpClient>,
    tokens: TokenHandle,
    from: String,
    callback_url: Option<String>,
    log: Logger,
}

impl EskizClient {
    /// Validates the configuration; no I/O (the first call logs in).
    pub fn new(config: EskizConfig, log: Logger, metrics: Arc<Metrics>) -> Result<Self> {
        if config.email.trim().is_empty() || !config.email.contains('@') {
            return Err(Error::config(
                "eskiz.email must be the account's e-mail address",
            ));
        }
        if config.password.is_empty() {
            return Err(Error::config(
                "eskiz.password (the API secret from the Eskiz cabinet) is required",
            ));
        }
        let from = config.from.unwrap_or_else(|| DEFAULT_SENDER.to_string());
        validate::sender(&from).map_err(|e| Error::config(format!("eskiz.from: {}", e.message)))?;
        if let Some(url) = &config.callback_url {
            validate::callback_url(url)
                .map_err(|e| Error::config(format!("eskiz.callbackUrl: {}", e.message)))?;
        }
        let base = config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let log = log.scoped("uzgate:eskiz");
        let http = Arc::new(HttpClient::new(
            Provider::Eskiz,
            base,
            config.http,
            metrics.clone(),
            log.clone(),
        )?);
        config.manager.validate()?;
        let store_key = StoreKey::chosen_or_derived(
            config.store_key,
            "uzgate:eskiz",
            &config.email.trim().to_lowercase(),
        );
        let store = config
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new()) as Arc<dyn TokenStore>);
        // One manager per (account, API root, store): same-account clients share it.
        let registry_key = format!(
            "eskiz|{}|{}|{}|{}",
            http.base_url(),
            config.email.trim().to_lowercase(),
            store.kind(),
            store_key.current
        );
        let authenticator = Arc::new(EskizAuth {
            http: http.clone(),
            email: config.email.trim().to_string(),
            password: config.password,
            timeout: config.manager.refresh_timeout,
        });
        let manager_options = config.manager;
        let manager_log = log.clone();
        let tokens = shared_manager(&registry_key, move || {
            TokenManager::new(
                store_key,
                authenticator,
                store,
                manager_options,
                manager_log,
                metrics,
            )
        });
        Ok(EskizClient {
            http,
            tokens,
            from,
            callback_url: config.callback_url,
            log,
        })
    }

    pub fn tokens(&self) -> &Arc<TokenManager> {
        &self.tokens
    }

    pub async fn close(&self) {
        self.tokens.close().await;
    }

    /// Token events and `rate_limited`.
    pub fn subscribe(&self, sink: Arc<dyn crate::auth::EventSink>) {
        self.tokens.subscribe(sink.clone());
        self.http.events.subscribe(sink);
    }

    /// An authorised call: token, limits, refresh on 401 and retries per the execution loop.
    async fn call(&self, req: Request) -> Result<Response> {
        if self.tokens.is_closed() {
            return Err(Error::closed());
        }
        let auth: &Arc<TokenManager> = &self.tokens;
        exec::execute(&self.http, &req, Some(auth), self.http.deadline()).await
    }
}
