//! `alerts`: where operator alerts go (Telegram, a signed webhook) and when they fire; checked
//! here, before any request, and built into the core's alert engine.

use super::{AmoCrmDomain, AmoCrmOptions, SmsOptions, SmsProviderKind};
use crate::alerts::{
    AlertCallback, AlertEngine, AlertRules, AlertSink, RateRule, TelegramSink, WebhookSink,
};
use crate::diagnostics::{reveal, Exposure};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// A Telegram chat: its numeric id (`-100…` for groups and channels) or `@channelname`.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum TelegramChat {
    /// Exact up to 2^53, as Telegram's ids are (they need 52 bits).
    Id(f64),
    Name(String),
}

/// Alerts as Telegram messages from your bot.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct TelegramAlertOptions {
    /// The token @BotFather gave (`<bot id>:<secret>`); never logged.
    pub bot_token: String,
    /// Where to post: a chat id (`-100…` for a group) or `@channelname`.
    pub chat_id: TelegramChat,
    /// A forum topic of that group.
    #[cfg_attr(feature = "typescript", ts(as = "Option<f64>"))]
    pub thread_id: Option<i64>,
    /// Bot API root (default `https://api.telegram.org`): a proxy, or the sandbox in tests.
    pub api_root: Option<String>,
}

/// Alerts as JSON POSTs signed with HMAC-SHA256 over `<timestamp>.<body>`.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct WebhookAlertOptions {
    /// Where to POST.
    pub url: String,
    /// The signing key, at least 16 characters (`openssl rand -hex 32`); never sent.
    pub secret: String,
}

/// Alert when many delivery reports fail (`SmsClient`; the reports the callback routes receive, or
/// those given to `noteDelivery`).
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct DeliveryFailureAlertOptions {
    /// The failed share of final reports that makes an incident, above 0 and at most 1 (default 0.25).
    pub ratio: Option<f64>,
    /// The window the share is taken over, in ms (default 900000, 1000–86400000).
    pub window_ms: Option<u32>,
    /// Fewer final reports than this in the window say nothing (default 20).
    pub min_reports: Option<u32>,
}

/// Alert when the per-number hourly cap refuses many OTP sends (`OtpService`): one number asked
/// for too often, or many numbers each asked for again and again — SMS pumping.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct OtpAbuseAlertOptions {
    /// Hourly-cap refusals in the window that make an incident (default 20).
    pub cap_hits: Option<u32>,
    /// The window, in ms (default 3600000, 1000–86400000).
    pub window_ms: Option<u32>,
}

/// Which client the alerts are given to: each watches its own kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertClient {
    Sms,
    AmoCrm,
    Otp,
}

/// Operator alerts: one message per incident, a reminder after `repeatAfterMs`, one "resolved".
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct AlertOptions {
    pub telegram: Option<TelegramAlertOptions>,
    pub webhook: Option<WebhookAlertOptions>,
    /// A reminder of an incident still open after this many ms (default 3600000, at least 60000).
    pub repeat_after_ms: Option<u32>,
    /// Alert when this many token refreshes fail in a row (default 3).
    pub refresh_failures: Option<u32>,
    /// What the "disconnected" alert tells the operator to open to connect amoCRM again (your
    /// connect route, e.g. `https://shop.example.uz/amocrm/authorize`).
    pub connect_url: Option<String>,
    /// SMS: alert when the polled balance (`balancePollMs`) falls below this, in the account's
    /// currency (UZS for Eskiz).
    pub low_balance: Option<f64>,
    /// `SmsClient`: the delivery-failure alert's rule (on by default with `alerts`).
    pub delivery_failures: Option<DeliveryFailureAlertOptions>,
    /// `OtpService`: the OTP-abuse alert's rule (on by default with `alerts`).
    pub otp_abuse: Option<OtpAbuseAlertOptions>,
    /// `SmsClient` with `routing`: alert when a provider's circuit breaker opens ("SMS provider
    /// unavailable") and when it closes (default true; `false` turns it off).
    pub provider_down: Option<bool>,
}

