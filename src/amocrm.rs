//! `AmoCrmClient` for JS: the core parses and checks the options synchronously (no I/O); every
//! call a promise.

use crate::alerts;
use crate::amocrm_types::*;
use crate::error::{js_error, throw};
use crate::hooks::{Attached, ClientHooks, Resources};
use crate::promise::{promise, promise_vec, promise_with};
use crate::sms_types::TokenStatus;
use crate::store::BuiltStore;
use napi::bindgen_prelude::*;
use napi::Env;
use serde_json::Value;
use std::sync::Arc;
use uzgate_core::diagnostics::ConfigView;
use uzgate_core::options::{amocrm_label, AmoCrmOptions};
use uzgate_core::providers::amocrm::{AccountHost, AmoCrmClient as CoreClient, AmoDomain};

#[napi]
pub struct AmoCrmClient {
    inner: Arc<CoreClient>,
    res: Arc<Resources>,
    /// The masked configuration view, computed once from the options.
    view: serde_json::Value,
}

/// The core client from the parsed options and the built store.
fn build(
    options: AmoCrmOptions,
    attached: &Attached,
    built: &BuiltStore,
) -> uzgate_core::Result<CoreClient> {
    let config = options.into_config(&built.core())?;
    CoreClient::new(
        config,
        attached.logger.clone(),
        Arc::new(uzgate_core::metrics::Metrics::new()),
    )
}

