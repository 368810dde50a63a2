//! One provider's part in a routed send, as results and errors report it: which providers were
//! tried, in order, and how each ended — so a caller can see that the message went out through
//! the second provider because the first was unreachable, or that nothing was sent anywhere.

use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// `eskiz`, `playmobile`, `twilio`, `console`.
    pub provider: &'static str,
    /// `sent`; `failed` (with `code`); `skipped` (its circuit breaker is open).
    pub outcome: &'static str,
    /// The error code of a failed attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// Why the send moved on to the next provider after this one (`not_connected`,
    /// `rate_limited`, `unavailable`, `auth_failed`, `unpaid`, `refused_here`, …); absent when
    /// it stopped here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_on: Option<&'static str>,
    /// A skipped provider may be tried again in this many ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_in_ms: Option<u64>,
}

impl Attempt {
    pub fn sent(provider: &'static str) -> Self {
        Attempt {
            provider,
            outcome: "sent",
            code: None,
            moved_on: None,
            retry_in_ms: None,
        }
    }

    pub fn failed(
        provider: &'static str,
        code: &'static str,
        moved_on: Option<&'static str>,
    ) -> Self {
        Attempt {
            provider,
            outcome: "failed",
            code: Some(code),
            moved_on,
            retry_in_ms: None,
        }
    }

    pub fn skipped(provider: &'static str, retry_in_ms: u64) -> Self {
        Attempt {
            provider,
            outcome: "skipped",
            code: None,
            moved_on: Some("circuit_open"),
            retry_in_ms: Some(retry_in_ms),
        }
    }
}
