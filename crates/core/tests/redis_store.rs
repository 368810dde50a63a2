//! The Redis store and the shared rate limiter against real servers: one redis-server, one over
//! TLS, a Redis Cluster (`scripts/with-redis.sh` starts them; without it these skip).

mod common;

use common::redis::{deployments, Deployment};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uzgate_core::http::limit::Limiter;
use uzgate_core::http::Deadline;
use uzgate_core::ratelimit::RedisLimiter;
use uzgate_core::store::{Codec, RedisStore, Saved, StoredToken, TokenStore};
use uzgate_core::ErrorCode;

fn token(access: &str) -> StoredToken {
    StoredToken {
        access_token: access.into(),
        refresh_token: Some(format!("r-{access}")),
        expires_at_ms: Some(1),
        obtained_at_ms: 1,
        refused_at_ms: None,
        meta: Default::default(),
    }
}

fn unique(prefix: &str) -> String {
    format!("uzgate-test:{prefix}:{}", uuid::Uuid::new_v4())
}

#[tokio::test]
async fn compare_and_set_and_encryption() {
    for d in deployments() {
        compare_and_set_on(&d).await;
    }
}

async fn compare_and_set_on(d: &Deployment) {
    let conn = d.connect();
    let key = unique("cas");
    let store = RedisStore::new(conn.clone(), Codec::new(Some(&"22".repeat(32))).unwrap());
    assert_eq!(store.load(&key).await.unwrap(), None);
    assert_eq!(
        store.save(&key, 0, &token("first-secret")).await.unwrap(),
        Saved::Written(1)
    );
    match store.save(&key, 0, &token("late")).await.unwrap() {
        Saved::Conflict(Some(v)) => assert_eq!(v.token.access_token, "first-secret"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.save(&key, 1, &token("second-secret")).await.unwrap(),
        Saved::Written(2)
    );
    let mut c = conn.get().await.unwrap();
    let raw: String = redis::cmd("HGET")
        .arg(&key)
        .arg("data")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(!raw.contains("second-secret"), "no token in clear at rest");
    assert_eq!(
        store.load(&key).await.unwrap().unwrap().token.access_token,
        "second-secret"
    );
    // The wrong key never silently resets: it is an error.
    let wrong = RedisStore::new(conn.clone(), Codec::new(Some(&"33".repeat(32))).unwrap());
    assert_eq!(
        wrong.load(&key).await.unwrap_err().code,
        ErrorCode::StoreError
    );
    store.clear(&key).await.unwrap();
}

#[tokio::test]
async fn the_lock_is_exclusive_owned_and_leased() {
    for d in deployments() {
        lock_on(&d).await;
    }
}

async fn lock_on(d: &Deployment) {
    let conn = d.connect();
    let key = unique("lock");
    let a = RedisStore::new(conn.clone(), Codec::plain());
    let b = RedisStore::new(d.connect(), Codec::plain());
    let held = a
        .lock(&key, Duration::from_millis(400), Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap();
    // The lock sits beside the token: in a cluster `{key}:lock`, the token's hash slot.
    let mut c = conn.get().await.unwrap();
    assert_eq!(
        c.cluster(),
        d.name.contains("cluster"),
        "{}: recognised as a cluster or not",
        d.name
    );
    let lock_key = if c.cluster() {
        format!("{{{key}}}:lock")
    } else {
        format!("{key}:lock")
    };
    let exists: i64 = redis::cmd("EXISTS")
        .arg(&lock_key)
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(exists, 1, "{}: {lock_key}", d.name);
    assert_eq!(
        b.lock(&key, Duration::from_millis(400), Duration::from_millis(100))
            .await
            .err()
            .unwrap()
            .code,
        ErrorCode::StoreError
    );
    // A holder that vanishes (never releases) blocks others only until its lease runs out.
    std::mem::forget(held);
    let started = Instant::now();
    let got = b
        .lock(&key, Duration::from_secs(5), Duration::from_secs(2))
        .await
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(800));
    got.release().await;
    // Released: free at once.
    let again = a
        .lock(&key, Duration::from_secs(5), Duration::from_millis(50))
        .await
        .unwrap();
    assert!(again.is_some());
}

#[tokio::test]
async fn shared_budget_paces_all_limiters_together() {
    for d in deployments() {
        shared_budget_on(&d).await;
    }
}

async fn shared_budget_on(d: &Deployment) {
    let bucket = unique("bucket");
    let limiters: Vec<Arc<RedisLimiter>> = (0..4)
        .map(|_| Arc::new(RedisLimiter::new(d.connect(), bucket.clone(), 100.0).unwrap()))
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for l in &limiters {
        let l = l.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                l.acquire(Deadline::after(Duration::from_secs(10)))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // 100 grants at 100/s shared: about one second, however many limiters ask.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(950), "{}: {took:?}", d.name);
    assert!(took < Duration::from_millis(1600), "{}: {took:?}", d.name);
}
