//! The Play Mobile client against the sandbox gateway over real loopback HTTP: what reached
//! the gateway (one request per batch, our message-ids, originator, priority), how each
//! refusal surfaces, and that nothing is sent twice when the answer is lost.

use serde_json::{json, Value};
use std::time::Duration;
use uzgate_core::http::HttpOptions;
use uzgate_core::log::Logger;
use uzgate_core::providers::playmobile::PlayMobileConfig;
use uzgate_core::sms::{SendInput, SmsClient, SmsProviderConfig};
use uzgate_core::{ErrorCode, Provider};
use uzgate_mock::Sandbox;

const LOGIN: &str = "pm-login";
const PASSWORD: &str = "pm-password";

async fn sandbox(extra: Value) -> Sandbox {
    let mut pm = json!({"login": LOGIN, "password": PASSWORD});
    if let (Some(o), Value::Object(extra)) = (pm.as_object_mut(), extra) {
        o.extend(extra);
    }
    Sandbox::start(json!({ "playmobile": pm })).await.unwrap()
}

fn client(sb: &Sandbox, password: &str, priority: Option<&str>) -> SmsClient {
    SmsClient::new(
        SmsProviderConfig::PlayMobile(Box::new(PlayMobileConfig {
            login: LOGIN.into(),
            password: password.into(),
            originator: "3700".into(),
            priority: priority.map(str::to_string),
            base_url: Some(sb.url()),
            http: HttpOptions {
                timeout: Duration::from_secs(5),
                ..Default::default()
            },
        })),
        Logger::default(),
    )
    .unwrap()
}

fn msg(to: &str, text: &str) -> SendInput {
    SendInput {
        to: to.into(),
        text: text.into(),
        ..Default::default()
    }
}

fn stat(sb: &Sandbox, name: &str) -> u64 {
    sb.stats()["playmobile"][name].as_u64().unwrap()
}

