//! `SmsClient`: one API over every SMS provider. The provider is chosen once, at construction,
//! from `SmsProviderConfig`; every call then goes through the `SmsProvider` trait. This file is
//! the only one in `sms/` that knows the providers exist.

use super::balance_watch::{BalanceWatch, PolledBalance};
use super::provider::{Capabilities, SmsProvider};
use super::routing::{
    BreakerListener, BreakerSettings, ProviderStatus, Router, Routes, SharedBreakers,
};
use super::types::{
    Balance, BatchResult, DeliveryStatus, MessageStatus, OutboxMessage, SendInput, SendResult,
};
use crate::alerts::{AlertEngine, AlertKind, RateWatch};
use crate::auth::{EventSink, TokenManager, TokenStatus};
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::providers::console::ConsoleSms;
use crate::providers::eskiz::{
    EskizClient, EskizConfig, EskizTemplate, EskizUser, HistoryPage, HistoryQuery,
};
use crate::providers::playmobile::{PlayMobileClient, PlayMobileConfig};
use crate::providers::twilio::{TwilioClient, TwilioConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

pub enum SmsProviderConfig {
    Eskiz(Box<EskizConfig>),
    Twilio(Box<TwilioConfig>),
    PlayMobile(Box<PlayMobileConfig>),
    Console {
        outbox_size: usize,
        default_region: Option<String>,
    },
}

/// Several providers and the routes between them (`routing`).
pub struct RoutingConfig {
    /// `(to, via)` as given: a region or `'*'`, provider names in order.
    pub routes: Vec<(String, Vec<String>)>,
    pub breakers: BreakerSettings,
    /// Region of numbers written without a country code, for choosing the route.
    pub default_region: String,
    /// The Redis the replicas share (a `redis` token store) and the base of the breakers' keys
    /// in it: the breakers are then shared by every replica.
    pub shared: Option<(Arc<crate::redis_client::RedisConnection>, String)>,
}

pub struct SmsClient {
    /// The client's own provider: the first configured one with `routing`; it answers
    /// `status()`, `balance()`, the cabinet and the token calls.
    provider: Arc<dyn SmsProvider>,
    /// Sends go through it with `routing`.
    router: Option<Router>,
    metrics: Arc<Metrics>,
    closed: AtomicBool,
    balance_watch: BalanceWatch,
    /// The delivery-failure alert, fed by `note_delivery`.
    deliveries: OnceLock<Arc<RateWatch>>,
}

impl SmsClient {
    /// Validates the configuration and builds the client; no network until the first call.
    pub fn new(config: SmsProviderConfig, log: Logger) -> Result<Self> {
        let metrics = Arc::new(Metrics::new());
        let provider = build_provider(config, log, &metrics)?;
        Ok(Self::assemble(provider, None, metrics))
    }

    /// Several providers, each message sent through the route of its number's region with
    /// failover; `members` in the order configured (the first is the client's own provider).
    pub fn routed(
        members: Vec<SmsProviderConfig>,
        routing: RoutingConfig,
        log: Logger,
    ) -> Result<Self> {
        let metrics = Arc::new(Metrics::new());
        let mut built: Vec<(&'static str, Arc<dyn SmsProvider>)> = Vec::new();
        for config in members {
            let provider = build_provider(config, log.clone(), &metrics)?;
            built.push((provider.kind().as_str(), provider));
        }
        let names: Vec<&str> = built.iter().map(|(n, _)| *n).collect();
        let routes = Routes::new(&routing.routes, &names)?;
        let primary = built
            .first()
            .map(|(_, p)| p.clone())
            .ok_or_else(|| Error::config("routing needs at least one provider configured"))?;
        let mut router = Router::new(
            routes,
            built,
            routing.breakers,
            routing.default_region,
            metrics.clone(),
        );
        if let Some((conn, base)) = routing.shared {
            router.share_breakers(SharedBreakers::new(conn, base, log), routing.breakers);
        }
        Ok(Self::assemble(primary, Some(router), metrics))
    }

    fn assemble(
        provider: Arc<dyn SmsProvider>,
        router: Option<Router>,
        metrics: Arc<Metrics>,
    ) -> Self {
        SmsClient {
            provider,
            router,
            metrics,
            closed: AtomicBool::new(false),
            balance_watch: BalanceWatch::default(),
            deliveries: OnceLock::new(),
        }
    }

    /// With `routing`: each provider's circuit breaker (`None` for a single provider).
    pub fn provider_status(&self) -> Option<Vec<ProviderStatus>> {
        self.router.as_ref().map(Router::status)
    }

    /// With `routing`: told when a provider's breaker opens or closes.
    pub fn on_breaker_change(&self, listener: BreakerListener) {
        if let Some(r) = &self.router {
            r.on_breaker_change(listener);
        }
    }

    /// With `routing`: the "SMS provider unavailable" alert of each provider, through `engine`.
    pub fn alert_breakers(&self, engine: Arc<AlertEngine>) {
        self.on_breaker_change(super::routing::breaker_alerts(engine));
    }

    /// The regions an OTP service sends codes to unless told otherwise: those whose route
    /// starts with an Uzbek aggregator (Eskiz, Play Mobile) or the console — `UZ` for the usual
    /// setups; with one provider, `default_region`. Everything else (above all a `'*'` route
    /// through an international provider) must be allowed by name: SMS pumping targets it.
    pub fn otp_default_regions(&self, default_region: &str) -> Vec<String> {
        let local = ["eskiz", "playmobile", "console"];
        match &self.router {
            Some(r) => {
                let mut regions = r.routes().regions_first_via(&local);
                let star_is_local =
                    r.routes().all().iter().any(|route| {
                        route.region.is_none() && local.contains(&route.via[0].as_str())
                    });
                if star_is_local && !regions.iter().any(|x| x == default_region) {
                    regions.push(default_region.to_string());
                }
                regions
            }
            None => vec![default_region.to_string()],
        }
    }

    /// Every provider of the client (one without `routing`).
    fn all_providers(&self) -> Vec<Arc<dyn SmsProvider>> {
        match &self.router {
            Some(r) => r.members().iter().map(|m| m.provider.clone()).collect(),
            None => vec![self.provider.clone()],
        }
    }

    pub fn provider(&self) -> Provider {
        self.provider.kind()
    }

    pub fn capabilities(&self) -> Capabilities {
        self.provider.capabilities()
    }

    fn open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            Err(Error::closed())
        } else {
            Ok(())
        }
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::new(
            ErrorCode::NotImplemented,
            format!(
                "{what} is not available with the {} provider",
                self.provider().as_str()
            ),
        )
        .with_provider(self.provider())
    }

    /// The Eskiz cabinet (`Capabilities::account`), or `NOT_IMPLEMENTED` naming `what`.
    fn cabinet(&self, what: &str) -> Result<&EskizClient> {
        self.open()?;
        self.provider
            .as_any()
            .downcast_ref::<EskizClient>()
            .filter(|_| self.capabilities().account)
            .ok_or_else(|| self.unsupported(what))
    }

    pub async fn send(&self, input: SendInput) -> Result<SendResult> {
        self.open()?;
        match &self.router {
            Some(r) => r.send(input, false).await,
            None => self.provider.send(input).await,
        }
    }

    pub async fn send_batch(
        &self,
        messages: Vec<SendInput>,
        dispatch_id: Option<u64>,
    ) -> Result<BatchResult> {
        self.open()?;
        match &self.router {
            Some(r) => r.send_batch(messages).await,
            None => self.provider.send_batch(messages, dispatch_id).await,
        }
    }

    pub async fn send_global(&self, input: SendInput) -> Result<SendResult> {
        self.open()?;
        match &self.router {
            Some(r) => r.send(input, true).await,
            None => self.provider.send_global(input).await,
        }
    }

    pub async fn status(&self, id: &str) -> Result<MessageStatus> {
        self.open()?;
        self.provider.status(id).await
    }

    pub async fn balance(&self) -> Result<Balance> {
        self.open()?;
        self.provider.balance().await
    }

    /// Every provider's balance (one without `routing`), asked at once; a provider that cannot
    /// answer (Play Mobile has no balance query; an unreachable one) says why in its entry.
    pub async fn balances(&self) -> Result<Vec<ProviderBalance>> {
        self.open()?;
        let providers = self.all_providers();
        let asked = providers.iter().map(|p| p.balance());
        let answers = futures::future::join_all(asked).await;
        Ok(providers
            .iter()
            .zip(answers)
            .map(|(p, answer)| ProviderBalance {
                provider: p.kind().as_str(),
                balance: answer,
            })
            .collect())
    }

    /// Polls the balances now and then every `every` until the client is closed (a second call
    /// changes nothing). Needs a tokio runtime; the task holds the client only while it polls.
    /// With `low`, an alert while the client's own provider's balance is below its threshold.
    pub fn watch_balance(self: &Arc<Self>, every: Duration, low: Option<LowBalance>) {
        let task = tokio::spawn(poll_balance(Arc::downgrade(self), every, low));
        if self.balance_watch.started(task.abort_handle()) && self.closed.load(Ordering::Acquire) {
            self.balance_watch.stop();
        }
    }

    /// The balance the last poll found for the client's own provider (`None` before the first
    /// success, or without polling).
    pub fn last_balance(&self) -> Option<PolledBalance> {
        self.balance_watch.last(self.provider.kind().as_str())
    }

    /// What the last polls found for every provider polled (with `routing`, each that has a
    /// balance query), in the order first read.
    pub fn last_balances(&self) -> Vec<PolledBalance> {
        self.balance_watch.all()
    }

    pub async fn user(&self) -> Result<EskizUser> {
        self.cabinet("user()")?.user().await
    }

    pub async fn templates(&self) -> Result<Vec<EskizTemplate>> {
        self.cabinet("templates()")?.templates().await
    }

    pub async fn submit_template(&self, text: &str) -> Result<String> {
        self.cabinet("submitTemplate()")?
            .submit_template(text)
            .await
    }

    pub async fn messages(&self, query: HistoryQuery) -> Result<HistoryPage> {
        self.cabinet("messages()")?.messages(query).await
    }

    /// Messages kept by the console provider; empty for real providers.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.provider.outbox()
    }

    pub fn token_status(&self) -> Option<TokenStatus> {
        self.provider.tokens().map(|t| t.status())
    }

    /// `token_status`, completed from the store when this process has no token yet (no request).
    pub async fn stored_token_status(&self) -> Result<Option<TokenStatus>> {
        match self.provider.tokens() {
            Some(t) => Ok(Some(t.stored_status().await?)),
            None => Ok(None),
        }
    }

    /// The one-time migration of the stored token to the current record format (`None`: this
    /// provider keeps no token).
    pub async fn seal_stored_token(&self) -> Result<Option<crate::store::Sealing>> {
        match self.provider.tokens() {
            Some(t) => Ok(Some(t.seal_stored().await?)),
            None => Ok(None),
        }
    }

    pub async fn refresh_token(&self) -> Result<Option<TokenStatus>> {
        self.open()?;
        match self.provider.tokens() {
            Some(t) => {
                t.force_refresh().await?;
                Ok(Some(t.status()))
            }
            None => Ok(None),
        }
    }

    /// Counts failed final delivery reports toward `watch`'s alert (set once).
    pub fn watch_deliveries(&self, watch: Arc<RateWatch>) {
        let _ = self.deliveries.set(watch);
    }

    /// A delivery report received (by a callback route): a final one counts toward the
    /// delivery-failure alert. Give each message's final report once.
    pub fn note_delivery(&self, status: DeliveryStatus) {
        if let (Some(watch), true) = (self.deliveries.get(), status.is_terminal()) {
            watch.observe(status == DeliveryStatus::Failed);
        }
    }

    /// The counters of this client, shared with services built on it (OTP).
    pub(crate) fn metrics_registry(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The client's counters, for parts that report into them (alerts).
    pub fn metrics_handle(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    pub fn metrics(&self) -> String {
        self.metrics.render()
    }

    /// Token events (Eskiz) and `rate_limited` (Eskiz, Twilio).
    pub fn subscribe(&self, sink: Arc<dyn EventSink>) {
        for p in self.all_providers() {
            p.subscribe(sink.clone());
        }
    }

    pub fn token_manager(&self) -> Option<&Arc<TokenManager>> {
        self.provider.tokens()
    }

    /// Stops background token work. Idempotent; later calls fail with `CLOSED`.
    pub async fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        self.balance_watch.stop();
        for p in self.all_providers() {
            p.close().await;
        }
    }
}