/// A window in ms, checked: 1 s to a day.
fn window(field: &str, ms: Option<u32>, default_ms: u32) -> Result<Duration> {
    let ms = ms.unwrap_or(default_ms);
    if !(1_000..=86_400_000).contains(&ms) {
        return Err(Error::config(format!(
            "alerts.{field}.windowMs must be between 1000 and 86400000"
        )));
    }
    Ok(Duration::from_millis(ms as u64))
}

/// How an alert names an integration: the provider and a masked identity.
pub fn sms_label(o: &SmsOptions) -> String {
    match o.provider {
        SmsProviderKind::Eskiz => match &o.eskiz {
            Some(e) => format!(
                "Eskiz {}",
                reveal(Exposure::Email, &e.email).unwrap_or_default()
            ),
            None => "Eskiz".into(),
        },
        SmsProviderKind::Twilio => match &o.twilio {
            Some(t) => format!(
                "Twilio {}",
                reveal(Exposure::Identifier, &t.account_sid).unwrap_or_default()
            ),
            None => "Twilio".into(),
        },
        SmsProviderKind::Playmobile => match &o.playmobile {
            Some(p) => format!(
                "Play Mobile {}",
                reveal(Exposure::Login, &p.login).unwrap_or_default()
            ),
            None => "Play Mobile".into(),
        },
        SmsProviderKind::Console => "console SMS".into(),
    }
}

pub fn amocrm_label(o: &AmoCrmOptions) -> String {
    let domain = match o.domain {
        None | Some(AmoCrmDomain::AmoCrmRu) => "amocrm.ru",
        Some(AmoCrmDomain::AmoCrmCom) => "amocrm.com",
        Some(AmoCrmDomain::KommoCom) => "kommo.com",
    };
    if let Some(sub) = o.subdomain.as_deref().filter(|s| !s.is_empty()) {
        return format!("amoCRM {sub}.{domain}");
    }
    if let Some(host) = o
        .base_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
    {
        return format!("amoCRM {host}");
    }
    format!(
        "amoCRM integration {}",
        reveal(Exposure::Identifier, &o.client_id).unwrap_or_default()
    )
}

impl AlertOptions {
    /// Refuses the keys that belong to another client (an OTP rule on `SmsClient`, a balance on
    /// amoCRM), naming where they go. `connectUrl` passes everywhere: one `alerts` object shared
    /// by the modules of an app is natural, and it only adds words to amoCRM's alert.
    pub fn check_for(&self, client: AlertClient) -> Result<()> {
        use AlertClient::{AmoCrm, Otp, Sms};
        let owners: [(&str, bool, &[AlertClient], &str); 5] = [
            (
                "lowBalance",
                self.low_balance.is_some(),
                &[Sms],
                "SmsClient (with balancePollMs)",
            ),
            (
                "deliveryFailures",
                self.delivery_failures.is_some(),
                &[Sms],
                "SmsClient",
            ),
            ("otpAbuse", self.otp_abuse.is_some(), &[Otp], "OtpService"),
            (
                "providerDown",
                self.provider_down.is_some(),
                &[Sms],
                "SmsClient (with routing)",
            ),
            (
                "refreshFailures",
                self.refresh_failures.is_some(),
                &[Sms, AmoCrm],
                "SmsClient and AmoCrmClient (OtpService keeps no token)",
            ),
        ];
        for (key, set, clients, place) in owners {
            if set && !clients.contains(&client) {
                return Err(Error::config(format!("alerts.{key} is for {place}")));
            }
        }
        Ok(())
    }

