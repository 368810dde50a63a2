//! Eskiz as an `SmsProvider`: the client's own methods (messages.rs, account.rs) behind the
//! trait. The cabinet extras (user, templates, history) stay inherent methods, reached by
//! downcasting (`Capabilities::account`).

use super::EskizClient;
use crate::auth::{EventSink, TokenManager};
use crate::error::{Provider, Result};
use crate::sms::provider::{Capabilities, SmsProvider};
use crate::sms::types::{Balance, BatchResult, MessageStatus, SendInput, SendResult};
use futures::future::BoxFuture;
use std::any::Any;
use std::sync::Arc;

impl SmsProvider for EskizClient {
    fn kind(&self) -> Provider {
        Provider::Eskiz
    }

    fn refusal_is_local(&self, err: &crate::error::Error) -> bool {
        super::errors::refusal_is_local(err)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            native_batch: true,
            account: true,
            tokens: true,
            outbox: false,
        }
    }

    fn send(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        Box::pin(EskizClient::send(self, input))
    }

    fn send_global(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        Box::pin(EskizClient::send_global(self, input))
    }

    fn send_batch(
        &self,
        messages: Vec<SendInput>,
        dispatch_id: Option<u64>,
    ) -> BoxFuture<'_, Result<BatchResult>> {
        Box::pin(EskizClient::send_batch(self, messages, dispatch_id))
    }

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<MessageStatus>> {
        Box::pin(EskizClient::status(self, id))
    }

    fn balance(&self) -> BoxFuture<'_, Result<Balance>> {
        Box::pin(EskizClient::balance(self))
    }

    fn tokens(&self) -> Option<&Arc<TokenManager>> {
        Some(EskizClient::tokens(self))
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        EskizClient::subscribe(self, sink)
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(EskizClient::close(self))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
