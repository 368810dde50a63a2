//! Circuit breakers shared through Redis: four routers (four replicas, each with its own Redis
//! connection) send through a failing provider — the failures split across them open its breaker
//! once, every replica then skips it with no request, exactly one probe goes after the cool-down,
//! and its success closes the breaker for all. On every Redis deployment the tests start.

mod common;

use futures::future::BoxFuture;
use parking_lot::Mutex;
use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::error::{Error, ErrorCode, Provider, Result};
use uzgate_core::log::Logger;
use uzgate_core::metrics::Metrics;
use uzgate_core::sms::routing::{
    BreakerEvent, BreakerSettings, Change, Router, Routes, SharedBreakers, STALE,
};
use uzgate_core::sms::{
    Balance, BatchResult, Capabilities, DeliveryStatus, MessageStatus, SendInput, SendResult,
    SmsProvider,
};

/// A provider that counts the requests it gets and refuses them (before reading) while `down`;
/// each answer takes `slow_ms`.
#[derive(Default)]
struct Flaky {
    down: AtomicBool,
    requests: AtomicU32,
    slow_ms: AtomicU64,
}

impl SmsProvider for Flaky {
    fn kind(&self) -> Provider {
        Provider::Console
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    fn send(&self, input: SendInput) -> BoxFuture<'_, Result<SendResult>> {
        Box::pin(async move {
            self.requests.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(self.slow_ms.load(Ordering::SeqCst))).await;
            if self.down.load(Ordering::SeqCst) {
                return Err(Error::new(
                    ErrorCode::ProviderUnavailable,
                    "503 before processing",
                ));
            }
            Ok(SendResult {
                id: "m1".into(),
                provider: "console",
                status: DeliveryStatus::Pending,
                raw_status: String::new(),
                segments: 1,
                encoding: "gsm7",
                to: input.to,
                attempts: Vec::new(),
            })
        })
    }
    fn send_batch(
        &self,
        _messages: Vec<SendInput>,
        _dispatch_id: Option<u64>,
    ) -> BoxFuture<'_, Result<BatchResult>> {
        Box::pin(async { Err(Error::new(ErrorCode::NotImplemented, "no batches")) })
    }
    fn status<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<MessageStatus>> {
        Box::pin(async { Err(Error::new(ErrorCode::NotImplemented, "no status")) })
    }
    fn balance(&self) -> BoxFuture<'_, Result<Balance>> {
        Box::pin(async { Err(Error::new(ErrorCode::NotImplemented, "no balance")) })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

const SETTINGS: BreakerSettings = BreakerSettings {
    failures: 4,
    cool_down: Duration::from_millis(3_000),
};

/// What a replica's listener heard of Eskiz's breaker: the change, failures, last code.
type Heard = Arc<Mutex<Vec<(Change, u32, Option<String>)>>>;

struct Replica {
    router: Router,
    changes: Heard,
}

/// A replica: its own router, connection and breaker view, the shared providers behind it.
fn replica(
    conn: Arc<uzgate_core::redis_client::RedisConnection>,
    base: &str,
    primary: &Arc<Flaky>,
    backup: &Arc<Flaky>,
) -> Replica {
    let routes = Routes::new(
        &[("UZ".into(), vec!["eskiz".into(), "playmobile".into()])],
        &["eskiz", "playmobile"],
    )
    .unwrap();
    let mut router = Router::new(
        routes,
        vec![
            ("eskiz", primary.clone() as Arc<dyn SmsProvider>),
            ("playmobile", backup.clone() as Arc<dyn SmsProvider>),
        ],
        SETTINGS,
        "UZ".into(),
        Arc::new(Metrics::new()),
    );
    router.share_breakers(
        SharedBreakers::new(conn, base.to_string(), Logger::default()),
        SETTINGS,
    );
    let changes: Heard = Arc::default();
    let seen = changes.clone();
    router.on_breaker_change(Arc::new(move |e: &BreakerEvent| {
        if e.provider == "eskiz" {
            seen.lock()
                .push((e.change, e.failures, e.last_code.clone()));
        }
    }));
    Replica { router, changes }
}

