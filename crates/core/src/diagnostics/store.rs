//! The token store and the shared limits as the view shows them, with what they mean for a
//! restart, for several replicas and for whoever can read the store.

use super::mask::{reveal, Exposure};
use super::view::{Finding, LimitsView, StoreView};
use crate::error::Result;
use crate::options::{Common, StoreKind, TokenStoreOptions};
use crate::store::default_key;
use std::time::Duration;

fn ms(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}

/// The store a token-keeping client uses (`None` options: memory), its default key derived as
/// the client derives it from `identifier`.
pub fn store_view(
    common: &Common<'_>,
    prefix: &str,
    identifier: &str,
    findings: &mut Vec<Finding>,
) -> Result<StoreView> {
    let manager = common.manager()?;
    let o = common.token_store;
    let kind = o.map_or(StoreKind::Memory, |o| o.r#type);
    let given = |f: fn(&TokenStoreOptions) -> &Option<String>| {
        o.and_then(|o| f(o).as_deref()).filter(|s| !s.is_empty())
    };
    let sealed = given(|o| &o.encryption_key).is_some();
    let url = given(|o| &o.url);
    if kind != StoreKind::Memory && !sealed {
        findings.push(Finding::risk(
            "tokenStore.encryptionKey",
            "tokens are stored in clear: anyone who can read the store can call the provider as this account",
        ));
    }
    if url.is_some_and(|u| in_clear(u, "redis")) {
        findings.push(Finding::risk(
            "tokenStore.url",
            "redis:// to a remote host: the Redis password and the tokens cross the network unencrypted (use rediss://)",
        ));
    }
    Ok(StoreView {
        r#type: kind_name(kind).into(),
        survives_restart: kind != StoreKind::Memory,
        shared: matches!(kind, StoreKind::Redis | StoreKind::Custom),
        key: given(|o| &o.key)
            .map(str::to_string)
            .unwrap_or_else(|| default_key(prefix, identifier)),
        sealed,
        path: given(|o| &o.path).and_then(|p| reveal(Exposure::Plain, p)),
        url: url.and_then(|u| reveal(Exposure::RedisUrl, u)),
        tls_ca_file: given(|o| &o.tls_ca_file).and_then(|p| reveal(Exposure::Plain, p)),
        lock_lease_ms: ms(manager.lock_lease),
        lock_wait_ms: ms(manager.lock_wait),
        refresh_timeout_ms: ms(manager.refresh_timeout),
        call_timeout_ms: ms(manager.store_call_timeout),
    })
}

/// The time, connection and size limits every network client has.
pub fn limits_view(common: &Common<'_>) -> Result<LimitsView> {
    let http = common.http()?;
    let manager = common.manager()?;
    Ok(LimitsView {
        timeout_ms: ms(http.timeout),
        connect_timeout_ms: ms(http.connect_timeout),
        max_concurrency: http.max_concurrency.min(u32::MAX as usize) as u32,
        max_response_bytes: http.max_response_bytes.min(u32::MAX as usize) as u32,
        refresh_margin_ms: ms(manager.refresh_margin),
        rate_limit_per_second: None,
        shared_rate_limit: None,
        keep_alive_ms: None,
        block_cooldown_ms: None,
        balance_poll_ms: None,
    })
}

pub fn kind_name(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::Memory => "memory",
        StoreKind::File => "file",
        StoreKind::Redis => "redis",
        StoreKind::Custom => "custom",
    }
}

/// Whether `url` uses the unencrypted `scheme` towards a host other than this machine.
pub fn in_clear(url: &str, scheme: &str) -> bool {
    let Ok(u) = url::Url::parse(url.trim()) else {
        return false;
    };
    let loopback = match u.host() {
        // Non-special schemes (redis://) keep the host opaque: an IP literal arrives as a name.
        Some(url::Host::Domain(d)) => {
            d == "localhost"
                || d.trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => true,
    };
    u.scheme() == scheme && !loopback
}
