//! `POST /bot<token>/<method>`: the token, the method, then `sendMessage`'s checks in the
//! order Telegram's Bot API server makes them — the text and its markup before the chat,
//! the 4096-character limit only once the chat is known, flood control last.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::response::Response;
use serde_json::{json, Value};

use super::config::{BotConfig, ChatConfig, ChatType, TelegramConfig};
use super::respond::{self, Refusal};
use super::store::Sent;
use super::{html, markdown, markdown_v2, token};
use crate::fields::Fields;
use crate::shared::Shared;

/// Raw `text` longer than this (bytes) is refused before any parsing.
const RAW_TEXT_MAX: usize = 1 << 15;
/// Text longer than this (code points, after parsing) is refused.
const TEXT_MAX: usize = 4096;

pub(crate) async fn serve(shared: Arc<Shared>, req: Request) -> Response {
    let tg = &shared.telegram;
    let cfg = tg.config.load_full();
    match handle(&shared, &cfg, req).await {
        Ok(message) => {
            tg.stats.accepted.inc();
            respond::ok(message)
        }
        Err(refusal) => {
            if refusal.code == 429 {
                tg.stats.rate_limited.inc();
            } else {
                tg.stats.reject(refusal.reason);
            }
            refusal.into_response()
        }
    }
}

async fn handle(shared: &Shared, cfg: &TelegramConfig, req: Request) -> Result<Value, Refusal> {
    let path = req.uri().path().to_owned();
    let rest = path.strip_prefix("/bot").unwrap_or_default();
    let Some((token, method)) = rest.split_once('/') else {
        return Err(Refusal::new(404, "Not Found", "notFound"));
    };
    if !token::is_well_formed(token) {
        return Err(Refusal::new(
            401,
            "Unauthorized: invalid token specified",
            "invalidToken",
        ));
    }
    let Some(bot) = cfg.bot(token) else {
        return Err(Refusal::new(401, "Unauthorized", "unauthorized"));
    };
    if !method.eq_ignore_ascii_case("sendMessage") {
        return Err(Refusal::new(
            404,
            "Not Found: method not found",
            "methodNotFound",
        ));
    }
    let fields = Fields::from_request(req, &())
        .await
        .map_err(|_| Refusal::bad_request("can't parse request body", "badBody"))?;
    send_message(shared, cfg, bot, &fields)
}

fn send_message(
    shared: &Shared,
    cfg: &TelegramConfig,
    bot: &BotConfig,
    fields: &Fields,
) -> Result<Value, Refusal> {
    let raw = fields.str("text").unwrap_or_default().into_owned();
    if raw.is_empty() {
        return Err(Refusal::bad_request("message text is empty", "textEmpty"));
    }
    if raw.len() > RAW_TEXT_MAX {
        return Err(Refusal::bad_request("text is too long", "textTooLong"));
    }
    check_link_preview_options(fields)?;
    let parse_mode = fields
        .str("parse_mode")
        .map(|m| m.into_owned())
        .filter(|m| !m.is_empty());
    let parsed = match parse_mode
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("none") => Ok(raw.clone()),
        Some("markdownv2") => markdown_v2::parse(&raw),
        Some("markdown") => markdown::parse(&raw),
        Some("html") => html::parse(&raw),
        Some(_) => {
            return Err(Refusal::bad_request(
                "unsupported parse_mode",
                "unsupportedParseMode",
            ))
        }
    }
    .map_err(|e| Refusal::bad_request(format!("can't parse entities: {e}"), "cantParseEntities"))?;

    let chat = resolve_chat(bot, fields)?;
    if let Some(reason) = &chat.forbidden {
        return Err(Refusal::new(
            403,
            format!("Forbidden: {reason}"),
            "forbidden",
        ));
    }
    let thread_id = thread(chat, fields)?;
    if parsed.chars().count() > TEXT_MAX {
        return Err(Refusal::bad_request(
            "message is too long",
            "messageTooLong",
        ));
    }
    if parsed.trim().is_empty() {
        return Err(Refusal::bad_request(
            "message must be non-empty",
            "textEmpty",
        ));
    }

    let now = crate::time::now_ms();
    let tg = &shared.telegram;
    tg.flood
        .admit(cfg, bot.id(), chat.id, now)
        .map_err(Refusal::flood)?;
    let date = now / 1000;
    let message_id = tg.store.insert(Sent {
        bot_id: bot.id(),
        chat_id: chat.id,
        thread_id,
        message_id: 0,
        raw_text: raw,
        text: parsed.clone(),
        parse_mode,
        date,
        at_ms: now,
    });
    Ok(message_json(bot, chat, message_id, date, parsed, thread_id))
}