fn message(i: usize) -> SendInput {
    SendInput {
        to: "+998901234567".into(),
        text: format!("n{i}"),
        ..Default::default()
    }
}

#[tokio::test]
async fn four_replicas_open_the_breaker_once_skip_together_probe_once_and_close_for_all() {
    for d in common::redis::deployments() {
        let base = format!("uzgate:breaker:test-{}", uuid::Uuid::new_v4());
        let eskiz = Arc::new(Flaky::default());
        let playmobile = Arc::new(Flaky::default());
        let replicas: Vec<Replica> = (0..4)
            .map(|_| replica(d.connect(), &base, &eskiz, &playmobile))
            .collect();
        // Healthy: every replica sends through Eskiz.
        for r in &replicas {
            assert_eq!(
                r.router.send(message(0), false).await.unwrap().provider,
                "console"
            );
        }
        assert_eq!(eskiz.requests.load(Ordering::SeqCst), 4, "{}", d.name);
        eskiz.down.store(true, Ordering::SeqCst);
        // One failure at each replica: four in a row across them opens it.
        for (i, r) in replicas.iter().enumerate() {
            let sent = r.router.send(message(i), false).await.unwrap();
            assert_eq!(sent.attempts[0].provider, "eskiz");
            assert_eq!(sent.attempts.len(), 2, "{}: failed over", d.name);
        }
        assert_eq!(eskiz.requests.load(Ordering::SeqCst), 8, "{}", d.name);
        let openings: usize = replicas
            .iter()
            .map(|r| {
                r.changes
                    .lock()
                    .iter()
                    .filter(|c| c.0 == Change::Opened)
                    .count()
            })
            .sum();
        assert_eq!(openings, 1, "{}: exactly one replica opened it", d.name);
        let opener = replicas
            .iter()
            .find(|r| !r.changes.lock().is_empty())
            .unwrap();
        assert_eq!(
            opener.changes.lock()[0],
            (Change::Opened, 4, Some("PROVIDER_UNAVAILABLE".into())),
            "{}",
            d.name
        );
        let opened_at = std::time::Instant::now();
        // Every replica skips Eskiz now, with no request at it, and says the state is shared:
        // a replica reads the shared state before a send when its view is older than `STALE`,
        // and in the background after `REFRESH`.
        tokio::time::sleep(STALE + Duration::from_millis(100)).await;
        for r in &replicas {
            for i in 0..5 {
                let sent = r.router.send(message(i), false).await.unwrap();
                assert_eq!(sent.attempts[0].outcome, "skipped", "{}", d.name);
            }
            let status = &r.router.status()[0];
            assert_eq!(
                (status.breaker, status.shared),
                ("open", true),
                "{}",
                d.name
            );
        }
        assert_eq!(
            eskiz.requests.load(Ordering::SeqCst),
            8,
            "{}: no request while open",
            d.name
        );
        // After the cool-down, all four send at once: exactly one probe reaches Eskiz (it takes
        // its time, so the others ask while it is out; a send after it closed would go).
        eskiz.down.store(false, Ordering::SeqCst);
        eskiz.slow_ms.store(300, Ordering::SeqCst);
        tokio::time::sleep(
            (SETTINGS.cool_down + Duration::from_millis(100)).saturating_sub(opened_at.elapsed()),
        )
        .await;
        let sends = replicas.iter().map(|r| r.router.send(message(9), false));
        let results = futures::future::join_all(sends).await;
        assert!(results.iter().all(|r| r.is_ok()), "{}", d.name);
        assert_eq!(
            eskiz.requests.load(Ordering::SeqCst),
            9,
            "{}: one probe",
            d.name
        );
        // The probe's success closed it for everyone.
        tokio::time::sleep(STALE + Duration::from_millis(100)).await;
        for r in &replicas {
            let sent = r.router.send(message(10), false).await.unwrap();
            assert_eq!(sent.attempts.len(), 1, "{}: {:?}", d.name, sent.attempts);
            assert_eq!(r.router.status()[0].breaker, "closed", "{}", d.name);
        }
        assert_eq!(eskiz.requests.load(Ordering::SeqCst), 13, "{}", d.name);
        let closings: usize = replicas
            .iter()
            .map(|r| {
                r.changes
                    .lock()
                    .iter()
                    .filter(|c| c.0 == Change::Closed)
                    .count()
            })
            .sum();
        let seen_open: usize = replicas
            .iter()
            .map(|r| {
                r.changes
                    .lock()
                    .iter()
                    .filter(|c| c.0 == Change::Opened)
                    .count()
            })
            .sum();
        assert_eq!(
            (seen_open, closings),
            (4, 4),
            "{}: each replica saw it open and close once",
            d.name
        );
    }
}

