//! What users pass to and get back from `SmsClient`, provider-neutral.

use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct SendInput {
    pub to: String,
    pub text: String,
    /// Sender name or number; the provider's configured default when absent.
    pub from: Option<String>,
    /// Where the provider POSTs delivery reports; the configured default when absent.
    pub callback_url: Option<String>,
    /// Your own id for the message, echoed in delivery reports (Eskiz `user_sms_id`).
    pub reference: Option<String>,
}

/// `pending` until a terminal report arrives, then `delivered` or `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn is_terminal(self) -> bool {
        self != DeliveryStatus::Pending
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendResult {
    /// The provider's id (Eskiz request id, Twilio SID); empty only when the provider answered
    /// without one (Eskiz send-global may).
    pub id: String,
    pub provider: &'static str,
    pub status: DeliveryStatus,
    pub raw_status: String,
    pub segments: u32,
    /// `gsm7` or `ucs2`.
    pub encoding: &'static str,
    /// The normalised destination, E.164.
    pub to: String,
    /// With `routing`: each provider tried, in order, the last the one that sent it.
    pub attempts: Vec<crate::error::Attempt>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItemResult {
    pub to: String,
    pub status: DeliveryStatus,
    pub raw_status: String,
    pub segments: u32,
    pub reference: Option<String>,
    /// The message's own id where the provider gives one per message (Twilio); Eskiz gives one
    /// id for the whole batch.
    pub id: Option<String>,
    /// `(code, message)` when this message was not sent (providers without a batch endpoint
    /// send one by one, so some may fail while others went out).
    pub error: Option<(String, String)>,
    /// With `routing`: the provider that sent this message (each message takes its own route).
    pub provider: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    /// Eskiz: the batch's request id. Twilio: empty (each message has its own).
    pub id: String,
    pub provider: &'static str,
    pub dispatch_id: Option<u64>,
    pub messages: Vec<BatchItemResult>,
    pub segments: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStatus {
    pub id: String,
    pub provider: &'static str,
    pub status: DeliveryStatus,
    pub raw_status: String,
    pub to: Option<String>,
    pub segments: Option<u32>,
    pub reference: Option<String>,
    pub error_code: Option<String>,
    /// Last change as the provider reports it (its own format).
    pub updated_at: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub provider: &'static str,
    pub balance: f64,
    /// `UZS` for Eskiz, the account currency for Twilio.
    pub currency: String,
}

/// A message kept by the `console` provider (development).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub id: String,
    pub to: String,
    pub text: String,
    pub from: Option<String>,
    pub segments: u32,
    pub at_ms: u64,
}
