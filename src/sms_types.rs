//! JS shapes of the SMS calls' inputs and results and their conversion to and from the core's
//! types; these comments become the JSDoc of `index.d.ts`. The client's options are the core's
//! (`uzgate_core::options`).

use uzgate_core::auth::TokenStatus as CoreTokenStatus;
use uzgate_core::providers::eskiz::{
    EskizTemplate as CoreTemplate, EskizUser as CoreUser, HistoryPage as CorePage,
};
use uzgate_core::sms;

#[napi(object)]
pub struct SendInput {
    /// Destination: `+998901234567`, `998901234567`, `90 123 45 67`…
    pub to: String,
    pub text: String,
    /// Sender name or number; the configured default when absent.
    pub from: Option<String>,
    /// Delivery-report URL for this message.
    pub callback_url: Option<String>,
    /// Your id for the message, echoed in delivery reports (Eskiz `user_sms_id`: 1–12 digits).
    pub reference: Option<String>,
}

impl From<SendInput> for sms::SendInput {
    fn from(m: SendInput) -> Self {
        sms::SendInput {
            to: m.to,
            text: m.text,
            from: m.from,
            callback_url: m.callback_url,
            reference: m.reference,
        }
    }
}

#[napi(object)]
pub struct BatchOptions {
    /// Eskiz `dispatch_id` grouping the batch; generated when absent.
    pub dispatch_id: Option<i64>,
}

#[napi(object)]
pub struct SendResult {
    pub id: String,
    pub provider: String,
    #[napi(ts_type = "'pending' | 'delivered' | 'failed'")]
    pub status: String,
    /// The provider's own status word (`waiting`, `queued`…).
    pub raw_status: String,
    pub segments: u32,
    #[napi(ts_type = "'gsm7' | 'ucs2'")]
    pub encoding: String,
    /// The normalised destination (E.164).
    pub to: String,
    /// With `routing`: each provider tried, in order; the last one sent it. (The addon leaves
    /// out a lone successful attempt; the `SmsClient` wrapper writes it.)
    pub attempts: Option<Vec<SendAttempt>>,
}

/// A routed provider's circuit breaker.
#[napi(object)]
pub struct ProviderStatus {
    pub provider: String,
    #[napi(ts_type = "'closed' | 'open' | 'half_open'")]
    pub breaker: String,
    pub failures_in_a_row: u32,
    /// Open or half-open since (Unix ms).
    pub since_ms: Option<f64>,
    /// The breaker is shared with the other replicas through the Redis `tokenStore` (and Redis
    /// answers); `false`: this process's own.
    pub shared: bool,
}

impl From<sms::routing::ProviderStatus> for ProviderStatus {
    fn from(s: sms::routing::ProviderStatus) -> Self {
        ProviderStatus {
            provider: s.provider.into(),
            breaker: s.breaker.into(),
            failures_in_a_row: s.failures_in_a_row,
            since_ms: s.since_ms.map(|ms| ms as f64),
            shared: s.shared,
        }
    }
}

/// One provider's part in a routed send.
#[napi(object)]
pub struct SendAttempt {
    pub provider: String,
    #[napi(ts_type = "'sent' | 'failed' | 'skipped'")]
    pub outcome: String,
    /// The error code of a failed attempt.
    pub code: Option<String>,
    /// Why the send moved on to the next provider; absent where it stopped.
    pub moved_on: Option<String>,
    /// A skipped provider may be tried again in this many ms.
    pub retry_in_ms: Option<f64>,
}

impl From<&uzgate_core::error::Attempt> for SendAttempt {
    fn from(a: &uzgate_core::error::Attempt) -> Self {
        SendAttempt {
            provider: a.provider.into(),
            outcome: a.outcome.into(),
            code: a.code.map(Into::into),
            moved_on: a.moved_on.map(Into::into),
            retry_in_ms: a.retry_in_ms.map(|ms| ms as f64),
        }
    }
}

impl From<sms::SendResult> for SendResult {
    fn from(r: sms::SendResult) -> Self {
        SendResult {
            id: r.id,
            provider: r.provider.into(),
            status: r.status.as_str().into(),
            raw_status: r.raw_status,
            segments: r.segments,
            encoding: r.encoding.into(),
            to: r.to,
            // A send that went out at its first provider says nothing beyond `provider`: its one
            // attempt is written by the JS wrapper (nest/routed-result.ts), where the object
            // costs a fraction of one built through N-API.
            attempts: match r.attempts.as_slice() {
                [only] if only.outcome == "sent" => None,
                [] => None,
                all => Some(all.iter().map(SendAttempt::from).collect()),
            },
        }
    }
}

#[napi(object)]
pub struct ItemError {
    pub code: String,
    pub message: String,
}

