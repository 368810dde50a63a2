//! The OTP service's options, turned into `OtpConfig` and its code store.

use super::alerts::{AlertClient, AlertOptions};
use super::common::LogLevel;
use super::parse::from_json;
use crate::error::{Error, Result};
use crate::otp::{MemoryOtpStore, OtpConfig, OtpStore, RedisOtpStore};
use crate::redis_client::{check_key, RedisConnection, RedisTarget};
use crate::Secret;
use serde::Deserialize;
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
    pub redis: Option<(Arc<RedisConnection>, String)>,
}

impl OtpOptions {
    pub fn from_json(value: serde_json::Value) -> Result<Self> {
        from_json(value, "OtpServiceOptions")
    }

    /// The service's configuration and its code store (the core checks the rest when built).
    pub fn into_config(self) -> Result<OtpParts> {
        if let Some(alerts) = &self.alerts {
            alerts.check_for(AlertClient::Otp)?;
            alerts.otp_abuse_rule()?;
        }
        let mut config = OtpConfig::new(Secret::from(self.secret));
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
                let store = RedisOtpStore::new(conn.clone(), prefix);
                redis = Some((conn, store.prefix().to_string()));
                Arc::new(store)
            }
            _ => Arc::new(MemoryOtpStore::new()),
        };
        Ok(OtpParts {
            config,
            store,
            redis,
        })
    }
}
