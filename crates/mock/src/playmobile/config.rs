//! Play Mobile options: one account's Basic credentials, the body rules that the real
//! service leaves unconfirmed (switchable here), and the delivery-report push.
//!
//! Play Mobile has no per-request callback URL: the status URL is agreed per account, so
//! the sandbox takes it as `callbackUrl` in its options.

use serde::{Deserialize, Serialize};

/// How error bodies spell their keys: `{"error-code", "error-description"}` (the default,
/// the client library with tests) or `{"error_code", "error_message"}` (the wiki's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum KeyStyle {
    Hyphen,
    Underscore,
}

/// Delivery reports pushed as one JSON object per status change, or as an array of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum CallbackShape {
    Object,
    Array,
}

/// When each status is reached, in milliseconds after the message was accepted.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct StatusDelays {
    /// Handed to the operator: `transmitted`.
    pub transmitted: u64,
    /// The final status: `delivered`, `not_delivered` or `expired`.
    #[serde(rename = "final")]
    pub final_: u64,
}

impl Default for StatusDelays {
    fn default() -> Self {
        StatusDelays {
            transmitted: 20,
            final_: 60,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct PlayMobileConfig {
    /// HTTP Basic user name.
    pub login: String,
    /// HTTP Basic password.
    pub password: String,
    /// The account is blocked: every authenticated send gets error 102.
    pub locked: bool,
    /// Longest `message-id` accepted (default 40; 20 is the strict reading of the docs).
    pub max_message_id_length: usize,
    /// More messages than this in one request get error 105; `null`: no limit.
    pub max_messages_per_request: Option<usize>,
    /// Spelling of the error body's keys.
    pub error_keys: KeyStyle,
    /// Error codes as strings (`"205"`) instead of numbers.
    pub error_code_as_string: bool,
    /// Where delivery reports are pushed; none when absent.
    pub callback_url: Option<String>,
    pub callback_shape: CallbackShape,
    /// Spelling of the report's keys (`message-id` or `message_id`, …).
    pub callback_keys: KeyStyle,
    /// Push the in-flight `transmitted` report too, not only the final one.
    pub callback_transmitted: bool,
    /// Attempts after a failed push.
    pub callback_retries: u32,
    pub status_delays_ms: StatusDelays,
    /// Special recipient endings make a message fail (see `lifecycle`).
    pub special_numbers: bool,
}

impl Default for PlayMobileConfig {
    fn default() -> Self {
        PlayMobileConfig {
            login: "sandbox-login".into(),
            password: "sandbox-password".into(),
            locked: false,
            max_message_id_length: 40,
            max_messages_per_request: None,
            error_keys: KeyStyle::Hyphen,
            error_code_as_string: false,
            callback_url: None,
            callback_shape: CallbackShape::Object,
            callback_keys: KeyStyle::Hyphen,
            callback_transmitted: true,
            callback_retries: 0,
            status_delays_ms: StatusDelays::default(),
            special_numbers: true,
        }
    }
}

impl PlayMobileConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.login.is_empty() || self.login.contains(':') {
            return Err("playmobile: login cannot be empty or contain `:`".into());
        }
        if self.password.is_empty() {
            return Err("playmobile: password cannot be empty".into());
        }
        if self.max_message_id_length == 0 {
            return Err("playmobile: maxMessageIdLength must be at least 1".into());
        }
        if self.max_messages_per_request == Some(0) {
            return Err("playmobile: maxMessagesPerRequest must be at least 1 (or null)".into());
        }
        if let Some(url) = &self.callback_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| format!("playmobile: callbackUrl `{url}` is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err("playmobile: callbackUrl must be http(s)".into());
            }
        }
        Ok(())
    }

    /// Whether `user:password` are the account's credentials (password compared in
    /// constant time).
    pub(crate) fn accepts(&self, user: &str, password: &str) -> bool {
        let (a, b) = (password.as_bytes(), self.password.as_bytes());
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        user == self.login && same
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = PlayMobileConfig::default();
        c.validate().unwrap();
        assert!(c.accepts("sandbox-login", "sandbox-password"));
        assert!(!c.accepts("sandbox-login", "sandbox-passworD"));
        assert!(!c.accepts("other", "sandbox-password"));
    }

    #[test]
    fn bad_values_are_refused() {
        let bad = [
            PlayMobileConfig {
                password: String::new(),
                ..Default::default()
            },
            PlayMobileConfig {
                login: "a:b".into(),
                ..Default::default()
            },
            PlayMobileConfig {
                max_message_id_length: 0,
                ..Default::default()
            },
            PlayMobileConfig {
                callback_url: Some("ftp://x".into()),
                ..Default::default()
            },
        ];
        for c in bad {
            assert!(c.validate().is_err(), "{c:?}");
        }
    }
}
