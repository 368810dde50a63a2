//! OtpService end to end with the console provider (its outbox is the phone's inbox) and, on
//! each Redis deployment `scripts/with-redis.sh` starts, the Redis store shared by two service
//! instances.

mod common;
use futures::future::{join_all, BoxFuture};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::log::{Level, LogSink, Logger};
use uzgate_core::otp::{
    Challenge, MemoryOtpStore, OtpConfig, OtpService, OtpStore, RedisOtpStore, Reservation,
    SendDecision,
};
use uzgate_core::sms::{SmsClient, SmsProviderConfig};
use uzgate_core::{ErrorCode, Result, Secret};

const PHONE: &str = "+998901234567";

#[derive(Default)]
struct Lines(Mutex<Vec<String>>);
impl LogSink for Lines {
    fn log(&self, _: Level, _: &str, message: &str) {
        self.0.lock().push(message.to_string());
    }
}

/// Counts the attempts the store actually handed out.
struct Counting {
    inner: Arc<dyn OtpStore>,
    reserved: AtomicU32,
}

impl OtpStore for Counting {
    fn begin_send(
        &self,
        p: &str,
        c: Challenge,
        cd: u64,
        cap: u32,
        now: u64,
    ) -> BoxFuture<'_, Result<SendDecision>> {
        self.inner.begin_send(p, c, cd, cap, now)
    }
    fn cancel_send(&self, p: &str, id: &str) -> BoxFuture<'_, Result<()>> {
        self.inner.cancel_send(p, id)
    }
    fn reserve_attempt(&self, p: &str, now: u64) -> BoxFuture<'_, Result<Reservation>> {
        let fut = self.inner.reserve_attempt(p, now);
        Box::pin(async move {
            let r = fut.await?;
            if matches!(r, Reservation::Reserved { .. }) {
                self.reserved.fetch_add(1, Ordering::SeqCst);
            }
            Ok(r)
        })
    }
    fn consume(&self, p: &str, id: &str) -> BoxFuture<'_, Result<bool>> {
        self.inner.consume(p, id)
    }
}

fn console(log: Logger) -> Arc<SmsClient> {
    Arc::new(
        SmsClient::new(
            SmsProviderConfig::Console {
                outbox_size: 100,
                default_region: None,
            },
            log,
        )
        .unwrap(),
    )
}

fn config() -> OtpConfig {
    let mut c = OtpConfig::new(Secret::from("test-secret-at-least-16"));
    c.app_name = Some("MyShop".into());
    c
}

/// The code from the last SMS, as the user reads it.
fn received(sms: &SmsClient) -> String {
    let text = sms.outbox().last().unwrap().text.clone();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|s| s.len() == 6)
        .unwrap()
        .to_string()
}

fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + ((c as u8 - b'0' + 1) % 10)))
        .collect()
}

#[tokio::test]
async fn a_code_passes_once_and_wrong_codes_count() {
    let lines = Arc::new(Lines::default());
    let log = Logger::new("t", Some(lines.clone()));
    let sms = console(log.clone());
    let otp = OtpService::new(sms.clone(), Arc::new(MemoryOtpStore::new()), config(), log).unwrap();
    let sent = otp.send("90 123 45 67").await.unwrap();
    assert_eq!((sent.expires_in_seconds, sent.resend_in_seconds), (300, 60));
    assert!(sent.dev_code.is_none());
    let code = received(&sms);
    assert!(sms.outbox()[0].text.starts_with("MyShop tasdiqlash kodi: "));
    let v = otp.verify(PHONE, &wrong(&code)).await.unwrap();
    assert_eq!(
        (v.ok, v.reason, v.attempts_left),
        (false, Some("invalid"), Some(4))
    );
    assert!(otp.verify(PHONE, &code).await.unwrap().ok);
    assert_eq!(
        otp.verify(PHONE, &code).await.unwrap().reason,
        Some("not_found"),
        "single use"
    );
    let malformed = otp.verify(PHONE, "12ab56").await.unwrap();
    assert_eq!(malformed.reason, Some("invalid"));
    let all = lines.0.lock().join("\n");
    assert!(!all.contains(&code), "the code never reaches a log line");
    assert!(!all.contains("998901234567"));
}

