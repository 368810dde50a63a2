//! Alerts as signed JSON POSTs to a URL of the operator's. The receiver checks
//! `X-Uzgate-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` against
//! `X-Uzgate-Timestamp` (Unix seconds; refuse old ones to stop replays), as Stripe-style webhooks
//! do.

use super::alert::Alert;
use super::delivery::{network_failure, read_capped, Delivery};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::time::unix_now_ms;
use serde_json::json;

pub const SIGNATURE_HEADER: &str = "x-uzgate-signature";
pub const TIMESTAMP_HEADER: &str = "x-uzgate-timestamp";

pub struct WebhookSink {
    http: reqwest::Client,
    url: String,
    secret: Secret,
}

impl WebhookSink {
    pub fn new(http: reqwest::Client, url: &str, secret: &str) -> Result<Self> {
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
        if parsed.is_none() {
            return Err(Error::config("alerts.webhook.url must be an http(s) URL"));
        }
        if secret.len() < 16 {
            return Err(Error::config(
                "alerts.webhook.secret must be at least 16 characters (openssl rand -hex 32)",
            ));
        }
        Ok(WebhookSink {
            http,
            url: url.to_string(),
            secret: Secret::from(secret.to_string()),
        })
    }

    /// The JSON body of `alert`.
    pub fn body(alert: &Alert) -> String {
        json!({
            "kind": alert.kind.as_str(),
            "state": alert.state.as_str(),
            "repeat": alert.repeat,
            "integration": alert.integration,
            "sinceMs": alert.since_ms,
            "detail": alert.detail,
            "action": alert.action,
            "text": alert.text(),
        })
        .to_string()
    }

    /// One attempt.
    pub async fn send(&self, alert: &Alert) -> Delivery {
        let body = Self::body(alert);
        let timestamp = (unix_now_ms() / 1000).to_string();
        let signature = sign(self.secret.expose(), &timestamp, &body);
        let resp = match self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, format!("v1={signature}"))
            .body(body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return network_failure("alert webhook", e),
        };
        let status = resp.status().as_u16();
        drop(read_capped(resp).await);
        match status {
            200..=299 => Delivery::Sent,
            408 | 429 | 500..=599 => Delivery::Failed(format!("alert webhook answered {status}")),
            _ => Delivery::Refused(format!("alert webhook answered {status}")),
        }
    }
}

/// Hex HMAC-SHA256 of `"<timestamp>.<body>"`.
pub fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    crate::mac::hmac_sha256_hex(
        secret.as_bytes(),
        &[timestamp.as_bytes(), b".", body.as_bytes()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Expected value from `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac <key>`.
        assert_eq!(
            sign("whsec-test-key-0123456789", "1700000000", r#"{"a":1}"#),
            "7d86d62bab7c6ee320bfcc000fdc0ac5c2a3c6bb62de22e888ee904f0e6d0d5e"
        );
    }

    #[test]
    fn settings_are_checked() {
        let http = reqwest::Client::new();
        assert!(WebhookSink::new(
            http.clone(),
            "https://ops.example.uz/hooks",
            "0123456789abcdef"
        )
        .is_ok());
        assert!(WebhookSink::new(http.clone(), "ops.example.uz", "0123456789abcdef").is_err());
        assert!(WebhookSink::new(http, "https://ops.example.uz/hooks", "short").is_err());
    }
}
