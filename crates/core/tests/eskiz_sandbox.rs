//! The Eskiz client against the sandbox gateway over real loopback HTTP.

use futures::future::join_all;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::auth::ManagerOptions;
use uzgate_core::http::HttpOptions;
use uzgate_core::log::Logger;
use uzgate_core::providers::eskiz::EskizConfig;
use uzgate_core::sms::{SendInput, SmsClient, SmsProviderConfig};
use uzgate_core::ErrorCode;
use uzgate_mock::Sandbox;

const EMAIL: &str = "demo@uzgate.dev";
const PASSWORD: &str = "sandbox-secret";

fn client(sb: &Sandbox, password: &str, timeout: Duration) -> SmsClient {
    client_with(
        sb,
        password,
        HttpOptions {
            timeout,
            ..Default::default()
        },
    )
}

fn client_with(sb: &Sandbox, password: &str, http: HttpOptions) -> SmsClient {
    SmsClient::new(
        SmsProviderConfig::Eskiz(Box::new(EskizConfig {
            email: EMAIL.into(),
            password: password.into(),
            base_url: Some(sb.url()),
            from: None,
            callback_url: None,
            http,
            manager: ManagerOptions::default(),
            store: None,
            store_key: Some(format!("test:{}", sb.url())),
        })),
        Logger::default(),
    )
    .unwrap()
}

fn msg(text: &str) -> SendInput {
    SendInput {
        to: "+998901234567".into(),
        text: text.into(),
        ..Default::default()
    }
}

fn stat(sb: &Sandbox, name: &str) -> u64 {
    sb.stats()["eskiz"][name].as_u64().unwrap()
}

