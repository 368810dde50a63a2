//! The shape of the configuration view: what an operator reads to see which hosts a client
//! talks to, where its tokens live, its limits and what is missing or risky. Built only by this
//! module's builders, from values that went through `mask::reveal`; serialised as JSON
//! (camelCase) by the binding, the Nest route and the CLI.

use serde::Serialize;
use std::collections::BTreeMap;

/// One client's effective configuration, masked.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    /// `sms`, `amocrm` or `otp`.
    pub client: String,
    /// `eskiz`, `twilio`, `console`, `amocrm` or `otp`.
    pub provider: String,
    /// The hosts this client sends requests (and credentials) to.
    pub hosts: Vec<HostView>,
    /// amoCRM: which account the client serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountView>,
    /// Each credential and identity: set or missing, and a masked form when it is not a secret.
    pub credentials: Vec<CredentialView>,
    /// Where tokens are kept; absent when the provider has no token to keep (Twilio, console).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_store: Option<StoreView>,
    /// Time budgets, connection and rate limits in effect (defaults included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitsView>,
    /// OTP: the code policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp: Option<OtpView>,
    /// Where operator alerts go; absent without `alerts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertsView>,
    /// What is missing or risky, each with its consequence.
    pub findings: Vec<Finding>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct HostView {
    /// `api`, `token` (where credentials are exchanged for tokens), `consent` (amoCRM's page),
    /// `deliveryReports` (where the provider posts message states).
    pub role: String,
    /// The root, masked (no password, query or secret path).
    pub url: String,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// `subdomain` (one account), `baseUrl` (a fixed root), `anyAccount` (the callback's
    /// referer chooses) or `notConfigured` (code exchanges are refused).
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    pub domain: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    pub allow_any_account: bool,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct CredentialView {
    /// The option, e.g. `eskiz.password`.
    pub name: String,
    /// `set` or `missing`.
    pub state: String,
    /// A masked form for identities (e-mail, ids); never present for a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct StoreView {
    /// `memory`, `file`, `redis` or `custom`.
    pub r#type: String,
    /// Whether the tokens outlive a restart of this process (memory: no).
    pub survives_restart: bool,
    /// Whether other processes see the same tokens (`redis`, `custom`; `file` on one host).
    pub shared: bool,
    /// The record's key in the store.
    pub key: String,
    /// Whether records are sealed with `encryptionKey` (AES-256-GCM).
    pub sealed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The Redis URL with its password masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_ca_file: Option<String>,
    pub lock_lease_ms: u32,
    pub lock_wait_ms: u32,
    pub refresh_timeout_ms: u32,
    /// Deadline of each call to the store.
    pub call_timeout_ms: u32,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AlertsView {
    pub sinks: Vec<AlertSinkView>,
    /// Absent when the rules are invalid (the client then refuses to start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_after_ms: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_failures: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_url: Option<String>,
    /// `SmsClient`: when failed delivery reports make an incident ("25 % of at least 20 final
    /// reports over 15 min").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_failures: Option<String>,
    /// `OtpService`: when hourly-cap refusals make an incident ("20 over 60 min").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp_abuse: Option<String>,
    /// `SmsClient` with `routing`: whether an open circuit breaker raises `provider_down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_down: Option<bool>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AlertSinkView {
    /// `telegram` or `webhook`.
    pub kind: String,
    /// The chat (and topic) and API root, or the webhook's origin; never a token or key.
    pub target: String,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct LimitsView {
    pub timeout_ms: u32,
    pub connect_timeout_ms: u32,
    pub max_concurrency: u32,
    pub max_response_bytes: u32,
    pub refresh_margin_ms: u32,
    /// amoCRM: requests per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_second: Option<f64>,
    /// amoCRM: whether that budget is shared by every process through Redis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_rate_limit: Option<bool>,
    /// amoCRM: idle refresh interval; absent when turned off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_alive_ms: Option<u32>,
    /// amoCRM: how long calls fail at once after a 403 block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_cooldown_ms: Option<u32>,
    /// SMS: how often the balance is polled; absent when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_poll_ms: Option<u32>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct OtpView {
    pub length: u32,
    pub ttl_seconds: u32,
    pub max_attempts: u32,
    pub resend_cooldown_seconds: u32,
    pub max_sends_per_hour: u32,
    pub dev_mode: bool,
    /// `memory` (one process) or `redis` (every replica).
    pub store: String,
    /// Whether attempts and cooldowns are shared by every replica.
    pub shared: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_ca_file: Option<String>,
    pub prefix: String,
    /// Regions codes are sent to, once the service knows its SMS client (`*`: every region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_regions: Option<Vec<String>>,
    /// Codes per hour across all numbers; absent when there is no global budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_per_hour: Option<u32>,
    /// Codes per hour per region with a budget.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub budget_per_region: BTreeMap<String, u32>,
    /// Codes per hour to one block of numbers; absent when off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_limit: Option<PrefixLimitView>,
    /// Codes per hour per client IP (sends that name one); absent when off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip_per_hour: Option<u32>,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PrefixLimitView {
    pub ignore_last_digits: u32,
    pub per_hour: u32,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// `missing` (something is not configured) or `risk` (configured, with a consequence).
    pub level: String,
    /// The option it is about, e.g. `eskiz.callbackUrl`.
    pub option: String,
    /// What happens because of it, in one sentence.
    pub consequence: String,
}

impl Finding {
    pub fn missing(option: &str, consequence: &str) -> Self {
        Finding {
            level: "missing".into(),
            option: option.into(),
            consequence: consequence.into(),
        }
    }

    pub fn risk(option: &str, consequence: &str) -> Self {
        Finding {
            level: "risk".into(),
            option: option.into(),
            consequence: consequence.into(),
        }
    }
}

impl CredentialView {
    /// A credential: its state, and a masked form unless it is a secret.
    pub fn of(name: &str, value: Option<&str>, exposure: super::mask::Exposure) -> Self {
        let value = value.filter(|v| !v.trim().is_empty());
        CredentialView {
            name: name.into(),
            state: if value.is_some() { "set" } else { "missing" }.into(),
            shown: value.and_then(|v| super::mask::reveal(exposure, v)),
        }
    }
}

impl HostView {
    pub fn new(role: &str, url: &str, exposure: super::mask::Exposure) -> Self {
        HostView {
            role: role.into(),
            url: super::mask::reveal(exposure, url).unwrap_or_else(|| super::mask::MASK.into()),
        }
    }
}