/// One provider from its configuration.
fn build_provider(
    config: SmsProviderConfig,
    log: Logger,
    metrics: &Arc<Metrics>,
) -> Result<Arc<dyn SmsProvider>> {
    Ok(match config {
        SmsProviderConfig::Eskiz(c) => Arc::new(EskizClient::new(*c, log, metrics.clone())?),
        SmsProviderConfig::Twilio(c) => Arc::new(TwilioClient::new(*c, log, metrics.clone())?),
        SmsProviderConfig::PlayMobile(c) => {
            Arc::new(PlayMobileClient::new(*c, log, metrics.clone())?)
        }
        SmsProviderConfig::Console {
            outbox_size,
            default_region,
        } => Arc::new(ConsoleSms::new(outbox_size, default_region, log)),
    })
}

/// One provider's answer in `balances()`.
pub struct ProviderBalance {
    pub provider: &'static str,
    pub balance: Result<Balance>,
}

/// The low-balance alert: its threshold and the engine that reports it.
pub struct LowBalance {
    pub threshold: f64,
    pub alerts: Arc<AlertEngine>,
}

impl LowBalance {
    fn check(&self, b: &Balance) {
        if b.balance < self.threshold {
            self.alerts.raise(
                AlertKind::LowBalance,
                format!(
                    "Balance {} {}, below the alert threshold {}",
                    b.balance, b.currency, self.threshold
                ),
                "Top up the account: sends fail once it runs out".into(),
            );
        } else {
            self.alerts.clear(AlertKind::LowBalance);
        }
    }
}

