//! The `alerts` part of a view: where alerts go (the Telegram chat, the webhook's host — never
//! the bot token or the signing key) and when they fire.

use super::mask::{reveal, Exposure};
use super::view::{AlertSinkView, AlertsView, Finding};
use crate::alerts::RateRule;
use crate::options::{AlertClient, AlertOptions, TelegramChat};
use std::time::Duration;

/// A rate rule in words: "25 % of at least 20 final reports over 15 min".
fn rule_words((rule, window): (RateRule, Duration)) -> String {
    let minutes = window.as_secs().div_ceil(60);
    match rule {
        RateRule::CapHits { threshold } => {
            format!("{threshold} hourly-cap refusals over {minutes} min")
        }
        RateRule::FailureRatio { ratio, min_reports } => format!(
            "{:.0} % failed of at least {min_reports} final reports over {minutes} min",
            ratio * 100.0
        ),
    }
}

pub fn alerts_view(o: Option<&AlertOptions>, client: AlertClient) -> Option<AlertsView> {
    let o = o?;
    let mut sinks = Vec::new();
    if let Some(t) = &o.telegram {
        let chat = match &t.chat_id {
            TelegramChat::Id(id) => format!("{id}"),
            TelegramChat::Name(name) => name.clone(),
        };
        let topic = t
            .thread_id
            .map(|id| format!(" topic {id}"))
            .unwrap_or_default();
        let root = t
            .api_root
            .as_deref()
            .and_then(|r| reveal(Exposure::Url, r))
            .unwrap_or_else(|| crate::alerts::DEFAULT_API_ROOT.into());
        sinks.push(AlertSinkView {
            kind: "telegram".into(),
            target: format!("chat {chat}{topic} via {root}"),
        });
    }
    if let Some(w) = &o.webhook {
        sinks.push(AlertSinkView {
            kind: "webhook".into(),
            target: reveal(Exposure::CallbackUrl, &w.url).unwrap_or_default(),
        });
    }
    let rules = o.rules().ok();
    Some(AlertsView {
        sinks,
        repeat_after_ms: rules.as_ref().map(|r| r.repeat_after.as_millis() as u32),
        refresh_failures: rules
            .as_ref()
            .filter(|_| client != AlertClient::Otp)
            .map(|r| r.refresh_failures),
        delivery_failures: (client == AlertClient::Sms)
            .then(|| o.delivery_rule().ok().map(rule_words))
            .flatten(),
        otp_abuse: (client == AlertClient::Otp)
            .then(|| o.otp_abuse_rule().ok().map(rule_words))
            .flatten(),
        provider_down: None,
        connect_url: o
            .connect_url
            .as_deref()
            .and_then(|u| reveal(Exposure::CallbackUrl, u)),
    })
}

/// The application's own function among the sinks (`alerts.onAlert`, known to the binding only).
pub fn add_callback_sink(view: &mut Option<AlertsView>) {
    if let Some(v) = view {
        v.sinks.push(AlertSinkView {
            kind: "callback".into(),
            target: "the application's function".into(),
        });
    }
}

/// amoCRM without alerts: a disconnection is noticed by whoever reads the errors.
pub fn amocrm_alert_finding(o: Option<&AlertOptions>, findings: &mut Vec<Finding>) {
    if o.is_none() {
        findings.push(Finding::missing(
            "alerts",
            "nobody is told when amoCRM gets disconnected or its tokens cannot be saved: every lead fails until someone notices",
        ));
    }
}
