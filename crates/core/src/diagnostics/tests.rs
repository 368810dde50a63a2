//! The view never carries a secret: every client is configured with secrets minted here at run
//! time, and no 4-character slice of any of them may appear in the serialised views. The rest
//! checks the values and findings an operator relies on.

use super::*;
use crate::options::{AmoCrmOptions, OtpOptions, SmsOptions};
use rand::Rng;
use serde_json::{json, Value};

/// Letters that no word, number or hash in a view is made of, so a slice found is a leak.
fn mint() -> String {
    const ALPHABET: &[u8] = b"QXZJKVWqxzjkvwGHY";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A Twilio-shaped id (`AC…`, `SK…`), minted per run: no real-looking SID is committed.
fn minted_sid(prefix: &str) -> String {
    let mut rng = rand::rng();
    let hex: String = (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap())
        .collect();
    format!("{prefix}{hex}")
}

fn assert_no_slice_of(secrets: &[String], text: &str) {
    for secret in secrets {
        for start in 0..=secret.len() - 4 {
            let slice = &secret[start..start + 4];
            assert!(
                !text.contains(slice),
                "a part of a secret ({slice}) is in the view: {text}"
            );
        }
    }
}

fn sms(v: Value) -> ConfigView {
    ConfigView::of_sms(&SmsOptions::from_json(v).unwrap()).unwrap()
}
fn amo(v: Value) -> ConfigView {
    ConfigView::of_amocrm(&AmoCrmOptions::from_json(v).unwrap()).unwrap()
}
fn otp(v: Value) -> ConfigView {
    ConfigView::of_otp(&OtpOptions::from_json(v).unwrap()).unwrap()
}

fn credential<'a>(view: &'a ConfigView, name: &str) -> &'a CredentialView {
    view.credentials.iter().find(|c| c.name == name).unwrap()
}

fn options_of(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.option.as_str()).collect()
}

#[test]
fn no_minted_secret_nor_any_slice_of_one_is_in_any_view() {
    let s: Vec<String> = (0..9).map(|_| mint()).collect();
    let store = |i: usize| {
        json!({ "type": "redis", "url": format!("rediss://app-user:{}@cache.example.uz:6380/0", s[i]),
                "encryptionKey": s[i + 1] })
    };
    let views = [
        sms(
            json!({ "provider": "eskiz", "eskiz": { "email": "ops@example.uz", "password": s[0],
            "callbackUrl": format!("https://shop.uz/sms/callbacks/eskiz/{}", s[1]) },
            "tokenStore": store(2) }),
        ),
        sms(
            json!({ "provider": "twilio", "twilio": { "accountSid": minted_sid("AC"),
            "authToken": s[4], "apiKeySid": minted_sid("SK"), "apiKeySecret": s[5],
            "baseUrl": format!("https://proxy.example.uz/twilio?key={}", s[6]) } }),
        ),
        amo(
            json!({ "subdomain": "example", "clientId": "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f",
            "clientSecret": s[7], "redirectUri": "https://shop.uz/amocrm/callback",
            "longLivedToken": s[8], "tokenStore": store(2),
            "alerts": { "telegram": { "botToken": format!("123456:{}", s[0]), "chatId": -1001234567890i64 },
                        "webhook": { "url": format!("https://ops.example.uz/hooks/{}", s[1]), "secret": s[2] } } }),
        ),
        otp(json!({ "secret": s[3], "store": { "type": "redis",
            "url": format!("redis://:{}@10.0.0.5:6379", s[6]) } })),
    ];
    let text =
        serde_json::to_string(&views.iter().map(ConfigView::to_json).collect::<Vec<_>>()).unwrap();
    assert_no_slice_of(&s, &text);
    // The masked forms are there instead.
    assert!(
        text.contains("rediss://app-user:***@cache.example.uz:6380/0"),
        "{text}"
    );
    assert!(text.contains("\"https://shop.uz/***\""), "{text}");
    assert_eq!(credential(&views[0], "eskiz.password").state, "set");
    assert_eq!(credential(&views[0], "eskiz.password").shown, None);
    assert_eq!(
        credential(&views[0], "eskiz.email").shown.as_deref(),
        Some("o***@example.uz")
    );
    assert_eq!(credential(&views[1], "twilio.apiKeySecret").state, "set");
    assert_eq!(
        credential(&views[2], "clientId").shown.as_deref(),
        Some("3f…4e5f")
    );
    // Alert sinks by chat and origin.
    let alerts = views[2].alerts.as_ref().unwrap();
    assert_eq!(
        alerts.sinks[0].target,
        "chat -1001234567890 via https://api.telegram.org"
    );
    assert_eq!(alerts.sinks[1].target, "https://ops.example.uz/***");
}