async fn poll_balance(client: Weak<SmsClient>, every: Duration, low: Option<LowBalance>) {
    loop {
        {
            let Some(c) = client.upgrade() else { return };
            if c.closed.load(Ordering::Acquire) {
                return;
            }
            let own = c.provider().as_str();
            for answer in c.balances().await.unwrap_or_default() {
                match answer.balance {
                    Ok(b) => {
                        c.metrics
                            .balance_polled(b.provider, &b.currency, Some(b.balance));
                        c.balance_watch.record(&b);
                        if let (Some(low), true) = (&low, b.provider == own) {
                            low.check(&b);
                        }
                    }
                    // A provider without a balance query (Play Mobile among routed ones) is
                    // simply not polled: nothing failed.
                    Err(e) if e.code == ErrorCode::NotImplemented => {}
                    Err(e) => {
                        c.metrics.balance_polled(answer.provider, "", None);
                        c.balance_watch.failed(answer.provider, e.code);
                    }
                }
            }
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn console() -> SmsClient {
        SmsClient::new(
            SmsProviderConfig::Console {
                outbox_size: 4,
                default_region: None,
            },
            Logger::default(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn the_console_has_no_cabinet_and_no_token() {
        let sms = console();
        assert_eq!(sms.provider(), Provider::Console);
        assert_eq!(
            sms.capabilities(),
            Capabilities {
                outbox: true,
                ..Capabilities::default()
            }
        );
        let err = sms.user().await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NotImplemented);
        assert_eq!(
            err.message,
            "user() is not available with the console provider"
        );
        assert_eq!(
            sms.messages(HistoryQuery::default())
                .await
                .unwrap_err()
                .code,
            ErrorCode::NotImplemented
        );
        assert!(sms.token_status().is_none());
        assert!(sms.refresh_token().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_closed_client_refuses_every_call_before_its_provider() {
        let sms = console();
        sms.close().await;
        let input = SendInput {
            to: "+998901234567".into(),
            text: "hi".into(),
            ..Default::default()
        };
        assert_eq!(sms.send(input).await.unwrap_err().code, ErrorCode::Closed);
        // Closed wins over "not available": the caller learns the client is gone.
        assert_eq!(sms.templates().await.unwrap_err().code, ErrorCode::Closed);
        assert!(sms.outbox().is_empty());
    }

    #[tokio::test]
    async fn console_batches_validate_every_message_before_keeping_any() {
        let sms = console();
        let ok = SendInput {
            to: "+998901234567".into(),
            text: "a".into(),
            reference: Some("r1".into()),
            ..Default::default()
        };
        let bad = SendInput {
            to: "nope".into(),
            text: "b".into(),
            ..Default::default()
        };
        let err = sms
            .send_batch(vec![ok.clone(), bad], Some(7))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidPhone);
        assert!(err.message.starts_with("messages[1]: "), "{}", err.message);
        assert!(sms.outbox().is_empty());
        let batch = sms.send_batch(vec![ok.clone(), ok], Some(7)).await.unwrap();
        assert_eq!(batch.dispatch_id, Some(7));
        assert_eq!(batch.messages.len(), 2);
        assert_eq!(batch.messages[0].reference.as_deref(), Some("r1"));
        assert_eq!(sms.outbox().len(), 2);
    }
}
