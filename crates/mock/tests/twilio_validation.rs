//! Twilio create validation: every documented refusal and magic number, each a 400 with
//! Twilio's error body, counted by code.

mod tw;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tw::*;

/// A create request and the error it must get (its message too, where the test pins it).
struct Case<'a> {
    form: Vec<(&'a str, &'a str)>,
    code: u32,
    message: Option<&'a str>,
}

fn refused<'a>(form: Vec<(&'a str, &'a str)>, code: u32) -> Case<'a> {
    Case {
        form,
        code,
        message: None,
    }
}

impl<'a> Case<'a> {
    fn saying(self, message: &'a str) -> Self {
        Case {
            message: Some(message),
            ..self
        }
    }
}

const NOT_OWNED: &str = "The From phone number +14155550199 is not a valid, SMS-capable \
                         inbound phone number or short code for your account.";
const UNREACHABLE: &str = "The 'To' phone number: +15005550002, is not currently reachable \
                           using the 'From' phone number: +15005550006 via SMS.";
const REGION: &str = "Permission to send an SMS has not been enabled for the region \
                      indicated by the 'To' number: +15005550003.";
const QUEUE_FULL: &str = "This 'From' number has exceeded the maximum number of queued messages";
const TOO_LONG: &str = "The concatenated message body exceeds the 1600 character limit.";

#[tokio::test]
async fn every_refusal_has_its_code_and_message() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let long = "a".repeat(1601);
    let unknown_service = made_up_sid("MG", "c3");
    let to = ("To", "+15551234567");
    let from = ("From", MAGIC_FROM);
    let body = ("Body", "Hi");
    let callback = |url| vec![to, from, body, ("StatusCallback", url)];
    let validity = |secs| vec![to, from, body, ("ValidityPeriod", secs)];
    let mut media = vec![to, from];
    media.extend((0..11).map(|_| ("MediaUrl", "https://example.com/x.png")));
    let cases = [
        refused(vec![from, body], 21604).saying("A 'To' phone number is required."),
        refused(vec![("To", ""), from, body], 21604),
        refused(vec![to, body], 21603).saying("A 'From' phone number is required."),
        refused(vec![to, from], 21602).saying("Message body is required."),
        refused(vec![to, from, ("Body", "")], 21602),
        refused(vec![to, from, ("Body", &long)], 21617).saying(TOO_LONG),
        refused(vec![("To", "5551234567"), from, body], 21211)
            .saying("The 'To' number 5551234567 is not a valid phone number."),
        refused(vec![("To", "+0123"), from, body], 21211),
        refused(vec![to, ("From", "not a sender!"), body], 21212),
        refused(vec![to, ("From", "+14155550199"), body], 21606).saying(NOT_OWNED),
        refused(vec![to, ("From", "MyShop"), body], 21606),
        refused(vec![to, ("MessagingServiceSid", "MG123"), body], 21701),
        refused(
            vec![to, ("MessagingServiceSid", &unknown_service), body],
            21701,
        ),
        refused(vec![to, from, ("ContentSid", "HX1")], 21655),
        refused(media, 21623),
        refused(callback("https://my_hooks.example.net/cb"), 21609),
        refused(callback("not a url"), 21609),
        refused(callback("ftp://example.net/cb"), 21609),
        refused(validity("0"), 21624),
        refused(validity("36001"), 21624),
        refused(validity("ten"), 21624),
        // Magic senders.
        refused(vec![to, ("From", "+15005550007"), body], 21606),
        refused(vec![to, ("From", "+15005550008"), body], 21611).saying(QUEUE_FULL),
        // Magic destinations.
        refused(vec![("To", "+15005550001"), from, body], 21211)
            .saying("The 'To' number +15005550001 is not a valid phone number."),
        refused(vec![("To", "+15005550002"), from, body], 21612).saying(UNREACHABLE),
        refused(vec![("To", "+15005550003"), from, body], 21408).saying(REGION),
        refused(vec![("To", "+15005550004"), from, body], 21610)
            .saying("The message From/To pair violates a blacklist rule."),
        refused(vec![("To", "+15005550009"), from, body], 21614),
    ];

    let mut expected_counts: BTreeMap<String, u64> = BTreeMap::new();
    for Case {
        form,
        code,
        message,
    } in &cases
    {
        let r = create(&c, &sb, &a, form).await;
        assert_eq!(r.status, 400, "{form:?} → {}", r.json);
        let body = r.json.as_object().unwrap();
        let keys: Vec<&str> = body.keys().map(String::as_str).collect();
        assert_eq!(keys, ["code", "message", "more_info", "status"], "{form:?}");
        assert_eq!(body["code"], *code, "{form:?} → {}", r.json);
        assert_eq!(body["status"], 400);
        assert_eq!(
            body["more_info"],
            format!("https://www.twilio.com/docs/errors/{code}")
        );
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        if let Some(message) = message {
            assert_eq!(body["message"], *message, "{form:?}");
        }
        *expected_counts.entry(code.to_string()).or_default() += 1;
    }

    let stats = sb.stats();
    let rejected: BTreeMap<String, u64> =
        serde_json::from_value(stats["twilio"]["rejected"].clone()).unwrap();
    assert_eq!(rejected, expected_counts);
    assert_eq!(stats["twilio"]["messages"], 0);
    assert_eq!(sb.inbox(), Value::Array(Vec::new()));
    sb.close().await;
}

#[tokio::test]
async fn owned_and_allowed_senders_pass() {
    let sb =
        sandbox(json!({"alphanumericSenders": true, "numbers": ["+14155550100", "24680"]})).await;
    let a = account(&sb);
    let c = client();
    for from in ["+14155550100", "24680", "MyShop", MAGIC_FROM] {
        let r = create(
            &c,
            &sb,
            &a,
            &[("To", "+15551234567"), ("From", from), ("Body", "Hi")],
        )
        .await;
        assert_eq!(r.status, 201, "{from}: {}", r.json);
        assert_eq!(r.json["from"], from);
    }
    let r = create(
        &c,
        &sb,
        &a,
        &[
            ("To", "+15551234567"),
            ("From", MAGIC_FROM),
            ("ContentSid", &made_up_sid("HX", "d4")),
            ("ValidityPeriod", "36000"),
            ("StatusCallback", "https://hooks.example.net/cb?x=1"),
        ],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    sb.close().await;
}