#[tokio::test]
async fn a_redis_that_does_not_answer_leaves_each_replica_its_own_breaker() {
    let target =
        uzgate_core::redis_client::RedisTarget::parse("test", "redis://127.0.0.1:1", None).unwrap();
    let conn = uzgate_core::redis_client::RedisConnection::new(target);
    let eskiz = Arc::new(Flaky::default());
    let playmobile = Arc::new(Flaky::default());
    let r = replica(conn, "uzgate:breaker:nowhere", &eskiz, &playmobile);
    eskiz.down.store(true, Ordering::SeqCst);
    for i in 0..4 {
        assert_eq!(
            r.router
                .send(message(i), false)
                .await
                .unwrap()
                .attempts
                .len(),
            2
        );
    }
    assert_eq!(r.changes.lock().len(), 1, "the local breaker opened");
    let sent = r.router.send(message(5), false).await.unwrap();
    assert_eq!(sent.attempts[0].outcome, "skipped");
    assert_eq!(eskiz.requests.load(Ordering::SeqCst), 4);
    let status = &r.router.status()[0];
    assert_eq!((status.breaker, status.shared), ("open", false));
}

#[tokio::test]
async fn four_replicas_send_one_provider_down_alert_and_one_resolved_per_provider() {
    use uzgate_core::alerts::{AlertCallback, AlertKind};
    for d in common::redis::deployments() {
        let scope = format!("Eskiz o***@example.uz {}", uuid::Uuid::new_v4());
        let sent: Arc<Mutex<Vec<(String, &'static str)>>> = Arc::default();
        let engines: Vec<_> = (0..4)
            .map(|_| {
                let record = sent.clone();
                let callback: AlertCallback = Arc::new(move |a| {
                    record
                        .lock()
                        .push((a.integration.clone(), a.state.as_str()));
                });
                let options: uzgate_core::options::AlertOptions =
                    serde_json::from_value(serde_json::json!({})).unwrap();
                let engine = options.build(scope.clone(), Some(callback)).unwrap();
                engine.share_through(d.connect(), &scope);
                engine
            })
            .collect();
        for _ in 0..5 {
            for e in &engines {
                for p in ["eskiz", "playmobile"] {
                    e.raise_about(AlertKind::ProviderDown, p, "seen".into(), "do".into());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        for e in &engines {
            e.clear_about(AlertKind::ProviderDown, "eskiz");
            e.clear_about(AlertKind::ProviderDown, "playmobile");
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        let mut sent = sent.lock().clone();
        sent.sort();
        let named = |p: &str, s| (format!("{scope}, provider {p}"), s);
        assert_eq!(
            sent,
            vec![
                named("eskiz", "firing"),
                named("eskiz", "resolved"),
                named("playmobile", "firing"),
                named("playmobile", "resolved"),
            ],
            "{}",
            d.name
        );
    }
}
