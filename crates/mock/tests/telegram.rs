//! The Telegram Bot API imitation over HTTP: the validation order, every error envelope,
//! the accepted message, flood control and faults on `/bot…` paths.

#[path = "support/mod.rs"]
mod support;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use uzgate_mock::Sandbox;

struct Bot {
    sb: Sandbox,
    c: Client,
    url: String,
    token: String,
    chat: i64,
    thread: i64,
}

/// A sandbox with its default bot, flood control off unless `telegram` says otherwise.
async fn bot(telegram: Value) -> Bot {
    let sb = support::start(
        "telegram",
        json!({"rateLimitPerChatPerSecond": 0, "rateLimitPerGroupPerMinute": 0, "rateLimitPerSecond": 0}),
        telegram,
    )
    .await;
    let b = sb.telegram_bot();
    Bot {
        url: sb.url(),
        token: b["token"].as_str().unwrap().to_owned(),
        chat: b["chatId"].as_i64().unwrap(),
        thread: b["threadId"].as_i64().unwrap_or_default(),
        c: support::client_builder().build().unwrap(),
        sb,
    }
}

async fn answer(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    (status, resp.json().await.expect("JSON body"))
}

impl Bot {
    async fn send(&self, body: Value) -> (StatusCode, Value) {
        self.call(&self.token, "sendMessage", body).await
    }