#[tokio::test]
async fn a_send_reaches_the_gateway_with_our_message_id() {
    let sb = sandbox(json!({"maxMessageIdLength": 20})).await;
    let c = client(&sb, PASSWORD, Some("realtime"));
    let r = c
        .send(msg("+998 90 123-45-67", "Code: 482913"))
        .await
        .unwrap();
    assert_eq!(r.provider, "playmobile");
    assert_eq!(r.id.len(), 20);
    assert!(r.id.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(r.to, "+998901234567");
    assert_eq!(r.status.as_str(), "pending");
    assert_eq!(r.segments, 1);
    let m = &sb.playmobile_messages()[0];
    assert_eq!(m["messageId"], r.id.as_str());
    assert_eq!(m["recipient"], "998901234567");
    assert_eq!(m["originator"], "3700");
    assert_eq!(m["priority"], "realtime");
    assert_eq!(m["text"], "Code: 482913");
    assert_eq!((stat(&sb, "sends"), stat(&sb, "messages")), (1, 1));
    sb.close().await;
}

#[tokio::test]
async fn from_overrides_the_originator_and_no_priority_is_sent_by_default() {
    let sb = sandbox(json!({})).await;
    let c = client(&sb, PASSWORD, None);
    let mut input = msg("998901234567", "hi");
    input.from = Some("MyShop".into());
    c.send(input).await.unwrap();
    let m = &sb.playmobile_messages()[0];
    assert_eq!(m["originator"], "MyShop");
    assert_eq!(m["priority"], Value::Null);
    sb.close().await;
}

#[tokio::test]
async fn a_batch_is_one_request_with_one_id_per_message() {
    let sb = sandbox(json!({})).await;
    let c = client(&sb, PASSWORD, None);
    let batch: Vec<SendInput> = (0..25)
        .map(|i| msg(&format!("+9989012345{i:02}"), &format!("n{i}")))
        .collect();
    let r = c.send_batch(batch, None).await.unwrap();
    assert_eq!(r.provider, "playmobile");
    assert_eq!(r.messages.len(), 25);
    assert_eq!(
        (
            stat(&sb, "requests"),
            stat(&sb, "sends"),
            stat(&sb, "messages")
        ),
        (1, 1, 25)
    );
    let sent = sb.playmobile_messages();
    for (item, m) in r.messages.iter().zip(sent.as_array().unwrap()) {
        assert_eq!(item.id.as_deref(), m["messageId"].as_str());
        assert_eq!(item.to, format!("+{}", m["recipient"].as_str().unwrap()));
    }
    let ids: std::collections::HashSet<_> = r.messages.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.len(), 25);
    assert_eq!(stat(&sb, "duplicateMessageIds"), 0);
    sb.close().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let sb = sandbox(json!({})).await;
    let c = client(&sb, PASSWORD, None);
    let foreign = c.send(msg("+14155550100", "hi")).await.unwrap_err();
    assert_eq!(foreign.code, ErrorCode::InvalidPhone);
    let long = c
        .send(msg("998901234567", &"a".repeat(641)))
        .await
        .unwrap_err();
    assert_eq!(long.code, ErrorCode::InvalidArgument);
    let mut cb = msg("998901234567", "hi");
    cb.callback_url = Some("https://example.com/cb".into());
    assert_eq!(
        c.send(cb).await.unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    let many: Vec<SendInput> = (0..101).map(|_| msg("998901234567", "x")).collect();
    assert_eq!(
        c.send_batch(many, None).await.unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    let one_bad = vec![msg("998901234567", "x"), msg("+14155550100", "y")];
    let e = c.send_batch(one_bad, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPhone);
    assert!(e.message.starts_with("messages[1]"), "{}", e.message);
    assert_eq!(stat(&sb, "requests"), 0);
    sb.close().await;
}

#[tokio::test]
async fn wrong_credentials_are_auth_failed_after_one_request() {
    let sb = sandbox(json!({})).await;
    let c = client(&sb, "not-the-password", None);
    let e = c.send(msg("998901234567", "hi")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::AuthFailed);
    assert_eq!(e.provider, Some(Provider::PlayMobile));
    assert_eq!(e.status, Some(401));
    assert!(!e.message.contains("not-the-password"));
    assert!(
        e.message
            .starts_with("Play Mobile rejected the configured credentials (HTTP 401); check them in the playmobile options"),
        "{}",
        e.message
    );
    assert_eq!((stat(&sb, "requests"), stat(&sb, "authFailures")), (1, 1));
    sb.close().await;
}

#[tokio::test]
async fn refusals_carry_the_playmobile_code_in_either_spelling() {
    let sb = sandbox(json!({"locked": true})).await;
    let c = client(&sb, PASSWORD, None);
    let e = c.send(msg("998901234567", "hi")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::AccessBlocked);
    assert_eq!(e.status, Some(400));
    assert_eq!(e.details.as_ref().unwrap()["playmobileCode"], 102);
    assert_eq!(e.provider_message.as_deref(), Some("Account lock"));
    assert!(e.message.contains("unlock"), "{}", e.message);

    sb.configure(
        json!({"playmobile": {"locked": false, "maxMessagesPerRequest": 2,
        "errorKeys": "underscore", "errorCodeAsString": true}}),
    )
    .unwrap();
    let three = vec![
        msg("998901234567", "a"),
        msg("998901234568", "b"),
        msg("998901234569", "c"),
    ];
    let e = c.send_batch(three, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ProviderRejected);
    assert_eq!(e.details.as_ref().unwrap()["playmobileCode"], 105);
    assert!(e.message.contains("smaller batches"), "{}", e.message);
    assert_eq!(
        sb.stats()["playmobile"]["rejected"],
        json!({"102": 1, "105": 1})
    );
    sb.close().await;
}

#[tokio::test]
async fn an_answer_lost_after_processing_is_outcome_unknown_and_not_resent() {
    let sb = sandbox(json!({})).await;
    let c = client(&sb, PASSWORD, None);
    sb.set_fault(
        json!({"path": "/broker-api/send", "kind": "reset", "phase": "after", "times": 1}),
    )
    .unwrap();
    let e = c.send(msg("998901234567", "hi")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutcomeUnknown);
    assert!(!e.retryable);
    assert_eq!((stat(&sb, "requests"), stat(&sb, "messages")), (1, 1));

    // A 2xx whose body is not Play Mobile's answer: maybe processed, never resent.
    sb.set_fault(
        json!({"path": "/broker-api/send", "kind": "malformed", "phase": "after", "times": 1}),
    )
    .unwrap();
    let e = c.send(msg("998901234567", "hi")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutcomeUnknown);
    assert_eq!((stat(&sb, "requests"), stat(&sb, "messages")), (2, 2));

    // Refused before processing (503 with Retry-After): retried once, sent once.
    sb.set_fault(json!({"path": "/broker-api/send", "kind": "status", "status": 503, "retryAfter": 0, "times": 1}))
        .unwrap();
    c.send(msg("998901234567", "hi")).await.unwrap();
    assert_eq!((stat(&sb, "requests"), stat(&sb, "messages")), (4, 3));
    sb.close().await;
}

#[tokio::test]
async fn status_and_balance_say_what_to_do_instead() {
    let sb = sandbox(json!({})).await;
    let c = client(&sb, PASSWORD, None);
    let e = c.status("abc").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotImplemented);
    assert!(e.message.contains("delivery reports"), "{}", e.message);
    assert_eq!(
        c.balance().await.unwrap_err().code,
        ErrorCode::NotImplemented
    );
    assert_eq!(stat(&sb, "requests"), 0);
    sb.close().await;
}

#[tokio::test]
async fn configuration_is_checked_without_the_network() {
    let bad = |f: &dyn Fn(&mut PlayMobileConfig)| {
        let mut c = PlayMobileConfig {
            login: LOGIN.into(),
            password: PASSWORD.into(),
            originator: "3700".into(),
            priority: None,
            base_url: Some("http://127.0.0.1:9".into()),
            http: HttpOptions::default(),
        };
        f(&mut c);
        match SmsClient::new(
            SmsProviderConfig::PlayMobile(Box::new(c)),
            Logger::default(),
        ) {
            Ok(_) => panic!("accepted"),
            Err(e) => e,
        }
    };
    for (field, e) in [
        ("login", bad(&|c| c.login = String::new())),
        ("login", bad(&|c| c.login = "a:b".into())),
        ("password", bad(&|c| c.password = "".into())),
        ("originator", bad(&|c| c.originator = String::new())),
        ("priority", bad(&|c| c.priority = Some("urgent".into()))),
        ("baseUrl", bad(&|c| c.base_url = Some("ftp://x".into()))),
    ] {
        assert_eq!(e.code, ErrorCode::Config, "{field}");
        assert!(e.message.contains(field), "{field}: {}", e.message);
        assert!(!e.message.contains(PASSWORD));
    }
}

#[tokio::test]
async fn an_answer_over_the_size_cap_is_abandoned_unread_and_never_resent() {
    let sb = sandbox(json!({})).await;
    let c = SmsClient::new(
        SmsProviderConfig::PlayMobile(Box::new(PlayMobileConfig {
            login: LOGIN.into(),
            password: PASSWORD.into(),
            originator: "3700".into(),
            priority: None,
            base_url: Some(sb.url()),
            http: HttpOptions {
                timeout: Duration::from_secs(5),
                max_response_bytes: 64,
                ..Default::default()
            },
        })),
        Logger::default(),
    )
    .unwrap();
    // The normal answer fits.
    c.send(msg("998901234567", "hi")).await.unwrap();
    sb.set_fault(
        json!({"path": "/broker-api/send", "kind": "status", "status": 200,
        "body": "x".repeat(4096), "phase": "after", "times": 1}),
    )
    .unwrap();
    let e = c.send(msg("998901234567", "hi")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutcomeUnknown);
    assert_eq!(e.provider, Some(Provider::PlayMobile));
    assert_eq!((stat(&sb, "requests"), stat(&sb, "messages")), (2, 2));
    sb.close().await;
}