/// As a JSON string (forms) or an object (JSON bodies); anything else is refused.
fn check_link_preview_options(fields: &Fields) -> Result<(), Refusal> {
    let ok = match fields.get("link_preview_options") {
        None | Some(Value::Null) | Some(Value::Object(_)) => true,
        Some(Value::String(s)) => {
            s.is_empty() || matches!(serde_json::from_str::<Value>(s), Ok(Value::Object(_)))
        }
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::bad_request(
            "can't parse link preview options JSON object",
            "badLinkPreviewOptions",
        ))
    }
}

/// `chat_id`: a numeric id, or `@username` of a supergroup or channel.
fn resolve_chat<'b>(bot: &'b BotConfig, fields: &Fields) -> Result<&'b ChatConfig, Refusal> {
    let given = fields.str("chat_id").unwrap_or_default();
    let given = given.trim();
    if given.is_empty() {
        return Err(Refusal::bad_request("chat_id is empty", "chatIdEmpty"));
    }
    let found = match given.strip_prefix('@') {
        Some(name) => bot.chats.iter().find(|c| {
            matches!(c.kind(), ChatType::Supergroup | ChatType::Channel)
                && c.username
                    .as_deref()
                    .is_some_and(|u| u.trim_start_matches('@').eq_ignore_ascii_case(name))
        }),
        None => given
            .parse::<i64>()
            .ok()
            .and_then(|id| bot.chats.iter().find(|c| c.id == id)),
    };
    found.ok_or_else(|| Refusal::bad_request("chat not found", "chatNotFound"))
}

/// `message_thread_id`: must name a topic of a forum; ignored elsewhere.
fn thread(chat: &ChatConfig, fields: &Fields) -> Result<Option<i64>, Refusal> {
    let Some(given) = fields.str("message_thread_id").filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let Some(topics) = &chat.threads else {
        return Ok(None);
    };
    match given.trim().parse::<i64>() {
        Ok(id) if topics.contains(&id) => Ok(Some(id)),
        _ => Err(Refusal::bad_request(
            "message thread not found",
            "threadNotFound",
        )),
    }
}

fn chat_json(chat: &ChatConfig) -> Value {
    let kind = chat.kind();
    let title = chat.title.clone().unwrap_or_else(|| "Sandbox".into());
    let mut out = json!({"id": chat.id, "type": kind});
    if kind == ChatType::Private {
        out["first_name"] = json!(title);
    } else {
        out["title"] = json!(title);
    }
    if let Some(u) = &chat.username {
        out["username"] = json!(u.trim_start_matches('@'));
    }
    if chat.is_forum() && kind == ChatType::Supergroup {
        out["is_forum"] = json!(true);
    }
    out
}

/// The minimum `Message` of the Bot API: id, sender, date, chat, text, and the topic.
fn message_json(
    bot: &BotConfig,
    chat: &ChatConfig,
    message_id: i64,
    date: u64,
    text: String,
    thread_id: Option<i64>,
) -> Value {
    let mut m = json!({
        "message_id": message_id,
        "date": date,
        "chat": chat_json(chat),
        "text": text,
    });
    if chat.kind() == ChatType::Channel {
        m["sender_chat"] = chat_json(chat);
    } else {
        m["from"] = json!({
            "id": bot.id(),
            "is_bot": true,
            "first_name": bot.first_name,
            "username": bot.username,
        });
    }
    if let Some(t) = thread_id {
        m["message_thread_id"] = json!(t);
        m["is_topic_message"] = json!(true);
    }
    m
}
