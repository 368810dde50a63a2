//! Play Mobile (playmobile.uz / smsxabar.uz) "SMS Broker" API: static HTTP Basic auth on
//! every call, one `POST /broker-api/send` whose `messages` array carries one message or a
//! whole batch, a plain-text `Request is received` answer, numeric error codes on 400.
//! Play Mobile returns no id: uzgate mints each message's `message-id` and returns it as the
//! result's id. There is no status or balance endpoint (none is known): delivery reports
//! arrive at the URL agreed with Play Mobile for the account (`sms/delivery_report.rs`).
//! See docs/providers/playmobile.md for the facts and how the unconfirmed ones were decided.

mod errors;
mod sms_provider;
pub mod wire;

pub use errors::classify as classify_error;

use crate::auth::StaticAuth;
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::http::{exec, HttpClient, HttpOptions, Request, Response};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::phone::{self, Phone};
use crate::secret::Secret;
use crate::segments::SegmentInfo;
use crate::sms::types::{
    Balance, BatchItemResult, BatchResult, DeliveryStatus, MessageStatus, SendInput, SendResult,
};
use crate::sms::validate;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use errors::refused;
use http::HeaderValue;
use std::sync::Arc;
use wire::{Answer, WireMessage};

/// The service's host; `/broker-api/send` is appended.
pub const DEFAULT_BASE_URL: &str = "https://send.smsxabar.uz";
const SEND_PATH: &str = "/broker-api/send";
/// Messages in one request. Play Mobile's own limit is unconfirmed (its error 105 says one
/// exists); 100 is the conservative choice.
pub const MAX_BATCH: usize = 100;
/// Characters in one text. Play Mobile documents no limit; the only client that learned one
/// the hard way splits at 640, so longer texts are refused rather than risked.
pub const MAX_TEXT_CHARS: usize = 640;
/// The raw status of a message Play Mobile has just received.
const ACCEPTED: &str = "accepted";

/// Play Mobile's delivery priorities, lowest first.
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "realtime"];

pub struct PlayMobileConfig {
    /// The HTTP Basic user name Play Mobile issued.
    pub login: String,
    /// Its password.
    pub password: Secret,
    /// The sender (short number such as `3700`, or a registered alpha name); `from` overrides.
    pub originator: String,
    /// `low`, `normal`, `high` or `realtime`; Play Mobile's default when absent.
    pub priority: Option<String>,
    pub base_url: Option<String>,
    pub http: HttpOptions,
}

pub struct PlayMobileClient {
    http: Arc<HttpClient>,
    auth: StaticAuth,
    originator: String,
    priority: Option<String>,
    log: Logger,
}

/// A message checked and ready to go.
struct Outgoing {
    phone: Phone,
    originator: String,
    text: String,
    segments: SegmentInfo,
    message_id: String,
}

impl PlayMobileClient {
    pub fn new(config: PlayMobileConfig, log: Logger, metrics: Arc<Metrics>) -> Result<Self> {
        if config.login.trim().is_empty() {
            return Err(Error::config("playmobile.login is required"));
        }
        if config.login.contains(':') {
            return Err(Error::config(
                "playmobile.login cannot contain `:` (HTTP Basic separates login and password with it)",
            ));
        }
        if config.password.is_empty() {
            return Err(Error::config("playmobile.password is required"));
        }
        validate::sender(&config.originator)
            .map_err(|e| Error::config(format!("playmobile.originator: {}", e.message)))?;
        if let Some(p) = &config.priority {
            if !PRIORITIES.contains(&p.as_str()) {
                return Err(Error::config(
                    "playmobile.priority must be low, normal, high or realtime",
                ));
            }
        }
        let log = log.scoped("uzgate:playmobile");
        let http = Arc::new(HttpClient::new(
            Provider::PlayMobile,
            config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            config.http,
            metrics,
            log.clone(),
        )?);
        let basic = STANDARD.encode(format!("{}:{}", config.login, config.password.expose()));
        let header = HeaderValue::from_str(&format!("Basic {basic}")).map_err(|_| {
            Error::config("playmobile credentials contain characters a header cannot carry")
        })?;
        Ok(PlayMobileClient {
            http,
            auth: StaticAuth::new(Provider::PlayMobile, header),
            originator: config.originator,
            priority: config.priority,
            log,
        })
    }

    /// `rate_limited` events (the credentials never change: no token events).
    pub fn subscribe(&self, sink: Arc<dyn crate::auth::EventSink>) {
        self.http.events.subscribe(sink);
    }

    async fn call(&self, req: Request) -> Result<Response> {
        exec::execute(&self.http, &req, Some(&self.auth), self.http.deadline()).await
    }

