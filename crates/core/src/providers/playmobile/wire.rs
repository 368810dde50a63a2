//! What goes over the wire to Play Mobile: the `messages` body, the `message-id` uzgate mints
//! for each message, and how a 2xx answer is read.
//!
//! Play Mobile knows a message only by the id the client gives it and answers no id of its
//! own. Ours are 20 random characters of `[A-Za-z0-9]` (about 119 bits): within the strictest
//! documented length (20), valid under every looser one, and carrying nothing about the
//! account, the recipient or the text.

use serde_json::{json, Map, Value};

/// Length of the `message-id` uzgate mints.
pub const MESSAGE_ID_LEN: usize = 20;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A fresh `message-id`: 20 characters drawn uniformly from `[A-Za-z0-9]` by the OS-seeded
/// CSPRNG (rejection sampling keeps the draw uniform).
pub fn mint_message_id() -> String {
    let mut out = String::with_capacity(MESSAGE_ID_LEN);
    while out.len() < MESSAGE_ID_LEN {
        let b: u8 = rand::random();
        // 248 = 4 × 62: bytes above it would favour the first characters.
        if b < 248 {
            out.push(ALPHABET[usize::from(b % 62)] as char);
        }
    }
    out
}

/// One message of the `messages` array.
pub struct WireMessage<'a> {
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub originator: &'a str,
    pub text: &'a str,
}

/// The request body: every message in one `messages` array (a single SMS is a batch of one),
/// with the priority at the root where it applies to all.
pub fn send_body(messages: &[WireMessage<'_>], priority: Option<&str>) -> Value {
    let list: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "recipient": m.recipient,
                "message-id": m.message_id,
                "sms": {
                    "originator": m.originator,
                    "content": { "text": m.text },
                },
            })
        })
        .collect();
    let mut root = Map::new();
    if let Some(p) = priority {
        root.insert("priority".into(), json!(p));
    }
    root.insert("messages".into(), Value::Array(list));
    Value::Object(root)
}

/// What a 2xx answer says.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// `Request is received` (or, tolerated, an empty body): the request was accepted.
    Received,
    /// A JSON error body despite the 2xx: refused.
    Refused,
    /// Anything else: the request may have been processed, but the answer cannot say so.
    Unreadable,
}

pub fn read_answer(body: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("Request is received") {
        return Answer::Received;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) if super::errors::playmobile_code(&v).is_some() => Answer::Refused,
        _ => Answer::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn message_ids_are_20_alphanumerics_and_distinct() {
        let ids: HashSet<String> = (0..10_000).map(|_| mint_message_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in &ids {
            assert_eq!(id.len(), MESSAGE_ID_LEN);
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
        }
        // Every character of the alphabet shows up: the draw is not stuck on a subset.
        let seen: HashSet<char> = ids.iter().flat_map(|i| i.chars()).collect();
        assert_eq!(seen.len(), 62);
    }

    #[test]
    fn the_body_has_the_documented_shape() {
        let body = send_body(
            &[
                WireMessage {
                    recipient: "998901234567",
                    message_id: "a1",
                    originator: "3700",
                    text: "hi",
                },
                WireMessage {
                    recipient: "998901234568",
                    message_id: "a2",
                    originator: "3700",
                    text: "yo",
                },
            ],
            Some("realtime"),
        );
        assert_eq!(
            body,
            json!({"priority": "realtime", "messages": [
                {"recipient": "998901234567", "message-id": "a1",
                 "sms": {"originator": "3700", "content": {"text": "hi"}}},
                {"recipient": "998901234568", "message-id": "a2",
                 "sms": {"originator": "3700", "content": {"text": "yo"}}}]})
        );
        let plain = send_body(&[], None);
        assert_eq!(plain, json!({"messages": []}));
    }

    #[test]
    fn answers() {
        assert_eq!(read_answer(b"Request is received"), Answer::Received);
        assert_eq!(read_answer(b"request is received\n"), Answer::Received);
        assert_eq!(read_answer(b""), Answer::Received);
        assert_eq!(read_answer(br#"{"error_code":"101"}"#), Answer::Refused);
        assert_eq!(read_answer(b"<html>ok</html>"), Answer::Unreadable);
        assert_eq!(read_answer(br#"{"status":"ok"}"#), Answer::Unreadable);
    }
}
