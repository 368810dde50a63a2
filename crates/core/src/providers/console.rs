//! `provider: 'console'`: for development. Sends nothing; validates like a real provider, logs a
//! masked line and keeps the last messages in memory (`outbox()`).

use crate::error::{Error, ErrorCode, Provider, Result};
use crate::log::Logger;
use crate::phone;
use crate::sms::provider::{Capabilities, SmsProvider};
use crate::sms::types::{
    Balance, BatchItemResult, BatchResult, DeliveryStatus, MessageStatus, OutboxMessage, SendInput,
    SendResult,
};
use crate::sms::validate;
use crate::store::unix_now_ms;
use futures::future::BoxFuture;
use parking_lot::Mutex;
use std::any::Any;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct ConsoleSms {
    outbox: Mutex<VecDeque<OutboxMessage>>,
    capacity: usize,
    next_id: AtomicU64,
    default_region: String,
    log: Logger,
}

impl ConsoleSms {
    pub fn new(capacity: usize, default_region: Option<String>, log: Logger) -> Self {
        ConsoleSms {
            outbox: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            next_id: AtomicU64::new(1),
            default_region: default_region.unwrap_or_else(|| "UZ".into()),
            log: log.scoped("uzgate:console"),
        }
    }

    pub fn send(&self, input: &SendInput) -> Result<SendResult> {
        let phone = phone::normalize(&input.to, &self.default_region)?;
        let segments = validate::text(&input.text)?;
        if let Some(f) = &input.from {
            validate::sender(f)?;
        }
        if let Some(url) = &input.callback_url {
            validate::callback_url(url)?;
        }
        let id = format!("console-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        // Digits are masked: the text may carry a one-time code.
        self.log.info(format_args!(
            "SMS to {} ({} segment(s)) not sent (console provider): {}",
            phone.masked(),
            segments.segments,
            validate::mask_digits(&input.text)
        ));
        let mut outbox = self.outbox.lock();
        if outbox.len() == self.capacity {
            outbox.pop_front();
        }
        outbox.push_back(OutboxMessage {
            id: id.clone(),
            to: phone.e164.clone(),
            text: input.text.clone(),
            from: input.from.clone(),
            segments: segments.segments,
            at_ms: unix_now_ms(),
        });
        Ok(SendResult {
            id,
            provider: "console",
            status: DeliveryStatus::Delivered,
            raw_status: "delivered".into(),
            segments: segments.segments,
            encoding: segments.encoding.as_str(),
            to: phone.e164,
            attempts: Vec::new(),
        })
    }

    pub fn status(&self, id: &str) -> Result<MessageStatus> {
        let outbox = self.outbox.lock();
        let m = outbox.iter().find(|m| m.id == id).ok_or_else(|| {
            Error::new(ErrorCode::NotFound, "no such message in the console outbox")
        })?;
        Ok(MessageStatus {
            id: m.id.clone(),
            provider: "console",
            status: DeliveryStatus::Delivered,
            raw_status: "delivered".into(),
            to: Some(m.to.clone()),
            segments: Some(m.segments),
            reference: None,
            error_code: None,
            updated_at: None,
        })
    }

    pub fn balance(&self) -> Balance {
        Balance {
            provider: "console",
            balance: 0.0,
            currency: "UZS".into(),
        }
    }

    /// Validates every message before "sending" any, as a real batch would.
    pub fn send_batch(
        &self,
        messages: &[SendInput],
        dispatch_id: Option<u64>,
    ) -> Result<BatchResult> {
        if messages.is_empty() {
            return Err(Error::invalid("sendBatch needs at least one message"));
        }
        for (i, m) in messages.iter().enumerate() {
            phone::normalize(&m.to, "UZ").map_err(|mut e| {
                e.message = format!("messages[{i}]: {}", e.message);
                e
            })?;
            validate::text(&m.text)?;
        }
        let mut items = Vec::with_capacity(messages.len());
        for m in messages {
            let r = self.send(m)?;
            items.push(BatchItemResult {
                to: r.to,
                status: r.status,
                raw_status: r.raw_status,
                segments: r.segments,
                reference: m.reference.clone(),
                id: Some(r.id),
                error: None,
                provider: None,
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

    /// Newest last.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.outbox.lock().iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.outbox.lock().clear();
    }
}

impl SmsProvider for ConsoleSms {
    fn kind(&self) -> Provider {
        Provider::Console
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            outbox: true,
            ..Capabilities::default()
        }
    }

    fn send(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        Box::pin(async move { ConsoleSms::send(self, &input) })
    }

    fn send_batch(
        &self,
        messages: Vec<SendInput>,
        dispatch_id: Option<u64>,
    ) -> BoxFuture<'_, Result<BatchResult>> {
        Box::pin(async move { ConsoleSms::send_batch(self, &messages, dispatch_id) })
    }

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<MessageStatus>> {
        Box::pin(async move { ConsoleSms::status(self, id) })
    }

    fn balance(&self) -> BoxFuture<'_, Result<Balance>> {
        Box::pin(async move { Ok(ConsoleSms::balance(self)) })
    }

    fn outbox(&self) -> Vec<OutboxMessage> {
        ConsoleSms::outbox(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_messages_and_validates() {
        let c = ConsoleSms::new(2, None, Logger::default());
        for i in 0..3 {
            c.send(&SendInput {
                to: "+998901234567".into(),
                text: format!("m{i}"),
                ..Default::default()
            })
            .unwrap();
        }
        let texts: Vec<_> = c.outbox().into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["m1", "m2"]);
        let err = c
            .send(&SendInput {
                to: "nope".into(),
                text: "x".into(),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidPhone);
        assert_eq!(
            c.status("console-3").unwrap().status,
            DeliveryStatus::Delivered
        );
        assert_eq!(c.status("console-1").unwrap_err().code, ErrorCode::NotFound);
    }
}
