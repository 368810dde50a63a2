//! What the Eskiz, amoCRM and Twilio test helpers (`common`, `amo`, `tw`) share; each
//! includes this module and re-exports what its tests use.
#![allow(dead_code)]

use std::time::Duration;

use reqwest::ClientBuilder;
use serde_json::{json, Value};
use uzgate_mock::Sandbox;

/// A sandbox configured with one provider's `section`: `defaults`, with the keys of `extra`
/// put over them.
pub async fn start(section: &str, mut defaults: Value, extra: Value) -> Sandbox {
    if let (Some(o), Value::Object(extra)) = (defaults.as_object_mut(), extra) {
        o.extend(extra);
    }
    Sandbox::start(json!({ section: defaults }))
        .await
        .expect("sandbox starts")
}

/// A client for the sandbox: never through a proxy from the environment, never hanging.
pub fn client_builder() -> ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
}

/// Polls `check` every 10 ms for up to 3 s.
pub async fn eventually<F: FnMut() -> bool>(mut check: F) -> bool {
    for _ in 0..300 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}