#[napi(object)]
pub struct BatchItemResult {
    pub to: String,
    #[napi(ts_type = "'pending' | 'delivered' | 'failed'")]
    pub status: String,
    pub raw_status: String,
    pub segments: u32,
    pub reference: Option<String>,
    pub id: Option<String>,
    /// Set when this message was not sent (Twilio sends a batch one by one).
    pub error: Option<ItemError>,
    /// With `routing`: the provider that sent this message.
    pub provider: Option<String>,
}

#[napi(object)]
pub struct BatchResult {
    pub id: String,
    pub provider: String,
    pub dispatch_id: Option<i64>,
    pub messages: Vec<BatchItemResult>,
    pub segments: u32,
}

impl From<sms::BatchResult> for BatchResult {
    fn from(r: sms::BatchResult) -> Self {
        BatchResult {
            id: r.id,
            provider: r.provider.into(),
            dispatch_id: r.dispatch_id.map(|d| d as i64),
            segments: r.segments,
            messages: r
                .messages
                .into_iter()
                .map(|m| BatchItemResult {
                    to: m.to,
                    status: m.status.as_str().into(),
                    raw_status: m.raw_status,
                    segments: m.segments,
                    reference: m.reference,
                    id: m.id,
                    error: m.error.map(|(code, message)| ItemError { code, message }),
                    provider: m.provider.map(Into::into),
                })
                .collect(),
        }
    }
}

#[napi(object)]
pub struct MessageStatus {
    pub id: String,
    pub provider: String,
    #[napi(ts_type = "'pending' | 'delivered' | 'failed'")]
    pub status: String,
    pub raw_status: String,
    pub to: Option<String>,
    pub segments: Option<u32>,
    pub reference: Option<String>,
    pub error_code: Option<String>,
    pub updated_at: Option<String>,
}

impl From<sms::MessageStatus> for MessageStatus {
    fn from(s: sms::MessageStatus) -> Self {
        MessageStatus {
            id: s.id,
            provider: s.provider.into(),
            status: s.status.as_str().into(),
            raw_status: s.raw_status,
            to: s.to,
            segments: s.segments,
            reference: s.reference,
            error_code: s.error_code,
            updated_at: s.updated_at,
        }
    }
}

#[napi(object)]
pub struct Balance {
    pub provider: String,
    pub balance: f64,
    pub currency: String,
}

impl From<sms::Balance> for Balance {
    fn from(b: sms::Balance) -> Self {
        Balance {
            provider: b.provider.into(),
            balance: b.balance,
            currency: b.currency,
        }
    }
}

/// One provider's answer in `balances()`: its balance, or why it gave none.
#[napi(object)]
pub struct ProviderBalance {
    pub provider: String,
    pub balance: Option<f64>,
    pub currency: Option<String>,
    /// Set when the provider could not answer (`NOT_IMPLEMENTED` for Play Mobile, which has no
    /// balance query).
    pub error: Option<ItemError>,
}

impl From<sms::ProviderBalance> for ProviderBalance {
    fn from(b: sms::ProviderBalance) -> Self {
        let (balance, currency, error) = match b.balance {
            Ok(v) => (Some(v.balance), Some(v.currency), None),
            Err(e) => (
                None,
                None,
                Some(ItemError {
                    code: e.code.as_str().to_string(),
                    message: e.message,
                }),
            ),
        };
        ProviderBalance {
            provider: b.provider.into(),
            balance,
            currency,
            error,
        }
    }
}

/// The balance the last poll read (`balancePollMs`).
#[napi(object)]
pub struct PolledBalance {
    pub provider: String,
    pub balance: f64,
    pub currency: String,
    /// When that balance was read (Unix ms).
    pub polled_at_ms: f64,
    /// Polls that failed since (0: the value is the latest).
    pub failures_since: u32,
    /// The error code of the last failed poll since then.
    pub last_error: Option<String>,
}

impl From<sms::PolledBalance> for PolledBalance {
    fn from(b: sms::PolledBalance) -> Self {
        PolledBalance {
            provider: b.provider.into(),
            balance: b.balance,
            currency: b.currency,
            polled_at_ms: b.polled_at_ms as f64,
            failures_since: b.failures_since,
            last_error: b.last_error.map(|c| c.as_str().to_string()),
        }
    }
}

#[napi(object)]
pub struct EskizUser {
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `user`, or `test` for accounts limited to the test texts.
    pub role: Option<String>,
    pub status: Option<String>,
    pub is_vip: bool,
    pub balance: Option<f64>,
}

impl From<CoreUser> for EskizUser {
    fn from(u: CoreUser) -> Self {
        EskizUser {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
            status: u.status,
            is_vip: u.is_vip,
            balance: u.balance,
        }
    }
}