    /// The delivery-failure alert's rule and window (`SmsClient`).
    pub fn delivery_rule(&self) -> Result<(RateRule, Duration)> {
        let o = self
            .delivery_failures
            .clone()
            .unwrap_or(DeliveryFailureAlertOptions {
                ratio: None,
                window_ms: None,
                min_reports: None,
            });
        let ratio = o.ratio.unwrap_or(0.25);
        if !(ratio.is_finite() && ratio > 0.0 && ratio <= 1.0) {
            return Err(Error::config(
                "alerts.deliveryFailures.ratio must be above 0 and at most 1 (0.25 = a quarter)",
            ));
        }
        let min_reports = o.min_reports.unwrap_or(20);
        if min_reports == 0 {
            return Err(Error::config(
                "alerts.deliveryFailures.minReports must be at least 1",
            ));
        }
        Ok((
            RateRule::FailureRatio {
                ratio,
                min_reports: min_reports as u64,
            },
            window("deliveryFailures", o.window_ms, 900_000)?,
        ))
    }

    /// Whether the "SMS provider unavailable" alert is on (`SmsClient` with `routing`).
    pub fn provider_down(&self) -> bool {
        self.provider_down.unwrap_or(true)
    }

    /// The OTP-abuse alert's rule and window (`OtpService`).
    pub fn otp_abuse_rule(&self) -> Result<(RateRule, Duration)> {
        let o = self.otp_abuse.clone().unwrap_or(OtpAbuseAlertOptions {
            cap_hits: None,
            window_ms: None,
        });
        let threshold = o.cap_hits.unwrap_or(20);
        if threshold == 0 {
            return Err(Error::config("alerts.otpAbuse.capHits must be at least 1"));
        }
        Ok((
            RateRule::CapHits {
                threshold: threshold as u64,
            },
            window("otpAbuse", o.window_ms, 3_600_000)?,
        ))
    }

    /// The rules, checked.
    pub fn rules(&self) -> Result<AlertRules> {
        let repeat_after = Duration::from_millis(self.repeat_after_ms.unwrap_or(3_600_000) as u64);
        if repeat_after < Duration::from_secs(60) {
            return Err(Error::config("alerts.repeatAfterMs must be at least 60000"));
        }
        if self
            .low_balance
            .is_some_and(|b| !(b.is_finite() && b >= 0.0))
        {
            return Err(Error::config("alerts.lowBalance must be a number ≥ 0"));
        }
        let refresh_failures = self.refresh_failures.unwrap_or(3);
        if refresh_failures == 0 {
            return Err(Error::config("alerts.refreshFailures must be at least 1"));
        }
        Ok(AlertRules {
            repeat_after,
            refresh_failures,
            connect_url: self.connect_url.clone(),
        })
    }

    /// The engine for the integration named `integration` (masked), its sinks checked;
    /// `callback`: the application's function (the JS `alerts.onAlert`), a sink of its own.
    pub fn build(
        &self,
        integration: String,
        callback: Option<AlertCallback>,
    ) -> Result<Arc<AlertEngine>> {
        let rules = self.rules()?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| Error::internal(format!("alert HTTP client: {e}")))?;
        let mut sinks = Vec::new();
        if let Some(t) = &self.telegram {
            let chat = match &t.chat_id {
                TelegramChat::Id(id) if id.fract() == 0.0 && id.abs() < 9.0e15 => {
                    (*id as i64).to_string()
                }
                TelegramChat::Id(_) => String::new(),
                TelegramChat::Name(name) => name.clone(),
            };
            sinks.push(AlertSink::telegram(TelegramSink::new(
                http.clone(),
                &t.bot_token,
                &chat,
                t.thread_id,
                t.api_root.as_deref(),
            )?));
        }
        if let Some(w) = &self.webhook {
            sinks.push(AlertSink::webhook(WebhookSink::new(
                http.clone(),
                &w.url,
                &w.secret,
            )?));
        }
        if let Some(f) = callback {
            sinks.push(AlertSink::callback(f));
        }
        if sinks.is_empty() {
            return Err(Error::config(
                "alerts needs a place to send them: telegram { botToken, chatId }, webhook { url, secret } or onAlert",
            ));
        }
        Ok(AlertEngine::new(integration, rules, sinks))
    }
}
