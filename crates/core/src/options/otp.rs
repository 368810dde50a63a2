//! The OTP service's options, turned into `OtpConfig` and its code store.

use super::alerts::{AlertClient, AlertOptions};
use super::common::LogLevel;
use super::parse::from_json;
use crate::error::{Error, Result};
use crate::otp::{
    MemoryOtpStore, MemorySendWindows, OtpConfig, OtpStore, PrefixLimit, RedisOtpStore,
    RedisSendWindows, SendBudget, SendWindows,
};
use crate::redis_client::{check_key, RedisConnection, RedisTarget};
use crate::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Where codes, attempts and cooldowns are kept.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum OtpStoreKind {
    /// One process (the default).
    Memory,
    /// Attempts, cooldowns and single use shared by every replica.
    Redis,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct OtpStoreOptions {
    /// `memory` (default, one process) or `redis` (shared by every replica).
    pub r#type: OtpStoreKind,
    /// `redis`: `redis://[user:password@]host:port/db`, `rediss://…` for TLS; a Redis Cluster
    /// is recognised from any of its nodes.
    pub url: Option<String>,
    /// `rediss://` with a private CA: the PEM file of the certificates to trust (instead of the
    /// public roots).
    pub tls_ca_file: Option<String>,
    /// Key prefix in Redis (default `uzgate:otp`).
    pub prefix: Option<String>,
}

/// Caps on the codes sent per rolling hour, whatever the number: what SMS pumping can cost at
/// most. Off unless set; shared by every replica with a `redis` store.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct OtpBudgetOptions {
    /// Codes per hour across all numbers (refusal reason `global_budget`).
    pub per_hour: Option<u32>,
    /// Codes per hour to numbers of a region, by ISO region: `{ UZ: 500, KZ: 20 }` (refusal
    /// reason `region_budget`).
    pub per_region: Option<BTreeMap<String, u32>>,
}

/// Numbers that differ only in their last digits count together (pumping rotates through a
/// premium range). On by default: 20 codes per hour per block of 1,000 numbers.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct OtpPrefixLimitOptions {
    /// `false` turns the prefix limit off (default on).
    pub enabled: Option<bool>,
    /// Trailing digits ignored, 1–6 (default 3: blocks of 1,000 numbers).
    pub ignore_last_digits: Option<u32>,
    /// Codes per hour to one block (default 20; refusal reason `prefix_velocity`).
    pub per_hour: Option<u32>,
}

/// Codes per hour asked for by one client IP (IPv6: its /64), applied when a send names the
/// client IP (`send(phone, { clientIp })`, the Nest `sendForHttp`). On by default.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct OtpClientIpLimitOptions {
    /// `false` turns the per-IP limit off (default on).
    pub enabled: Option<bool>,
    /// Codes per hour per client IP (default 10; refusal reason `client_ip`).
    pub per_hour: Option<u32>,
}

/// Options of `OtpService` (the SMS client that sends the codes is given beside them).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields))]
pub struct OtpOptions {
    /// Digits per code, 4–10 (default 6).
    pub length: Option<u32>,
    /// Lifetime of a code in seconds (default 300).
    pub ttl_seconds: Option<u32>,
    /// Wrong guesses a code survives (default 5); then a new send is needed.
    pub max_attempts: Option<u32>,
    /// Minimum seconds between two sends to one number (default 60).
    pub resend_cooldown_seconds: Option<u32>,
    /// Sends per number per rolling hour (default 5).
    pub max_sends_per_hour: Option<u32>,
    /// HMAC key for stored codes, at least 16 characters. Never logged.
    pub secret: String,
    /// Message text with `{code}` (and optionally `{app}`, `{minutes}`).
    pub template: Option<String>,
    /// Fills `{app}` of the default template: "<App> tasdiqlash kodi: 123456. …".
    pub app_name: Option<String>,
    /// Returns the code (`devCode`) and logs it. Refused with a real provider unless
    /// `forceDevMode`.
    pub dev_mode: Option<bool>,
    /// Allows `devMode` with a real provider.
    pub force_dev_mode: Option<bool>,
    /// Region of numbers written without a country code (default `UZ`).
    pub default_region: Option<String>,
    /// Regions codes are sent to: ISO regions in capitals, or `['*']` for every region. Default:
    /// the regions the SMS client reaches through an Uzbek aggregator — `['UZ']` for the usual
    /// setups; anything else (premium ranges abroad are how SMS pumping bills you) must be named.
    pub allowed_regions: Option<Vec<String>>,
    /// Global and per-region caps on codes per hour (off unless set).
    pub budget: Option<OtpBudgetOptions>,
    /// Codes per hour to one block of numbers (on by default: 20 per 1,000 numbers).
    pub prefix_limit: Option<OtpPrefixLimitOptions>,
    /// Codes per hour per client IP, when sends name it (on by default: 10).
    pub per_client_ip: Option<OtpClientIpLimitOptions>,
    /// Where codes are kept (default `{ type: 'memory' }`).
    pub store: Option<OtpStoreOptions>,
    /// Minimum level passed to the logger (default `info`).
    pub log_level: Option<LogLevel>,
    /// Operator alerts (Telegram, a signed webhook, a callback) when the hourly cap refuses many
    /// sends (`otpAbuse`); shared with the replicas through a `redis` store.
    pub alerts: Option<AlertOptions>,
}