#[tokio::test]
async fn codes_expire() {
    let sms = console(Logger::default());
    let mut c = config();
    c.ttl = Duration::from_secs(1);
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .unwrap();
    otp.send(PHONE).await.unwrap();
    let code = received(&sms);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        otp.verify(PHONE, &code).await.unwrap().reason,
        Some("expired")
    );
}

#[tokio::test]
async fn cooldown_and_hourly_cap() {
    let sms = console(Logger::default());
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        config(),
        Logger::default(),
    )
    .unwrap();
    otp.send(PHONE).await.unwrap();
    let e = otp.send(PHONE).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert_eq!(e.details.unwrap()["reason"], "cooldown");
    assert!(e.retry_after.unwrap() > Duration::from_secs(58));
    assert_eq!(sms.outbox().len(), 1, "no SMS for a refused send");

    let mut c = config();
    c.resend_cooldown = Duration::ZERO;
    c.max_sends_per_hour = 3;
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .unwrap();
    for _ in 0..3 {
        otp.send("+998911234567").await.unwrap();
    }
    let e = otp.send("+998911234567").await.unwrap_err();
    assert_eq!(e.details.unwrap()["reason"], "hourly_cap");
    assert!(e.retry_after.unwrap() > Duration::from_secs(3590));
    // A resend replaces the code: the previous one no longer passes.
}

#[tokio::test]
async fn a_resend_replaces_the_previous_code() {
    let sms = console(Logger::default());
    let mut c = config();
    c.resend_cooldown = Duration::ZERO;
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .unwrap();
    otp.send(PHONE).await.unwrap();
    let first = received(&sms);
    otp.send(PHONE).await.unwrap();
    let second = received(&sms);
    if first != second {
        assert_eq!(
            otp.verify(PHONE, &first).await.unwrap().reason,
            Some("invalid")
        );
    }
    assert!(otp.verify(PHONE, &second).await.unwrap().ok);
}

async fn hundred_parallel_wrong_guesses(
    a: Arc<OtpService>,
    b: Arc<OtpService>,
    counting: &Counting,
    sms: &SmsClient,
) {
    a.send(PHONE).await.unwrap();
    let code = received(sms);
    let bad = wrong(&code);
    let outcomes = join_all((0..100).map(|i| {
        let svc = if i % 2 == 0 { a.clone() } else { b.clone() };
        let bad = bad.clone();
        async move { svc.verify(PHONE, &bad).await.unwrap() }
    }))
    .await;
    assert!(outcomes.iter().all(|o| !o.ok));
    assert_eq!(
        counting.reserved.load(Ordering::SeqCst),
        5,
        "at most maxAttempts evaluated"
    );
    let right = a.verify(PHONE, &code).await.unwrap();
    assert_eq!((right.ok, right.reason), (false, Some("too_many_attempts")));
}

