//! The SMS client's options: the provider and its settings, checked here once (the provider's
//! own settings present, Twilio's auth token or API key pair, Play Mobile's priority) and turned into the core's
//! provider configuration.

use super::alerts::AlertClient;
use super::common::client_options;
use super::parse::from_json;
use super::routing::{breaker_base, breaker_scope};
use super::routing::{route_pairs, BreakerOptions, RouteOptions};
use super::store::BuiltStore;
use crate::error::{Error, Result};
use crate::providers::eskiz::EskizConfig;
use crate::providers::playmobile::PlayMobileConfig;
use crate::providers::twilio::TwilioConfig;
use crate::sms::{RoutingConfig, SmsProviderConfig, MAX_BALANCE_POLL, MIN_BALANCE_POLL};
use crate::Secret;
use serde::Deserialize;
use std::time::Duration;

/// Which service sends the messages.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum SmsProviderKind {
    /// Eskiz.uz (needs `eskiz`).
    Eskiz,
    /// Twilio (needs `twilio`).
    Twilio,
    /// Play Mobile (playmobile.uz / smsxabar.uz; needs `playmobile`).
    Playmobile,
    /// Prints messages instead of sending them; never chosen by default.
    Console,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct EskizOptions {
    /// Account e-mail used to log in.
    pub email: String,
    /// The API secret key from the Eskiz cabinet (sent as `password`). Never logged.
    pub password: String,
    /// API root replacing `https://notify.eskiz.uz/api` (a sandbox's `url` in tests).
    pub base_url: Option<String>,
    /// Default sender: `4546` (Eskiz's shared number) unless an approved nick is given.
    pub from: Option<String>,
    /// Default delivery-report URL for every message.
    pub callback_url: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct TwilioOptions {
    /// `AC…`: the account of every request path.
    pub account_sid: String,
    /// The account's auth token (or use `apiKeySid` + `apiKeySecret`). Never logged.
    pub auth_token: Option<String>,
    /// `SK…`: authenticate with an API key (with `apiKeySecret`) instead of the auth token.
    pub api_key_sid: Option<String>,
    /// The secret of `apiKeySid`. Never logged.
    pub api_key_secret: Option<String>,
    /// Default sender: a Twilio number (E.164), short code or alphanumeric sender ID.
    pub from: Option<String>,
    /// `MG…`: let a Messaging Service pick the sender when `from` is absent.
    pub messaging_service_sid: Option<String>,
    /// Default `StatusCallback` URL for delivery reports (no underscore in the host).
    pub status_callback: Option<String>,
    /// Seconds a message may wait in Twilio's queue (1–36000).
    pub validity_period: Option<u32>,
    /// Root replacing `https://api.twilio.com` (a sandbox's `url` in tests).
    pub base_url: Option<String>,
    /// Region of numbers written without `+`; none: numbers must be E.164.
    pub default_region: Option<String>,
}

/// Play Mobile's delivery priority, lowest first.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum PlayMobilePriority {
    Low,
    Normal,
    High,
    /// What OTP codes should use.
    Realtime,
}

