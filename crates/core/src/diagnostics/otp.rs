//! The OTP service's view: the code policy in effect and where attempts and cooldowns live.

use super::mask::{reveal, Exposure};
use super::store::in_clear;
use super::view::{ConfigView, CredentialView, Finding, OtpView, PrefixLimitView};
use crate::error::Result;
use crate::options::{OtpOptions, OtpStoreKind};
use crate::otp::OtpConfig;
use crate::Secret;

pub fn otp_view(o: &OtpOptions) -> Result<ConfigView> {
    let d = OtpConfig::new(Secret::from(String::new()));
    let mut findings = Vec::new();
    let store = o.store.as_ref();
    let redis = store.is_some_and(|s| s.r#type == OtpStoreKind::Redis);
    let url = store
        .and_then(|s| s.url.as_deref())
        .filter(|u| !u.is_empty());
    let dev_mode = o.dev_mode == Some(true);
    let (budget, prefix_limit, client_ip_per_hour) = o.defences();
    if dev_mode {
        findings.push(Finding::risk(
            "devMode",
            "codes are returned to the caller and logged: anyone can pass verification",
        ));
    }
    if !redis {
        findings.push(Finding::risk(
            "store",
            "memory: attempts and cooldowns count per process, so each replica grants its own attempts, and a restart forgets them",
        ));
    }
    if url.is_some_and(|u| in_clear(u, "redis")) {
        findings.push(Finding::risk(
            "store.url",
            "redis:// to a remote host: the Redis password crosses the network unencrypted (use rediss://)",
        ));
    }
    Ok(ConfigView {
        client: "otp".into(),
        provider: "otp".into(),
        hosts: Vec::new(),
        account: None,
        credentials: vec![CredentialView::of(
            "secret",
            Some(&o.secret),
            Exposure::Secret,
        )],
        token_store: None,
        limits: None,
        alerts: super::alerts::alerts_view(o.alerts.as_ref(), crate::options::AlertClient::Otp),
        otp: Some(OtpView {
            length: o.length.unwrap_or(d.length as u32),
            ttl_seconds: o.ttl_seconds.unwrap_or(d.ttl.as_secs() as u32),
            max_attempts: o.max_attempts.unwrap_or(d.max_attempts),
            resend_cooldown_seconds: o
                .resend_cooldown_seconds
                .unwrap_or(d.resend_cooldown.as_secs() as u32),
            max_sends_per_hour: o.max_sends_per_hour.unwrap_or(d.max_sends_per_hour),
            dev_mode,
            store: if redis { "redis" } else { "memory" }.into(),
            shared: redis,
            url: url.and_then(|u| reveal(Exposure::RedisUrl, u)),
            tls_ca_file: store
                .and_then(|s| s.tls_ca_file.as_deref())
                .and_then(|p| reveal(Exposure::Plain, p)),
            prefix: store
                .and_then(|s| s.prefix.clone())
                .unwrap_or_else(|| "uzgate:otp".into()),
            allowed_regions: o.allowed_regions.clone(),
            budget_per_hour: budget.per_hour,
            budget_per_region: budget.per_region,
            prefix_limit: prefix_limit.map(|p| PrefixLimitView {
                ignore_last_digits: p.ignore_last_digits.into(),
                per_hour: p.per_hour,
            }),
            client_ip_per_hour,
        }),
        findings,
    })
}
