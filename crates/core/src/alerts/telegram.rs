//! Alerts as Telegram messages: Bot API `POST {apiRoot}/bot{token}/sendMessage` with JSON
//! `{ chat_id, text, message_thread_id? }`, plain text (no parse mode: nothing to escape). A 429's
//! `parameters.retry_after` is honoured; a 400/401/403/404 is a refusal retrying cannot fix (wrong
//! token, unknown chat or topic, the bot blocked or removed) and stops the sink.

use super::delivery::{network_failure, printable, read_capped, Delivery};
use crate::error::{Error, Result};
use crate::secret::Secret;
use serde_json::{json, Value};
use std::time::Duration;

pub const DEFAULT_API_ROOT: &str = "https://api.telegram.org";

pub struct TelegramSink {
    http: reqwest::Client,
    /// `{apiRoot}/bot{token}/sendMessage`: holds the token, so it is never printed.
    send_url: Secret,
    chat_id: Value,
    thread_id: Option<i64>,
}

impl TelegramSink {
    /// Checks the settings the way the Bot API would, before any request.
    pub fn new(
        http: reqwest::Client,
        bot_token: &str,
        chat_id: &str,
        thread_id: Option<i64>,
        api_root: Option<&str>,
    ) -> Result<Self> {
        if !valid_token(bot_token) {
            return Err(Error::config(
                "alerts.telegram.botToken must be the token @BotFather gave (<bot id>:<secret>)",
            ));
        }
        let chat_id = parse_chat(chat_id).ok_or_else(|| {
            Error::config(
                "alerts.telegram.chatId must be a numeric chat id (-100… for groups) or @channelname",
            )
        })?;
        let root = api_root.unwrap_or(DEFAULT_API_ROOT).trim_end_matches('/');
        let parsed = url::Url::parse(root)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
        if parsed.is_none() {
            return Err(Error::config(
                "alerts.telegram.apiRoot must be an http(s) URL such as https://api.telegram.org",
            ));
        }
        Ok(TelegramSink {
            http,
            send_url: Secret::from(format!("{root}/bot{bot_token}/sendMessage")),
            chat_id,
            thread_id,
        })
    }

    /// One attempt.
    pub async fn send(&self, text: &str) -> Delivery {
        let mut body = json!({ "chat_id": self.chat_id, "text": text });
        if let Some(thread) = self.thread_id {
            body["message_thread_id"] = json!(thread);
        }
        let resp = match self
            .http
            .post(self.send_url.expose())
            .json(&body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return network_failure("Telegram sendMessage", e),
        };
        let status = resp.status().as_u16();
        let answer: Value = serde_json::from_slice(&read_capped(resp).await).unwrap_or(Value::Null);
        let description = answer
            .get("description")
            .and_then(Value::as_str)
            .map(printable)
            .unwrap_or_default();
        match status {
            200..=299 if answer.get("ok") == Some(&Value::Bool(true)) => Delivery::Sent,
            429 => {
                let secs = answer
                    .pointer("/parameters/retry_after")
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                Delivery::RetryAfter(Duration::from_secs(secs.max(1)))
            }
            400 | 401 | 403 | 404 => Delivery::Refused(format!("Telegram {status}: {description}")),
            _ => Delivery::Failed(format!("Telegram {status}: {description}")),
        }
    }
}

/// `<bot id>:<secret>` as the Bot API server accepts it: a positive id not starting with 0, no
/// `/`, at most 80 characters.
fn valid_token(token: &str) -> bool {
    let Some((id, secret)) = token.split_once(':') else {
        return false;
    };
    token.len() <= 80
        && !id.is_empty()
        && !id.starts_with('0')
        && id.len() <= 16
        && id.bytes().all(|b| b.is_ascii_digit())
        && !secret.is_empty()
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn parse_chat(chat: &str) -> Option<Value> {
    let chat = chat.trim();
    if let Ok(id) = chat.parse::<i64>() {
        return (id != 0).then(|| json!(id));
    }
    let name = chat.strip_prefix('@')?;
    (name.len() >= 4
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then(|| json!(chat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_before_any_request() {
        let http = reqwest::Client::new();
        let ok = |t: &str, c: &str| TelegramSink::new(http.clone(), t, c, None, None).is_ok();
        assert!(ok("123456:ABC-def_ghi", "-1001234567890"));
        assert!(ok("123456:ABC", "@uzgate_alerts"));
        for bad in ["", "123456", "0123:abc", "12:ab/c", ":abc", "12:", "x1:abc"] {
            assert!(!ok(bad, "-100123"), "{bad}");
        }
        for bad in ["", "0", "@ab", "chat", "@bad-name"] {
            assert!(!ok("123456:ABC", bad), "{bad}");
        }
        let e = TelegramSink::new(http, "123456:ABC", "1", None, Some("ftp://x"))
            .err()
            .unwrap();
        assert!(e.message.contains("apiRoot"));
    }
}
