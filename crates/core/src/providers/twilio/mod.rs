//! Twilio Programmable Messaging (API 2010-04-01): HTTP Basic auth with the Account SID and auth
//! token (or an API key), form-encoded PascalCase requests, snake_case JSON answers.
//! See docs/providers/twilio.md.

mod errors;
pub mod signature;
mod signed_url;
mod sms_provider;

use crate::auth::StaticAuth;
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::http::{exec, HttpClient, HttpOptions, Request, Response};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::phone;
use crate::secret::Secret;
use crate::sms::delivery_status;
use crate::sms::types::{
    Balance, BatchItemResult, BatchResult, DeliveryStatus, MessageStatus, SendInput, SendResult,
};
use crate::sms::validate;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use errors::{loose_string, refused, unusable};
use futures::stream::{self, StreamExt};
use http::HeaderValue;
use serde_json::Value;
use std::sync::Arc;

pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// Concurrent sends of one `sendBatch` (Twilio limits concurrent REST requests per account).
const BATCH_CONCURRENCY: usize = 8;

pub struct TwilioConfig {
    /// `AC` + 32 hex: the account in every path.
    pub account_sid: String,
    /// The account's auth token, or an API key's secret with `api_key_sid`.
    pub auth_token: Secret,
    /// `SK…`: authenticate with an API key instead of the auth token.
    pub api_key_sid: Option<String>,
    pub from: Option<String>,
    /// `MG…`: let a Messaging Service pick the sender.
    pub messaging_service_sid: Option<String>,
    pub status_callback: Option<String>,
    /// Seconds a message may wait in Twilio's queue, 1–36000.
    pub validity_period: Option<u32>,
    pub base_url: Option<String>,
    /// Region for numbers written without `+` (none: they must be E.164).
    pub default_region: Option<String>,
    pub http: HttpOptions,
}

fn sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].chars().all(|c| c.is_ascii_hexdigit())
}

/// A `StatusCallback` Twilio accepts: absolute http(s) URL whose host has no underscore.
fn status_callback(url: &str) -> Result<()> {
    validate::callback_url(url)?;
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    if host.contains('_') {
        return Err(Error::invalid(
            "statusCallback host must not contain underscores (Twilio refuses it)",
        ));
    }
    Ok(())
}

pub struct TwilioClient {
    http: Arc<HttpClient>,
    auth: StaticAuth,
    account_sid: String,
    from: Option<String>,
    messaging_service_sid: Option<String>,
    status_callback: Option<String>,
    validity_period: Option<u32>,
    default_region: Option<String>,
    log: Logger,
}

impl TwilioClient {
    pub fn new(config: TwilioConfig, log: Logger, metrics: Arc<Metrics>) -> Result<Self> {
        if !sid(&config.account_sid, "AC") {
            return Err(Error::config(
                "twilio.accountSid must be AC followed by 32 hex digits",
            ));
        }
        if config.auth_token.is_empty() {
            return Err(Error::config(
                "twilio.authToken (or an API key secret) is required",
            ));
        }
        if let Some(k) = &config.api_key_sid {
            if !sid(k, "SK") {
                return Err(Error::config(
                    "twilio.apiKeySid must be SK followed by 32 hex digits",
                ));
            }
        }
        if let Some(m) = &config.messaging_service_sid {
            if !sid(m, "MG") {
                return Err(Error::config(
                    "twilio.messagingServiceSid must be MG followed by 32 hex digits",
                ));
            }
        }
        if let Some(f) = &config.from {
            check_from(f, config.default_region.as_deref())
                .map_err(|e| Error::config(format!("twilio.from: {}", e.message)))?;
        }
        if let Some(url) = &config.status_callback {
            status_callback(url)
                .map_err(|e| Error::config(format!("twilio.statusCallback: {}", e.message)))?;
        }
        if let Some(v) = config.validity_period {
            if !(1..=36_000).contains(&v) {
                return Err(Error::config(
                    "twilio.validityPeriod must be 1–36000 seconds",
                ));
            }
        }
        let log = log.scoped("uzgate:twilio");
        let http = Arc::new(HttpClient::new(
            Provider::Twilio,
            config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            config.http,
            metrics,
            log.clone(),
        )?);
        let user = config.api_key_sid.as_deref().unwrap_or(&config.account_sid);
        let basic = STANDARD.encode(format!("{user}:{}", config.auth_token.expose()));
        let header = HeaderValue::from_str(&format!("Basic {basic}")).map_err(|_| {
            Error::config("twilio credentials contain characters a header cannot carry")
        })?;
        Ok(TwilioClient {
            http,
            auth: StaticAuth::new(Provider::Twilio, header),
            account_sid: config.account_sid,
            from: config.from,
            messaging_service_sid: config.messaging_service_sid,
            status_callback: config.status_callback,
            validity_period: config.validity_period,
            default_region: config.default_region,
            log,
        })
    }

