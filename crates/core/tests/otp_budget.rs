//! The defences against SMS pumping, end to end with the console provider (its outbox counts
//! what was sent): the global and per-region budgets hold exactly under concurrency, the prefix
//! limit counts a block of numbers together, the per-IP limit counts an IPv6 /64 as one client,
//! a slot taken by an earlier gate goes back when a later one refuses; and on each Redis
//! deployment `scripts/with-redis.sh` starts, the windows script and two services sharing one
//! budget.

mod common;
use futures::future::join_all;
use std::collections::BTreeMap;
use std::sync::Arc;
use uzgate_core::log::Logger;
use uzgate_core::otp::{
    MemoryOtpStore, OtpConfig, OtpService, PrefixLimit, RedisOtpStore, RedisSendWindows,
    SendBudget, SendWindows, Take, WindowSlot,
};
use uzgate_core::sms::{SmsClient, SmsProviderConfig};
use uzgate_core::{Error, ErrorCode, Secret};

fn console() -> Arc<SmsClient> {
    Arc::new(
        SmsClient::new(
            SmsProviderConfig::Console {
                outbox_size: 10_000,
                default_region: None,
            },
            Logger::default(),
        )
        .unwrap(),
    )
}

fn config(budget: SendBudget) -> OtpConfig {
    let mut c = OtpConfig::new(Secret::from("test-secret-at-least-16"));
    c.budget = budget;
    c.allowed_regions = Some(vec!["UZ".into(), "KZ".into()]);
    c
}

fn global(n: u32) -> SendBudget {
    SendBudget {
        per_hour: Some(n),
        per_region: BTreeMap::new(),
    }
}

/// The `i`-th number of distinct blocks of 1,000 (the prefix limit does not interfere).
fn uz(i: usize) -> String {
    format!("+99890{i:04}567")
}

fn reason(e: &Error) -> &str {
    e.details
        .as_ref()
        .and_then(|d| d["reason"].as_str())
        .unwrap_or("")
}

/// `(sent, reasons of the refusals)`.
fn tally(results: &[Result<(), Error>]) -> (usize, BTreeMap<String, usize>) {
    let mut reasons = BTreeMap::new();
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(e.code, ErrorCode::RateLimited, "{}", e.message);
        assert!(e.retry_after.is_some(), "a wait is given");
        *reasons.entry(reason(e).to_string()).or_default() += 1;
    }
    (results.iter().filter(|r| r.is_ok()).count(), reasons)
}