#[napi(object)]
pub struct EskizTemplate {
    pub id: Option<String>,
    pub template: String,
    pub original_text: String,
    /// `moderation` | `inproccess` | `service` | `reklama` | `rejected` (Eskiz's spelling).
    pub status: String,
    pub approved: bool,
}

impl From<CoreTemplate> for EskizTemplate {
    fn from(t: CoreTemplate) -> Self {
        EskizTemplate {
            id: t.id,
            template: t.template,
            original_text: t.original_text,
            status: t.status,
            approved: t.approved,
        }
    }
}

#[napi(object)]
pub struct HistoryQuery {
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` (Tashkent time); default 30 days ago.
    pub start_date: Option<String>,
    /// Same format; default now.
    pub end_date: Option<String>,
    pub page: Option<u32>,
    /// 20–200, default 20.
    pub page_size: Option<u32>,
    #[napi(ts_type = "'delivered' | 'rejected'")]
    pub status: Option<String>,
}

#[napi(object)]
pub struct HistoryRow {
    pub id: Option<String>,
    pub request_id: Option<String>,
    pub reference: Option<String>,
    pub dispatch_id: Option<String>,
    pub to: Option<String>,
    pub from: Option<String>,
    pub text: Option<String>,
    #[napi(ts_type = "'pending' | 'delivered' | 'failed'")]
    pub status: String,
    pub raw_status: String,
    pub segments: Option<u32>,
    pub price: Option<f64>,
    pub sent_at: Option<String>,
    pub delivered_at: Option<String>,
}

#[napi(object)]
pub struct HistoryPage {
    pub page: u32,
    pub last_page: u32,
    pub page_size: u32,
    pub total: f64,
    pub items: Vec<HistoryRow>,
}

impl From<CorePage> for HistoryPage {
    fn from(p: CorePage) -> Self {
        HistoryPage {
            page: p.page,
            last_page: p.last_page,
            page_size: p.page_size,
            total: p.total as f64,
            items: p
                .items
                .into_iter()
                .map(|r| HistoryRow {
                    id: r.id,
                    request_id: r.request_id,
                    reference: r.reference,
                    dispatch_id: r.dispatch_id,
                    to: r.to,
                    from: r.from,
                    text: r.text,
                    status: r.status,
                    raw_status: r.raw_status,
                    segments: r.segments,
                    price: r.price,
                    sent_at: r.sent_at,
                    delivered_at: r.delivered_at,
                })
                .collect(),
        }
    }
}

#[napi(object)]
pub struct OutboxMessage {
    pub id: String,
    pub to: String,
    pub text: String,
    pub from: Option<String>,
    pub segments: u32,
    pub at_ms: f64,
}

impl From<sms::OutboxMessage> for OutboxMessage {
    fn from(m: sms::OutboxMessage) -> Self {
        OutboxMessage {
            id: m.id,
            to: m.to,
            text: m.text,
            from: m.from,
            segments: m.segments,
            at_ms: m.at_ms as f64,
        }
    }
}

#[napi(object)]
pub struct TokenStatus {
    pub provider: String,
    #[napi(
        ts_type = "'empty' | 'valid' | 'expiring' | 'expired' | 'refreshing' | 'failed' | 'reauthorization_required' | 'closed'"
    )]
    pub state: String,
    /// Bumped each time this process takes a new token.
    pub generation: f64,
    pub expires_at_ms: Option<f64>,
    pub obtained_at_ms: Option<f64>,
    pub last_refresh_at_ms: Option<f64>,
    /// Tokens obtained with the current token / refresh token.
    pub refreshes: f64,
    /// Tokens obtained with the primary credentials (login, code exchange).
    pub logins: f64,
    /// Tokens taken over from the store (refreshed by another process).
    pub adopted: f64,
    pub failures: f64,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    /// `memory` | `file` | `redis` | `custom`
    pub store: String,
    /// Whether the store holds the token in use (`false`: obtained while the store failed, and
    /// being saved again); absent without a token.
    pub persisted: Option<bool>,
}

impl From<CoreTokenStatus> for TokenStatus {
    fn from(s: CoreTokenStatus) -> Self {
        TokenStatus {
            provider: s.provider.into(),
            state: s.state.into(),
            generation: s.generation as f64,
            expires_at_ms: s.expires_at_ms.map(|v| v as f64),
            obtained_at_ms: s.obtained_at_ms.map(|v| v as f64),
            last_refresh_at_ms: s.last_refresh_at_ms.map(|v| v as f64),
            refreshes: s.refreshes as f64,
            logins: s.logins as f64,
            adopted: s.adopted as f64,
            failures: s.failures as f64,
            last_error_code: s.last_error_code.map(Into::into),
            last_error_message: s.last_error_message,
            store: s.store.into(),
            persisted: s.persisted,
        }
    }
}
