//! Twilio messages: create (201, every property of the spec's schema, typed as the spec
//! says), the status lifecycle seen through fetch, services, scheduling, cancel, redaction
//! and delete.

mod tw;

use reqwest::Method;
use serde_json::{json, Value};
use tw::*;

/// The properties of `api.v2010.account.message` (Twilio's OpenAPI spec).
const MESSAGE_PROPERTIES: [&str; 20] = [
    "account_sid",
    "api_version",
    "body",
    "date_created",
    "date_sent",
    "date_updated",
    "direction",
    "error_code",
    "error_message",
    "from",
    "messaging_service_sid",
    "num_media",
    "num_segments",
    "price",
    "price_unit",
    "sid",
    "status",
    "subresource_uris",
    "to",
    "uri",
];

fn is_sid(prefix: &str, v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 34 && s.starts_with(prefix) && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn create_answers_201_with_the_spec_resource() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let r = create(&c, &sb, &a, &plain("+998901234567", "Hello! 👍")).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(r
        .header("twilio-request-id")
        .is_some_and(|id| id.starts_with("RQ")));
    assert!(r.header("twilio-concurrent-requests").is_some());

    let m = r.json.as_object().unwrap();
    let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, MESSAGE_PROPERTIES);

    let sid = m["sid"].as_str().unwrap();
    assert!(is_sid("SM", &m["sid"]), "{sid}");
    assert_eq!(m["account_sid"], a.sid.as_str());
    assert!(is_sid("AC", &m["account_sid"]));
    assert_eq!(m["api_version"], "2010-04-01");
    assert_eq!(m["body"], "Hello! 👍");
    assert_eq!(m["direction"], "outbound-api");
    assert_eq!(m["from"], MAGIC_FROM);
    assert_eq!(m["to"], "+998901234567");
    assert_eq!(m["status"], "queued");
    // Counts are strings; the emoji makes the text UCS-2, still one segment.
    assert_eq!(m["num_segments"], "1");
    assert_eq!(m["num_media"], "0");
    for date in ["date_created", "date_updated"] {
        assert!(is_rfc2822(m[date].as_str().unwrap()), "{date}: {}", m[date]);
    }
    // Not sent yet: no send date, no price, no error.
    for absent in [
        "date_sent",
        "price",
        "error_code",
        "error_message",
        "messaging_service_sid",
    ] {
        assert_eq!(m[absent], Value::Null, "{absent}");
    }
    assert_eq!(m["price_unit"], "USD");
    let base = format!("/2010-04-01/Accounts/{}/Messages/{sid}", a.sid);
    assert_eq!(m["uri"], format!("{base}.json"));
    assert_eq!(
        m["subresource_uris"],
        json!({"media": format!("{base}/Media.json")})
    );

    let stats = &sb.stats()["twilio"];
    assert_eq!(stats["messages"], 1);
    assert_eq!(stats["requests"], 1);
    let inbox = sb.inbox();
    let entry = &inbox[0];
    assert_eq!(entry["provider"], "twilio");
    assert_eq!(entry["id"], sid);
    assert_eq!(
        (entry["text"].clone(), entry["parts"].clone()),
        (json!("Hello! 👍"), json!(1))
    );
    sb.close().await;
}

#[tokio::test]
async fn segments_and_media() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let cases = [
        ("a".repeat(160), "1"),
        ("a".repeat(161), "2"),
        ("{".repeat(80), "1"),
        ("д".repeat(70), "1"),
        ("д".repeat(71), "2"),
        ("д".repeat(135), "3"),
    ];
    for (text, segments) in &cases {
        let r = create(&c, &sb, &a, &plain("+15551234567", text)).await;
        assert_eq!(r.status, 201, "{}", r.json);
        assert_eq!(
            r.json["num_segments"],
            *segments,
            "{} chars",
            text.chars().count()
        );
    }
    let r = create(
        &c,
        &sb,
        &a,
        &[
            ("To", "+15551234567"),
            ("From", MAGIC_FROM),
            ("MediaUrl", "https://example.com/a.png"),
            ("MediaUrl", "https://example.com/b.png"),
            ("ProvideFeedback", "true"),
        ],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert!(is_sid("MM", &r.json["sid"]), "{}", r.json["sid"]);
    assert_eq!(r.json["num_media"], "2");
    assert_eq!(r.json["body"], "");
    assert!(r.json["subresource_uris"]["feedback"]
        .as_str()
        .unwrap()
        .ends_with("/Feedback.json"));
    sb.close().await;
}