async fn send_all(services: &[Arc<OtpService>], numbers: Vec<String>) -> Vec<Result<(), Error>> {
    join_all(numbers.into_iter().enumerate().map(|(i, n)| {
        let s = services[i % services.len()].clone();
        tokio::spawn(async move { s.send(&n).await.map(|_| ()) })
    }))
    .await
    .into_iter()
    .map(|r| r.unwrap())
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_budget_holds_exactly_under_concurrency() {
    let sms = console();
    let otp = Arc::new(
        OtpService::new(
            sms.clone(),
            Arc::new(MemoryOtpStore::new()),
            config(global(25)),
            Logger::default(),
        )
        .unwrap(),
    );
    let results = send_all(&[otp], (0..200).map(uz).collect()).await;
    let (sent, reasons) = tally(&results);
    assert_eq!(sent, 25);
    assert_eq!(reasons, BTreeMap::from([("global_budget".into(), 175)]));
    assert_eq!(sms.outbox().len(), 25, "what reached the provider");
    assert!(sms
        .metrics()
        .contains("uzgate_otp_refusals_total{reason=\"global_budget\"} 175"));
}

#[tokio::test]
async fn a_region_budget_counts_its_region_only_and_refuses_before_the_global_one_is_spent() {
    let sms = console();
    let budget = SendBudget {
        per_hour: Some(20),
        per_region: BTreeMap::from([("KZ".into(), 3)]),
    };
    let otp = Arc::new(
        OtpService::new(
            sms.clone(),
            Arc::new(MemoryOtpStore::new()),
            config(budget),
            Logger::default(),
        )
        .unwrap(),
    );
    let kz: Vec<String> = (0..10).map(|i| format!("+7701{i:03}4567")).collect();
    let (sent, reasons) = tally(&send_all(std::slice::from_ref(&otp), kz).await);
    assert_eq!(sent, 3);
    assert_eq!(reasons, BTreeMap::from([("region_budget".into(), 7)]));
    // The refused KZ sends took nothing from the global budget: 17 UZ codes still go out.
    let (sent, reasons) = tally(&send_all(&[otp], (0..30).map(uz).collect()).await);
    assert_eq!(sent, 17);
    assert_eq!(reasons, BTreeMap::from([("global_budget".into(), 13)]));
    assert_eq!(sms.outbox().len(), 20);
}

#[tokio::test]
async fn a_block_of_numbers_counts_together() {
    let sms = console();
    let mut c = config(SendBudget::default());
    c.prefix_limit = Some(PrefixLimit {
        ignore_last_digits: 3,
        per_hour: 20,
    });
    let otp = Arc::new(
        OtpService::new(
            sms.clone(),
            Arc::new(MemoryOtpStore::new()),
            c,
            Logger::default(),
        )
        .unwrap(),
    );
    // A bot rotating the last three digits of one range.
    let block: Vec<String> = (0..100).map(|i| format!("+998901234{i:03}")).collect();
    let (sent, reasons) = tally(&send_all(std::slice::from_ref(&otp), block).await);
    assert_eq!(sent, 20);
    assert_eq!(reasons, BTreeMap::from([("prefix_velocity".into(), 80)]));
    // The next block is another window.
    otp.send("+998901235000").await.unwrap();
    assert_eq!(sms.outbox().len(), 21);
}

#[tokio::test]
async fn one_client_ip_and_one_ipv6_64_count_together_and_a_non_ip_is_refused_first() {
    let sms = console();
    let mut c = config(SendBudget::default());
    c.client_ip_per_hour = Some(3);
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .unwrap();
    for (i, ip) in ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"]
        .iter()
        .enumerate()
    {
        otp.send_from(&uz(i), Some(ip)).await.unwrap();
    }
    let e = otp
        .send_from(&uz(3), Some("2001:db8:1:2::77"))
        .await
        .unwrap_err();
    assert_eq!((e.code, reason(&e)), (ErrorCode::RateLimited, "client_ip"));
    // Another /64, an IPv4 client and its IPv4-mapped form (one client), no IP at all.
    otp.send_from(&uz(4), Some("2001:db8:1:3::1"))
        .await
        .unwrap();
    for (i, ip) in [
        (5, "203.0.113.7"),
        (6, "::ffff:203.0.113.7"),
        (7, "203.0.113.7"),
    ] {
        otp.send_from(&uz(i), Some(ip)).await.unwrap();
    }
    let e = otp
        .send_from(&uz(8), Some("::ffff:203.0.113.7"))
        .await
        .unwrap_err();
    assert_eq!(reason(&e), "client_ip");
    otp.send(&uz(9)).await.unwrap();
    let e = otp
        .send_from(&uz(10), Some("203.0.113.7, 10.0.0.1"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert_eq!(sms.outbox().len(), 8);
}

#[tokio::test]
async fn a_later_refusal_gives_back_the_slots_of_earlier_gates() {
    let sms = console();
    let mut c = config(global(2));
    c.client_ip_per_hour = Some(2);
    let otp = OtpService::new(
        sms.clone(),
        Arc::new(MemoryOtpStore::new()),
        c,
        Logger::default(),
    )
    .unwrap();
    otp.send_from(&uz(0), Some("198.51.100.1")).await.unwrap();
    // The number's cooldown refuses: the IP, prefix and budget slots go back.
    for _ in 0..5 {
        let e = otp
            .send_from(&uz(0), Some("198.51.100.1"))
            .await
            .unwrap_err();
        assert_eq!(reason(&e), "cooldown");
    }
    // Had they been kept, the budget (2) and the IP (2) would refuse this one.
    otp.send_from(&uz(1), Some("198.51.100.1")).await.unwrap();
    // The IP's two slots are spent; from another IP the budget (spent too) refuses.
    let e = otp
        .send_from(&uz(2), Some("198.51.100.1"))
        .await
        .unwrap_err();
    assert_eq!(reason(&e), "client_ip");
    let e = otp
        .send_from(&uz(2), Some("198.51.100.2"))
        .await
        .unwrap_err();
    assert_eq!(reason(&e), "global_budget");
    assert_eq!(sms.outbox().len(), 2);
}

#[tokio::test]
async fn limits_that_cannot_work_are_config_errors() {
    type Change = Box<dyn Fn(&mut OtpConfig)>;
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|c| c.budget.per_hour = Some(0)), "budget.perHour"),
        (
            Box::new(|c| {
                c.budget.per_region.insert("uz".into(), 5);
            }),
            "budget.perRegion keys",
        ),
        (
            Box::new(|c| {
                c.prefix_limit = Some(PrefixLimit {
                    ignore_last_digits: 7,
                    per_hour: 5,
                })
            }),
            "ignoreLastDigits",
        ),
        (
            Box::new(|c| c.client_ip_per_hour = Some(0)),
            "perClientIp.perHour",
        ),
    ];
    for (change, words) in cases {
        let mut c = config(SendBudget::default());
        change(&mut c);
        let e = OtpService::new(
            console(),
            Arc::new(MemoryOtpStore::new()),
            c,
            Logger::default(),
        )
        .err()
        .expect(words);
        assert_eq!(e.code, ErrorCode::Config);
        assert!(e.message.contains(words), "{}", e.message);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_windows_script_takes_all_or_none_and_refunds_in_redis() {
    for d in common::redis::deployments() {
        let prefix = format!("uzgate-test:otp:{}", uuid::Uuid::new_v4());
        let w = Arc::new(RedisSendWindows::new(d.connect(), Some(prefix)));
        let slot = |window: &str, limit| WindowSlot {
            window: window.into(),
            limit,
        };
        let kz = [slot("budget:global", 3), slot("budget:region:KZ", 1)];
        assert_eq!(
            w.take(&kz, "a", 1_000).await.unwrap(),
            Take::Taken,
            "{}",
            d.name
        );
        assert_eq!(
            w.take(&kz, "b", 2_000).await.unwrap(),
            Take::Refused {
                index: 1,
                wait_ms: 3_600_000 - 1_000
            },
            "{}",
            d.name
        );
        let uz = [slot("budget:global", 3), slot("budget:region:UZ", 9)];
        assert_eq!(w.take(&uz, "c", 3_000).await.unwrap(), Take::Taken);
        assert_eq!(w.take(&uz, "d", 3_000).await.unwrap(), Take::Taken);
        assert!(matches!(
            w.take(&uz, "e", 3_000).await.unwrap(),
            Take::Refused { index: 0, .. }
        ));
        w.refund(&["budget:global".into(), "budget:region:UZ".into()], "d")
            .await
            .unwrap();
        assert_eq!(w.take(&uz, "e", 3_000).await.unwrap(), Take::Taken);
        // Concurrency through several connections: exactly the limit.
        let shared_prefix = format!("uzgate-test:otp:{}", uuid::Uuid::new_v4());
        let replicas: Vec<_> = (0..4)
            .map(|_| {
                Arc::new(RedisSendWindows::new(
                    d.connect(),
                    Some(shared_prefix.clone()),
                ))
            })
            .collect();
        let taken = join_all((0..200).map(|i| {
            let w = replicas[i % 4].clone();
            tokio::spawn(async move {
                w.take(
                    &[WindowSlot {
                        window: "prefix:+998901234".into(),
                        limit: 37,
                    }],
                    &format!("id{i}"),
                    5_000,
                )
                .await
                .unwrap()
            })
        }))
        .await
        .into_iter()
        .filter(|r| r.as_ref().unwrap() == &Take::Taken)
        .count();
        assert_eq!(taken, 37, "{}", d.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_sharing_redis_hold_one_budget_exactly() {
    for d in common::redis::deployments() {
        let prefix = format!("uzgate-test:otp:{}", uuid::Uuid::new_v4());
        let sms = console();
        let replica = || {
            let conn = d.connect();
            Arc::new(
                OtpService::new(
                    sms.clone(),
                    Arc::new(RedisOtpStore::new(conn.clone(), Some(prefix.clone()))),
                    config(SendBudget {
                        per_hour: Some(25),
                        per_region: BTreeMap::from([("KZ".into(), 2)]),
                    }),
                    Logger::default(),
                )
                .unwrap()
                .with_send_windows(Arc::new(RedisSendWindows::new(conn, Some(prefix.clone())))),
            )
        };
        let services = [replica(), replica()];
        let before = sms.outbox().len();
        let mut numbers: Vec<String> = (0..200).map(uz).collect();
        numbers.extend((0..10).map(|i| format!("+7701{i:03}4567")));
        let (sent, reasons) = tally(&send_all(&services, numbers).await);
        assert_eq!(sent, 25, "{}", d.name);
        assert_eq!(sms.outbox().len() - before, 25, "{}", d.name);
        let kz = sms.outbox()[before..]
            .iter()
            .filter(|m| m.to.starts_with("+7"))
            .count();
        assert!(kz <= 2, "{}: {kz} KZ codes", d.name);
        assert_eq!(reasons.values().sum::<usize>(), 185, "{}", d.name);
        assert!(reasons.contains_key("global_budget"), "{reasons:?}");
    }
}