    /// `rate_limited` events (Twilio's credentials never change: no token events).
    pub fn subscribe(&self, sink: Arc<dyn crate::auth::EventSink>) {
        self.http.events.subscribe(sink);
    }

    async fn call(&self, req: Request) -> Result<Response> {
        exec::execute(&self.http, &req, Some(&self.auth), self.http.deadline()).await
    }

    fn messages_path(&self) -> String {
        format!("/2010-04-01/Accounts/{}/Messages.json", self.account_sid)
    }

    pub async fn send(&self, input: SendInput) -> Result<SendResult> {
        let to = phone::normalize(&input.to, self.default_region.as_deref().unwrap_or("ZZ"))?;
        let segments = validate::text(&input.text)?;
        let from = match &input.from {
            Some(f) => {
                check_from(f, self.default_region.as_deref())?;
                Some(f.clone())
            }
            None => self.from.clone(),
        };
        if from.is_none() && self.messaging_service_sid.is_none() {
            return Err(Error::invalid(
                "Twilio needs a sender: `from` (here or in the options) or messagingServiceSid",
            ));
        }
        let callback = input
            .callback_url
            .clone()
            .or_else(|| self.status_callback.clone());
        if let Some(url) = &callback {
            status_callback(url)?;
        }
        let mut fields: Vec<(&str, String)> =
            vec![("To", to.e164.clone()), ("Body", input.text.clone())];
        match (&from, &self.messaging_service_sid) {
            (Some(f), _) => fields.push(("From", f.clone())),
            (None, Some(m)) => fields.push(("MessagingServiceSid", m.clone())),
            (None, None) => unreachable!("checked above"),
        }
        if let Some(url) = callback {
            fields.push(("StatusCallback", url));
        }
        if let Some(v) = self.validity_period {
            fields.push(("ValidityPeriod", v.to_string()));
        }
        let resp = self
            .call(Request::post(self.messages_path(), "messages/create").form(&fields))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the message"));
        }
        let body = resp
            .json_value()
            .ok_or_else(|| unusable(&resp, "the message", true))?;
        let sid = body
            .get("sid")
            .and_then(Value::as_str)
            .ok_or_else(|| unusable(&resp, "the message", true))?
            .to_string();
        let raw = body
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("queued")
            .to_string();
        let parts = loose_string(body.get("num_segments"))
            .and_then(|s| s.parse().ok())
            .unwrap_or(segments.segments);
        self.log.debug(format_args!(
            "sent SMS to {} ({parts} segment(s))",
            to.masked()
        ));
        Ok(SendResult {
            id: sid,
            provider: "twilio",
            status: delivery_status::twilio(&raw),
            raw_status: raw,
            segments: parts,
            encoding: segments.encoding.as_str(),
            to: to.e164,
            attempts: Vec::new(),
        })
    }

    /// Twilio has no batch endpoint: each message is sent (a few at a time) and reported on its
    /// own; a failure of one never hides the others' success.
    pub async fn send_batch(&self, messages: Vec<SendInput>) -> Result<BatchResult> {
        if messages.is_empty() {
            return Err(Error::invalid("sendBatch needs at least one message"));
        }
        if messages.len() > validate::MAX_BATCH {
            return Err(Error::invalid(format!(
                "sendBatch takes at most {} messages per call",
                validate::MAX_BATCH
            )));
        }
        for (i, m) in messages.iter().enumerate() {
            phone::normalize(&m.to, self.default_region.as_deref().unwrap_or("ZZ"))
                .and_then(|_| validate::text(&m.text).map(|_| ()))
                .map_err(|mut e| {
                    e.message = format!("messages[{i}]: {}", e.message);
                    e
                })?;
        }
        let results: Vec<(SendInput, Result<SendResult>)> = stream::iter(messages)
            .map(|m| async move {
                let r = self.send(m.clone()).await;
                (m, r)
            })
            .buffered(BATCH_CONCURRENCY)
            .collect()
            .await;
        let items: Vec<BatchItemResult> = results
            .into_iter()
            .map(|(m, r)| match r {
                Ok(s) => BatchItemResult {
                    to: s.to,
                    status: s.status,
                    raw_status: s.raw_status,
                    segments: s.segments,
                    reference: m.reference,
                    id: Some(s.id),
                    error: None,
                    provider: None,
                },
                Err(e) => BatchItemResult {
                    to: m.to,
                    status: DeliveryStatus::Failed,
                    raw_status: "not_sent".into(),
                    segments: 0,
                    reference: m.reference,
                    id: None,
                    error: Some((e.code.as_str().to_string(), e.message)),
                    provider: None,
                },
            })
            .collect();
        Ok(BatchResult {
            id: String::new(),
            provider: "twilio",
            dispatch_id: None,
            segments: items.iter().map(|i| i.segments).sum(),
            messages: items,
        })
    }

    pub async fn status(&self, message_sid: &str) -> Result<MessageStatus> {
        let ok = message_sid.len() == 34
            && (message_sid.starts_with("SM") || message_sid.starts_with("MM"))
            && message_sid[2..].chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(Error::invalid(
                "id must be a Twilio message SID (SM… or MM…)",
            ));
        }
        let path = format!(
            "/2010-04-01/Accounts/{}/Messages/{message_sid}.json",
            self.account_sid
        );
        let resp = self.call(Request::get(path, "messages/fetch")).await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the status request"));
        }
        let b = resp
            .json_value()
            .ok_or_else(|| unusable(&resp, "the status request", false))?;
        let raw = b
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(MessageStatus {
            id: message_sid.to_string(),
            provider: "twilio",
            status: delivery_status::twilio(&raw),
            raw_status: raw,
            to: b.get("to").and_then(Value::as_str).map(str::to_string),
            segments: loose_string(b.get("num_segments")).and_then(|s| s.parse().ok()),
            reference: None,
            error_code: loose_string(b.get("error_code")),
            updated_at: b
                .get("date_updated")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    pub async fn balance(&self) -> Result<Balance> {
        let path = format!("/2010-04-01/Accounts/{}/Balance.json", self.account_sid);
        let resp = self.call(Request::get(path, "balance")).await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the balance request"));
        }
        let b = resp
            .json_value()
            .ok_or_else(|| unusable(&resp, "the balance request", false))?;
        // Both end up in metrics labels and health answers: a finite number, an ISO 4217 code.
        let balance = loose_string(b.get("balance"))
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| unusable(&resp, "the balance request", false))?;
        let currency = match b.get("currency") {
            None | Some(Value::Null) => "USD",
            Some(c) => c
                .as_str()
                .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
                .ok_or_else(|| unusable(&resp, "the balance request", false))?,
        };
        Ok(Balance {
            provider: "twilio",
            balance,
            currency: currency.to_string(),
        })
    }
}

/// A Twilio sender: a phone number (E.164), a short code, or an alphanumeric sender ID.
fn check_from(from: &str, region: Option<&str>) -> Result<()> {
    if from.starts_with('+') {
        return phone::normalize(from, region.unwrap_or("ZZ"))
            .map(|_| ())
            .map_err(|e| Error::new(ErrorCode::InvalidArgument, format!("from: {}", e.message)));
    }
    validate::sender(from)
}