#[napi]
impl AmoCrmClient {
    /// Validates the options and builds the client; no network until the first call.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "Record<string, unknown>")] options: serde_json::Value,
        hooks: Option<ClientHooks<'_>>,
    ) -> Result<Self> {
        let options = match AmoCrmOptions::from_json(options) {
            Ok(o) => o,
            Err(e) => return throw(&env, e),
        };
        let view = match ConfigView::of_amocrm(&options) {
            Ok(v) => v,
            Err(e) => return throw(&env, e),
        };
        let res = Resources::prepare(&env, hooks, options.log_level, options.token_store.as_ref())?;
        let callback = res.alert_callback();
        let view = view.with_alert_callback(callback.is_some()).to_json();
        let label = amocrm_label(&options);
        let alerts = match alerts::engine(options.alerts.as_ref(), label.clone(), callback) {
            Ok(a) => a,
            Err(e) => return throw(&env, e),
        };
        match build(options, &res.attached, &res.store) {
            Ok(inner) => {
                if let Some(events) = res.events() {
                    inner.subscribe(events);
                }
                alerts::attach(
                    alerts,
                    res.attached.logger.clone(),
                    inner.metrics_handle(),
                    res.store.redis.clone().map(|conn| (conn, label)),
                    |sink| inner.subscribe(sink),
                );
                Ok(AmoCrmClient {
                    inner: Arc::new(inner),
                    res,
                    view,
                })
            }
            Err(e) => throw(&env, e),
        }
    }

    /// The effective configuration for operators, every value masked (no secret, nor any part
    /// of one): provider, hosts, credentials set or missing, token store, limits, findings.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn configuration(&self) -> serde_json::Value {
        self.view.clone()
    }

    /// The consent URL and a fresh `state` (32 random bytes) to keep until the callback.
    #[napi]
    pub fn authorization_url(
        &self,
        env: Env,
        options: Option<AuthorizationUrlOptions>,
    ) -> Result<AuthorizationUrl> {
        let mode = options.and_then(|o| o.mode);
        self.inner
            .authorization_url(mode.as_deref())
            .map(Into::into)
            .map_err(|e| js_error(&env, e))
    }

    /// Checks the callback (state in constant time, `error=access_denied`), exchanges the code
    /// and persists the tokens with the account host from `referer`.
    #[napi(ts_return_type = "Promise<TokenStatus>")]
    pub fn exchange_code<'e>(
        &self,
        env: &'e Env,
        input: ExchangeCodeInput,
    ) -> Result<PromiseRaw<'e, TokenStatus>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.exchange_code(input.into()).await })
    }

    /// `GET /api/v4/account`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn account<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Value>> {
        let inner = self.inner.clone();
        promise_with(env, async move { inner.account().await }, |v| v)
    }

    /// Lead + contact (+ tags, custom fields) through `/leads/complex`, then the note.
    #[napi(ts_return_type = "Promise<CreatedLead>")]
    pub fn create_lead<'e>(
        &self,
        env: &'e Env,
        lead: LeadInput,
    ) -> Result<PromiseRaw<'e, CreatedLead>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.create_lead(lead.into()).await })
    }

    /// Many leads, validated first, sent in chunks of 50.
    #[napi(ts_return_type = "Promise<CreatedLead[]>")]
    pub fn create_leads<'e>(
        &self,
        env: &'e Env,
        leads: Vec<LeadInput>,
    ) -> Result<PromiseRaw<'e, Vec<CreatedLead>>> {
        let inner = self.inner.clone();
        promise_vec(env, async move {
            inner
                .create_leads(leads.into_iter().map(Into::into).collect())
                .await
        })
    }

    /// One page of leads; an empty page (amoCRM's 204) has no items and no `next`.
    #[napi(ts_return_type = "Promise<LeadsPage>")]
    pub fn list_leads<'e>(
        &self,
        env: &'e Env,
        query: Option<ListLeadsQuery>,
    ) -> Result<PromiseRaw<'e, LeadsPage>> {
        let inner = self.inner.clone();
        let q = query.map(Into::into).unwrap_or_default();
        promise(env, async move { inner.list_leads(q).await })
    }

    /// The page a previous page's `next` points to.
    #[napi(ts_return_type = "Promise<LeadsPage>")]
    pub fn next_leads_page<'e>(
        &self,
        env: &'e Env,
        next: String,
    ) -> Result<PromiseRaw<'e, LeadsPage>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.next_leads_page(&next).await })
    }

    /// Adds a `common` note to a lead; resolves to the note id.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn add_note<'e>(
        &self,
        env: &'e Env,
        lead_id: f64,
        text: String,
    ) -> Result<PromiseRaw<'e, f64>> {
        let inner = self.inner.clone();
        let lead_id = js_id(lead_id);
        promise_with(
            env,
            async move { inner.add_note(lead_id, &text).await },
            |id| id as f64,
        )
    }

    /// Any v4 endpoint with auth, rate limits and refresh applied.
    #[napi(ts_return_type = "Promise<AmoResponse>")]
    pub fn request<'e>(
        &self,
        env: &'e Env,
        method: String,
        path: String,
        body: Option<Value>,
    ) -> Result<PromiseRaw<'e, AmoResponse>> {
        let inner = self.inner.clone();
        promise(
            env,
            async move { inner.request(&method, &path, body).await },
        )
    }

    /// State of the tokens; never the tokens.
    #[napi]
    pub fn token_status(&self) -> TokenStatus {
        self.inner.token_status().into()
    }

    /// `tokenStatus()` completed from the token store when this process holds no token yet;
    /// makes no request.
    #[napi(ts_return_type = "Promise<TokenStatus>")]
    pub fn stored_token_status<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, TokenStatus>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.stored_token_status().await })
    }

    /// The one-time migration after setting an `encryptionKey` or upgrading: rewrites the stored
    /// tokens in the current sealed format (bound to their key and version) and moves tokens
    /// found under the older default key.
    #[napi(ts_return_type = "Promise<SealReport>")]
    pub fn seal_stored_token<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, crate::store::SealReport>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.seal_stored_token().await })
    }

    /// Refreshes now (joins a refresh already running).
    #[napi(ts_return_type = "Promise<TokenStatus>")]
    pub fn refresh_token<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, TokenStatus>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.refresh_token().await })
    }

    /// Prometheus text of this client's counters.
    #[napi]
    pub fn metrics(&self) -> String {
        self.inner.metrics()
    }

    /// Stops background work (proactive refresh, keep-alive); an in-flight refresh may finish
    /// persisting first. Idempotent.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let inner = self.inner.clone();
        let res = self.res.clone();
        promise(env, async move {
            inner.close().await;
            res.release();
            Ok(())
        })
    }
}

/// The account host a callback `referer` names (`example`, `https://Example.amocrm.ru/` →
/// `example.amocrm.ru`), judged by the same rule as the client's; `null` when it is not an
/// amoCRM account host (`<sub>.amocrm.ru`, `<sub>.amocrm.com`, `<sub>.kommo.com`).
#[napi(catch_unwind)]
pub fn amocrm_account_host(
    referer: String,
    #[napi(ts_arg_type = "'amocrm.ru' | 'amocrm.com' | 'kommo.com'")] domain: Option<String>,
) -> Option<String> {
    let domain = AmoDomain::parse(domain.as_deref().unwrap_or("amocrm.ru")).ok()?;
    AccountHost::from_referer(&referer, domain).map(|h| h.as_str().to_string())
}