#[test]
fn eskiz_defaults_and_what_a_bare_setup_lacks() {
    let v = sms(
        json!({ "provider": "eskiz", "eskiz": { "email": "Ops@Example.uz ", "password": "p" } }),
    );
    assert_eq!(v.provider, "eskiz");
    let hosts: Vec<(&str, &str)> = v
        .hosts
        .iter()
        .map(|h| (h.role.as_str(), h.url.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("api", "https://notify.eskiz.uz/api"),
            ("token", "https://notify.eskiz.uz/api")
        ]
    );
    let store = v.token_store.as_ref().unwrap();
    assert_eq!(
        (store.r#type.as_str(), store.survives_restart, store.sealed),
        ("memory", false, false)
    );
    // The key the client derives: trimmed, lower-cased e-mail, hashed.
    assert_eq!(
        store.key,
        crate::store::default_key("uzgate:eskiz", "ops@example.uz")
    );
    assert_eq!(
        (
            store.lock_lease_ms,
            store.lock_wait_ms,
            store.call_timeout_ms
        ),
        (30_000, 35_000, 5_000)
    );
    let limits = v.limits.as_ref().unwrap();
    assert_eq!(
        (
            limits.timeout_ms,
            limits.connect_timeout_ms,
            limits.max_concurrency,
            limits.max_response_bytes
        ),
        (30_000, 5_000, 256, 4 * 1024 * 1024)
    );
    assert_eq!(
        options_of(&v.findings),
        ["eskiz.callbackUrl", "eskiz.from", "tokenStore"]
    );
    assert!(v.findings[0].consequence.starts_with("no delivery reports"));
}

#[test]
fn store_settings_and_limits_given_are_the_ones_shown() {
    let v = sms(
        json!({ "provider": "eskiz", "timeoutMs": 12000, "maxConcurrency": 8,
        "eskiz": { "email": "a@b.uz", "password": "p", "from": "SHOP", "callbackUrl": "https://shop.uz/cb" },
        "tokenStore": { "type": "file", "path": "/var/lib/app/tokens.json", "key": "eskiz-main",
            "lockLeaseMs": 40000, "refreshTimeoutMs": 8000, "lockWaitMs": 45000, "callTimeoutMs": 2000 } }),
    );
    let store = v.token_store.unwrap();
    assert_eq!(store.r#type, "file");
    assert!(store.survives_restart && !store.shared);
    assert_eq!(store.key, "eskiz-main");
    assert_eq!(store.path.as_deref(), Some("/var/lib/app/tokens.json"));
    assert_eq!(
        (
            store.lock_lease_ms,
            store.lock_wait_ms,
            store.refresh_timeout_ms,
            store.call_timeout_ms
        ),
        (40_000, 45_000, 8_000, 2_000)
    );
    assert_eq!(
        (
            v.limits.as_ref().unwrap().timeout_ms,
            v.limits.as_ref().unwrap().max_concurrency
        ),
        (12_000, 8)
    );
    // Everything set except sealing and sharing between hosts.
    assert_eq!(
        options_of(&v.findings),
        ["tokenStore.encryptionKey", "tokenStore"]
    );
}

#[test]
fn amocrm_memory_store_needs_a_new_authorisation_after_a_restart() {
    let v = amo(
        json!({ "subdomain": "example", "clientId": "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f",
        "clientSecret": "x", "redirectUri": "https://shop.uz/amocrm/callback" }),
    );
    let account = v.account.as_ref().unwrap();
    assert_eq!(
        (account.policy.as_str(), account.domain.as_str()),
        ("subdomain", "amocrm.ru")
    );
    let hosts: Vec<(&str, &str)> = v
        .hosts
        .iter()
        .map(|h| (h.role.as_str(), h.url.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("api", "https://example.amocrm.ru"),
            ("token", "https://example.amocrm.ru"),
            ("consent", "https://www.amocrm.ru")
        ]
    );
    assert_eq!(options_of(&v.findings), ["tokenStore", "alerts"]);
    assert!(v.findings[0].consequence.contains("new authorisation"));
    assert!(v.findings[1].consequence.contains("disconnected"));
    let limits = v.limits.unwrap();
    assert_eq!(limits.rate_limit_per_second, Some(7.0));
    assert_eq!(limits.shared_rate_limit, Some(false));
    assert_eq!(limits.keep_alive_ms, Some(7 * 86_400_000));
    assert_eq!(limits.block_cooldown_ms, Some(600_000));
    assert_eq!(
        v.token_store.unwrap().key,
        crate::store::default_key("uzgate:amocrm", "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f")
    );
}

#[test]
fn amocrm_without_an_account_or_with_any_account_says_so() {
    let none = amo(json!({ "clientId": "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f" }));
    assert_eq!(none.account.as_ref().unwrap().policy, "notConfigured");
    assert_eq!(
        options_of(&none.findings),
        [
            "subdomain",
            "clientSecret",
            "redirectUri",
            "tokenStore",
            "alerts"
        ]
    );
    let any = amo(
        json!({ "clientId": "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f", "allowAnyAccount": true,
        "domain": "kommo.com", "clientSecret": "x", "redirectUri": "https://shop.uz/cb", "keepAliveMs": 0,
        "tokenStore": { "type": "redis", "url": "redis://:pw@10.1.2.3:6379", "encryptionKey": "k" } }),
    );
    assert_eq!(any.account.as_ref().unwrap().policy, "anyAccount");
    assert_eq!(any.hosts[0].url, "https://*.kommo.com");
    assert_eq!(
        options_of(&any.findings),
        [
            "allowAnyAccount",
            "tokenStore.url",
            "sharedRateLimit",
            "keepAliveMs",
            "alerts"
        ]
    );
    assert_eq!(
        any.token_store.unwrap().url.as_deref(),
        Some("redis://:***@10.1.2.3:6379")
    );
}

#[test]
fn twilio_has_no_token_store_and_names_its_missing_parts() {
    let v = sms(
        json!({ "provider": "twilio", "twilio": { "accountSid": minted_sid("AC"), "authToken": "t" } }),
    );
    assert!(v.token_store.is_none());
    assert_eq!(v.hosts[0].url, "https://api.twilio.com");
    assert_eq!(
        options_of(&v.findings),
        ["twilio.statusCallback", "twilio.authToken", "twilio.from"]
    );
    assert_eq!(credential(&v, "twilio.apiKeySecret").state, "missing");
}

#[test]
fn otp_defaults_and_dev_mode_is_a_risk() {
    let v = otp(json!({ "secret": "0123456789abcdef", "devMode": true }));
    let o = v.otp.as_ref().unwrap();
    assert_eq!(
        (
            o.length,
            o.ttl_seconds,
            o.max_attempts,
            o.resend_cooldown_seconds,
            o.max_sends_per_hour
        ),
        (6, 300, 5, 60, 5)
    );
    assert!(o.dev_mode && !o.shared);
    assert_eq!(o.prefix, "uzgate:otp");
    assert_eq!(options_of(&v.findings), ["devMode", "store"]);
    let quiet = otp(
        json!({ "secret": "0123456789abcdef", "length": 8, "store": { "type": "redis", "url": "rediss://cache:6380" } }),
    );
    assert_eq!(quiet.otp.as_ref().unwrap().length, 8);
    assert!(quiet.findings.is_empty(), "{:?}", quiet.findings);
}

#[test]
fn console_sends_nothing_and_says_so() {
    let v = sms(json!({ "provider": "console" }));
    assert_eq!(options_of(&v.findings), ["provider"]);
    assert!(v.hosts.is_empty() && v.token_store.is_none());
}

#[test]
fn only_remote_hosts_in_clear_are_a_risk() {
    let local = amo(
        json!({ "subdomain": "example", "clientId": "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f",
        "clientSecret": "x", "redirectUri": "https://shop.uz/cb", "sharedRateLimit": true,
        "tokenStore": { "type": "redis", "url": "redis://:pw@127.0.0.1:6379", "encryptionKey": "k" },
        "alerts": { "webhook": { "url": "https://ops.example.uz/hooks", "secret": "0123456789abcdef" } } }),
    );
    assert!(local.findings.is_empty(), "{:?}", local.findings);
    let remote = otp(
        json!({ "secret": "0123456789abcdef", "store": { "type": "redis", "url": "redis://[::1]:6379" } }),
    );
    assert!(remote.findings.is_empty(), "{:?}", remote.findings);
    let remote = otp(
        json!({ "secret": "0123456789abcdef", "store": { "type": "redis", "url": "redis://10.0.0.5:6379" } }),
    );
    assert_eq!(options_of(&remote.findings), ["store.url"]);
}

#[test]
fn playmobile_shows_its_host_and_a_masked_login_never_the_password() {
    let password = mint();
    let login = format!("shop{}", mint());
    let v = sms(json!({ "provider": "playmobile", "playmobile": {
        "login": login, "password": password, "originator": "3700",
        "baseUrl": "http://sms.example.uz" },
        "tokenStore": { "type": "memory" } }));
    assert_eq!(v.provider, "playmobile");
    assert!(v.token_store.is_none());
    assert_eq!(v.hosts[0].role, "api");
    assert_eq!(v.hosts[0].url, "http://sms.example.uz");
    assert_eq!(
        credential(&v, "playmobile.login").shown.as_deref(),
        Some("sh***")
    );
    assert_eq!(credential(&v, "playmobile.password").state, "set");
    assert!(credential(&v, "playmobile.password").shown.is_none());
    assert_eq!(
        options_of(&v.findings),
        ["playmobile.baseUrl", "tokenStore"]
    );
    let text = serde_json::to_string(&v).unwrap();
    assert_no_slice_of(&[password, login[4..].to_string()], &text);
    let label = crate::options::sms_label(
        &SmsOptions::from_json(json!({ "provider": "playmobile", "playmobile": {
            "login": "shopuz_api", "password": "p", "originator": "3700" } }))
        .unwrap(),
    );
    assert_eq!(label, "Play Mobile sh***");
    let default_host = sms(json!({ "provider": "playmobile", "playmobile": {
        "login": "l", "password": "p", "originator": "3700" } }));
    assert_eq!(default_host.hosts[0].url, "https://send.smsxabar.uz");
    assert!(default_host.findings.is_empty());
}

#[test]
fn a_routed_client_shows_whether_an_open_breaker_alerts() {
    let hook = json!({ "webhook": { "url": "https://ops.example.uz/hooks", "secret": "0123456789abcdef" } });
    let routed = |alerts: Value| {
        sms(
            json!({ "console": {}, "twilio": { "accountSid": minted_sid("AC"), "authToken": mint(), "from": "+15005550006" },
            "routing": [{ "to": "UZ", "via": ["console"] }, { "to": "*", "via": ["twilio"] }], "alerts": alerts }),
        )
    };
    let on = routed(hook.clone());
    assert_eq!(on.alerts.as_ref().unwrap().provider_down, Some(true));
    let mut off = hook.clone();
    off["providerDown"] = json!(false);
    assert_eq!(
        routed(off).alerts.as_ref().unwrap().provider_down,
        Some(false)
    );
    let single = sms(json!({ "provider": "console", "console": {}, "alerts": hook }));
    assert_eq!(single.alerts.as_ref().unwrap().provider_down, None);
}
