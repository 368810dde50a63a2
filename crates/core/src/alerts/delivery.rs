//! How one alert delivery ended, and the small HTTP helpers both sinks share: a capped body read
//! and errors that never carry the URL (the Telegram URL holds the bot token).

use std::time::Duration;

/// Largest answer read from a sink; alerts need a status and a short JSON.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Longest a sink may ask us to wait (Telegram's `retry_after`) before we give up on one alert.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// Attempts per alert and sink (a 429 wait or a failure each use one).
pub const ATTEMPTS: u32 = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Come back after this long (429).
    RetryAfter(Duration),
    /// The receiver refused the alert for a reason retrying cannot fix (a wrong token, a chat
    /// the bot cannot write to): the sink stops, reported once.
    Refused(String),
    /// Network trouble or a server error: retried a few times, then the alert is dropped.
    Failed(String),
}

/// `what` failed; the reqwest error without its URL.
pub fn network_failure(what: &str, e: reqwest::Error) -> Delivery {
    let e = e.without_url();
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    Delivery::Failed(format!("{what} {kind}"))
}

/// The answer's body, at most [`MAX_ANSWER_BYTES`] (the rest is not read).
pub async fn read_capped(mut resp: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = MAX_ANSWER_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ANSWER_BYTES {
            break;
        }
    }
    body
}

/// A receiver's own words, safe to log: printable, at most 200 characters.
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}
