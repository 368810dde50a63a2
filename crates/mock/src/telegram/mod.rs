//! The Telegram imitation: the Bot API's `sendMessage` (`/bot<token>/sendMessage`), mounted
//! at the sandbox root like every provider, for testing operator alerts against it. Every
//! path that begins with `/bot` is Telegram's.

mod config;
mod flood;
mod html;
mod markdown;
mod markdown_v2;
mod respond;
mod send;
mod stats;
mod store;
mod token;

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde_json::{json, Value};

use crate::options;
use config::TelegramConfig;
use flood::Flood;
use stats::TelegramStats;
use store::SentStore;

pub(crate) use send::serve;

pub(crate) struct Telegram {
    config: ArcSwap<TelegramConfig>,
    store: SentStore,
    stats: TelegramStats,
    flood: Flood,
}

/// Whether a request path belongs to Telegram.
pub(crate) fn owns(path: &str) -> bool {
    path.starts_with("/bot")
}

impl Telegram {
    pub(crate) fn new(options: Option<&Value>) -> Result<Telegram, String> {
        let telegram = Telegram {
            config: ArcSwap::from_pointee(TelegramConfig::default()),
            store: SentStore::default(),
            stats: TelegramStats::default(),
            flood: Flood::default(),
        };
        if let Some(options) = options {
            let config = telegram.prepare(options)?;
            telegram.apply(config);
        }
        Ok(telegram)
    }

    /// The options `patch` would give, validated; nothing changes yet.
    pub(crate) fn prepare(&self, patch: &Value) -> Result<TelegramConfig, String> {
        let patch = options::as_object(patch, "telegram")?;
        let config: TelegramConfig = options::merge(&**self.config.load(), patch, "telegram")?;
        config.validate()?;
        Ok(config)
    }

    pub(crate) fn apply(&self, config: TelegramConfig) {
        self.flood.arm(&config);
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

    /// The first bot and its first chat (and that chat's first topic): what a test needs
    /// to point an alert sender at the sandbox.
    pub(crate) fn bot_json(&self) -> Value {
        let cfg = self.config.load();
        let Some(bot) = cfg.bots.first() else {
            return Value::Null;
        };
        let chat = bot.chats.first();
        json!({
            "token": bot.token,
            "botId": bot.id(),
            "username": bot.username,
            "chatId": chat.map(|c| c.id),
            "threadId": chat.and_then(|c| c.threads.as_ref()?.first().copied()),
        })
    }

    /// The options in effect, bots and their minted tokens included.
    pub(crate) fn config_json(&self) -> Value {
        serde_json::to_value(&**self.config.load()).unwrap_or_default()
    }

    pub(crate) fn messages_json(&self, chat: Option<i64>) -> Value {
        self.store.to_json(chat)
    }

    pub(crate) fn clear_messages(&self) {
        self.store.clear();
    }
}
