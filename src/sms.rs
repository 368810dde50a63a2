//! `SmsClient` for JS: the core parses and checks the options synchronously (no I/O), then every
//! method returns a promise backed by the core client.

use crate::alerts;
use crate::error::throw;
use crate::hooks::{ClientHooks, Resources};
use crate::promise::{promise, promise_vec};
use crate::sms_types::*;
use crate::store::BuiltStore;
use napi::bindgen_prelude::*;
use napi::Env;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::diagnostics::ConfigView;
use uzgate_core::options::{sms_label, SmsOptions, SmsSetup};
use uzgate_core::providers::eskiz::HistoryQuery as CoreHistoryQuery;
use uzgate_core::sms;
use uzgate_core::Error as CoreError;

#[napi]
pub struct SmsClient {
    inner: Arc<sms::SmsClient>,
    res: Arc<Resources>,
    /// The masked configuration view, computed once from the options.
    view: serde_json::Value,
    /// How alerts name this client's account (masked), for services built on it (OTP).
    label: String,
}

/// How the balance is watched: every how long, and the low-balance alert's threshold.
type BalanceWatch = (Option<Duration>, Option<f64>);

/// The core client from the parsed options and the built store.
fn build(
    options: SmsOptions,
    log: uzgate_core::log::Logger,
    built: &BuiltStore,
) -> uzgate_core::Result<(sms::SmsClient, BalanceWatch)> {
    let watch = (options.balance_poll()?, options.low_balance_alert()?);
    let client = match options.into_setup(&built.core())? {
        SmsSetup::Single(config) => sms::SmsClient::new(config, log)?,
        SmsSetup::Routed { members, routing } => sms::SmsClient::routed(members, routing, log)?,
    };
    Ok((client, watch))
}

impl SmsClient {
    /// The core client, for services built on it (OTP).
    pub fn core(&self) -> Arc<sms::SmsClient> {
        self.inner.clone()
    }

    /// How alerts name this client's account (masked).
    pub fn alert_label(&self) -> &str {
        &self.label
    }
}

