//! `SmsProvider`: what a gateway must do for `SmsClient` to send through it. Each provider
//! implements it in its own folder (`providers/eskiz/`, `providers/twilio/`,
//! `providers/console.rs`); the client picks one at construction and never matches on kinds.
//!
//! This file sits below the providers: it names only the SMS vocabulary (`sms::types`) and the
//! token layer, never a provider.

use super::types::{Balance, BatchResult, MessageStatus, OutboxMessage, SendInput, SendResult};
use crate::auth::{EventSink, TokenManager};
use crate::error::{Provider, Result};
use futures::future::BoxFuture;
use std::any::Any;
use std::sync::Arc;

/// What a provider offers beyond sending, so the client can refuse the rest up front with
/// `NOT_IMPLEMENTED` instead of asking the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// One request carries the whole batch (Eskiz `send-batch`); otherwise messages go one by
    /// one and each reports its own outcome.
    pub native_batch: bool,
    /// The account's cabinet: `user()`, `templates()`, `submitTemplate()`, `messages()`.
    pub account: bool,
    /// An access token is kept and refreshed (token status, `refreshToken()`, token events).
    pub tokens: bool,
    /// Messages are kept in memory instead of being sent (`outbox()`).
    pub outbox: bool,
}

/// One SMS gateway. Futures are boxed so the client can hold any provider as
/// `Box<dyn SmsProvider>`.
pub trait SmsProvider: Send + Sync + 'static {
    fn kind(&self) -> Provider;

    fn capabilities(&self) -> Capabilities;

    fn send(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>>;

    /// International sending; the same as `send` where the provider has one route.
    fn send_global(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        self.send(input)
    }

    /// All messages validated before any is sent. `dispatch_id` groups a batch where the
    /// provider supports it (Eskiz) and is ignored elsewhere.
    fn send_batch(
        &self,
        messages: Vec<SendInput>,
        dispatch_id: Option<u64>,
    ) -> BoxFuture<'_, Result<BatchResult>>;

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<MessageStatus>>;

    fn balance(&self) -> BoxFuture<'_, Result<Balance>>;

    /// The token this provider keeps (`Capabilities::tokens`).
    fn tokens(&self) -> Option<&Arc<TokenManager>> {
        None
    }

    /// Whether `err`, a refusal of a send, is about this provider rather than the message (a
    /// sender name it does not know, a text it has not moderated, a balance used up), so that
    /// another provider may take the message. The default: no refusal moves a message on.
    fn refusal_is_local(&self, _err: &crate::error::Error) -> bool {
        false
    }

    /// Token events and `rate_limited`, where the provider has them.
    fn subscribe(&self, _sink: Arc<dyn EventSink>) {}

    /// Messages kept instead of sent (`Capabilities::outbox`); newest last.
    fn outbox(&self) -> Vec<OutboxMessage> {
        Vec::new()
    }

    /// Stops background work (token refresh); idempotent.
    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// For provider-specific extras (the Eskiz cabinet), reached by downcasting.
    fn as_any(&self) -> &dyn Any;
}
