//! The amoCRM client's options, checked here once and turned into `AmoCrmConfig` (the shared
//! rate limit's bucket included).

use super::alerts::AlertClient;
use super::common::client_options;
use super::parse::from_json;
use super::store::BuiltStore;
use crate::error::{Error, Result};
use crate::providers::amocrm::{AmoCrmConfig, AmoDomain};
use crate::ratelimit::RedisLimiter;
use crate::Secret;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The amoCRM family the account lives in.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum AmoCrmDomain {
    #[serde(rename = "amocrm.ru")]
    AmoCrmRu,
    #[serde(rename = "amocrm.com")]
    AmoCrmCom,
    #[serde(rename = "kommo.com")]
    KommoCom,
}

client_options! {
    /// Options of `AmoCrmClient`: one integration (OAuth or a long-lived token) of one account.
    pub struct AmoCrmOptions {
        /// `example` of `example.amocrm.ru`: the one account whose callbacks, widget installs and
        /// stored tokens are accepted; any other account is refused before a request is made.
        pub subdomain: Option<String>,
        /// `amocrm.ru` (default), `amocrm.com` or `kommo.com`.
        pub domain: Option<AmoCrmDomain>,
        /// Root replacing `https://{subdomain}.amocrm.ru` and the consent host (a sandbox's
        /// `url`, a proxy). Fixed for the client's life: no callback or stored token moves it.
        pub base_url: Option<String>,
        /// Multi-account installs, without `subdomain` and `baseUrl`: accept a code exchange for
        /// any amoCRM account host (`<sub>.amocrm.ru`, `<sub>.amocrm.com`, `<sub>.kommo.com`).
        /// The callback's `referer` then chooses where your client secret is sent, so opt in
        /// only for a public integration installed by many accounts. Without it, and without
        /// `subdomain` or `baseUrl`, `exchangeCode` fails with `CONFIG`.
        pub allow_any_account: Option<bool>,
        /// The integration id.
        pub client_id: String,
        /// The integration's secret key. Never logged.
        pub client_secret: Option<String>,
        /// The redirect URI registered for the integration (sent with every token request).
        pub redirect_uri: Option<String>,
        /// A private integration's long-lived token (no OAuth, no refresh). Never logged.
        pub long_lived_token: Option<String>,
        /// Requests per second (default 7, amoCRM's per-integration limit).
        pub rate_limit_per_second: Option<f64>,
        /// Share the rate budget between every process through the Redis token store.
        pub shared_rate_limit: Option<bool>,
        /// Refresh at least this often even when idle, in ms (default one week; 0 turns it off).
        pub keep_alive_ms: Option<f64>,
        /// After a 403 block, calls fail at once for this long, in ms (default 600000).
        pub block_cooldown_ms: Option<u32>,
    }
}

impl AmoCrmOptions {
    pub fn from_json(value: serde_json::Value) -> Result<Self> {
        from_json(value, "AmoCrmClientOptions")
    }

    /// The client's configuration, with every rule checked; `store` is the built `tokenStore`.
    pub fn into_config(self, store: &BuiltStore) -> Result<AmoCrmConfig> {
        if let Some(alerts) = &self.alerts {
            alerts.check_for(AlertClient::AmoCrm)?;
        }
        let http = self.common().http()?;
        let mut defaults = AmoCrmConfig::new(String::new(), Secret::from(String::new()), "".into());
        // amoCRM's own default (weekly keep-alive) under the common knobs.
        let mut manager = self.common().manager()?;
        manager.keep_alive = defaults.manager.keep_alive;
        if let Some(ms) = self.keep_alive_ms {
            manager.keep_alive = (ms > 0.0).then(|| Duration::from_millis(ms as u64));
        }
        let rate = self
            .rate_limit_per_second
            .unwrap_or(defaults.rate_limit_per_second);
        defaults.client_id = self.client_id;
        defaults.client_secret = Secret::from(self.client_secret.unwrap_or_default());
        defaults.redirect_uri = self.redirect_uri.unwrap_or_default();
        let mut config = defaults;
        config.domain = AmoDomain::parse(match self.domain {
            None | Some(AmoCrmDomain::AmoCrmRu) => "amocrm.ru",
            Some(AmoCrmDomain::AmoCrmCom) => "amocrm.com",
            Some(AmoCrmDomain::KommoCom) => "kommo.com",
        })?;
        config.subdomain = self.subdomain;
        config.base_url = self.base_url;
        config.allow_any_account = self.allow_any_account.unwrap_or(false);
        config.long_lived_token = self.long_lived_token.map(Secret::from);
        config.http = http;
        config.manager = manager;
        config.rate_limit_per_second = rate;
        if let Some(ms) = self.block_cooldown_ms {
            config.block_cooldown = Duration::from_millis(ms as u64);
        }
        config.store = store.store.clone();
        config.store_key = store.key.clone();
        if self.shared_rate_limit == Some(true) {
            let conn = store.redis.clone().ok_or_else(|| {
                Error::config("sharedRateLimit needs tokenStore { type: 'redis' }")
            })?;
            // Named like the store keys: no client id in clear.
            let bucket =
                crate::store::default_key("uzgate:ratelimit:amocrm", config.client_id.trim());
            config.shared_limiter = Some(Arc::new(RedisLimiter::new(conn, bucket, rate)?));
        }
        Ok(config)
    }
}
