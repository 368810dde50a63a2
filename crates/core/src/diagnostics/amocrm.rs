//! The amoCRM client's view: the account policy (which host may receive the client secret),
//! OAuth or long-lived credentials, the token store and amoCRM's own limits.

use super::alerts::{alerts_view, amocrm_alert_finding};
use super::mask::{reveal, Exposure};
use super::store::{in_clear, limits_view, store_view};
use super::view::{AccountView, ConfigView, CredentialView, Finding, HostView};
use crate::error::Result;
use crate::options::{AmoCrmDomain, AmoCrmOptions};
use crate::providers::amocrm::{AccountHost, AmoCrmConfig, AmoDomain};
use crate::Secret;

pub fn amocrm_view(o: &AmoCrmOptions) -> Result<ConfigView> {
    let common = o.common();
    let defaults = AmoCrmConfig::new(String::new(), Secret::from(String::new()), String::new());
    let mut findings = Vec::new();
    let domain = match o.domain {
        None | Some(AmoCrmDomain::AmoCrmRu) => AmoDomain::AmoCrmRu,
        Some(AmoCrmDomain::AmoCrmCom) => AmoDomain::AmoCrmCom,
        Some(AmoCrmDomain::KommoCom) => AmoDomain::KommoCom,
    };
    let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let subdomain = given(&o.subdomain);
    let base_url = given(&o.base_url);
    let any = o.allow_any_account == Some(true);
    let account_origin = subdomain
        .as_deref()
        .and_then(|s| AccountHost::of_subdomain(s, domain))
        .map(|h| h.origin());
    let policy = match (&base_url, &subdomain, any) {
        (Some(_), _, _) => "baseUrl",
        (None, Some(_), _) => "subdomain",
        (None, None, true) => "anyAccount",
        (None, None, false) => "notConfigured",
    };
    let mut hosts = Vec::new();
    match base_url.as_deref().or(account_origin.as_deref()) {
        Some(root) => {
            hosts.push(HostView::new("api", root, Exposure::Url));
            hosts.push(HostView::new("token", root, Exposure::Url));
            if in_clear(root, "http") {
                findings.push(Finding::risk(
                    "baseUrl",
                    "http:// to a remote host: the client secret and tokens cross the network unencrypted",
                ));
            }
        }
        None if any => {
            let any_host = format!("https://*.{}", domain.tld());
            hosts.push(HostView::new("api", &any_host, Exposure::Plain));
            hosts.push(HostView::new("token", &any_host, Exposure::Plain));
            findings.push(Finding::risk(
                "allowAnyAccount",
                "the OAuth callback's referer chooses which amoCRM account receives the client secret: keep it only for a public integration",
            ));
        }
        None => findings.push(Finding::missing(
            "subdomain",
            "no account configured: code exchanges fail with CONFIG (set subdomain, baseUrl or allowAnyAccount)",
        )),
    }
    let consent = base_url
        .clone()
        .unwrap_or_else(|| domain.consent_base().to_string());
    hosts.push(HostView::new("consent", &consent, Exposure::Url));

    let long_lived = given(&o.long_lived_token);
    let credentials = vec![
        CredentialView::of("clientId", Some(&o.client_id), Exposure::Identifier),
        CredentialView::of("clientSecret", o.client_secret.as_deref(), Exposure::Secret),
        CredentialView::of("redirectUri", o.redirect_uri.as_deref(), Exposure::Url),
        CredentialView::of("longLivedToken", long_lived.as_deref(), Exposure::Secret),
    ];
    if long_lived.is_none() {
        if given(&o.client_secret).is_none() {
            findings.push(Finding::missing(
                "clientSecret",
                "no OAuth secret and no longLivedToken: the integration cannot obtain tokens",
            ));
        }
        if given(&o.redirect_uri).is_none() {
            findings.push(Finding::missing(
                "redirectUri",
                "amoCRM refuses every code exchange and refresh without the registered redirect URI",
            ));
        }
    }

    let store = store_view(&common, "uzgate:amocrm", o.client_id.trim(), &mut findings)?;
    if !store.survives_restart && long_lived.is_none() {
        findings.push(Finding::risk(
            "tokenStore",
            "memory: a restart loses the rotating refresh token and needs a new authorisation; replicas cannot share it",
        ));
    }
    let mut limits = limits_view(&common)?;
    let rate = o
        .rate_limit_per_second
        .unwrap_or(defaults.rate_limit_per_second);
    let shared = o.shared_rate_limit == Some(true);
    limits.rate_limit_per_second = Some(rate);
    limits.shared_rate_limit = Some(shared);
    if store.r#type == "redis" && !shared {
        findings.push(Finding::risk(
            "sharedRateLimit",
            "each replica spends its own rate budget: together they can exceed amoCRM's 7 requests per second and get 429s or a block",
        ));
    }
    let keep_alive = match o.keep_alive_ms {
        Some(ms) if ms <= 0.0 => None,
        Some(ms) => Some(ms.min(u32::MAX as f64) as u32),
        None => defaults.manager.keep_alive.map(|d| d.as_millis() as u32),
    };
    if keep_alive.is_none() && long_lived.is_none() {
        findings.push(Finding::risk(
            "keepAliveMs",
            "keep-alive off: an idle integration's refresh token lapses after about three months unused",
        ));
    }
    limits.keep_alive_ms = keep_alive;
    limits.block_cooldown_ms = Some(
        o.block_cooldown_ms
            .unwrap_or(defaults.block_cooldown.as_millis() as u32),
    );

    amocrm_alert_finding(o.alerts.as_ref(), &mut findings);
    Ok(ConfigView {
        client: "amocrm".into(),
        provider: "amocrm".into(),
        hosts,
        account: Some(AccountView {
            policy: policy.into(),
            subdomain: subdomain.and_then(|s| reveal(Exposure::Plain, &s)),
            domain: domain.tld().into(),
            base_url: base_url.and_then(|u| reveal(Exposure::Url, &u)),
            allow_any_account: any,
        }),
        credentials,
        token_store: Some(store),
        limits: Some(limits),
        otp: None,
        alerts: alerts_view(o.alerts.as_ref(), crate::options::AlertClient::AmoCrm),
        findings,
    })
}
