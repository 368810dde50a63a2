//! The public handle: start, inspect, steer and stop a sandbox.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::amocrm::{self, Amocrm};
use crate::eskiz::Eskiz;
use crate::options::StartOptions;
use crate::playmobile::{self, PlayMobile};
use crate::shared::Shared;
use crate::telegram::Telegram;
use crate::twilio::{self, Twilio};
use crate::{control, eskiz, pages, server, webhooks};

/// A running sandbox gateway bound to `127.0.0.1`.
///
/// Dropping it stops the server too (without waiting); [`Sandbox::close`] stops it and
/// waits until the port is free.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: Option<JoinHandle<()>>,
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl Sandbox {
    /// Starts a sandbox. `options` is a JSON object, every key optional:
    /// `{"port": 0, "eskiz": {…Eskiz options…}, "amocrm": {…amoCRM options…},
    /// "twilio": {…Twilio options…}, "playmobile": {…Play Mobile options…}, "telegram": {…Telegram options…}, "faults": [{…fault…}]}`.
    /// Port 0 (the default) picks a free port. Must be called inside a Tokio runtime.
    pub async fn start(options: Value) -> io::Result<Sandbox> {
        let options = StartOptions::parse(options).map_err(invalid)?;
        let eskiz = Eskiz::new(options.eskiz.as_ref()).map_err(invalid)?;
        let amocrm = Amocrm::new(options.amocrm.as_ref()).map_err(invalid)?;
        let twilio = Twilio::new(options.twilio.as_ref()).map_err(invalid)?;
        let playmobile = PlayMobile::new(options.playmobile.as_ref()).map_err(invalid)?;
        let telegram = Telegram::new(options.telegram.as_ref()).map_err(invalid)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(
            format!("http://{addr}"),
            eskiz,
            amocrm,
            twilio,
            playmobile,
            telegram,
        )?);
        for fault in options.faults {
            shared.faults.add(fault).map_err(invalid)?;
        }
        let router = Router::new()
            .merge(eskiz::router())
            .merge(amocrm::router())
            .merge(twilio::router())
            .merge(playmobile::router())
            .merge(webhooks::router())
            .nest("/__sandbox", control::router())
            .fallback(pages::not_found)
            .method_not_allowed_fallback(pages::not_found)
            .with_state(shared.clone());
        let task = tokio::spawn(server::accept_loop(listener, shared.clone(), router));
        Ok(Sandbox {
            shared,
            addr,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL clients use instead of the provider's.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Counters: `{"eskiz": {"requests", "logins", "loginFailures", "refreshes",
    /// "refreshFailures", "rejected401", "sends", "batches", "messages", "sendRefusals",
    /// "sendsByGeneration": {"1": n, …}, "callbacksSent", "callbacksFailed",
    /// "invalidations", "tokensIssued", "balance"}, "amocrm": {"requests", "codesIssued",
    /// "codeExchanges", "codeFailures", "refreshes", "refreshFailures", "revokedReuses",
    /// "rejected401", "rateLimited", "blocked", "paymentRequired", "leadsCreated",
    /// "leadsUpdated", "contactsCreated", "companiesCreated", "notesCreated",
    /// "validationErrors", "requestsByGeneration", "refreshesByGeneration", "tokensIssued",
    /// "isBlocked"}, "twilio": {"requests", "messages", "authFailures", "rejected": {"21211":
    /// n, …}, "rateLimited", "callbacksSent", "callbacksFailed", "canceled", "deleted"}, "playmobile": {"requests",
    /// "sends", "messages", "duplicateMessageIds", "authFailures", "rejected": {"205": n, …},
    /// "callbacksSent", "callbacksFailed"}, "faultsInjected", "requests", "connections"}`.
    pub fn stats(&self) -> Value {
        self.shared.stats()
    }

    /// The most recent accepted messages of every provider (up to 10 000), oldest first:
    /// `[{"provider", "id", "messageId", "to", "text", "from", "parts", "status",
    /// "callbackUrl", "at", …}]`, plus `"userSmsId", "dispatchId", "country"` for Eskiz and
    /// `"errorCode", "messagingServiceSid", "numMedia"` for Twilio.
    pub fn inbox(&self) -> Value {
        self.shared.inbox()
    }

    /// Empties the inbox view (messages stay queryable through the provider's API), and
    /// forgets the Telegram messages and webhook requests recorded so far.
    pub fn clear_inbox(&self) {
        self.shared.clear_inbox()
    }

    /// Merges options at run time, e.g. `{"eskiz": {"refreshEnabled": false}}`,
    /// `{"amocrm": {"rotation": "docGrace"}}` or `{"twilio": {"concurrencyLimit": 1}}`.
    /// Unknown keys or invalid values are an error and change nothing.
    pub fn configure(&self, patch: Value) -> Result<(), String> {
        self.shared.configure(patch)
    }

    /// Adds a fault rule; returns its id.
    pub fn set_fault(&self, fault: Value) -> Result<u64, String> {
        self.shared.faults.add(fault)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.clear()
    }

    /// Every token `provider` issued so far counts as expired from now on
    /// (`"eskiz"`, `"amocrm"`, or `"all"`). An unknown provider is ignored; `"twilio"` is
    /// accepted and changes nothing (its credentials are static).
    /// For amoCRM this is the access tokens: refresh tokens still work, so a client can
    /// recover by refreshing.
    pub fn expire_tokens(&self, provider: &str) {
        if let Err(e) = self.shared.expire_tokens(provider) {
            tracing::warn!("expire_tokens: {e}");
        }
    }

    /// Every token `provider` issued so far is revoked from now on (for amoCRM, access and
    /// refresh tokens alike, as when an installation is revoked).
    pub fn revoke_tokens(&self, provider: &str) {
        if let Err(e) = self.shared.revoke_tokens(provider) {
            tracing::warn!("revoke_tokens: {e}");
        }
    }

    /// Sets every counter back to zero (messages, tokens and balance are kept).
    pub fn reset_stats(&self) {
        self.shared.reset_stats()
    }

    /// Approves every Eskiz template still in moderation (status `service`); returns how many.
    pub fn approve_templates(&self) -> usize {
        self.shared.eskiz.approve_templates()
    }

    /// Sets the moderation status of one Eskiz template (`moderation`, `inproccess`,
    /// `service`, `reklama`, `rejected`).
    pub fn set_template_status(&self, id: u64, status: &str) -> Result<(), String> {
        self.shared.eskiz.set_template_status(id, status)
    }

    /// Mints an amoCRM authorization code for the configured integration, as the consent
    /// page does when the user allows; exchange it at `/oauth2/access_token`.
    pub fn amocrm_issue_code(&self) -> String {
        self.shared.amocrm.issue_code()
    }

    /// Lifts an amoCRM block (the sticky 403 after repeated 429s) and forgets past
    /// violations.
    pub fn amocrm_unblock(&self) {
        self.shared.amocrm.unblock()
    }

    /// The amoCRM leads created so far (the most recent 50 000), oldest first, as the API
    /// shows them, with `_embedded.contacts`, `_embedded.companies` and `_embedded.notes`
    /// in full.
    pub fn amocrm_leads(&self) -> Value {
        self.shared.amocrm.leads_json(&self.shared.base_url)
    }

    /// The Twilio options in effect (`accountSid`, `authToken`, `numbers`,
    /// `messagingServiceSids`, …): the account SID and service SIDs are minted when the
    /// sandbox starts unless given, and a client needs them.
    pub fn twilio_account(&self) -> Value {
        self.shared.twilio.account_json()
    }

    /// The Play Mobile messages accepted so far (the most recent 50 000), oldest first, with
    /// everything the request said: `[{"messageId", "recipient", "originator", "text",
    /// "priority", "templateId", "variables", "timing", "ttl", "parts", "status",
    /// "duplicate", "at"}]`.
    pub fn playmobile_messages(&self) -> Value {
        self.shared.playmobile.messages_json()
    }

    /// The first Telegram bot and its first chat: `{"token", "botId", "username", "chatId",
    /// "threadId"}`. The default bot's token and chat are minted when the sandbox starts.
    pub fn telegram_bot(&self) -> Value {
        self.shared.telegram.bot_json()
    }

    /// The Telegram options in effect (every bot with its token and chats, the limits).
    pub fn telegram_config(&self) -> Value {
        self.shared.telegram.config_json()
    }

    /// The messages the Telegram bots sent (the most recent 10 000), oldest first, only
    /// those to `chat_id` when given: `[{"botId", "chatId", "threadId", "messageId",
    /// "text" (as a reader sees it), "rawText" (as sent), "parseMode", "date", "at"}]`.
    pub fn telegram_messages(&self, chat_id: Option<i64>) -> Value {
        self.shared.telegram.messages_json(chat_id)
    }

    /// The requests `POST /webhooks/<name>` received (the most recent 10 000), oldest
    /// first, only those to `name` when given: `[{"name", "method", "query", "headers"
    /// (lower-case names), "body" (raw, as text), "at", "receivedMs"}]`.
    pub fn webhook_requests(&self, name: Option<&str>) -> Value {
        self.shared.webhooks.requests_json(name)
    }

    /// Stops the server, its connections and its background tasks; when this returns the
    /// port is free.
    pub async fn close(mut self) {
        self.shared.shutdown.trigger();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.shutdown.trigger();
    }
}