/// 500 sends at once with an expired token; `max_concurrency` decides how many of them reach the
/// gateway with the stale token. Returns the gateway's count of 401 answers.
async fn storm(max_concurrency: usize) -> u64 {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let http = HttpOptions {
        timeout: Duration::from_secs(20),
        max_concurrency,
        ..Default::default()
    };
    let c = Arc::new(client_with(&sb, PASSWORD, http));
    c.balance().await.unwrap();
    sb.expire_tokens("eskiz");
    sb.set_fault(
        json!({"path": "/message/sms/send", "kind": "latency", "latencyMs": 200, "times": 500}),
    )
    .unwrap();
    let results = join_all((0..500).map(|i| {
        let c = c.clone();
        async move { c.send(msg(&format!("m{i}"))).await }
    }))
    .await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(stat(&sb, "refreshes"), 1);
    assert_eq!(stat(&sb, "logins"), 1);
    assert_eq!(stat(&sb, "sends"), 500);
    let rejected = stat(&sb, "rejected401");
    c.close().await;
    sb.close().await;
    rejected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storm_of_401s_costs_one_refresh() {
    // No cap in the way: every send goes out with the stale token and is rejected once.
    assert_eq!(storm(1024).await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_queued_behind_the_cap_take_the_refreshed_token() {
    // The default cap of 256: the calls holding the slots meet the 401 and keep their slots
    // through the refresh, so the 244 queued behind them go out with the fresh token.
    assert_eq!(storm(256).await, 256);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_refresh_falls_back_to_one_login() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let c = Arc::new(client(&sb, PASSWORD, Duration::from_secs(20)));
    c.balance().await.unwrap();
    sb.configure(json!({"eskiz": {"refreshEnabled": false}}))
        .unwrap();
    sb.expire_tokens("eskiz");
    let results = join_all((0..200).map(|_| {
        let c = c.clone();
        async move { c.send(msg("x")).await }
    }))
    .await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(stat(&sb, "refreshFailures"), 1);
    assert_eq!(stat(&sb, "logins"), 2);
    c.close().await;
    sb.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_fails_everyone_with_one_attempt() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let c = Arc::new(client(&sb, "wrong", Duration::from_secs(5)));
    let results = join_all((0..200).map(|_| {
        let c = c.clone();
        async move { c.send(msg("x")).await }
    }))
    .await;
    for r in &results {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.code, ErrorCode::AuthFailed);
        assert_eq!(e.status, Some(401));
    }
    assert_eq!(stat(&sb, "loginFailures"), 1);
    c.close().await;
    sb.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answer_to_a_send_is_outcome_unknown_and_not_resent() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let c = client(&sb, PASSWORD, Duration::from_millis(400));
    c.balance().await.unwrap();
    sb.set_fault(json!({"path": "/message/sms/send", "kind": "timeout", "phase": "after", "latencyMs": 1500, "times": 1}))
        .unwrap();
    let e = c.send(msg("once")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutcomeUnknown);
    assert!(!e.retryable);
    sb.set_fault(
        json!({"path": "/message/sms/send", "kind": "reset", "phase": "after", "times": 1}),
    )
    .unwrap();
    let e = c.send(msg("twice")).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutcomeUnknown);
    assert_eq!(stat(&sb, "sends"), 2, "each send reached the sandbox once");
    c.close().await;
    sb.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_before_processing_of_a_read_is_retried() {
    let sb = Sandbox::start(json!({})).await.unwrap();
    let c = client(&sb, PASSWORD, Duration::from_secs(10));
    c.balance().await.unwrap();
    sb.set_fault(json!({"path": "/user/get-limit", "kind": "reset", "times": 2}))
        .unwrap();
    assert!(c.balance().await.is_ok());
    assert_eq!(sb.stats()["faultsInjected"].as_u64(), Some(2));
    c.close().await;
    sb.close().await;
}

/// Polling: a value at once, the gauge, a failed poll keeps the last value and says so, a new
/// balance is seen at the next poll, and closing stops the polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_balance_is_polled_until_close() {
    let sb = Sandbox::start(json!({"eskiz": {"initialBalance": 5000}}))
        .await
        .unwrap();
    let c = Arc::new(client(&sb, PASSWORD, Duration::from_secs(5)));
    assert_eq!(c.last_balance(), None);
    c.watch_balance(Duration::from_millis(1000), None);
    c.watch_balance(Duration::from_millis(1000), None); // a second call starts nothing more
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    while c.last_balance().is_none() {
        assert!(tokio::time::Instant::now() < until, "no first poll");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first = c.last_balance().unwrap();
    assert_eq!(
        (first.balance, first.currency.as_str(), first.failures_since),
        (5000.0, "UZS", 0)
    );
    assert!(c
        .metrics()
        .contains("uzgate_balance{provider=\"eskiz\",currency=\"UZS\"} 5000"));
    // Polls fail: the value stays, marked stale.
    sb.set_fault(
        json!({"path": "/user/get-limit", "kind": "status", "status": 500, "times": 1000}),
    )
    .unwrap();
    let until = tokio::time::Instant::now() + Duration::from_secs(8);
    while c.last_balance().unwrap().failures_since == 0 {
        assert!(tokio::time::Instant::now() < until, "no failed poll");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sb.clear_faults();
    let stale = c.last_balance().unwrap();
    assert_eq!(stale.balance, 5000.0);
    assert_eq!(stale.polled_at_ms, first.polled_at_ms);
    assert_eq!(stale.last_error, Some(ErrorCode::ProviderUnavailable));
    // A new balance is read at the next poll.
    sb.configure(json!({"eskiz": {"initialBalance": 1200}}))
        .unwrap();
    let until = tokio::time::Instant::now() + Duration::from_secs(8);
    while c.last_balance().unwrap().balance != 1200.0 {
        assert!(
            tokio::time::Instant::now() < until,
            "the new balance was never polled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fresh = c.last_balance().unwrap();
    assert_eq!((fresh.balance, fresh.failures_since), (1200.0, 0));
    assert!(fresh.polled_at_ms > first.polled_at_ms);
    // Closed: no more polls reach the provider.
    c.close().await;
    let polls = stat(&sb, "requests");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(stat(&sb, "requests"), polls);
    sb.close().await;
}