#[tokio::test]
async fn parallel_guesses_are_bounded_in_memory() {
    let sms = console(Logger::default());
    let counting = Arc::new(Counting {
        inner: Arc::new(MemoryOtpStore::new()),
        reserved: AtomicU32::new(0),
    });
    let svc = Arc::new(
        OtpService::new(sms.clone(), counting.clone(), config(), Logger::default()).unwrap(),
    );
    hundred_parallel_wrong_guesses(svc.clone(), svc, &counting, &sms).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_bounded_across_replicas_in_redis() {
    for d in common::redis::deployments() {
        parallel_guesses_on(&d).await;
    }
}

async fn parallel_guesses_on(d: &common::redis::Deployment) {
    let prefix = format!("uzgate-test:otp:{}", uuid::Uuid::new_v4());
    let sms = console(Logger::default());
    let counting = Arc::new(Counting {
        inner: Arc::new(RedisOtpStore::new(d.connect(), Some(prefix.clone()))),
        reserved: AtomicU32::new(0),
    });
    let second = Arc::new(RedisOtpStore::new(d.connect(), Some(prefix)));
    let a = Arc::new(
        OtpService::new(sms.clone(), counting.clone(), config(), Logger::default()).unwrap(),
    );
    let b = Arc::new(OtpService::new(sms.clone(), second, config(), Logger::default()).unwrap());
    // `b` reserves through its own connection; the count covers `a`'s share, so check the
    // total through outcomes too.
    a.send(PHONE).await.unwrap();
    let code = received(&sms);
    let bad = wrong(&code);
    let outcomes = join_all((0..100).map(|i| {
        let svc = if i % 2 == 0 { a.clone() } else { b.clone() };
        let bad = bad.clone();
        async move { svc.verify(PHONE, &bad).await.unwrap() }
    }))
    .await;
    let evaluated = outcomes
        .iter()
        .filter(|o| {
            o.reason == Some("invalid")
                || (o.reason == Some("too_many_attempts") && o.attempts_left == Some(0))
        })
        .count();
    assert!(evaluated >= 5, "{}: {evaluated} evaluated", d.name);
    let invalid = outcomes
        .iter()
        .filter(|o| o.reason == Some("invalid"))
        .count();
    assert_eq!(
        invalid, 4,
        "four wrong guesses with attempts left, then the code is dead"
    );
    assert!(!a.verify(PHONE, &code).await.unwrap().ok);
    assert!(!b.verify(PHONE, &code).await.unwrap().ok);
    // Cooldown is shared too.
    assert_eq!(
        b.send(PHONE).await.unwrap_err().code,
        ErrorCode::RateLimited
    );
}

#[tokio::test]
async fn dev_mode_returns_the_code_and_is_refused_with_real_providers() {
    let sms = console(Logger::default());
    let mut c = config();
    c.dev_mode = true;
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .unwrap();
    let sent = otp.send(PHONE).await.unwrap();
    assert_eq!(sent.dev_code.as_deref(), Some(received(&sms).as_str()));

    let eskiz = Arc::new(
        SmsClient::new(
            SmsProviderConfig::Eskiz(Box::new(uzgate_core::providers::eskiz::EskizConfig {
                email: "a@b.uz".into(),
                password: "p".into(),
                base_url: Some("http://127.0.0.1:9".into()),
                from: None,
                callback_url: None,
                http: Default::default(),
                manager: Default::default(),
                store: None,
                store_key: None,
            })),
            Logger::default(),
        )
        .unwrap(),
    );
    let mut c = config();
    c.dev_mode = true;
    let err = OtpService::new(
        eskiz.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .err()
    .unwrap();
    assert_eq!(err.code, ErrorCode::Config);
    let mut c = config();
    c.dev_mode = true;
    c.force_dev_mode = true;
    assert!(OtpService::new(eskiz, Arc::new(MemoryOtpStore::new()), c, Logger::default()).is_ok());
}

#[tokio::test]
async fn configuration_is_checked() {
    let sms = console(Logger::default());
    let store = || Arc::new(MemoryOtpStore::new()) as Arc<dyn OtpStore>;
    for bad in [
        OtpConfig {
            length: 3,
            ..config()
        },
        OtpConfig {
            secret: Secret::from("short"),
            ..config()
        },
        OtpConfig {
            template: Some("no code here".into()),
            ..config()
        },
        OtpConfig {
            max_attempts: 0,
            ..config()
        },
        OtpConfig {
            app_name: None,
            template: Some("{app}: {code}".into()),
            ..config()
        },
    ] {
        assert_eq!(
            OtpService::new(sms.clone(), store(), bad, Logger::default())
                .err()
                .unwrap()
                .code,
            ErrorCode::Config
        );
    }
}