    async fn call(&self, token: &str, method: &str, body: Value) -> (StatusCode, Value) {
        let resp = self
            .c
            .post(format!("{}/bot{token}/{method}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        answer(resp).await
    }
}

/// The error envelope: status equal to `error_code`, the exact description, and
/// `parameters` only for 429.
fn assert_refused(got: &(StatusCode, Value), code: u16, description: &str) {
    let (status, body) = got;
    assert_eq!(status.as_u16(), code, "{body}");
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    assert_eq!(body["description"], description, "{body}");
    if code != 429 {
        assert!(body.get("parameters").is_none(), "{body}");
    }
}

#[tokio::test]
async fn accepted_message_is_the_bot_apis_message_and_is_recorded() {
    let b = bot(json!({})).await;
    let (status, body) = b
        .send(json!({"chat_id": b.chat, "text": r"Balance *low*: 1\.5 UZS", "parse_mode": "MarkdownV2", "message_thread_id": b.thread}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ok"], true);
    let m = &body["result"];
    assert_eq!(m["message_id"], 1);
    assert_eq!(m["text"], "Balance low: 1.5 UZS");
    assert_eq!(m["chat"]["id"], b.chat);
    assert_eq!(m["chat"]["type"], "supergroup");
    assert_eq!(m["from"]["is_bot"], true);
    assert_eq!(m["from"]["id"], b.sb.telegram_bot()["botId"]);
    assert_eq!(m["message_thread_id"], b.thread);
    assert_eq!(m["is_topic_message"], true);
    assert!(m["date"].as_u64().unwrap() > 1_700_000_000);

    // The second message in the chat gets the next id; the method name is case-insensitive.
    let (status, body) = b
        .call(
            &b.token,
            "SENDMESSAGE",
            json!({"chat_id": b.chat.to_string(), "text": "plain"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["message_id"], 2);
    assert!(body["result"].get("message_thread_id").is_none());

    let sent = b.sb.telegram_messages(Some(b.chat));
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["rawText"], r"Balance *low*: 1\.5 UZS");
    assert_eq!(sent[0]["text"], "Balance low: 1.5 UZS");
    assert_eq!(sent[0]["parseMode"], "MarkdownV2");
    assert_eq!(sent[0]["threadId"], b.thread);
    assert_eq!(sent[1]["threadId"], Value::Null);
    assert_eq!(b.sb.telegram_messages(Some(42)), json!([]));
    let stats = &b.sb.stats()["telegram"];
    assert_eq!(stats["requests"], 2);
    assert_eq!(stats["accepted"], 2);
}

#[tokio::test]
async fn form_and_query_parameters_are_accepted() {
    let b = bot(json!({})).await;
    let form =
        b.c.post(format!("{}/bot{}/sendMessage", b.url, b.token))
            .form(&[
                ("chat_id", b.chat.to_string()),
                ("text", "a <b>bold</b> move".into()),
                ("parse_mode", "html".into()),
            ])
            .send()
            .await
            .unwrap();
    let (status, body) = answer(form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["text"], "a bold move");
    let query =
        b.c.get(format!(
            "{}/bot{}/sendMessage?chat_id={}&text=via%20query",
            b.url, b.token, b.chat
        ))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(query).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["text"], "via query");
}

#[tokio::test]
async fn token_then_method_then_text_then_chat() {
    let b = bot(json!({})).await;
    let good = json!({"chat_id": b.chat, "text": "hi"});
    // Malformed before unknown: each of the server's shape rules.
    for token in ["0123:abc", "123456", "abc:def", "18014398509481984:x", ""] {
        let got = b.call(token, "sendMessage", good.clone()).await;
        assert_refused(&got, 401, "Unauthorized: invalid token specified");
    }
    let (id, _) = b.token.split_once(':').unwrap();
    let unknown = format!("{id}:SANDBOXnot-the-right-secret-at-all");
    assert_refused(
        &b.call(&unknown, "sendMessage", good.clone()).await,
        401,
        "Unauthorized",
    );
    // An unknown token is refused before its method is looked at.
    assert_refused(
        &b.call(&unknown, "getMe", good.clone()).await,
        401,
        "Unauthorized",
    );
    assert_refused(
        &b.call(&b.token, "getMe", good.clone()).await,
        404,
        "Not Found: method not found",
    );
    let resp =
        b.c.post(format!("{}/bot{}", b.url, b.token))
            .send()
            .await
            .unwrap();
    assert_refused(&answer(resp).await, 404, "Not Found");

    // The text is checked before the chat: a bad text to an unknown chat is a text error.
    let cases = [
        (json!({"chat_id": 1}), "Bad Request: message text is empty"),
        (json!({"chat_id": 1, "text": ""}), "Bad Request: message text is empty"),
        (json!({"chat_id": 1, "text": "x".repeat(32_769)}), "Bad Request: text is too long"),
        (json!({"chat_id": 1, "text": "x", "parse_mode": "Textile"}), "Bad Request: unsupported parse_mode"),
        (
            json!({"chat_id": 1, "text": "Balance 1.5", "parse_mode": "MarkdownV2"}),
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        (
            json!({"chat_id": 1, "text": "*open", "parse_mode": "markdownv2"}),
            "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0",
        ),
        (
            json!({"chat_id": 1, "text": "if a < b", "parse_mode": "HTML"}),
            "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 5",
        ),
        (
            json!({"chat_id": 1, "text": "<p>x</p>", "parse_mode": "HTML"}),
            "Bad Request: can't parse entities: Unsupported start tag \"p\" at byte offset 0",
        ),
        (json!({"text": "hi"}), "Bad Request: chat_id is empty"),
        (json!({"chat_id": "", "text": "hi"}), "Bad Request: chat_id is empty"),
        (json!({"chat_id": 1, "text": "hi"}), "Bad Request: chat not found"),
        (json!({"chat_id": "@nobody", "text": "hi"}), "Bad Request: chat not found"),
        (
            json!({"chat_id": b.chat, "text": "hi", "message_thread_id": b.thread + 1}),
            "Bad Request: message thread not found",
        ),
        (
            json!({"chat_id": b.chat, "text": "hi", "message_thread_id": 1}),
            "Bad Request: message thread not found",
        ),
        // 4096 code points pass the raw check (ё is two bytes) and fail after the chat.
        (json!({"chat_id": b.chat, "text": "ё".repeat(4097)}), "Bad Request: message is too long"),
        (json!({"chat_id": 1, "text": "ё".repeat(4097)}), "Bad Request: chat not found"),
    ];
    for (body, description) in &cases {
        assert_refused(&b.send(body.clone()).await, 400, description);
    }
    // Exactly 4096 code points, emoji included, is fine.
    let (status, body) = b
        .send(json!({"chat_id": b.chat, "text": "😀".repeat(4096)}))
        .await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(b.sb.telegram_messages(None).as_array().unwrap().len(), 1);
    let stats = &b.sb.stats()["telegram"];
    assert_eq!(
        stats["rejected"],
        json!({
            "invalidToken": 5, "unauthorized": 2, "methodNotFound": 1, "notFound": 1,
            "textEmpty": 2, "textTooLong": 1, "unsupportedParseMode": 1, "cantParseEntities": 4,
            "chatIdEmpty": 2, "chatNotFound": 3, "threadNotFound": 2, "messageTooLong": 1,
        })
    );
    assert_eq!(stats["accepted"], 1);
    assert_eq!(stats["requests"], 26);
}

#[tokio::test]
async fn configured_bots_chats_usernames_and_forbidden_chats() {
    let token = "777000111:SANDBOXtest-token-for-configured-bot";
    let b = bot(json!({"bots": [{"token": token, "chats": [
        {"id": 5150, "title": "Ops"},
        {"id": -1_009_999_999_999i64, "type": "channel", "username": "uzgate_ops"},
        {"id": -4242, "forbidden": "bot was kicked from the group chat"},
    ]}]}))
    .await;
    assert_eq!(b.token, token);
    let (status, body) = b
        .send(json!({"chat_id": 5150, "text": "hi", "message_thread_id": 77}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["result"]["chat"],
        json!({"id": 5150, "type": "private", "first_name": "Ops"})
    );
    // Not a forum: message_thread_id is ignored.
    assert!(body["result"].get("message_thread_id").is_none());
    let (status, body) = b
        .send(json!({"chat_id": "@uzgate_ops", "text": "post"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["chat"]["id"], -1009999999999i64);
    assert!(body["result"].get("from").is_none());
    assert_eq!(body["result"]["sender_chat"]["type"], "channel");
    assert_refused(
        &b.send(json!({"chat_id": -4242, "text": "hi"})).await,
        403,
        "Forbidden: bot was kicked from the group chat",
    );
    // The previous default bot is gone.
    assert!(b
        .sb
        .configure(json!({"telegram": {"bots": [{"token": "0:bad"}]}}))
        .is_err());
    assert!(b.sb.configure(json!({"telegram": {"colour": 1}})).is_err());
}

#[tokio::test]
async fn flood_control_answers_429_with_retry_after() {
    // Telegram's documented limits are the defaults: burst 3, then 1/s per chat.
    let sb = Sandbox::start(json!({})).await.unwrap();
    let bot_info = sb.telegram_bot();
    let b = Bot {
        url: sb.url(),
        token: bot_info["token"].as_str().unwrap().to_owned(),
        chat: bot_info["chatId"].as_i64().unwrap(),
        thread: 0,
        c: support::client_builder().build().unwrap(),
        sb,
    };
    let msg = json!({"chat_id": b.chat, "text": "alert"});
    for _ in 0..3 {
        assert_eq!(b.send(msg.clone()).await.0, 200);
    }
    let got = b.send(msg.clone()).await;
    assert_refused(&got, 429, "Too Many Requests: retry after 1");
    assert_eq!(got.1["parameters"], json!({"retry_after": 1}));

    // Forced: the next two sends get the given retry_after, then limits apply again.
    b.sb.configure(json!({"telegram": {"rateLimitPerChatPerSecond": 0, "floodWait": {"retryAfter": 17, "times": 2}}}))
        .unwrap();
    for _ in 0..2 {
        let got = b.send(msg.clone()).await;
        assert_refused(&got, 429, "Too Many Requests: retry after 17");
        assert_eq!(got.1["parameters"]["retry_after"], 17);
    }
    assert_eq!(b.send(msg.clone()).await.0, 200);
    let stats = &b.sb.stats()["telegram"];
    assert_eq!(stats["rateLimited"], 3);
    assert_eq!(stats["accepted"], 4);
    assert_eq!(stats["rejected"], json!({}));
}

#[tokio::test]
async fn group_limit_is_twenty_a_minute() {
    let b = bot(json!({"rateLimitPerGroupPerMinute": 20})).await;
    let msg = json!({"chat_id": b.chat, "text": "alert"});
    for _ in 0..20 {
        assert_eq!(b.send(msg.clone()).await.0, 200);
    }
    let got = b.send(msg).await;
    assert_eq!(got.0, 429, "{}", got.1);
    let wait = got.1["parameters"]["retry_after"].as_u64().unwrap();
    assert!((59..=60).contains(&wait), "{wait}");
}

#[tokio::test]
async fn faults_apply_to_bot_paths() {
    let b = bot(json!({})).await;
    let path = format!("/bot{}/sendMessage", b.token);
    b.sb.set_fault(json!({"path": path, "kind": "status", "status": 502, "times": 1}))
        .unwrap();
    let resp =
        b.c.post(format!("{}{path}", b.url))
            .json(&json!({"chat_id": b.chat, "text": "hi"}))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 502);
    b.sb.set_fault(json!({"path": "/bot", "kind": "reset", "times": 1}))
        .unwrap();
    assert!(b
        .c
        .post(format!("{}{path}", b.url))
        .json(&json!({"chat_id": b.chat, "text": "hi"}))
        .send()
        .await
        .is_err());
    // Faulted before processing: nothing was sent.
    assert_eq!(b.sb.telegram_messages(None), json!([]));
    assert_eq!(
        b.send(json!({"chat_id": b.chat, "text": "hi"})).await.0,
        200
    );
    assert_eq!(b.sb.stats()["faultsInjected"], 2);
}

#[tokio::test]
async fn other_paths_keep_their_behaviour() {
    let b = bot(json!({})).await;
    let resp =
        b.c.get(format!("{}/nothing-here", b.url))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.text().await.unwrap().contains("nginx"));
}
