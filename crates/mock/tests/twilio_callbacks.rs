//! Twilio status callbacks reach a real local receiver, signed; the test recomputes each
//! signature from the algorithm itself.

mod tw;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tw::*;

fn statuses(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.param("MessageStatus").unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn form_callbacks_for_each_change_are_signed() {
    let (origin, inbox) = receiver(200).await;
    let callback = format!("{origin}/cb?shop=7&note=a%20b");
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let r = create(
        &c,
        &sb,
        &a,
        &reporting_to(plain("+998901234567", "Hi"), &callback),
    )
    .await;
    assert_eq!(r.status, 201);
    let sid = r.json["sid"].as_str().unwrap().to_owned();
    assert!(
        eventually(|| inbox.lock().len() >= 3).await,
        "three callbacks"
    );
    let got = inbox.lock().clone();
    assert_eq!(statuses(&got), ["sending", "sent", "delivered"]);

    for cb in &got {
        assert_eq!(cb.path_and_query, "/cb?shop=7&note=a%20b");
        assert_eq!(
            cb.header("content-type"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            cb.header("x-twilio-signature"),
            expected_signature(&a.token, &callback, &cb.form()),
            "{:?}",
            cb.form()
        );
        assert_eq!(cb.param("AccountSid").as_deref(), Some(a.sid.as_str()));
        assert_eq!(cb.param("MessageSid").as_deref(), Some(sid.as_str()));
        assert_eq!(cb.param("SmsSid").as_deref(), Some(sid.as_str()));
        assert_eq!(cb.param("From").as_deref(), Some(MAGIC_FROM));
        assert_eq!(cb.param("To").as_deref(), Some("+998901234567"));
        assert_eq!(cb.param("ApiVersion").as_deref(), Some("2010-04-01"));
        assert_eq!(cb.param("SmsStatus"), cb.param("MessageStatus"));
        assert_eq!(cb.param("ErrorCode"), None);
    }
    let done = got[2].param("RawDlrDoneDate").unwrap();
    assert!(
        done.len() == 10 && done.bytes().all(|b| b.is_ascii_digit()),
        "{done}"
    );
    assert_eq!(got[1].param("RawDlrDoneDate"), None);
    let stats = &sb.stats()["twilio"];
    assert_eq!(
        (
            stats["callbacksSent"].clone(),
            stats["callbacksFailed"].clone()
        ),
        (json!(3), json!(0))
    );
    sb.close().await;
}

#[tokio::test]
async fn undelivered_callbacks_carry_the_error_code() {
    let (origin, inbox) = receiver(200).await;
    let callback = format!("{origin}/cb");
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    create(
        &c,
        &sb,
        &a,
        &[
            ("To", "+15551113003"),
            ("MessagingServiceSid", &a.service),
            ("Body", "Hi"),
            ("StatusCallback", &callback),
        ],
    )
    .await;
    assert!(eventually(|| inbox.lock().len() >= 4).await);
    let got = inbox.lock().clone();
    assert_eq!(statuses(&got), ["queued", "sending", "sent", "undelivered"]);
    let last = &got[3];
    assert_eq!(last.param("ErrorCode").as_deref(), Some("30003"));
    assert!(last.param("RawDlrDoneDate").is_some());
    assert_eq!(
        last.param("MessagingServiceSid").as_deref(),
        Some(a.service.as_str())
    );
    assert_eq!(
        last.header("x-twilio-signature"),
        expected_signature(&a.token, &callback, &last.form())
    );
    sb.close().await;
}

#[tokio::test]
async fn json_callbacks_sign_the_url_with_the_body_hash() {
    let (origin, inbox) = receiver(200).await;
    let callback = format!("{origin}/cb?shop=7");
    let sb = sandbox(json!({"callbackJson": true})).await;
    let a = account(&sb);
    let c = client();
    create(
        &c,
        &sb,
        &a,
        &reporting_to(plain("+15551234567", "Hi"), &callback),
    )
    .await;
    assert!(eventually(|| inbox.lock().len() >= 3).await);
    for cb in inbox.lock().iter() {
        assert_eq!(cb.header("content-type"), "application/json");
        let hash = format!("{:x}", Sha256::digest(&cb.body));
        assert_eq!(cb.path_and_query, format!("/cb?shop=7&bodySHA256={hash}"));
        let called = format!("{origin}{}", cb.path_and_query);
        assert_eq!(
            cb.header("x-twilio-signature"),
            expected_signature(&a.token, &called, &[])
        );
        let body: Value = serde_json::from_slice(&cb.body).unwrap();
        assert_eq!(body["AccountSid"], a.sid.as_str());
        assert!(body["MessageStatus"].is_string());
    }
    sb.close().await;
}

#[tokio::test]
async fn no_callbacks_under_test_credentials_and_failures_are_counted() {
    let (origin, inbox) = receiver(200).await;
    let callback = format!("{origin}/cb");
    let sb = sandbox(json!({"testCredentials": true})).await;
    let a = account(&sb);
    let c = client();
    let form = reporting_to(plain("+15551234567", "Hi"), &callback);
    assert_eq!(create(&c, &sb, &a, &form).await.status, 201);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(inbox.lock().is_empty());
    assert_eq!(sb.inbox()[0]["callbackUrl"], callback.as_str());

    let (failing, failed) = receiver(500).await;
    let callback = format!("{failing}/cb");
    sb.configure(json!({"twilio": {"testCredentials": false}}))
        .unwrap();
    let form = reporting_to(plain("+15551234567", "Hi"), &callback);
    assert_eq!(create(&c, &sb, &a, &form).await.status, 201);
    assert!(eventually(|| failed.lock().len() >= 3).await);
    assert!(eventually(|| sb.stats()["twilio"]["callbacksFailed"] == 3).await);
    assert_eq!(sb.stats()["twilio"]["callbacksSent"], 3);
    sb.close().await;
}

#[tokio::test]
async fn a_canceled_schedule_reports_canceled_only() {
    let (origin, inbox) = receiver(200).await;
    let callback = format!("{origin}/cb");
    let sb = sandbox(json!({"signCallbacksWithPort": true})).await;
    let a = account(&sb);
    let c = client();
    let send_at = iso_in(7200);
    let form = reporting_to(scheduled(&a, "Later", &send_at), &callback);
    let r = create(&c, &sb, &a, &form).await;
    assert_eq!(r.json["status"], "scheduled", "{}", r.json);
    let path = message_path(&a.sid, r.json["sid"].as_str().unwrap());
    let canceled = cancel(&c, &sb, &a, &path).await;
    assert_eq!(canceled.status, 200);
    assert!(eventually(|| !inbox.lock().is_empty()).await);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let got = inbox.lock().clone();
    assert_eq!(statuses(&got), ["canceled"]);
    // The receiver's URL has an explicit port, so its `:80` form is itself.
    assert_eq!(
        got[0].header("x-twilio-signature"),
        expected_signature(&a.token, &callback, &got[0].form())
    );
    // A service that never picked a sender reports none.
    assert_eq!(got[0].param("From"), None);
    sb.close().await;
}
