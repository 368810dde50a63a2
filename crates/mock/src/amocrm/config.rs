//! amoCRM options: one integration installed in one account. Every field has a default;
//! all can be changed at run time.

use serde::{Deserialize, Serialize};

/// What happens to a refresh token once it has been exchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Rotation {
    /// Single use (amoCRM's Russian docs and maintainers): presenting it again is refused
    /// with "Token has been revoked".
    Strict,
    /// Kommo's documented grace: the old token keeps working until its successor is first
    /// presented, so a client that lost a refresh response can retry.
    DocGrace,
}

/// The body of a 429: all three have been seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RateLimitBody {
    Json,
    Html,
    Empty,
}

/// amoCRM (amocrm.ru) answers in Russian, Kommo in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Language {
    Ru,
    En,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct AmocrmConfig {
    /// The integration's id (the JWT `aud`) and secret key.
    pub client_id: String,
    pub client_secret: String,
    /// Fixed in the integration's settings; the token endpoint insists on it verbatim.
    pub redirect_uri: String,
    /// The account's host is `{subdomain}.{topLevelDomain}` (the callback's `referer`).
    pub subdomain: String,
    pub top_level_domain: String,
    pub account_id: u64,
    pub account_name: String,
    /// The administrator who installed the integration (`current_user_id`, JWT `sub`,
    /// default `responsible_user_id`).
    pub user_id: u64,
    pub code_ttl_secs: u64,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub rotation: Rotation,
    /// `GET /oauth` redirects at once with a code instead of showing the consent page.
    pub auto_consent: bool,
    /// Requests per second, per integration and per account (all integrations together);
    /// 0 = unlimited.
    pub rate_limit_per_second: f64,
    pub account_rate_limit_per_second: f64,
    pub rate_limit_body: RateLimitBody,
    /// After this many 429s within 60 s every request gets a 403 until unblocked; 0 = never.
    pub block_after: u32,
    /// The subscription has ended: writes answer 402.
    pub unpaid: bool,
    /// The installation was revoked: every token is refused.
    pub revoked: bool,
    pub language: Language,
}

impl Default for AmocrmConfig {
    fn default() -> Self {
        AmocrmConfig {
            client_id: "4f6b1c2e-8d3a-4e7f-9b2c-5a1d0e3f7c68".into(),
            client_secret: "sandbox-client-secret".into(),
            redirect_uri: "http://127.0.0.1/amocrm/callback".into(),
            subdomain: "uzgate".into(),
            top_level_domain: "amocrm.ru".into(),
            account_id: 31_247_590,
            account_name: "Sandbox".into(),
            user_id: 9_983_930,
            code_ttl_secs: 1200,
            access_token_ttl_secs: 86_400,
            refresh_token_ttl_secs: 90 * 86_400,
            rotation: Rotation::Strict,
            auto_consent: false,
            rate_limit_per_second: 7.0,
            account_rate_limit_per_second: 50.0,
            rate_limit_body: RateLimitBody::Json,
            block_after: 50,
            unpaid: false,
            revoked: false,
            language: Language::Ru,
        }
    }
}

/// Bounds that keep an access token's claims within what the JWT verifier accepts.
const MAX_CLIENT_ID: usize = 64;
const MAX_DOMAIN_LABEL: usize = 63;
const MAX_TOP_LEVEL_DOMAIN: usize = 32;

impl AmocrmConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.client_id.is_empty() || self.client_id.len() > MAX_CLIENT_ID {
            return Err(format!(
                "amocrm: clientId must have 1 to {MAX_CLIENT_ID} characters"
            ));
        }
        if self.client_secret.is_empty() {
            return Err("amocrm: clientSecret cannot be empty".into());
        }
        match url::Url::parse(&self.redirect_uri) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => return Err("amocrm: redirectUri must be an absolute http(s) URL".into()),
        }
        let label_ok = |s: &str, max: usize| {
            !s.is_empty()
                && s.len() <= max
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        };
        if !label_ok(&self.subdomain, MAX_DOMAIN_LABEL) || self.subdomain.contains('.') {
            return Err("amocrm: subdomain must be a lowercase DNS label".into());
        }
        if !label_ok(&self.top_level_domain, MAX_TOP_LEVEL_DOMAIN) {
            return Err("amocrm: topLevelDomain must be a lowercase domain".into());
        }
        for (name, rate) in [
            ("rateLimitPerSecond", self.rate_limit_per_second),
            (
                "accountRateLimitPerSecond",
                self.account_rate_limit_per_second,
            ),
        ] {
            if !rate.is_finite() || rate < 0.0 {
                return Err(format!("amocrm: {name} must be a number ≥ 0"));
            }
        }
        Ok(())
    }

    /// `uzgate.amocrm.ru`: the account host, without scheme, as the callback's `referer`.
    pub(crate) fn account_host(&self) -> String {
        format!("{}.{}", self.subdomain, self.top_level_domain)
    }

    /// The JWT `api_domain` claim (`api-a.amocrm.ru` on the live service).
    pub(crate) fn api_domain(&self) -> String {
        format!("api-a.{}", self.top_level_domain)
    }

    pub(crate) fn ru(&self) -> bool {
        self.language == Language::Ru
    }
}