/// What the OTP options build: the service's configuration, its code store, and the store's
/// Redis with its key prefix when it has one (alert counts and incidents are shared there).
pub struct OtpParts {
    pub config: OtpConfig,
    pub store: Arc<dyn OtpStore>,
    /// The windows of the client-IP, prefix and budget limits (beside the store).
    pub windows: Arc<dyn SendWindows>,
    pub redis: Option<(Arc<RedisConnection>, String)>,
}

impl OtpOptions {
    pub fn from_json(value: serde_json::Value) -> Result<Self> {
        from_json(value, "OtpServiceOptions")
    }

    /// The budget, the prefix limit and the per-IP limit in effect (defaults applied; the core
    /// checks the values).
    pub fn defences(&self) -> (SendBudget, Option<PrefixLimit>, Option<u32>) {
        let budget = self
            .budget
            .as_ref()
            .map(|b| SendBudget {
                per_hour: b.per_hour,
                per_region: b.per_region.clone().unwrap_or_default(),
            })
            .unwrap_or_default();
        let d = PrefixLimit::default();
        let prefix = match &self.prefix_limit {
            Some(p) if p.enabled == Some(false) => None,
            Some(p) => Some(PrefixLimit {
                ignore_last_digits: p
                    .ignore_last_digits
                    .map_or(d.ignore_last_digits, |n| n.min(255) as u8),
                per_hour: p.per_hour.unwrap_or(d.per_hour),
            }),
            None => Some(d),
        };
        let ip = match &self.per_client_ip {
            Some(ip) if ip.enabled == Some(false) => None,
            ip => Some(
                ip.as_ref()
                    .and_then(|ip| ip.per_hour)
                    .unwrap_or(crate::otp::DEFAULT_CLIENT_IP_PER_HOUR),
            ),
        };
        (budget, prefix, ip)
    }

    /// The service's configuration and its code store (the core checks the rest when built).
    pub fn into_config(self) -> Result<OtpParts> {
        if let Some(alerts) = &self.alerts {
            alerts.check_for(AlertClient::Otp)?;
            alerts.otp_abuse_rule()?;
        }
        let defences = self.defences();
        let mut config = OtpConfig::new(Secret::from(self.secret));
        (
            config.budget,
            config.prefix_limit,
            config.client_ip_per_hour,
        ) = defences;
        if let Some(n) = self.length {
            config.length = n.min(255) as u8;
        }
        if let Some(s) = self.ttl_seconds {
            config.ttl = Duration::from_secs(s as u64);
        }
        if let Some(n) = self.max_attempts {
            config.max_attempts = n;
        }
        if let Some(s) = self.resend_cooldown_seconds {
            config.resend_cooldown = Duration::from_secs(s as u64);
        }
        if let Some(n) = self.max_sends_per_hour {
            config.max_sends_per_hour = n;
        }
        config.template = self.template;
        config.app_name = self.app_name;
        config.dev_mode = self.dev_mode.unwrap_or(false);
        config.force_dev_mode = self.force_dev_mode.unwrap_or(false);
        config.allowed_regions = self.allowed_regions;
        if let Some(r) = self.default_region {
            config.default_region = r;
        }
        let mut redis = None;
        let mut windows: Arc<dyn SendWindows> = Arc::new(MemorySendWindows::new());
        let store: Arc<dyn OtpStore> = match self.store {
            Some(OtpStoreOptions {
                r#type: OtpStoreKind::Redis,
                url,
                tls_ca_file,
                prefix,
            }) => {
                let url = url
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| Error::config("store { type: 'redis' } needs a url"))?;
                let target = RedisTarget::parse("store", &url, tls_ca_file.as_deref())?;
                if let Some(p) = &prefix {
                    check_key("store.prefix", &format!("{p}:0"))?;
                }
                let conn = RedisConnection::new(target);
                let store = RedisOtpStore::new(conn.clone(), prefix.clone());
                windows = Arc::new(RedisSendWindows::new(conn.clone(), prefix));
                redis = Some((conn, store.prefix().to_string()));
                Arc::new(store)
            }
            _ => Arc::new(MemoryOtpStore::new()),
        };
        Ok(OtpParts {
            config,
            store,
            windows,
            redis,
        })
    }
}