#[tokio::test]
async fn fetch_follows_the_lifecycle_to_delivered() {
    let delays = json!({"sending": 60, "sent": 120, "delivered": 180});
    let sb = sandbox(json!({"statusDelaysMs": delays})).await;
    let a = account(&sb);
    let c = client();
    let created = create(&c, &sb, &a, &plain("+15551234567", "Hi")).await;
    let sid = created.json["sid"].as_str().unwrap().to_owned();

    let mut seen: Vec<String> = Vec::new();
    for _ in 0..300 {
        let m = fetch(&c, &sb, &a, &sid).await.json;
        let status = m["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "delivered" {
            assert!(is_rfc2822(m["date_sent"].as_str().unwrap()));
            assert_eq!(m["price"], "-0.00790");
            assert_eq!(m["error_code"], Value::Null);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let order = ["queued", "sending", "sent", "delivered"];
    assert_eq!(seen.first().map(String::as_str), Some("queued"));
    assert_eq!(seen.last().map(String::as_str), Some("delivered"));
    let positions: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).expect("a known status"))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_eq!(sb.inbox()[0]["status"], "delivered");
    sb.close().await;
}

#[tokio::test]
async fn special_endings_end_undelivered_or_failed() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let cases = [
        (
            "+15551113003",
            "undelivered",
            30003,
            "Unreachable destination handset",
        ),
        (
            "+15551113005",
            "undelivered",
            30005,
            "Unknown destination handset",
        ),
        (
            "+15551113006",
            "undelivered",
            30006,
            "Landline or unreachable carrier",
        ),
        ("+15551113008", "failed", 30008, "Unknown error"),
    ];
    for (to, status, code, text) in cases {
        let r = create(&c, &sb, &a, &plain(to, "x")).await;
        let m = fetch_until(&c, &sb, &a, r.json["sid"].as_str().unwrap(), status).await;
        assert_eq!(
            (m["error_code"].clone(), m["error_message"].clone()),
            (json!(code), json!(text))
        );
        // An undelivered message was sent (and charged); a failed one never left.
        assert_eq!(m["date_sent"].is_string(), status == "undelivered", "{to}");
    }
    // `3000`: the carrier never reports, the message stays sent.
    let r = create(&c, &sb, &a, &plain("+15551113000", "x")).await;
    let sid = r.json["sid"].as_str().unwrap().to_owned();
    fetch_until(&c, &sb, &a, &sid, "sent").await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(fetch(&c, &sb, &a, &sid).await.json["status"], "sent");

    sb.configure(json!({"twilio": {"specialNumbers": false}}))
        .unwrap();
    let r = create(&c, &sb, &a, &plain("+15551113003", "x")).await;
    fetch_until(&c, &sb, &a, r.json["sid"].as_str().unwrap(), "delivered").await;
    sb.close().await;
}

#[tokio::test]
async fn a_messaging_service_picks_the_sender_once_queued() {
    let delays = json!({"queued": 150, "sending": 200, "sent": 250, "delivered": 300});
    let sb = sandbox(json!({"statusDelaysMs": delays})).await;
    let a = account(&sb);
    let c = client();
    let r = create(
        &c,
        &sb,
        &a,
        &[
            ("To", "+15551234567"),
            ("MessagingServiceSid", &a.service),
            ("Body", "Hi"),
        ],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["status"], "accepted");
    assert_eq!(r.json["from"], Value::Null);
    assert_eq!(r.json["num_segments"], "0");
    assert_eq!(r.json["messaging_service_sid"], a.service.as_str());
    let m = fetch_until(&c, &sb, &a, r.json["sid"].as_str().unwrap(), "delivered").await;
    assert_eq!(m["from"], MAGIC_FROM);
    assert_eq!(m["num_segments"], "1");
    sb.close().await;
}

