//! `SmsClient`: one API over Eskiz, Twilio and the development console.

mod console;
pub mod delivery_report;
pub mod delivery_status;
pub mod types;
pub mod validate;

pub use console::ConsoleSms;
pub use types::*;

use crate::auth::TokenStatus;
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::providers::eskiz::{
    EskizClient, EskizConfig, EskizTemplate, EskizUser, HistoryPage, HistoryQuery,
};
use crate::providers::twilio::{TwilioClient, TwilioConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub enum SmsProviderConfig {
    Eskiz(Box<EskizConfig>),
    Twilio(Box<TwilioConfig>),
    Console {
        outbox_size: usize,
        default_region: Option<String>,
    },
}

enum Backend {
    Eskiz(EskizClient),
    Twilio(TwilioClient),
    Console(ConsoleSms),
}

pub struct SmsClient {
    backend: Backend,
    metrics: Arc<Metrics>,
    closed: AtomicBool,
}

impl SmsClient {
    /// Validates the configuration and builds the client; no network until the first call.
    pub fn new(config: SmsProviderConfig, log: Logger) -> Result<Self> {
        let metrics = Arc::new(Metrics::new());
        let backend = match config {
            SmsProviderConfig::Eskiz(c) => {
                Backend::Eskiz(EskizClient::new(*c, log, metrics.clone())?)
            }
            SmsProviderConfig::Twilio(c) => {
                Backend::Twilio(TwilioClient::new(*c, log, metrics.clone())?)
            }
            SmsProviderConfig::Console {
                outbox_size,
                default_region,
            } => Backend::Console(ConsoleSms::new(outbox_size, default_region, log)),
        };
        Ok(SmsClient {
            backend,
            metrics,
            closed: AtomicBool::new(false),
        })
    }

    pub fn provider(&self) -> Provider {
        match self.backend {
            Backend::Eskiz(_) => Provider::Eskiz,
            Backend::Twilio(_) => Provider::Twilio,
            Backend::Console(_) => Provider::Console,
        }
    }

    fn open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            Err(Error::closed())
        } else {
            Ok(())
        }
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::new(
            ErrorCode::NotImplemented,
            format!(
                "{what} is not available with the {} provider",
                self.provider().as_str()
            ),
        )
        .with_provider(self.provider())
    }

    pub async fn send(&self, input: SendInput) -> Result<SendResult> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.send(input).await,
            Backend::Twilio(c) => c.send(input).await,
            Backend::Console(c) => c.send(&input),
        }
    }

    pub async fn send_batch(
        &self,
        messages: Vec<SendInput>,
        dispatch_id: Option<u64>,
    ) -> Result<BatchResult> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.send_batch(messages, dispatch_id).await,
            Backend::Twilio(c) => c.send_batch(messages).await,
            Backend::Console(c) => {
                if messages.is_empty() {
                    return Err(Error::invalid("sendBatch needs at least one message"));
                }
                // Validate all before "sending" any, as a real batch would.
                for (i, m) in messages.iter().enumerate() {
                    crate::phone::normalize(&m.to, "UZ").map_err(|mut e| {
                        e.message = format!("messages[{i}]: {}", e.message);
                        e
                    })?;
                    validate::text(&m.text)?;
                }
                let mut items = Vec::with_capacity(messages.len());
                for m in &messages {
                    let r = c.send(m)?;
                    items.push(BatchItemResult {
                        to: r.to,
                        status: r.status,
                        raw_status: r.raw_status,
                        segments: r.segments,
                        reference: m.reference.clone(),
                        id: Some(r.id),
                        error: None,
                    });
                }
                Ok(BatchResult {
                    id: String::new(),
                    provider: "console",
                    dispatch_id,
                    segments: items.iter().map(|m| m.segments).sum(),
                    messages: items,
                })
            }
        }
    }

    pub async fn send_global(&self, input: SendInput) -> Result<SendResult> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.send_global(input).await,
            Backend::Twilio(c) => c.send(input).await,
            Backend::Console(c) => c.send(&input),
        }
    }

    pub async fn status(&self, id: &str) -> Result<MessageStatus> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.status(id).await,
            Backend::Twilio(c) => c.status(id).await,
            Backend::Console(c) => c.status(id),
        }
    }

    pub async fn balance(&self) -> Result<Balance> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.balance().await,
            Backend::Twilio(c) => c.balance().await,
            Backend::Console(c) => Ok(c.balance()),
        }
    }

    pub async fn user(&self) -> Result<EskizUser> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.user().await,
            _ => Err(self.unsupported("user()")),
        }
    }

    pub async fn templates(&self) -> Result<Vec<EskizTemplate>> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.templates().await,
            _ => Err(self.unsupported("templates()")),
        }
    }

    pub async fn submit_template(&self, text: &str) -> Result<String> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.submit_template(text).await,
            _ => Err(self.unsupported("submitTemplate()")),
        }
    }

    pub async fn messages(&self, query: HistoryQuery) -> Result<HistoryPage> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => c.messages(query).await,
            _ => Err(self.unsupported("messages()")),
        }
    }

    /// Messages kept by the console provider; empty for real providers.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        match &self.backend {
            Backend::Console(c) => c.outbox(),
            _ => Vec::new(),
        }
    }

    pub fn token_status(&self) -> Option<TokenStatus> {
        match &self.backend {
            Backend::Eskiz(c) => Some(c.tokens().status()),
            Backend::Twilio(_) | Backend::Console(_) => None,
        }
    }

    /// `token_status`, completed from the store when this process has no token yet (no request).
    pub async fn stored_token_status(&self) -> Result<Option<TokenStatus>> {
        match &self.backend {
            Backend::Eskiz(c) => Ok(Some(c.tokens().stored_status().await?)),
            Backend::Twilio(_) | Backend::Console(_) => Ok(None),
        }
    }

    /// The one-time migration of the stored token to the current record format (`None`: this
    /// provider keeps no token).
    pub async fn seal_stored_token(&self) -> Result<Option<crate::store::Sealing>> {
        match &self.backend {
            Backend::Eskiz(c) => Ok(Some(c.tokens().seal_stored().await?)),
            Backend::Twilio(_) | Backend::Console(_) => Ok(None),
        }
    }

    pub async fn refresh_token(&self) -> Result<Option<TokenStatus>> {
        self.open()?;
        match &self.backend {
            Backend::Eskiz(c) => {
                c.tokens().force_refresh().await?;
                Ok(Some(c.tokens().status()))
            }
            Backend::Twilio(_) | Backend::Console(_) => Ok(None),
        }
    }

    /// The counters of this client, shared with services built on it (OTP).
    pub(crate) fn metrics_registry(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn metrics(&self) -> String {
        self.metrics.render()
    }

    /// Token events (Eskiz) and `rate_limited` (Eskiz, Twilio).
    pub fn subscribe(&self, sink: Arc<dyn crate::auth::EventSink>) {
        match &self.backend {
            Backend::Eskiz(c) => c.subscribe(sink),
            Backend::Twilio(c) => c.subscribe(sink),
            Backend::Console(_) => {}
        }
    }

    pub fn token_manager(&self) -> Option<&Arc<crate::auth::TokenManager>> {
        match &self.backend {
            Backend::Eskiz(c) => Some(c.tokens()),
            Backend::Twilio(_) | Backend::Console(_) => None,
        }
    }

    /// Stops background token work. Idempotent; later calls fail with `CLOSED`.
    pub async fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Backend::Eskiz(c) = &self.backend {
            c.close().await;
        }
    }
}
