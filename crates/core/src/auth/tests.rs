//! The manager's guarantees, with a scripted authenticator and tokio's paused clock (no real
//! sleeping to reach an expiry).

use super::*;
use crate::error::ErrorCode;
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::store::{unix_now_ms, MemoryStore, Saved, TokenStore};
use futures::future::join_all;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Issues `token-N` tokens valid for `ttl`, after `delay`; fails while `fail_with` is set.
struct Scripted {
    calls: AtomicU32,
    delay: Duration,
    ttl: Option<Duration>,
    fail_with: Mutex<Option<Error>>,
    seen: Mutex<Vec<Option<String>>>,
}

impl Scripted {
    fn new(delay: Duration, ttl: Option<Duration>) -> Arc<Self> {
        Arc::new(Scripted {
            calls: AtomicU32::new(0),
            delay,
            ttl,
            fail_with: Mutex::new(None),
            seen: Mutex::new(Vec::new()),
        })
    }
    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Authenticator for Scripted {
    fn provider(&self) -> Provider {
        Provider::Eskiz
    }
    fn obtain(self: Arc<Self>, current: Option<StoredToken>) -> BoxFuture<'static, Result<Issued>> {
        async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            self.seen.lock().push(current.map(|t| t.access_token));
            tokio::time::sleep(self.delay).await;
            if let Some(e) = self.fail_with.lock().clone() {
                return Err(e);
            }
            Ok(Issued {
                token: StoredToken {
                    access_token: format!("token-{n}"),
                    refresh_token: Some(format!("refresh-{n}")),
                    expires_at_ms: self.ttl.map(|t| unix_now_ms() + t.as_millis() as u64),
                    obtained_at_ms: unix_now_ms(),
                    refused_at_ms: None,
                    meta: Default::default(),
                },
                kind: if n == 1 {
                    IssueKind::Login
                } else {
                    IssueKind::Refresh
                },
            })
        }
        .boxed()
    }
}

fn manager_with(
    auth: Arc<Scripted>,
    store: Arc<dyn TokenStore>,
    options: ManagerOptions,
) -> Arc<TokenManager> {
    TokenManager::new(
        "test-key".into(),
        auth,
        store,
        options,
        Logger::default(),
        Arc::new(Metrics::new()),
    )
}

fn manager(auth: Arc<Scripted>) -> Arc<TokenManager> {
    manager_over(auth, Arc::new(MemoryStore::new()))
}

/// A manager without proactive refresh over `store` (shared with other "processes").
fn manager_over(auth: Arc<Scripted>, store: Arc<dyn TokenStore>) -> Arc<TokenManager> {
    manager_with(
        auth,
        store,
        ManagerOptions {
            proactive: false,
            ..Default::default()
        },
    )
}

fn far() -> Deadline {
    Deadline::after(Duration::from_secs(60))
}

fn access(m: &Arc<TokenManager>) -> String {
    m.current().unwrap().access.expose().to_string()
}

