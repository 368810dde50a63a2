//! Play Mobile as an `SmsProvider`. Its credentials never change (no token); one request
//! carries a whole batch (native batch); it has no status or balance query.

use super::PlayMobileClient;
use crate::auth::EventSink;
use crate::error::{Provider, Result};
use crate::sms::provider::{Capabilities, SmsProvider};
use crate::sms::types::{Balance, BatchResult, MessageStatus, SendInput, SendResult};
use futures::future::BoxFuture;
use std::any::Any;
use std::sync::Arc;

impl SmsProvider for PlayMobileClient {
    fn kind(&self) -> Provider {
        Provider::PlayMobile
    }

    fn refusal_is_local(&self, err: &crate::error::Error) -> bool {
        super::errors::refusal_is_local(err)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            native_batch: true,
            ..Capabilities::default()
        }
    }

    fn send(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        Box::pin(PlayMobileClient::send(self, input))
    }

    /// Play Mobile groups nothing beyond the request: `dispatch_id` is not sent.
    fn send_batch(
        &self,
        messages: Vec<SendInput>,
        _dispatch_id: Option<u64>,
    ) -> BoxFuture<'_, Result<BatchResult>> {
        Box::pin(PlayMobileClient::send_batch(self, messages))
    }

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<MessageStatus>> {
        Box::pin(PlayMobileClient::status(self, id))
    }

    fn balance(&self) -> BoxFuture<'_, Result<Balance>> {
        Box::pin(PlayMobileClient::balance(self))
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        PlayMobileClient::subscribe(self, sink)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