#[napi]
impl SmsClient {
    /// Validates the options and builds the client. No network: the token is obtained on the
    /// first call.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "Record<string, unknown>")] options: serde_json::Value,
        hooks: Option<ClientHooks<'_>>,
    ) -> Result<Self> {
        let options = match SmsOptions::from_json(options) {
            Ok(o) => o,
            Err(e) => return throw(&env, e),
        };
        let view = match ConfigView::of_sms(&options) {
            Ok(v) => v,
            Err(e) => return throw(&env, e),
        };
        let res = Resources::prepare(&env, hooks, options.log_level, options.token_store.as_ref())?;
        let callback = res.alert_callback();
        let view = view.with_alert_callback(callback.is_some()).to_json();
        let label = sms_label(&options);
        let alerts = match alerts::engine(options.alerts.as_ref(), label.clone(), callback) {
            Ok(a) => a,
            Err(e) => return throw(&env, e),
        };
        let delivery_rule = match options
            .alerts
            .as_ref()
            .map(|a| a.delivery_rule())
            .transpose()
        {
            Ok(r) => r,
            Err(e) => return throw(&env, e),
        };
        let provider_down = options.alerts.as_ref().is_some_and(|a| a.provider_down());
        match build(options, res.attached.logger.clone(), &res.store) {
            Ok((inner, (balance_poll, low_balance))) => {
                if let Some(events) = res.events() {
                    inner.subscribe(events);
                }
                let inner = Arc::new(inner);
                let low = low_balance
                    .zip(alerts.clone())
                    .map(|(threshold, alerts)| sms::LowBalance { threshold, alerts });
                let redis = res.store.redis.clone().map(|conn| (conn, label.clone()));
                if let (Some(engine), Some(rule)) = (&alerts, delivery_rule) {
                    let watch = alerts::rate_watch(engine, rule, &redis, "delivery_failures");
                    inner.watch_deliveries(watch);
                }
                if let (Some(engine), true) = (&alerts, provider_down) {
                    inner.alert_breakers(engine.clone());
                }
                alerts::attach(
                    alerts,
                    res.attached.logger.clone(),
                    inner.metrics_handle(),
                    redis,
                    |sink| inner.subscribe(sink),
                );
                if let Some(every) = balance_poll {
                    within_runtime_if_available(|| inner.watch_balance(every, low));
                }
                Ok(SmsClient {
                    inner,
                    res,
                    view,
                    label,
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

    /// With `routing`: each provider's circuit breaker; `null` for a single provider.
    #[napi]
    pub fn provider_status(&self) -> Option<Vec<ProviderStatus>> {
        self.inner
            .provider_status()
            .map(|all| all.into_iter().map(ProviderStatus::from).collect())
    }

    #[napi(getter)]
    pub fn provider(&self) -> String {
        self.inner.provider().as_str().to_string()
    }

    /// A delivery report received: a final one (`delivered`, `failed`) counts toward the
    /// delivery-failure alert. Give each message's final report once.
    #[napi]
    pub fn note_delivery(
        &self,
        env: Env,
        #[napi(ts_arg_type = "'pending' | 'delivered' | 'failed'")] status: String,
    ) -> Result<()> {
        let status = match status.as_str() {
            "pending" => sms::DeliveryStatus::Pending,
            "delivered" => sms::DeliveryStatus::Delivered,
            "failed" => sms::DeliveryStatus::Failed,
            _ => {
                return throw(
                    &env,
                    CoreError::invalid("status must be 'pending', 'delivered' or 'failed'"),
                )
            }
        };
        // Counted on the addon's runtime (this runs on the JS thread, outside it).
        within_runtime_if_available(|| self.inner.note_delivery(status));
        Ok(())
    }

    #[napi(ts_return_type = "Promise<SendResult>")]
    pub fn send<'e>(&self, env: &'e Env, message: SendInput) -> Result<PromiseRaw<'e, SendResult>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.send(message.into()).await })
    }

    /// Eskiz: one `send-batch` request (all messages validated first). Console: each message.
    #[napi(ts_return_type = "Promise<BatchResult>")]
    pub fn send_batch<'e>(
        &self,
        env: &'e Env,
        messages: Vec<SendInput>,
        options: Option<BatchOptions>,
    ) -> Result<PromiseRaw<'e, BatchResult>> {
        let inner = self.inner.clone();
        let dispatch = options.and_then(|o| o.dispatch_id);
        promise(env, async move {
            let dispatch = match dispatch {
                Some(d) if d <= 0 => {
                    return Err(CoreError::invalid("dispatchId must be a positive integer"))
                }
                d => d.map(|d| d as u64),
            };
            inner
                .send_batch(messages.into_iter().map(Into::into).collect(), dispatch)
                .await
        })
    }

    /// International SMS through Eskiz `send-global`.
    #[napi(ts_return_type = "Promise<SendResult>")]
    pub fn send_global<'e>(
        &self,
        env: &'e Env,
        message: SendInput,
    ) -> Result<PromiseRaw<'e, SendResult>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.send_global(message.into()).await })
    }

    #[napi(ts_return_type = "Promise<MessageStatus>")]
    pub fn status<'e>(&self, env: &'e Env, id: String) -> Result<PromiseRaw<'e, MessageStatus>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.status(&id).await })
    }

    /// The balance the last poll read (`balancePollMs`); null before the first or without polling.
    #[napi]
    pub fn last_balance(&self) -> Option<PolledBalance> {
        self.inner.last_balance().map(Into::into)
    }

    #[napi(ts_return_type = "Promise<Balance>")]
    pub fn balance<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Balance>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.balance().await })
    }

    /// Every provider's balance (one entry without routing), asked at once.
    #[napi(ts_return_type = "Promise<ProviderBalance[]>")]
    pub fn balances<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Vec<ProviderBalance>>> {
        let inner = self.inner.clone();
        promise_vec(env, async move { inner.balances().await })
    }

    /// What the last polls read (`balancePollMs`) for every provider polled.
    #[napi]
    pub fn last_balances(&self) -> Vec<PolledBalance> {
        self.inner
            .last_balances()
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Eskiz account (`/auth/user`).
    #[napi(ts_return_type = "Promise<EskizUser>")]
    pub fn user<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, EskizUser>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.user().await })
    }

    /// Eskiz templates and their moderation status.
    #[napi(ts_return_type = "Promise<EskizTemplate[]>")]
    pub fn templates<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Vec<EskizTemplate>>> {
        let inner = self.inner.clone();
        promise_vec(env, async move { inner.templates().await })
    }

    /// Submits a sample text for Eskiz moderation.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn submit_template<'e>(
        &self,
        env: &'e Env,
        text: String,
    ) -> Result<PromiseRaw<'e, String>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.submit_template(&text).await })
    }

    /// Sent messages, one page (Eskiz `get-user-messages`).
    #[napi(ts_return_type = "Promise<HistoryPage>")]
    pub fn messages<'e>(
        &self,
        env: &'e Env,
        query: Option<HistoryQuery>,
    ) -> Result<PromiseRaw<'e, HistoryPage>> {
        let inner = self.inner.clone();
        let q = query.map_or_else(CoreHistoryQuery::default, |q| CoreHistoryQuery {
            start_date: q.start_date,
            end_date: q.end_date,
            page: q.page,
            page_size: q.page_size,
            status: q.status,
        });
        promise(env, async move { inner.messages(q).await })
    }

    /// Messages kept by the console provider (newest last); empty for real providers.
    #[napi]
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.inner.outbox().into_iter().map(Into::into).collect()
    }

    /// State of the token; never the token itself. `null` for the console provider.
    #[napi]
    pub fn token_status(&self) -> Option<TokenStatus> {
        self.inner.token_status().map(Into::into)
    }

    /// `tokenStatus()` completed from the token store when this process holds no token yet;
    /// makes no request.
    #[napi(ts_return_type = "Promise<TokenStatus | null>")]
    pub fn stored_token_status<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, Option<TokenStatus>>> {
        let inner = self.inner.clone();
        promise(env, async move {
            inner
                .stored_token_status()
                .await
                .map(|s| s.map(TokenStatus::from))
        })
    }

    /// The one-time migration after setting an `encryptionKey` or upgrading: rewrites the stored
    /// token in the current sealed format (bound to its key and version) and moves a token found
    /// under the older default key. `null` for providers that keep no token.
    #[napi(ts_return_type = "Promise<SealReport | null>")]
    pub fn seal_stored_token<'e>(
        &self,
        env: &'e Env,
    ) -> Result<PromiseRaw<'e, Option<crate::store::SealReport>>> {
        let inner = self.inner.clone();
        promise(env, async move {
            inner
                .seal_stored_token()
                .await
                .map(|s| s.map(crate::store::SealReport::from))
        })
    }

    /// Refreshes the token now (joins a refresh already running).
    #[napi(ts_return_type = "Promise<TokenStatus | null>")]
    pub fn refresh_token<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, Option<TokenStatus>>> {
        let inner = self.inner.clone();
        promise(env, async move {
            inner
                .refresh_token()
                .await
                .map(|s| s.map(TokenStatus::from))
        })
    }

    /// Prometheus text exposition of this client's counters.
    #[napi]
    pub fn metrics(&self) -> String {
        self.inner.metrics()
    }

    /// Stops background token work so the process can exit. Idempotent.
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