#[tokio::test(start_paused = true)]
async fn first_use_obtains_once_for_many_callers() {
    let auth = Scripted::new(Duration::from_millis(100), None);
    let m = manager(auth.clone());
    let creds = join_all((0..500).map(|_| m.credential(far()))).await;
    assert!(creds.iter().all(|c| c.as_ref().unwrap().generation == 1));
    assert_eq!(auth.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_thousand_rejections_of_one_generation_cause_one_refresh() {
    let auth = Scripted::new(Duration::from_millis(50), None);
    let m = manager(auth.clone());
    let first = m.credential(far()).await.unwrap();
    let results = join_all((0..1000).map(|_| m.rejected(first.generation, far()))).await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(auth.calls(), 2, "one login, then exactly one refresh");
    assert_eq!(m.current().unwrap().generation, 2);
    // The refresh was handed the token it replaces.
    assert_eq!(auth.seen.lock()[1].as_deref(), Some("token-1"));
}

#[tokio::test(start_paused = true)]
async fn a_stale_generation_retries_without_refreshing() {
    let auth = Scripted::new(Duration::ZERO, None);
    let m = manager(auth.clone());
    let first = m.credential(far()).await.unwrap();
    m.rejected(first.generation, far()).await.unwrap();
    assert_eq!(auth.calls(), 2);
    // A request sent with generation 1 that fails late must not refresh generation 2 away.
    m.rejected(first.generation, far()).await.unwrap();
    assert_eq!(auth.calls(), 2);
    assert_eq!(access(&m), "token-2");
}

#[tokio::test(start_paused = true)]
async fn a_failure_reaches_every_waiter_and_is_latched_not_cached_forever() {
    let auth = Scripted::new(Duration::from_millis(10), None);
    *auth.fail_with.lock() = Some(Error::new(ErrorCode::AuthFailed, "wrong password"));
    let m = manager(auth.clone());
    let results = join_all((0..300).map(|_| m.credential(far()))).await;
    assert!(results
        .iter()
        .all(|r| r.as_ref().unwrap_err().code == ErrorCode::AuthFailed));
    assert_eq!(auth.calls(), 1, "one attempt per burst");
    // A second burst inside the backoff costs nothing.
    let again = join_all((0..300).map(|_| m.credential(far()))).await;
    assert!(again.iter().all(|r| r.is_err()));
    assert_eq!(auth.calls(), 1);
    assert_eq!(m.status().state, "failed");
    // After the backoff, with the credentials fixed, it recovers.
    *auth.fail_with.lock() = None;
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(m.credential(far()).await.is_ok());
    assert_eq!(auth.calls(), 2);
    assert_eq!(m.status().state, "valid");
}

#[tokio::test(start_paused = true)]
async fn manual_refresh_clears_the_latch() {
    let auth = Scripted::new(Duration::ZERO, None);
    *auth.fail_with.lock() = Some(Error::new(ErrorCode::Network, "down"));
    let m = manager(auth.clone());
    assert!(m.credential(far()).await.is_err());
    *auth.fail_with.lock() = None;
    m.force_refresh().await.unwrap();
    assert_eq!(auth.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_refresh_finishes_even_when_its_caller_gives_up() {
    let auth = Scripted::new(Duration::from_secs(5), None);
    let m = manager(auth.clone());
    let err = m
        .credential(Deadline::after(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        access(&m),
        "token-1",
        "the spawned refresh published its token"
    );
    assert_eq!(auth.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn proactive_refresh_happens_before_expiry_without_blocking() {
    let auth = Scripted::new(Duration::from_millis(10), Some(Duration::from_secs(3)));
    let m = manager_with(
        auth.clone(),
        Arc::new(MemoryStore::new()),
        ManagerOptions::default(),
    );
    m.credential(far()).await.unwrap();
    // Margin 60 s is clamped to half of the 3 s lifetime: the refresh comes at ~1.5 s.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(auth.calls(), 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(auth.calls(), 2);
    // Across 10 s of a 3 s token, a fresh one is always ready: no caller ever waits.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(m.ready().is_some(), "a valid token is always at hand");
    }
    assert!(auth.calls() >= 7, "{} refreshes", auth.calls());
    m.close().await;
    let calls = auth.calls();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(auth.calls(), calls, "close stops the background task");
    assert_eq!(
        m.credential(far()).await.unwrap_err().code,
        ErrorCode::Closed
    );
}

/// A store as another process sees it (someone else may write between our reads), with faults.
type PeerStore = crate::store::FaultyStore;

fn token(access: &str, ttl: Duration) -> StoredToken {
    StoredToken {
        access_token: access.into(),
        refresh_token: Some(format!("r-{access}")),
        expires_at_ms: Some(unix_now_ms() + ttl.as_millis() as u64),
        obtained_at_ms: unix_now_ms(),
        refused_at_ms: None,
        meta: Default::default(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_refreshed_by_another_process_is_adopted_without_a_request() {
    let auth = Scripted::new(Duration::ZERO, Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    let m = manager_over(auth.clone(), store.clone());
    let first = m.credential(far()).await.unwrap();
    assert_eq!(auth.calls(), 1);
    // Another process refreshes and saves version 2.
    assert_eq!(
        store
            .save(
                "test-key",
                1,
                &token("peer-token", Duration::from_secs(3600))
            )
            .await
            .unwrap(),
        Saved::Written(2)
    );
    m.rejected(first.generation, far()).await.unwrap();
    assert_eq!(auth.calls(), 1, "adopted, not refreshed");
    assert_eq!(access(&m), "peer-token");
    assert_eq!(m.status().adopted, 1);
}

#[tokio::test(start_paused = true)]
async fn an_expired_stored_token_is_refreshed_with_its_refresh_token() {
    let auth = Scripted::new(Duration::ZERO, Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    store
        .save("test-key", 0, &token("old", Duration::ZERO))
        .await
        .unwrap();
    let m = manager_over(auth.clone(), store.clone());
    m.credential(far()).await.unwrap();
    assert_eq!(auth.seen.lock()[0].as_deref(), Some("old"));
    assert_eq!(store.load("test-key").await.unwrap().unwrap().version, 2);
    assert!(
        store.locks.load(Ordering::SeqCst) >= 1,
        "the lock was taken"
    );
}

#[tokio::test(start_paused = true)]
async fn a_rejected_refresh_token_is_terminal_until_new_credentials_are_installed() {
    let auth = Scripted::new(Duration::ZERO, Some(Duration::from_secs(3600)));
    let m = manager(auth.clone());
    let first = m.credential(far()).await.unwrap();
    *auth.fail_with.lock() = Some(Error::new(
        ErrorCode::ReauthorizationRequired,
        "refresh token revoked",
    ));
    let err = m.rejected(first.generation, far()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ReauthorizationRequired);
    assert_eq!(m.status().state, "reauthorization_required");
    // No loop: later failures cost no request, even after the latch ran out.
    tokio::time::advance(Duration::from_secs(120)).await;
    assert!(m.rejected(first.generation, far()).await.is_err());
    assert_eq!(auth.calls(), 2);
    m.install(
        token("fresh", Duration::from_secs(3600)),
        IssueKind::Exchange,
    )
    .await
    .unwrap();
    assert_eq!(m.status().state, "valid");
    assert_eq!(access(&m), "fresh");
}

#[tokio::test(start_paused = true)]
async fn status_never_shows_the_token() {
    let auth = Scripted::new(Duration::ZERO, Some(Duration::from_secs(3600)));
    let m = manager(auth);
    m.credential(far()).await.unwrap();
    let text = serde_json::to_string(&m.status()).unwrap();
    assert!(
        !text.contains("token-1") && !text.contains("refresh-1"),
        "{text}"
    );
    assert!(!format!("{:?}", m.current().unwrap()).contains("token-1"));
}

#[tokio::test(start_paused = true)]
async fn the_last_handle_closes_a_shared_manager() {
    let auth = Scripted::new(Duration::ZERO, None);
    let make = || {
        let auth = auth.clone();
        move || manager(auth)
    };
    let a = shared_manager("registry-test", make());
    let b = shared_manager("registry-test", make());
    assert!(Arc::ptr_eq(&a, &b), "same credential, same manager");
    a.close().await;
    assert!(!b.is_closed());
    b.close().await;
    assert!(b.is_closed());
    let c = shared_manager("registry-test", make());
    assert!(!c.is_closed(), "a closed manager is replaced");
}

#[tokio::test(start_paused = true)]
async fn a_manual_refresh_in_a_fresh_process_replaces_the_stored_token() {
    let auth = Scripted::new(Duration::ZERO, Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    store
        .save("test-key", 0, &token("stored", Duration::from_secs(3600)))
        .await
        .unwrap();
    let m = manager_over(auth.clone(), store.clone());
    let status = m.stored_status().await.unwrap();
    assert_eq!((status.state, status.generation), ("valid", 0));
    assert_eq!(auth.calls(), 0, "inspecting the store makes no request");
    m.force_refresh().await.unwrap();
    assert_eq!(auth.calls(), 1);
    assert_eq!(auth.seen.lock()[0].as_deref(), Some("stored"));
    assert_eq!(access(&m), "token-1");
    assert_eq!(store.load("test-key").await.unwrap().unwrap().version, 2);
}

#[test]
fn a_lock_lease_not_longer_than_the_refresh_timeout_is_a_config_error() {
    let options = |lease_ms, timeout_ms| ManagerOptions {
        lock_lease: Duration::from_millis(lease_ms),
        refresh_timeout: Duration::from_millis(timeout_ms),
        ..Default::default()
    };
    assert!(ManagerOptions::default().validate().is_ok());
    assert!(options(1500, 1000).validate().is_ok());
    for (lease, timeout) in [(10_000, 10_000), (5_000, 10_000), (1_000, 0)] {
        assert_eq!(
            options(lease, timeout).validate().unwrap_err().code,
            ErrorCode::Config
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_under_the_legacy_default_key_is_adopted_once_and_moved() {
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let key = crate::store::StoreKey::derived("uzgate:eskiz", "ops@example.uz");
    let legacy = key.legacy.clone().unwrap();
    let old = StoredToken {
        access_token: "legacy-access".into(),
        refresh_token: None,
        expires_at_ms: None,
        obtained_at_ms: unix_now_ms(),
        refused_at_ms: None,
        meta: Default::default(),
    };
    store.save(&legacy, 0, &old).await.unwrap();
    let auth = Scripted::new(Duration::from_millis(10), None);
    let m = TokenManager::new(
        key.clone(),
        auth.clone(),
        store.clone(),
        ManagerOptions {
            proactive: false,
            ..Default::default()
        },
        Logger::default(),
        Arc::new(Metrics::new()),
    );
    m.credential(far()).await.unwrap();
    assert_eq!(auth.calls(), 0, "adopted, no login");
    assert_eq!(access(&m), "legacy-access");
    let moved = store.load(&key.current).await.unwrap().unwrap();
    assert_eq!((moved.version, moved.token), (1, old));
    assert_eq!(store.load(&legacy).await.unwrap(), None);
}

#[tokio::test(start_paused = true)]
async fn a_store_call_that_never_settles_fails_one_refresh_and_the_next_asks_again() {
    let auth = Scripted::new(Duration::from_millis(10), None);
    let store = Arc::new(PeerStore::default());
    store.hang_loads.store(1, Ordering::SeqCst);
    let m = manager_over(auth.clone(), store.clone());
    // Every caller of the stuck refresh gets the store's failure at its deadline (5 s), not a
    // timeout of its own call budget.
    let started = tokio::time::Instant::now();
    let first = join_all((0..50).map(|_| m.credential(far()))).await;
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert!(first
        .iter()
        .all(|r| r.as_ref().unwrap_err().code == ErrorCode::StoreError));
    let status = m.status();
    assert_eq!(
        (status.state, status.failures, status.last_error_code),
        ("failed", 1, Some("STORE_ERROR"))
    );
    assert_eq!(auth.calls(), 0, "nothing was obtained while the store hung");
    // After the one-second backoff the store is asked again and the refresh goes through.
    tokio::time::advance(Duration::from_millis(1300)).await;
    let next = join_all((0..50).map(|_| m.credential(far()))).await;
    assert!(next.iter().all(|r| r.is_ok()));
    assert_eq!(auth.calls(), 1);
    assert_eq!(
        store.loads.load(Ordering::SeqCst),
        3,
        "the hung load, one that answers, and the re-read once peers had time to write back"
    );
    assert_eq!(m.status().state, "valid");
}

/// Collects the names of the events a manager emits.
#[derive(Default)]
struct Events(Mutex<Vec<&'static str>>);

impl crate::events::EventSink for Events {
    fn event(&self, event: &crate::events::TokenEvent) {
        self.0.lock().push(event.name());
    }
}

fn stored_access(store: &PeerStore) -> Option<(u64, String)> {
    futures::executor::block_on(store.inner.load("test-key"))
        .unwrap()
        .map(|v| (v.version, v.token.access_token))
}

#[tokio::test(start_paused = true)]
async fn a_token_obtained_while_the_store_fails_is_used_and_saved_once_the_store_answers() {
    let auth = Scripted::new(Duration::from_millis(10), None);
    let store = Arc::new(PeerStore::default());
    store.fail_saves.store(3, Ordering::SeqCst);
    let m = manager_over(auth.clone(), store.clone());
    let events = Arc::new(Events::default());
    m.subscribe(events.clone());
    // Used at once, although the save failed.
    assert!(m.credential(far()).await.is_ok());
    assert_eq!(access(&m), "token-1");
    assert_eq!(m.status().persisted, Some(false));
    assert_eq!(stored_access(&store), None);
    assert_eq!(*events.0.lock(), vec!["token_refreshed", "token_unsaved"]);
    // Saved again in the background (250 ms, 500 ms, …) until the store answers.
    tokio::time::sleep(Duration::from_millis(260)).await;
    assert_eq!(stored_access(&store), None, "the second save failed too");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(stored_access(&store), Some((1, "token-1".to_string())));
    assert_eq!(m.status().persisted, Some(true));
    assert_eq!(auth.calls(), 1, "nothing obtained twice");
}

#[tokio::test(start_paused = true)]
async fn while_unsaved_the_next_refresh_starts_from_the_held_token_not_the_stale_stored_one() {
    let auth = Scripted::new(Duration::from_millis(10), None);
    let store = Arc::new(PeerStore::default());
    let mut old = token("stored-old", Duration::from_secs(3600));
    old.obtained_at_ms -= 60_000;
    store.inner.save("test-key", 0, &old).await.unwrap();
    let m = manager_over(auth.clone(), store.clone());
    assert!(m.credential(far()).await.is_ok());
    assert_eq!(access(&m), "stored-old", "adopted");
    store.fail_saves.store(u32::MAX, Ordering::SeqCst);
    m.force_refresh().await.unwrap();
    assert_eq!(access(&m), "token-1");
    // The store still holds the spent pair: refreshing from it would reuse a dead refresh token.
    m.force_refresh().await.unwrap();
    assert_eq!(access(&m), "token-2");
    assert_eq!(
        *auth.seen.lock(),
        vec![Some("stored-old".to_string()), Some("token-1".to_string())]
    );
    assert_eq!(stored_access(&store), Some((1, "stored-old".to_string())));
    store.fail_saves.store(0, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(stored_access(&store), Some((2, "token-2".to_string())));
    assert_eq!(m.status().persisted, Some(true));
}

#[tokio::test(start_paused = true)]
async fn a_store_that_lost_its_data_gets_the_held_pair_refreshed_and_written_back() {
    let auth = Scripted::new(Duration::from_millis(10), Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    let m = manager_over(auth.clone(), store.clone());
    assert!(m.credential(far()).await.is_ok());
    assert_eq!(stored_access(&store), Some((1, "token-1".to_string())));
    // The store restarts empty (no persistence).
    store.inner.clear("test-key").await.unwrap();
    m.force_refresh().await.unwrap();
    assert_eq!(
        auth.seen.lock().last().cloned().flatten().as_deref(),
        Some("token-1"),
        "refreshed from the pair this process holds, not from nothing (a login, or for amoCRM \
         a dead integration)"
    );
    assert_eq!(stored_access(&store), Some((1, "token-2".to_string())));
}

#[tokio::test(start_paused = true)]
async fn a_store_rolled_back_to_an_older_pair_is_not_adopted() {
    let auth = Scripted::new(Duration::from_millis(10), Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    let m = manager_over(auth.clone(), store.clone());
    assert!(m.credential(far()).await.is_ok());
    m.force_refresh().await.unwrap();
    assert_eq!(stored_access(&store), Some((2, "token-2".to_string())));
    // Restored from an old backup: version 1 again, with a pair obtained before ours.
    store.inner.clear("test-key").await.unwrap();
    let mut backup = token("from-backup", Duration::from_secs(3600));
    backup.obtained_at_ms -= 3_600_000;
    store.inner.save("test-key", 0, &backup).await.unwrap();
    m.force_refresh().await.unwrap();
    assert_eq!(access(&m), "token-3");
    assert_eq!(
        auth.seen.lock().last().cloned().flatten().as_deref(),
        Some("token-2")
    );
    assert_eq!(stored_access(&store), Some((2, "token-3".to_string())));
}

#[tokio::test(start_paused = true)]
async fn after_an_outage_a_peer_waits_for_the_pair_obtained_meanwhile_instead_of_refreshing_from_the_spent_one(
) {
    let auth = Scripted::new(Duration::from_millis(10), Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    let a = manager_over(auth.clone(), store.clone());
    let b = manager_over(auth.clone(), store.clone());
    assert!(a.credential(far()).await.is_ok());
    assert!(b.credential(far()).await.is_ok());
    assert_eq!(
        (access(&a), access(&b)),
        ("token-1".into(), "token-1".into())
    );
    // A refreshes; the store dies between its read and its save.
    store.fail_saves.store(1, Ordering::SeqCst);
    a.force_refresh().await.unwrap();
    assert_eq!(access(&a), "token-2");
    store.down.store(true, Ordering::SeqCst);
    // B's token is refused meanwhile: without the store it cannot refresh.
    assert_eq!(
        b.force_refresh().await.unwrap_err().code,
        ErrorCode::StoreError
    );
    // The store comes back holding the spent pair (token-1, version 1).
    tokio::time::advance(Duration::from_millis(100)).await;
    store.down.store(false, Ordering::SeqCst);
    tokio::time::advance(Duration::from_millis(1500)).await;
    let refreshed = b.force_refresh().await.unwrap();
    assert_eq!(
        access(&b),
        "token-2",
        "B took A's pair, written back meanwhile"
    );
    assert_eq!(
        auth.calls(),
        2,
        "token-1's refresh token presented once only"
    );
    assert_eq!(refreshed.store_version(), 2);
    assert_eq!(stored_access(&store), Some((2, "token-2".to_string())));
}

#[tokio::test(start_paused = true)]
async fn a_peers_pair_written_back_under_our_old_version_number_is_adopted() {
    let auth = Scripted::new(Duration::from_millis(10), Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    let m = manager_over(auth.clone(), store.clone());
    assert!(m.credential(far()).await.is_ok());
    assert_eq!(stored_access(&store), Some((1, "token-1".to_string())));
    // The store lost its data; a peer wrote back the pair it obtained meanwhile: version 1 again.
    store.inner.clear("test-key").await.unwrap();
    let peers = token("peer-pair", Duration::from_secs(3600));
    store.inner.save("test-key", 0, &peers).await.unwrap();
    m.force_refresh().await.unwrap();
    assert_eq!(access(&m), "peer-pair", "adopted, not refreshed");
    assert_eq!(auth.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_refusal_is_noted_in_the_store_so_peers_never_present_the_same_refresh_token() {
    let auth = Scripted::new(Duration::ZERO, Some(Duration::from_secs(3600)));
    let store = Arc::new(PeerStore::default());
    let a = manager_over(auth.clone(), store.clone());
    let b = manager_over(auth.clone(), store.clone());
    let first = a.credential(far()).await.unwrap();
    let seen_by_b = b.credential(far()).await.unwrap();
    assert_eq!(auth.calls(), 1, "B took A's token from the store");
    *auth.fail_with.lock() = Some(Error::new(
        ErrorCode::ReauthorizationRequired,
        "refresh token revoked",
    ));
    let err = a.rejected(first.generation, far()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ReauthorizationRequired);
    assert_eq!(auth.calls(), 2);
    // The hot path stops handing out the refused token: no request is sent with it.
    assert!(RequestAuth::ready(&a).is_none());
    // B's token is rejected too: it reads the note instead of asking the provider.
    let err = b.rejected(seen_by_b.generation, far()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::ReauthorizationRequired);
    assert!(
        err.message.contains("noted in the token store"),
        "{}",
        err.message
    );
    assert_eq!(
        auth.calls(),
        2,
        "the refused refresh token was presented once"
    );
    assert_eq!(b.status().state, "reauthorization_required");
    assert!(RequestAuth::ready(&b).is_none());
    // A new authorisation in one process clears it for all.
    *auth.fail_with.lock() = None;
    a.install(
        token("fresh", Duration::from_secs(3600)),
        IssueKind::Exchange,
    )
    .await
    .unwrap();
    tokio::time::advance(Duration::from_secs(2)).await;
    let again = b.credential(far()).await.unwrap();
    assert_eq!(access(&b), "fresh");
    assert!(again.generation > seen_by_b.generation);
    assert_eq!(auth.calls(), 2);
}
