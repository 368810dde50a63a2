//! Twilio authentication: Basic with the auth token or an API key, 401 / 20003 otherwise,
//! another account's path, test credentials, unknown paths and methods.

mod tw;

use reqwest::Method;
use serde_json::json;
use tw::*;

#[tokio::test]
async fn missing_or_wrong_credentials_get_20003() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let path = messages_path(&a.sid);
    let expected = json!({
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    });
    for auth in [
        None,
        Some((a.sid.as_str(), "wrong-token")),
        Some(("ACnot-the-account", TOKEN)),
    ] {
        let r = call(&c, &sb, Method::POST, &path, auth, &SEND).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json, expected);
        assert_eq!(
            r.header("www-authenticate"),
            Some("Basic realm=\"Twilio API\"")
        );
    }
    let stats = &sb.stats()["twilio"];
    assert_eq!(stats["authFailures"], 3);
    assert_eq!(stats["rejected"]["20003"], 3);
    assert_eq!(stats["messages"], 0);
    sb.close().await;
}

#[tokio::test]
async fn api_keys_authenticate_for_the_account() {
    let key = made_up_sid("SK", "5a");
    let sb = sandbox(json!({"apiKeys": [{"sid": key, "secret": "key-secret"}]})).await;
    let a = account(&sb);
    let c = client();
    let path = messages_path(&a.sid);
    let r = call(
        &c,
        &sb,
        Method::POST,
        &path,
        Some((&key, "key-secret")),
        &SEND,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["account_sid"], a.sid.as_str());
    let r = call(&c, &sb, Method::POST, &path, Some((&key, TOKEN)), &SEND).await;
    assert_eq!(r.status, 401);
    sb.close().await;
}

#[tokio::test]
async fn configured_credentials_replace_the_defaults() {
    let sid = made_up_sid("AC", "7e");
    let sb = sandbox(json!({"accountSid": sid, "authToken": "tok"})).await;
    assert_eq!(account(&sb).sid, sid);
    let c = client();
    let path = messages_path(&sid);
    let ok = call(&c, &sb, Method::POST, &path, Some((&sid, "tok")), &SEND).await;
    assert_eq!(ok.status, 201);
    let old = call(&c, &sb, Method::POST, &path, Some((&sid, TOKEN)), &SEND).await;
    assert_eq!(old.status, 401);
    // A bad patch changes nothing.
    assert!(sb
        .configure(json!({"twilio": {"accountSid": "AC123"}}))
        .is_err());
    assert!(sb.configure(json!({"twilio": {"nope": 1}})).is_err());
    assert_eq!(account(&sb).sid, sid);
    sb.close().await;
}

#[tokio::test]
async fn another_accounts_path_is_not_found() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let other = made_up_sid("AC", "0f");
    let path = messages_path(&other);
    let r = as_account(&c, &sb, &a, Method::POST, &path, &SEND).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json,
        json!({
            "code": 20404,
            "message": format!("The requested resource {path} was not found"),
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404,
        })
    );
    sb.close().await;
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_twilio_json() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let calls = format!("/2010-04-01/Accounts/{}/Calls.json", a.sid);
    let r = get(&c, &sb, &a, &calls).await;
    assert_eq!(
        (r.status.as_u16(), r.json["code"].clone()),
        (404, json!(20404))
    );
    let r = as_account(&c, &sb, &a, Method::DELETE, &messages_path(&a.sid), &[]).await;
    assert_eq!(
        (r.status.as_u16(), r.json["code"].clone()),
        (405, json!(20004))
    );
    // Authentication comes first.
    let r = call(&c, &sb, Method::GET, &calls, None, &[]).await;
    assert_eq!(r.status, 401);
    sb.close().await;
}

#[tokio::test]
async fn test_credentials_only_create_from_the_magic_sender() {
    let sb = sandbox(json!({"testCredentials": true})).await;
    let a = account(&sb);
    let c = client();
    let r = create(&c, &sb, &a, &SEND).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let sid = r.json["sid"].as_str().unwrap().to_owned();
    // The account's real numbers are not the test account's.
    let r = create(
        &c,
        &sb,
        &a,
        &[
            ("To", "+15551234567"),
            ("From", "+14155550100"),
            ("Body", "Hi"),
        ],
    )
    .await;
    assert_eq!(r.json["code"], 21606);
    for (method, path) in [
        (Method::GET, message_path(&a.sid, &sid)),
        (Method::GET, messages_path(&a.sid)),
        (Method::DELETE, message_path(&a.sid, &sid)),
    ] {
        let r = as_account(&c, &sb, &a, method, &path, &[]).await;
        assert_eq!(r.status, 403);
        assert_eq!(r.json["code"], 20008);
        assert_eq!(
            r.json["message"],
            "Resource not accessible with Test Account Credentials"
        );
    }
    sb.close().await;
}

#[tokio::test]
async fn twilio_has_no_tokens_to_expire() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    sb.expire_tokens("twilio");
    sb.revoke_tokens("all");
    assert_eq!(create(&c, &sb, &a, &SEND).await.status, 201);
    let control = c
        .post(format!("{}/__sandbox/revoke/twilio", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(control.status(), 200);
    let over_http: serde_json::Value = c
        .get(format!("{}/__sandbox/twilio/account", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["accountSid"], a.sid.as_str());
    assert_eq!(over_http["authToken"], TOKEN);
    sb.close().await;
}
