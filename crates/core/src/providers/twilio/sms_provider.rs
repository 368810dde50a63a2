//! Twilio as an `SmsProvider`. Its credentials never change (no token); it has no batch
//! endpoint (`send_batch` sends one by one) and one route for every country.

use super::TwilioClient;
use crate::auth::EventSink;
use crate::error::{Provider, Result};
use crate::sms::provider::{Capabilities, SmsProvider};
use crate::sms::types::{Balance, BatchResult, MessageStatus, SendInput, SendResult};
use futures::future::BoxFuture;
use std::any::Any;
use std::sync::Arc;

impl SmsProvider for TwilioClient {
    fn kind(&self) -> Provider {
        Provider::Twilio
    }

    fn refusal_is_local(&self, err: &crate::error::Error) -> bool {
        super::errors::refusal_is_local(err)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn send(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        Box::pin(TwilioClient::send(self, input))
    }

    /// Twilio groups nothing: `dispatch_id` is not sent and the result carries none.
    fn send_batch(
        &self,
        messages: Vec<SendInput>,
        _dispatch_id: Option<u64>,
    ) -> BoxFuture<'_, Result<BatchResult>> {
        Box::pin(TwilioClient::send_batch(self, messages))
    }

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<MessageStatus>> {
        Box::pin(TwilioClient::status(self, id))
    }

    fn balance(&self) -> BoxFuture<'_, Result<Balance>> {
        Box::pin(TwilioClient::balance(self))
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        TwilioClient::subscribe(self, sink)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
