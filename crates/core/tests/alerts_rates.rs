//! The rate alerts (OTP hourly-cap hits, failed deliveries): one alert per incident however many
//! observations cross the rule, "resolved" once the window has cooled without another event, and
//! windows in Redis that several processes (here: several connections) count together.

mod common;

use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uzgate_core::alerts::{
    AlertCallback, AlertKind, AlertState, Counts, RateRule, RateWatch, RateWindow,
};
use uzgate_core::options::AlertOptions;

type Seen = Arc<Mutex<Vec<(AlertKind, AlertState)>>>;

/// An engine whose only sink is a callback that records what it is handed.
fn engine() -> (Arc<uzgate_core::alerts::AlertEngine>, Seen) {
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let callback: AlertCallback = Arc::new(move |a| record.lock().push((a.kind, a.state)));
    let options: AlertOptions = serde_json::from_value(serde_json::json!({})).unwrap();
    let engine = options
        .build("OTP via console SMS".into(), Some(callback))
        .unwrap();
    (engine, seen)
}

async fn until(seen: &Seen, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while seen.lock().len() < n {
        assert!(
            Instant::now() < deadline,
            "{n} alerts expected, got {:?}",
            seen.lock()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn many_cap_hits_make_one_alert_and_a_quiet_window_resolves_it() {
    let (engine, seen) = engine();
    let watch = RateWatch::new(
        RateRule::CapHits { threshold: 5 },
        RateWindow::new(Duration::from_secs(1)),
        engine,
    );
    for _ in 0..50 {
        watch.observe(true);
    }
    until(&seen, 1, Duration::from_secs(2)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        *seen.lock(),
        [(AlertKind::OtpAbuse, AlertState::Firing)],
        "one alert for 50 hits"
    );
    // No event after the burst: the re-check resolves it once the window has emptied.
    let quiet = Instant::now();
    until(&seen, 2, Duration::from_secs(3)).await;
    assert!(
        quiet.elapsed() >= Duration::from_millis(500),
        "not before the hits leave the window"
    );
    assert_eq!(seen.lock()[1], (AlertKind::OtpAbuse, AlertState::Resolved));
}

fn ratio_watch(engine: Arc<uzgate_core::alerts::AlertEngine>) -> Arc<RateWatch> {
    RateWatch::new(
        RateRule::FailureRatio {
            ratio: 0.5,
            min_reports: 10,
        },
        RateWindow::new(Duration::from_secs(5)),
        engine,
    )
}

#[tokio::test]
async fn failures_under_the_ratio_or_too_few_reports_make_no_alert() {
    let (engine, seen) = engine();
    let few = ratio_watch(engine.clone());
    for _ in 0..9 {
        few.observe(true); // every report failed, but 9 are too few to judge
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(seen.lock().is_empty());

    let (engine, seen) = self::engine();
    let watch = ratio_watch(engine);
    for failed in [false; 11].into_iter().chain([true; 9]) {
        watch.observe(failed); // at most 9 of 20 failed: under half
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(seen.lock().is_empty());
    for _ in 0..2 {
        watch.observe(true); // 11 of 22
    }
    until(&seen, 1, Duration::from_secs(2)).await;
    assert_eq!(
        seen.lock()[0],
        (AlertKind::DeliveryFailures, AlertState::Firing)
    );
}

#[tokio::test]
async fn windows_in_redis_are_counted_together_by_every_connection() {
    for d in common::redis::deployments() {
        let key = format!("uzgate-test:window:{}", uuid::Uuid::new_v4());
        let windows: Vec<RateWindow> = (0..4)
            .map(|_| RateWindow::new(Duration::from_secs(1)).shared(d.connect(), key.clone()))
            .collect();
        let hit = Counts {
            total: 1,
            marked: 1,
        };
        for w in &windows {
            for _ in 0..3 {
                w.add(hit).await;
            }
        }
        let read = windows[0].add(Counts::default()).await;
        assert_eq!(
            read,
            Counts {
                total: 12,
                marked: 12
            },
            "{}",
            d.name
        );
        tokio::time::sleep(Duration::from_millis(1150)).await;
        assert_eq!(
            windows[3].add(Counts::default()).await,
            Counts::default(),
            "{}: the window moved past them",
            d.name
        );
    }
}