    /// Everything checked before a request: a bad input costs an error, not an SMS.
    fn prepare(&self, input: &SendInput) -> Result<Outgoing> {
        if input.callback_url.is_some() {
            return Err(Error::invalid(
                "Play Mobile takes no callback URL per message: its delivery reports go to the \
                 URL agreed with Play Mobile for the account; leave callbackUrl out",
            ));
        }
        let phone = phone::normalize(&input.to, "UZ")?;
        if !phone.is_uzbek() {
            return Err(Error::new(
                ErrorCode::InvalidPhone,
                format!(
                    "Play Mobile delivers to Uzbek numbers (+998) only, not {}",
                    phone.masked()
                ),
            ));
        }
        let segments = validate::text(&input.text)?;
        let chars = input.text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(Error::invalid(format!(
                "text is {chars} characters long; Play Mobile takes at most {MAX_TEXT_CHARS}"
            )));
        }
        let originator = match &input.from {
            Some(f) => {
                validate::sender(f)?;
                f.clone()
            }
            None => self.originator.clone(),
        };
        Ok(Outgoing {
            phone,
            originator,
            text: input.text.clone(),
            segments,
            message_id: wire::mint_message_id(),
        })
    }

    /// One request for all of `out`; Ok when Play Mobile received it.
    async fn post(&self, out: &[Outgoing], what: &str) -> Result<()> {
        let wire: Vec<WireMessage<'_>> = out
            .iter()
            .map(|o| WireMessage {
                recipient: o.phone.digits(),
                message_id: &o.message_id,
                originator: &o.originator,
                text: &o.text,
            })
            .collect();
        let body = wire::send_body(&wire, self.priority.as_deref());
        let resp = self
            .call(Request::post(SEND_PATH, "broker-api/send").json(&body))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, what));
        }
        match wire::read_answer(&resp.body) {
            Answer::Received => Ok(()),
            Answer::Refused => Err(refused(&resp, what)),
            Answer::Unreadable => Err(crate::http::unusable_answer(
                Provider::PlayMobile,
                &resp,
                what,
                true,
            )),
        }
    }

    pub async fn send(&self, input: SendInput) -> Result<SendResult> {
        let out = self.prepare(&input)?;
        self.post(std::slice::from_ref(&out), "the message").await?;
        self.log.debug(format_args!(
            "sent SMS to {} ({} segment(s))",
            out.phone.masked(),
            out.segments.segments
        ));
        Ok(SendResult {
            id: out.message_id,
            provider: "playmobile",
            status: DeliveryStatus::Pending,
            raw_status: ACCEPTED.into(),
            segments: out.segments.segments,
            encoding: out.segments.encoding.as_str(),
            to: out.phone.e164,
            attempts: Vec::new(),
        })
    }

    /// One request for the whole batch: Play Mobile accepts or refuses it as a whole, so
    /// every message shares the outcome; each has its own `message-id`.
    pub async fn send_batch(&self, messages: Vec<SendInput>) -> Result<BatchResult> {
        if messages.is_empty() {
            return Err(Error::invalid("sendBatch needs at least one message"));
        }
        if messages.len() > MAX_BATCH {
            return Err(Error::invalid(format!(
                "sendBatch takes at most {MAX_BATCH} messages per call with Play Mobile (its own \
                 limit is unconfirmed); split the batch"
            )));
        }
        let out = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                self.prepare(m).map_err(|mut e| {
                    e.message = format!("messages[{i}]: {}", e.message);
                    e
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.post(&out, "the batch").await?;
        self.log.debug(format_args!(
            "sent a batch of {} SMS in one request",
            out.len()
        ));
        let items: Vec<BatchItemResult> = out
            .into_iter()
            .zip(messages)
            .map(|(o, m)| BatchItemResult {
                to: o.phone.e164,
                status: DeliveryStatus::Pending,
                raw_status: ACCEPTED.into(),
                segments: o.segments.segments,
                reference: m.reference,
                id: Some(o.message_id),
                error: None,
                provider: None,
            })
            .collect();
        Ok(BatchResult {
            id: String::new(),
            provider: "playmobile",
            dispatch_id: None,
            segments: items.iter().map(|i| i.segments).sum(),
            messages: items,
        })
    }

    pub async fn status(&self, _id: &str) -> Result<MessageStatus> {
        Err(Error::new(
            ErrorCode::NotImplemented,
            "Play Mobile has no status query: delivery reports arrive at the URL agreed with \
             Play Mobile for the account; record them (parseDeliveryReport('playmobile', …) or \
             the Nest callback route) and read deliveryStatus('playmobile', id)",
        )
        .with_provider(Provider::PlayMobile))
    }

    pub async fn balance(&self) -> Result<Balance> {
        Err(Error::new(
            ErrorCode::NotImplemented,
            "Play Mobile has no balance query known to uzgate; see the balance in Play Mobile's \
             cabinet",
        )
        .with_provider(Provider::PlayMobile))
    }
}