#[tokio::test]
async fn scheduled_messages_can_be_canceled_then_deleted() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let send_at = iso_in(3600);
    let r = create(&c, &sb, &a, &scheduled(&a, "Later", &send_at)).await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["status"], "scheduled");
    let sid = r.json["sid"].as_str().unwrap().to_owned();
    let path = message_path(&a.sid, &sid);

    // Still on its way: it cannot be deleted.
    let d = as_account(&c, &sb, &a, Method::DELETE, &path, &[]).await;
    assert_eq!(
        (d.status.as_u16(), d.json["code"].clone()),
        (409, json!(20009))
    );

    let canceled = cancel(&c, &sb, &a, &path).await;
    assert_eq!(canceled.status, 200, "{}", canceled.json);
    assert_eq!(canceled.json["status"], "canceled");
    assert_eq!(canceled.json["date_sent"], Value::Null);
    let again = cancel(&c, &sb, &a, &path).await;
    assert_eq!(
        (again.status.as_u16(), again.json["code"].clone()),
        (400, json!(30409))
    );
    assert_eq!(again.json["message"], "This message cannot be canceled");

    let d = as_account(&c, &sb, &a, Method::DELETE, &path, &[]).await;
    assert_eq!(d.status, 204);
    assert!(d.header("twilio-request-id").is_some());
    let gone = fetch(&c, &sb, &a, &sid).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json["code"], 20404);
    assert_eq!(
        gone.json["message"],
        format!("The requested resource {path} was not found")
    );
    let stats = &sb.stats()["twilio"];
    assert_eq!(
        (stats["canceled"].clone(), stats["deleted"].clone()),
        (json!(1), json!(1))
    );

    // A schedule too close is refused; without a service it is dropped and sent at once.
    let soon = iso_in(60);
    let r = create(&c, &sb, &a, &scheduled(&a, "x", &soon)).await;
    assert_eq!(
        (r.status.as_u16(), r.json["code"].clone()),
        (400, json!(35114))
    );
    let r = create(
        &c,
        &sb,
        &a,
        &[
            ("To", "+15551234567"),
            ("From", MAGIC_FROM),
            ("Body", "x"),
            ("ScheduleType", "fixed"),
            ("SendAt", &send_at),
        ],
    )
    .await;
    assert_eq!(r.json["status"], "queued");
    sb.close().await;
}

#[tokio::test]
async fn only_scheduled_messages_cancel_and_bodies_redact() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let r = create(&c, &sb, &a, &plain("+15551234567", "secret")).await;
    let sid = r.json["sid"].as_str().unwrap().to_owned();
    let path = message_path(&a.sid, &sid);
    let refused = cancel(&c, &sb, &a, &path).await;
    assert_eq!(refused.json["code"], 30409);

    fetch_until(&c, &sb, &a, &sid, "delivered").await;
    let redacted = as_account(&c, &sb, &a, Method::POST, &path, &[("Body", "")]).await;
    assert_eq!(redacted.status, 200, "{}", redacted.json);
    assert_eq!(
        (
            redacted.json["body"].clone(),
            redacted.json["status"].clone()
        ),
        (json!(""), json!("delivered"))
    );
    assert_eq!(fetch(&c, &sb, &a, &sid).await.json["body"], "");
    let rewrite = as_account(&c, &sb, &a, Method::POST, &path, &[("Body", "new text")]).await;
    assert_eq!(rewrite.status, 400);

    let d = as_account(&c, &sb, &a, Method::DELETE, &path, &[]).await;
    assert_eq!(d.status, 204);
    sb.close().await;
}
