//! `routing` and `breaker`: several SMS providers in one client, the route of each region, and
//! when a failing provider is rested. Checked here, before any request.

use crate::error::{Error, Result};
use crate::sms::routing::BreakerSettings;
use serde::Deserialize;
use std::time::Duration;

/// One route: numbers of region `to` go through `via`, in order.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RouteOptions {
    /// An ISO region in capitals (`UZ`, `KZ`) or `'*'` for every other region.
    pub to: String,
    /// Providers tried in order (`eskiz`, `playmobile`, `twilio`, `console`); a send moves to
    /// the next only when the previous one provably did not get the message.
    pub via: Vec<String>,
}

/// When a provider that keeps failing is rested (sends skip it) and for how long.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct BreakerOptions {
    /// Sends in a row failing for the provider's sake that open its breaker (1–100, default 5).
    pub failures: Option<u32>,
    /// How long an open breaker rests the provider before one probe send (1000–3600000 ms,
    /// default 30000).
    pub cool_down_ms: Option<u32>,
}

impl BreakerOptions {
    pub fn settings(o: Option<&BreakerOptions>) -> Result<BreakerSettings> {
        let d = BreakerSettings::default();
        let Some(o) = o else { return Ok(d) };
        let failures = o.failures.unwrap_or(d.failures);
        if !(1..=100).contains(&failures) {
            return Err(Error::config("breaker.failures must be between 1 and 100"));
        }
        let cool_down = o
            .cool_down_ms
            .map(|ms| ms as u64)
            .unwrap_or(d.cool_down.as_millis() as u64);
        if !(1_000..=3_600_000).contains(&cool_down) {
            return Err(Error::config(
                "breaker.coolDownMs must be between 1000 and 3600000",
            ));
        }
        Ok(BreakerSettings {
            failures,
            cool_down: Duration::from_millis(cool_down),
        })
    }
}

/// The routes as `(to, via)` pairs, and the providers they name, in first-named order.
pub fn route_pairs(routes: &[RouteOptions]) -> (Vec<(String, Vec<String>)>, Vec<String>) {
    let pairs: Vec<(String, Vec<String>)> = routes
        .iter()
        .map(|r| (r.to.clone(), r.via.clone()))
        .collect();
    let mut named: Vec<String> = Vec::new();
    for (_, via) in &pairs {
        for p in via {
            if !named.contains(p) {
                named.push(p.clone());
            }
        }
    }
    (pairs, named)
}

/// What the replicas sharing breakers have in common: every configured provider's account
/// (hashed into the key by [`breaker_base`], never written out).
pub fn breaker_scope(o: &super::SmsOptions) -> String {
    let mut scope = String::new();
    if let Some(e) = &o.eskiz {
        scope.push_str(&format!("eskiz:{};", e.email.trim()));
    }
    if let Some(p) = &o.playmobile {
        scope.push_str(&format!("playmobile:{};", p.login.trim()));
    }
    if let Some(t) = &o.twilio {
        scope.push_str(&format!("twilio:{};", t.account_sid.trim()));
    }
    if o.console.is_some() {
        scope.push_str("console;");
    }
    scope
}

/// The base of the breakers' keys: beside the token store's own `key` when one is set (so a
/// hash tag or an ACL pattern there covers them), else `uzgate:breaker:<pseudonym of scope>`.
pub fn breaker_base(store_key: Option<&str>, scope: &str) -> String {
    match store_key {
        Some(key) => format!("{key}:breaker"),
        None => crate::store::default_key("uzgate:breaker", scope),
    }
}
