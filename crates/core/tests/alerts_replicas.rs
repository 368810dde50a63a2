//! Every alert kind, raised by four replicas at once (four engines, each with its own Redis
//! connection and incidents, as four processes have) again and again: one message per incident
//! between them, and one "resolved" — on every Redis deployment the tests start.

mod common;

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::alerts::{AlertCallback, AlertKind, AlertState};
use uzgate_core::options::AlertOptions;

const KINDS: [AlertKind; 9] = [
    AlertKind::ReauthorizationRequired,
    AlertKind::RefreshFailing,
    AlertKind::TokenUnsaved,
    AlertKind::AccessBlocked,
    AlertKind::AccountUnpaid,
    AlertKind::LowBalance,
    AlertKind::DeliveryFailures,
    AlertKind::OtpAbuse,
    AlertKind::OtpBudgetExhausted,
];

type Sent = Arc<Mutex<BTreeMap<(&'static str, &'static str), u32>>>;

#[tokio::test]
async fn four_replicas_send_one_alert_and_one_resolved_per_incident_of_every_kind() {
    for d in common::redis::deployments() {
        let scope = format!("amoCRM replicas-{}.amocrm.ru", uuid::Uuid::new_v4());
        let sent: Sent = Arc::default();
        let replicas: Vec<_> = (0..4)
            .map(|_| {
                let record = sent.clone();
                let callback: AlertCallback = Arc::new(move |a| {
                    *record
                        .lock()
                        .entry((a.kind.as_str(), a.state.as_str()))
                        .or_default() += 1;
                });
                let options: AlertOptions = serde_json::from_value(serde_json::json!({})).unwrap();
                let engine = options.build(scope.clone(), Some(callback)).unwrap();
                engine.share_through(d.connect(), &scope);
                engine
            })
            .collect();
        let raises: Vec<_> = replicas
            .iter()
            .map(|e| {
                let e = e.clone();
                tokio::spawn(async move {
                    for _ in 0..10 {
                        for kind in KINDS {
                            e.raise(kind, "seen".into(), "do this".into());
                        }
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for r in raises {
            r.await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        for e in &replicas {
            for kind in KINDS {
                e.clear(kind);
            }
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        let sent = sent.lock().clone();
        for kind in KINDS {
            for state in [AlertState::Firing, AlertState::Resolved] {
                assert_eq!(
                    sent.get(&(kind.as_str(), state.as_str())),
                    Some(&1),
                    "{}: {} {}",
                    d.name,
                    kind.as_str(),
                    state.as_str()
                );
            }
        }
        assert_eq!(sent.len(), 2 * KINDS.len(), "{}: {sent:?}", d.name);
    }
}
