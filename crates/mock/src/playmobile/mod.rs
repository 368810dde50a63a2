//! The Play Mobile imitation ("SMS Broker" HTTP API of playmobile.uz / smsxabar.uz),
//! mounted at the sandbox root (`/broker-api/send`), with delivery reports pushed to a
//! configured URL. The facts it follows, and how the unconfirmed ones were decided, are in
//! `docs/providers/playmobile.md` and this crate's README.

mod callbacks;
mod config;
mod error;
mod routes;
mod send;
mod stats;
mod store;
mod validate;

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde_json::{json, Value};

use crate::options;
use config::PlayMobileConfig;
use stats::PlayMobileStats;
use store::MessageStore;

pub(crate) use routes::router;

pub(crate) struct PlayMobile {
    config: ArcSwap<PlayMobileConfig>,
    store: MessageStore,
    stats: PlayMobileStats,
}

/// Whether a request path belongs to Play Mobile.
pub(crate) fn owns(path: &str) -> bool {
    path == "/broker-api" || path.starts_with("/broker-api/")
}

impl PlayMobile {
    pub(crate) fn new(options: Option<&Value>) -> Result<PlayMobile, String> {
        let pm = PlayMobile {
            config: ArcSwap::from_pointee(PlayMobileConfig::default()),
            store: MessageStore::new(),
            stats: PlayMobileStats::default(),
        };
        if let Some(options) = options {
            let config = pm.prepare(options)?;
            pm.apply(config);
        }
        Ok(pm)
    }

    /// The options `patch` would give, validated; nothing changes yet.
    pub(crate) fn prepare(&self, patch: &Value) -> Result<PlayMobileConfig, String> {
        let patch = options::as_object(patch, "playmobile")?;
        let config: PlayMobileConfig = options::merge(&**self.config.load(), patch, "playmobile")?;
        config.validate()?;
        Ok(config)
    }

    pub(crate) fn apply(&self, config: PlayMobileConfig) {
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

    /// Every retained message with everything the request said about it, oldest first.
    pub(crate) fn messages_json(&self) -> Value {
        let now = crate::time::now_ms();
        Value::Array(self.store.all().iter().map(|m| m.to_json(now)).collect())
    }

    pub(crate) fn inbox(&self) -> Vec<Value> {
        let now = crate::time::now_ms();
        self.store
            .inbox()
            .iter()
            .map(|m| {
                let d = &m.draft;
                json!({
                    "provider": "playmobile",
                    "id": d.message_id,
                    "messageId": d.message_id,
                    "to": d.recipient,
                    "text": d.text,
                    "from": d.originator,
                    "parts": m.parts,
                    "status": m.status_at(now).0,
                    "callbackUrl": self.config.load().callback_url,
                    "priority": d.priority,
                    "at": crate::time::iso_utc_ms(m.created_ms),
                })
            })
            .collect()
    }

    pub(crate) fn clear_inbox(&self) {
        self.store.clear_inbox();
    }
}
