//! Twilio options: one account with its credentials, senders and timing. Every field has a
//! default; all can be changed at run time.

use serde::{Deserialize, Serialize};

use super::magic;
use super::sids::{self, is_sid};

/// An API key (`SK…` SID and its secret), usable instead of the auth token.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiKey {
    pub sid: String,
    pub secret: String,
}

/// When each status is reached, in milliseconds after the message's start (its creation,
/// or `SendAt` for a scheduled one). A step earlier than the previous one is moved to it.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct StatusDelays {
    /// `accepted` → `queued`, for messages sent through a Messaging Service.
    pub queued: u64,
    pub sending: u64,
    pub sent: u64,
    /// The final status: `delivered`, or `undelivered` for the special numbers.
    pub delivered: u64,
}

impl Default for StatusDelays {
    fn default() -> Self {
        StatusDelays {
            queued: 10,
            sending: 20,
            sent: 40,
            delivered: 80,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct TwilioConfig {
    /// The account (`AC…`): HTTP Basic user name and the `{AccountSid}` of every path.
    pub account_sid: String,
    /// Its auth token: the Basic password, and the key of `X-Twilio-Signature`.
    pub auth_token: String,
    pub api_keys: Vec<ApiKey>,
    /// The account behaves as Twilio's test credentials: only the magic sender
    /// `+15005550006` may send, nothing but creating messages is allowed (403 20008), and no
    /// status callbacks are sent.
    pub test_credentials: bool,
    /// Senders the account owns (phone numbers, short codes); the first is the Messaging
    /// Services' sender.
    pub numbers: Vec<String>,
    /// Alphanumeric sender IDs (`MyShop`) may be used as `From`.
    pub alphanumeric_senders: bool,
    /// The account's Messaging Services (`MG…`).
    pub messaging_service_sids: Vec<String>,
    /// Concurrent requests allowed per account; more get 429 / 20429. 0 = no limit.
    pub concurrency_limit: u32,
    /// Seconds for a `Retry-After` header on those 429s; none when absent.
    pub retry_after: Option<u64>,
    pub status_delays_ms: StatusDelays,
    /// Special destination endings make a message fail (see `lifecycle`); `false`: every
    /// message is delivered.
    pub special_numbers: bool,
    /// Sign callbacks over the URL with its default port added (`:443`, `:80`).
    pub sign_callbacks_with_port: bool,
    /// Callbacks as JSON with `bodySHA256` in the URL instead of a form.
    pub callback_json: bool,
}

impl Default for TwilioConfig {
    fn default() -> Self {
        TwilioConfig {
            account_sid: sids::mint("AC"),
            auth_token: "sandbox-auth-token".into(),
            api_keys: Vec::new(),
            test_credentials: false,
            // The magic valid sender, and a number from the 555-01xx range kept for fiction.
            numbers: vec![magic::VALID_FROM.into(), "+14155550100".into()],
            alphanumeric_senders: false,
            messaging_service_sids: vec![sids::mint("MG")],
            concurrency_limit: 0,
            retry_after: None,
            status_delays_ms: StatusDelays::default(),
            special_numbers: true,
            sign_callbacks_with_port: false,
            callback_json: false,
        }
    }
}

impl TwilioConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !is_sid("AC", &self.account_sid) {
            return Err("twilio: accountSid must be AC followed by 32 hex digits".into());
        }
        if self.auth_token.is_empty() {
            return Err("twilio: authToken cannot be empty".into());
        }
        for key in &self.api_keys {
            if !is_sid("SK", &key.sid) || key.secret.is_empty() {
                return Err(
                    "twilio: apiKeys are {sid: SK + 32 hex digits, secret: non-empty}".into(),
                );
            }
        }
        if let Some(bad) = self
            .messaging_service_sids
            .iter()
            .find(|s| !is_sid("MG", s))
        {
            return Err(format!(
                "twilio: messagingServiceSids: `{bad}` is not MG followed by 32 hex digits"
            ));
        }
        if self.numbers.iter().any(|n| n.trim().is_empty()) {
            return Err("twilio: numbers cannot contain empty senders".into());
        }
        Ok(())
    }

    /// The account's own credentials, or one of its API keys.
    pub(crate) fn accepts(&self, user: &str, password: &str) -> bool {
        let ct = |a: &str, b: &str| constant_time_eq(a.as_bytes(), b.as_bytes());
        (user == self.account_sid && ct(password, &self.auth_token))
            || self
                .api_keys
                .iter()
                .any(|k| k.sid == user && ct(password, &k.secret))
    }
}

/// Compares secrets without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_fresh_per_sandbox() {
        let a = TwilioConfig::default();
        a.validate().unwrap();
        assert_ne!(a.account_sid, TwilioConfig::default().account_sid);
        assert!(a.accepts(&a.account_sid, "sandbox-auth-token"));
        assert!(!a.accepts(&a.account_sid, "sandbox-auth-tokeN"));
        assert!(!a.accepts("ACnope", "sandbox-auth-token"));
    }

    #[test]
    fn bad_values_are_refused() {
        let mut c = TwilioConfig {
            account_sid: "AC123".into(),
            ..TwilioConfig::default()
        };
        assert!(c.validate().is_err());
        c = TwilioConfig::default();
        c.messaging_service_sids.push("MGshort".into());
        assert!(c.validate().is_err());
        c = TwilioConfig::default();
        c.api_keys.push(ApiKey {
            sid: sids::mint("SK"),
            secret: String::new(),
        });
        assert!(c.validate().is_err());
    }
}
