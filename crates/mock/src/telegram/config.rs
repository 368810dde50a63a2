//! Telegram options: the bots the sandbox knows, the chats each may write to, and the flood
//! limits. Every field has a default; all can be changed at run time. The default bot and
//! its chat are minted per sandbox (read them back with `Sandbox::telegram_bot`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::token;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChatType {
    Private,
    Group,
    Supergroup,
    Channel,
}

/// Supergroup and channel ids are `-100…`: -10^12 minus the internal id.
const SUPERGROUP_BASE: i64 = -1_000_000_000_000;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ChatConfig {
    pub id: i64,
    /// Derived from the id when absent: positive = private, `-100…` = supergroup, other
    /// negative = basic group.
    #[serde(rename = "type", default)]
    pub kind: Option<ChatType>,
    #[serde(default)]
    pub title: Option<String>,
    /// `@username` resolves to this chat (supergroups and channels only, as on Telegram).
    #[serde(default)]
    pub username: Option<String>,
    /// Forum topics: `message_thread_id` must name one of them. Absent: not a forum, and the
    /// field is ignored.
    #[serde(default)]
    pub threads: Option<Vec<i64>>,
    /// Every send to this chat is refused with 403 `Forbidden: <this>`, e.g. `bot was
    /// blocked by the user` or `bot was kicked from the supergroup chat`.
    #[serde(default)]
    pub forbidden: Option<String>,
}

impl ChatConfig {
    pub(crate) fn kind(&self) -> ChatType {
        self.kind.unwrap_or(if self.id > 0 {
            ChatType::Private
        } else if self.id < SUPERGROUP_BASE {
            ChatType::Supergroup
        } else {
            ChatType::Group
        })
    }

    pub(crate) fn is_forum(&self) -> bool {
        self.threads.is_some()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct BotConfig {
    /// Minted when absent.
    #[serde(default = "token::mint")]
    pub token: String,
    #[serde(default = "default_username")]
    pub username: String,
    #[serde(default = "default_first_name")]
    pub first_name: String,
    #[serde(default)]
    pub chats: Vec<ChatConfig>,
}

fn default_username() -> String {
    "uzgate_sandbox_bot".into()
}

fn default_first_name() -> String {
    "uzgate sandbox".into()
}

impl BotConfig {
    pub(crate) fn id(&self) -> i64 {
        token::id_of(&self.token).unwrap_or_default()
    }
}

/// Forces flood control: the next `times` sends (every send when absent) get 429 with this
/// `retry_after`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FloodWait {
    pub retry_after: u64,
    #[serde(default)]
    pub times: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct TelegramConfig {
    pub bots: Vec<BotConfig>,
    /// Per chat and bot: a steady rate of this many messages a second… (0 = no limit)
    pub rate_limit_per_chat_per_second: u32,
    /// …after a burst of this many.
    pub rate_limit_burst: u32,
    /// Per group, supergroup or channel (negative ids): at most this many in any 60 s.
    pub rate_limit_per_group_per_minute: u32,
    /// Per bot, all chats together: at most this many in any second.
    pub rate_limit_per_second: u32,
    pub flood_wait: Option<FloodWait>,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        let internal: i64 = rand::random_range(1_000_000_000..9_000_000_000);
        let thread: i64 = rand::random_range(2..1000);
        TelegramConfig {
            bots: vec![BotConfig {
                token: token::mint(),
                username: default_username(),
                first_name: default_first_name(),
                chats: vec![ChatConfig {
                    id: SUPERGROUP_BASE - internal,
                    kind: Some(ChatType::Supergroup),
                    title: Some("uzgate alerts".into()),
                    username: None,
                    threads: Some(vec![thread]),
                    forbidden: None,
                }],
            }],
            rate_limit_per_chat_per_second: 1,
            rate_limit_burst: 3,
            rate_limit_per_group_per_minute: 20,
            rate_limit_per_second: 30,
            flood_wait: None,
        }
    }
}

impl TelegramConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        let mut tokens = HashSet::new();
        for bot in &self.bots {
            if !token::is_well_formed(&bot.token) {
                return Err("telegram: a bot token is `<bot id>:<secret>` (bot id 1..2^54 without a leading 0, no `/`, at most 80 characters)".into());
            }
            if !tokens.insert(bot.token.as_str()) {
                return Err("telegram: two bots have the same token".into());
            }
            let mut ids = HashSet::new();
            for chat in &bot.chats {
                if chat.id == 0 || !ids.insert(chat.id) {
                    return Err(format!(
                        "telegram: chat ids must be non-zero and unique per bot (`{}`)",
                        chat.id
                    ));
                }
                if (chat.kind() == ChatType::Private) != (chat.id > 0) {
                    return Err(format!(
                        "telegram: chat `{}`: private chats have positive ids, groups and channels negative ones",
                        chat.id
                    ));
                }
                if let Some(bad) = chat.threads.iter().flatten().find(|t| **t <= 1) {
                    return Err(format!(
                        "telegram: chat `{}`: thread `{bad}` is not a topic id (1 is the General topic, which takes no message_thread_id)",
                        chat.id
                    ));
                }
            }
        }
        if self.rate_limit_per_chat_per_second > 0 && self.rate_limit_burst == 0 {
            return Err("telegram: rateLimitBurst must be at least 1".into());
        }
        Ok(())
    }

    /// The bot whose token is `token` (compared without stopping at the first difference).
    pub(crate) fn bot(&self, token: &str) -> Option<&BotConfig> {
        self.bots
            .iter()
            .find(|b| constant_time_eq(b.token.as_bytes(), token.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_valid_and_fresh_per_sandbox() {
        let a = TelegramConfig::default();
        a.validate().unwrap();
        let b = TelegramConfig::default();
        assert_ne!(a.bots[0].token, b.bots[0].token);
        let chat = &a.bots[0].chats[0];
        assert!(chat.id < SUPERGROUP_BASE);
        assert_eq!(chat.kind(), ChatType::Supergroup);
        assert!(a.bot(&a.bots[0].token).is_some());
        assert!(a.bot(&b.bots[0].token).is_none());
    }

    #[test]
    fn chats_get_their_type_from_the_id_and_bad_values_are_refused() {
        let c: ChatConfig = serde_json::from_value(json!({"id": -42})).unwrap();
        assert_eq!(c.kind(), ChatType::Group);
        let c: ChatConfig = serde_json::from_value(json!({"id": 42})).unwrap();
        assert_eq!(c.kind(), ChatType::Private);
        let bot = |chats| serde_json::from_value::<BotConfig>(json!({ "chats": chats })).unwrap();
        for chats in [
            json!([{"id": 5, "type": "supergroup"}]),
            json!([{"id": 5}, {"id": 5}]),
            json!([{"id": -1001, "threads": [1]}]),
        ] {
            let cfg = TelegramConfig {
                bots: vec![bot(chats.clone())],
                ..TelegramConfig::default()
            };
            assert!(cfg.validate().is_err(), "{chats}");
        }
        let bad_token = TelegramConfig {
            bots: vec![serde_json::from_value(json!({"token": "0:x"})).unwrap()],
            ..TelegramConfig::default()
        };
        assert!(bad_token.validate().is_err());
    }
}