impl PlayMobilePriority {
    fn as_str(self) -> &'static str {
        match self {
            PlayMobilePriority::Low => "low",
            PlayMobilePriority::Normal => "normal",
            PlayMobilePriority::High => "high",
            PlayMobilePriority::Realtime => "realtime",
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct PlayMobileOptions {
    /// The HTTP Basic login Play Mobile issued for the account.
    pub login: String,
    /// Its password. Never logged.
    pub password: String,
    /// Default sender: the account's short number (often `3700`) or a registered alpha name.
    pub originator: String,
    /// Delivery priority sent with every message (`realtime` for OTP codes); Play Mobile's
    /// default when absent.
    pub priority: Option<PlayMobilePriority>,
    /// Host root replacing `https://send.smsxabar.uz` (`/broker-api/send` is appended; a
    /// sandbox's `url` in tests).
    pub base_url: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct ConsoleOptions {
    /// How many recent messages `outbox()` keeps (default 100).
    pub outbox_size: Option<u32>,
    /// Region of numbers written without a country code (default `UZ`).
    pub default_region: Option<String>,
}

client_options! {
    /// Options of `SmsClient`: Eskiz.uz, Twilio, Play Mobile or the development console behind
    /// one API.
    pub struct SmsOptions {
        /// `eskiz`, `twilio`, `playmobile` or `console` (which only prints messages: never a
        /// default).
        pub provider: SmsProviderKind,
        /// Eskiz settings, needed for `provider: 'eskiz'`.
        pub eskiz: Option<EskizOptions>,
        /// Twilio settings, needed for `provider: 'twilio'`.
        pub twilio: Option<TwilioOptions>,
        /// Play Mobile settings, needed for `provider: 'playmobile'`.
        pub playmobile: Option<PlayMobileOptions>,
        /// Console settings.
        pub console: Option<ConsoleOptions>,
        /// Poll the provider's balance every this many ms (1000–86400000; off by default): the
        /// `uzgate_balance` gauge, `lastBalance()`, and health checks that read the last value
        /// instead of calling the provider.
        pub balance_poll_ms: Option<u32>,
        /// Several providers: the route of each region, e.g. `[{ to: 'UZ', via: ['eskiz',
        /// 'playmobile'] }, { to: '*', via: ['twilio'] }]`. Every configured provider must be in
        /// a route; `provider` then defaults to the first one named.
        pub routing: Option<Vec<RouteOptions>>,
        /// With `routing`: when a failing provider is rested, and for how long.
        pub breaker: Option<BreakerOptions>,
    }
}

/// What the options build: one provider, or several with their routes.
pub enum SmsSetup {
    Single(SmsProviderConfig),
    Routed {
        members: Vec<SmsProviderConfig>,
        routing: RoutingConfig,
    },
}

impl SmsOptions {
    /// Parses the options object; a missing provider names the three choices.
    pub fn from_json(mut value: serde_json::Value) -> Result<Self> {
        fill_provider_from_routing(&mut value);
        if value.is_object() && value.get("provider").is_none_or(|p| p.is_null()) {
            return Err(Error::config(
                "provider is required: 'eskiz' (with eskiz: { email, password }), 'twilio' \
                 (with twilio: { accountSid, authToken }), 'playmobile' (with playmobile: { \
                 login, password, originator }) or 'console' (prints messages instead of sending \
                 them; never chosen by default)",
            ));
        }
        from_json(value, "SmsClientOptions")
    }

    /// Every rule checked, nothing built (no store, no connection): for readers that assemble
    /// options from elsewhere (the environment) and name their own sources in errors.
    pub fn check(value: serde_json::Value) -> Result<()> {
        let options = Self::from_json(value)?;
        options.balance_poll()?;
        options.low_balance_alert()?;
        if let Some(alerts) = &options.alerts {
            alerts.build(String::new(), None)?;
        }
        options.into_setup(&BuiltStore::default()).map(|_| ())
    }

    /// The low-balance alert's threshold, which needs the balance polled.
    pub fn low_balance_alert(&self) -> Result<Option<f64>> {
        let Some(threshold) = self.alerts.as_ref().and_then(|a| a.low_balance) else {
            return Ok(None);
        };
        if self.balance_poll_ms.is_none() {
            return Err(Error::config(
                "alerts.lowBalance needs balancePollMs: the balance is read by polling it",
            ));
        }
        Ok(Some(threshold))
    }

    /// How often to poll the balance, if at all.
    pub fn balance_poll(&self) -> Result<Option<Duration>> {
        let Some(ms) = self.balance_poll_ms else {
            return Ok(None);
        };
        if self.provider == SmsProviderKind::Playmobile {
            return Err(Error::config(
                "balancePollMs cannot be used with Play Mobile: it has no balance query uzgate \
                 knows of (leave balancePollMs and alerts.lowBalance out)",
            ));
        }
        let every = Duration::from_millis(ms as u64);
        if !(MIN_BALANCE_POLL..=MAX_BALANCE_POLL).contains(&every) {
            return Err(Error::config(format!(
                "balancePollMs must be between {} and {} (got {ms})",
                MIN_BALANCE_POLL.as_millis(),
                MAX_BALANCE_POLL.as_millis()
            )));
        }
        Ok(Some(every))
    }

    /// The provider's configuration (one provider, no `routing`), with every rule checked;
    /// `store` is the built `tokenStore`.
    pub fn into_config(self, store: &BuiltStore) -> Result<SmsProviderConfig> {
        match self.into_setup(store)? {
            SmsSetup::Single(config) => Ok(config),
            SmsSetup::Routed { .. } => Err(Error::config(
                "routing builds several providers: use into_setup",
            )),
        }
    }

    /// One provider, or several with their routes, every rule checked; `store` is the built
    /// `tokenStore` (the Eskiz token's).
    pub fn into_setup(mut self, store: &BuiltStore) -> Result<SmsSetup> {
        if let Some(alerts) = &self.alerts {
            alerts.check_for(AlertClient::Sms)?;
            alerts.delivery_rule()?;
        }
        let Some(routes) = self.routing.take() else {
            if self
                .alerts
                .as_ref()
                .is_some_and(|a| a.provider_down.is_some())
            {
                return Err(Error::config(
                    "alerts.providerDown needs routing: it reports the breakers of routed providers",
                ));
            }
            if self.breaker.is_some() {
                return Err(Error::config(
                    "breaker needs routing: it rests one of several providers",
                ));
            }
            let kind = self.provider;
            return Ok(SmsSetup::Single(self.provider_config(kind, store)?));
        };
        let breakers = BreakerOptions::settings(self.breaker.as_ref())?;
        let scope = breaker_scope(&self);
        let configured: Vec<&str> = [
            (SmsProviderKind::Eskiz, self.eskiz.is_some()),
            (SmsProviderKind::Playmobile, self.playmobile.is_some()),
            (SmsProviderKind::Twilio, self.twilio.is_some()),
            (SmsProviderKind::Console, self.console.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(k, _)| k.as_str())
        .collect();
        let (pairs, named) = route_pairs(&routes);
        crate::sms::routing::Routes::new(&pairs, &configured)?;
        if let Some(unused) = configured.iter().find(|c| !named.iter().any(|n| n == *c)) {
            return Err(Error::config(format!(
                "{unused} is configured but no route uses it: add it to a route's via, or remove its settings"
            )));
        }
        if !named.iter().any(|n| n == self.provider.as_str()) {
            return Err(Error::config(format!(
                "provider {:?} is in no route: with routing, provider names the client's own provider among the routed ones",
                self.provider.as_str()
            )));
        }
        // The client's own provider first, then the others in the order the routes name them.
        let mut order = vec![self.provider];
        for name in &named {
            let kind = SmsProviderKind::from_name(name).ok_or_else(|| {
                Error::config(format!("routing names an unknown provider {name:?}"))
            })?;
            if !order.contains(&kind) {
                order.push(kind);
            }
        }
        let mut members = Vec::new();
        for kind in order {
            members.push(self.provider_config(kind, store)?);
        }
        Ok(SmsSetup::Routed {
            members,
            routing: RoutingConfig {
                routes: pairs,
                breakers,
                default_region: "UZ".into(),
                shared: store
                    .redis
                    .clone()
                    .map(|conn| (conn, breaker_base(store.key.as_deref(), &scope))),
            },
        })
    }

    /// The configuration of provider `kind`, its settings taken out of the options.
    fn provider_config(
        &mut self,
        kind: SmsProviderKind,
        store: &BuiltStore,
    ) -> Result<SmsProviderConfig> {
        let http = self.common().http()?;
        let manager = self.common().manager()?;
        Ok(match kind {
            SmsProviderKind::Eskiz => {
                let e = self.eskiz.take().ok_or_else(|| {
                    Error::config("provider 'eskiz' needs the eskiz options (email, password)")
                })?;
                SmsProviderConfig::Eskiz(Box::new(EskizConfig {
                    email: e.email,
                    password: Secret::from(e.password),
                    base_url: e.base_url,
                    from: e.from,
                    callback_url: e.callback_url,
                    http,
                    manager,
                    store: store.store.clone(),
                    store_key: store.key.clone(),
                }))
            }
            SmsProviderKind::Twilio => {
                let t = self.twilio.take().ok_or_else(|| {
                    Error::config(
                        "provider 'twilio' needs the twilio options (accountSid, authToken)",
                    )
                })?;
                SmsProviderConfig::Twilio(Box::new(t.into_config(http)?))
            }
            SmsProviderKind::Playmobile => {
                let p = self.playmobile.take().ok_or_else(|| {
                    Error::config(
                        "provider 'playmobile' needs the playmobile options (login, password, \
                         originator)",
                    )
                })?;
                SmsProviderConfig::PlayMobile(Box::new(PlayMobileConfig {
                    login: p.login,
                    password: Secret::from(p.password),
                    originator: p.originator,
                    priority: p.priority.map(|p| p.as_str().to_string()),
                    base_url: p.base_url,
                    http,
                }))
            }
            SmsProviderKind::Console => {
                let c = self.console.take().unwrap_or_default();
                SmsProviderConfig::Console {
                    outbox_size: c.outbox_size.unwrap_or(100) as usize,
                    default_region: c.default_region,
                }
            }
        })
    }
}

impl SmsProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsProviderKind::Eskiz => "eskiz",
            SmsProviderKind::Twilio => "twilio",
            SmsProviderKind::Playmobile => "playmobile",
            SmsProviderKind::Console => "console",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            SmsProviderKind::Eskiz,
            SmsProviderKind::Twilio,
            SmsProviderKind::Playmobile,
            SmsProviderKind::Console,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// With `routing` and no `provider`, the client's own provider is the first one the routes name.
fn fill_provider_from_routing(value: &mut serde_json::Value) {
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    if obj.get("provider").is_some_and(|p| !p.is_null()) {
        return;
    }
    let first = obj
        .get("routing")
        .and_then(|r| r.as_array())
        .and_then(|routes| routes.first())
        .and_then(|route| route.get("via"))
        .and_then(|via| via.as_array())
        .and_then(|via| via.first())
        .cloned();
    if let Some(first) = first.filter(|f| f.is_string()) {
        obj.insert("provider".into(), first);
    }
}

impl TwilioOptions {
    /// Exactly one way to authenticate: the auth token, or an API key with its secret.
    fn into_config(self, http: crate::http::HttpOptions) -> Result<TwilioConfig> {
        let (api_key_sid, secret) = match (self.api_key_sid, self.api_key_secret, self.auth_token) {
            (Some(sid), Some(secret), _) => (Some(sid), secret),
            (Some(_), None, _) => {
                return Err(Error::config(
                    "twilio.apiKeySecret is not set (needed with twilio.apiKeySid)",
                ))
            }
            (None, Some(_), _) => {
                return Err(Error::config(
                    "twilio.apiKeySid is not set (needed with twilio.apiKeySecret)",
                ))
            }
            (None, None, Some(token)) => (None, token),
            (None, None, None) => {
                return Err(Error::config(
                    "twilio.authToken is not set (needed for provider=twilio, or \
                     twilio.apiKeySid with twilio.apiKeySecret)",
                ))
            }
        };
        Ok(TwilioConfig {
            account_sid: self.account_sid,
            auth_token: Secret::from(secret),
            api_key_sid,
            from: self.from,
            messaging_service_sid: self.messaging_service_sid,
            status_callback: self.status_callback,
            validity_period: self.validity_period,
            base_url: self.base_url,
            default_region: self.default_region,
            http,
        })
    }
}
