//! Run-time control: configure(), the `/__sandbox/` HTTP API, close() and the binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::json;
use uzgate_mock::Sandbox;

#[tokio::test]
async fn configure_rejects_unknown_or_invalid_options_and_changes_nothing() {
    let sb = sandbox(json!({})).await;
    assert!(sb
        .configure(json!({"eskiz": {"refreshEnabld": false}}))
        .is_err());
    assert!(sb.configure(json!({"smsru": {}})).is_err());
    assert!(sb.configure(json!({"port": 1})).is_err());
    assert!(sb
        .configure(json!({"eskiz": {"loginErrorStatus": 418}}))
        .is_err());
    // A bad patch must not half-apply: refreshEnabled stays true.
    assert!(sb
        .configure(json!({"eskiz": {"refreshEnabled": false, "tokenTtlSecs": "long"}}))
        .is_err());
    let c = client();
    let t = login(&c, &sb.url()).await;
    let resp = c
        .patch(format!("{}/auth/refresh", sb.url()))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(Sandbox::start(json!({"colour": "red"})).await.is_err());
    assert!(Sandbox::start(json!({"eskiz": {"nope": 1}})).await.is_err());
    sb.close().await;
}

#[tokio::test]
async fn http_control_api() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let url = sb.url();
    let ctl = |path: &str| format!("{url}/__sandbox{path}");
    let token = login(&c, &url).await;
    send(&c, &url, &token, "998901234567", "hello").await;

    let (status, stats) = body(c.get(ctl("/stats")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(stats["eskiz"]["logins"], 1);
    assert_eq!(stats["eskiz"]["sends"], 1);
    let (_, inbox) = body(c.get(ctl("/inbox")).send().await.unwrap()).await;
    assert_eq!(inbox[0]["text"], "hello");
    assert_eq!(c.delete(ctl("/inbox")).send().await.unwrap().status(), 200);
    assert!(sb.inbox().as_array().unwrap().is_empty());

    let (status, v) = body(
        c.post(ctl("/configure"))
            .json(&json!({"eskiz": {"nicks": ["Shop"]}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status.as_u16(), v["ok"].clone()), (200, json!(true)));
    let (status, v) = body(
        c.post(ctl("/configure"))
            .json(&json!({"eskiz": {"bogus": 1}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("bogus"));

    let (_, v) = body(
        c.post(ctl("/faults"))
            .json(&json!({"path": "/nick/me", "kind": "status", "status": 502}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(v["id"].as_u64().unwrap() > 0);
    assert_eq!(get(&c, &url, "/nick/me", &token).await.0, 502);
    c.delete(ctl("/faults")).send().await.unwrap();
    assert_eq!(
        get(&c, &url, "/nick/me", &token).await.1,
        json!(["4546", "Shop"])
    );

    assert_eq!(
        c.post(ctl("/expire/eskiz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        get(&c, &url, "/nick/me", &token).await.1["message"],
        "Expired token"
    );
    assert_eq!(
        c.post(ctl("/revoke/nobody")).send().await.unwrap().status(),
        400
    );
    assert_eq!(
        c.post(ctl("/revoke/all")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        get(&c, &url, "/nick/me", &token).await.1["message"],
        "Token is invalid"
    );

    c.post(ctl("/reset")).send().await.unwrap();
    let stats = sb.stats();
    assert_eq!(stats["eskiz"]["logins"], 0);
    assert_eq!(stats["requests"], 0);

    // Template moderation from outside.
    sb.configure(json!({"eskiz": {"moderation": true}}))
        .unwrap();
    let token = login(&c, &url).await;
    post_form(
        &c,
        &url,
        "/user/template",
        &token,
        &[("template", "Code 1")],
    )
    .await;
    let (_, list) = body(c.get(ctl("/eskiz/templates")).send().await.unwrap()).await;
    let id = list[0]["id"].as_u64().unwrap();
    let (status, _) = body(
        c.post(ctl(&format!("/eskiz/templates/{id}")))
            .json(&json!({"status": "reklama"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Code 2").await.0,
        200
    );
    // Control requests are not counted as traffic and never meet faults.
    sb.set_fault(json!({"kind": "reset"})).unwrap();
    assert_eq!(c.get(ctl("/stats")).send().await.unwrap().status(), 200);
    sb.close().await;
}

#[tokio::test]
async fn close_frees_the_port_and_ends_held_requests() {
    let sb = sandbox(json!({})).await;
    let addr = sb.local_addr();
    sb.set_fault(json!({"kind": "timeout"})).unwrap();
    let c = client();
    let held = tokio::spawn({
        let url = sb.url();
        async move { c.get(format!("{url}/auth/user")).send().await }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    sb.close().await;
    let outcome = tokio::time::timeout(Duration::from_secs(2), held)
        .await
        .expect("held request ends")
        .unwrap();
    assert!(outcome.is_err());
    let again = Sandbox::start(json!({"port": addr.port()}))
        .await
        .expect("port is free again");
    assert_eq!(again.local_addr(), addr);
    again.close().await;
}

#[tokio::test]
async fn binary_serves_until_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uzgate-sandbox"))
        .args([
            "--port",
            "0",
            "--config",
            r#"{"eskiz":{"email":"a@b.uz","password":"p"}}"#,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("uzgate sandbox listening on ")
        .expect("ready line")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    let resp = client()
        .post(format!("{url}/auth/login"))
        .form(&[("email", "a@b.uz"), ("password", "p")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    drop(child.stdin.take());
    let mut exited = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(exited.expect("exits when stdin closes").success());
}
