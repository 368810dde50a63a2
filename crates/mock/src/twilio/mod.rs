//! The Twilio imitation: Programmable Messaging (REST API 2010-04-01), mounted at the
//! sandbox root (`/2010-04-01/…`), with signed status callbacks.

mod auth;
mod balance;
mod callbacks;
pub(crate) mod concurrency;
mod config;
mod error;
mod form;
mod lifecycle;
mod listing;
mod magic;
mod messages;
mod render;
mod respond;
mod routes;
mod sids;
mod signature;
mod stats;
mod store;
mod validate;

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde_json::{json, Value};

use crate::options;
use concurrency::Concurrency;
use config::TwilioConfig;
use stats::TwilioStats;
use store::MessageStore;

pub(crate) use routes::router;

pub(crate) struct Twilio {
    config: ArcSwap<TwilioConfig>,
    store: MessageStore,
    stats: TwilioStats,
    concurrency: Concurrency,
}

/// Whether a request path belongs to Twilio.
pub(crate) fn owns(path: &str) -> bool {
    path == "/2010-04-01" || path.starts_with("/2010-04-01/")
}

impl Twilio {
    pub(crate) fn new(options: Option<&Value>) -> Result<Twilio, String> {
        let twilio = Twilio {
            config: ArcSwap::from_pointee(TwilioConfig::default()),
            store: MessageStore::new(),
            stats: TwilioStats::default(),
            concurrency: Concurrency::default(),
        };
        if let Some(options) = options {
            let config = twilio.prepare(options)?;
            twilio.apply(config);
        }
        Ok(twilio)
    }

    /// The options `patch` would give, validated; nothing changes yet.
    pub(crate) fn prepare(&self, patch: &Value) -> Result<TwilioConfig, String> {
        let patch = options::as_object(patch, "twilio")?;
        let config: TwilioConfig = options::merge(&**self.config.load(), patch, "twilio")?;
        config.validate()?;
        Ok(config)
    }

    pub(crate) fn apply(&self, config: TwilioConfig) {
        self.config.store(Arc::new(config));
    }

    pub(crate) fn count_request(&self) {
        self.stats.requests.inc();
    }

    pub(crate) fn stats_json(&self) -> Value {
        self.stats.to_json()
    }

    pub(crate) fn reset_stats(&self) {
        self.stats.reset();
    }

    /// The options in effect, credentials and generated SIDs included.
    pub(crate) fn account_json(&self) -> Value {
        serde_json::to_value(&**self.config.load()).unwrap_or_default()
    }

    pub(crate) fn inbox(&self) -> Vec<Value> {
        let now = crate::time::now_ms();
        self.store
            .inbox()
            .iter()
            .map(|m| {
                json!({
                    "provider": "twilio",
                    "id": m.sid,
                    "messageId": m.sid,
                    "to": m.to,
                    "text": m.body(),
                    "from": m.from,
                    "parts": m.segments,
                    "status": m.step(now).status,
                    "errorCode": m.error_code(now),
                    "callbackUrl": m.status_callback,
                    "messagingServiceSid": m.messaging_service_sid,
                    "numMedia": m.num_media,
                    "at": crate::time::iso_utc_ms(m.timeline.created_ms()),
                })
            })
            .collect()
    }

    pub(crate) fn clear_inbox(&self) {
        self.store.clear_inbox();
    }
}
