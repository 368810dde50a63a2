//! The option rules, each from JSON as a user writes it.

use super::*;
use crate::error::ErrorCode;
use serde_json::json;

fn sms_error(value: serde_json::Value) -> String {
    let e = SmsOptions::from_json(value)
        .and_then(|o| o.into_config(&BuiltStore::default()).map(|_| ()))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    e.message
}

#[test]
fn an_unknown_key_is_named_with_its_path_and_the_closest_known_key() {
    let e = sms_error(
        json!({ "provider": "eskiz", "eskiz": { "email": "a@b.uz", "password": "p", "baseUrll": "x" } }),
    );
    assert_eq!(e, "unknown option eskiz.baseUrll (did you mean baseUrl?)");
    let e = sms_error(json!({ "provider": "console", "timeoutMS": 5 }));
    assert_eq!(e, "unknown option timeoutMS (did you mean timeoutMs?)");
    let e = sms_error(
        json!({ "provider": "console", "tokenStore": { "type": "file", "pth": "/tmp/x" } }),
    );
    assert_eq!(e, "unknown option tokenStore.pth (did you mean path?)");
    let e = sms_error(json!({ "provider": "console", "zzz": 1 }));
    assert!(
        e.starts_with(
            "unknown option zzz (known: provider, eskiz, twilio, playmobile, console, balancePollMs, routing, breaker, tokenStore, timeoutMs,"
        ),
        "{e}"
    );
}

#[test]
fn a_wrong_type_names_the_field_never_the_value() {
    let e = sms_error(
        json!({ "provider": "eskiz", "eskiz": { "email": "a@b.uz", "password": 998901234567u64 } }),
    );
    assert_eq!(e, "eskiz.password must be a string");
    for bad in [json!("998901234567"), json!(-1), json!(1.5)] {
        let e = sms_error(json!({ "provider": "console", "timeoutMs": bad }));
        assert_eq!(e, "timeoutMs must be a whole number from 0 to 4294967295");
    }
    let e = sms_error(json!({ "provider": "console", "console": { "outboxSize": 1.5 } }));
    assert_eq!(
        e,
        "console.outboxSize must be a whole number from 0 to 4294967295"
    );
    let e = sms_error(
        json!({ "provider": "console", "tokenStore": { "type": "file", "path": 998901234567u64 } }),
    );
    assert_eq!(e, "tokenStore.path must be a string");
    let e = sms_error(json!({ "provider": "console", "logLevel": "loud" }));
    assert_eq!(e, "logLevel must be one of debug, info, warn, error");
    let e = sms_error(json!({ "provider": "sms-gate" }));
    assert_eq!(
        e,
        "provider must be one of eskiz, twilio, playmobile, console"
    );
    assert_eq!(sms_error(json!("x")), "SmsClientOptions must be an object");
}

#[test]
fn required_fields_and_the_provider_are_named() {
    assert!(sms_error(json!({})).starts_with("provider is required: 'eskiz'"));
    assert!(sms_error(json!({ "provider": null })).starts_with("provider is required"));
    let e = sms_error(json!({ "provider": "eskiz", "eskiz": { "password": "p" } }));
    assert_eq!(e, "eskiz.email is required");
    let e = sms_error(json!({ "provider": "eskiz", "eskiz": { "email": null, "password": "p" } }));
    assert_eq!(e, "eskiz.email is required");
    let e = sms_error(json!({ "provider": "eskiz" }));
    assert_eq!(
        e,
        "provider 'eskiz' needs the eskiz options (email, password)"
    );
    let e = sms_error(json!({ "provider": "twilio" }));
    assert_eq!(
        e,
        "provider 'twilio' needs the twilio options (accountSid, authToken)"
    );
}

#[test]
fn twilio_authenticates_with_the_auth_token_or_an_api_key_pair() {
    let sid = format!("AC{}", "0".repeat(32));
    let twilio = |extra: serde_json::Value| {
        let mut t = json!({ "accountSid": sid });
        t.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "provider": "twilio", "twilio": t })
    };
    assert_eq!(
        sms_error(twilio(json!({}))),
        "twilio.authToken is not set (needed for provider=twilio, or twilio.apiKeySid with twilio.apiKeySecret)"
    );
    assert_eq!(
        sms_error(twilio(json!({ "apiKeySid": "SK1" }))),
        "twilio.apiKeySecret is not set (needed with twilio.apiKeySid)"
    );
    assert_eq!(
        sms_error(twilio(json!({ "authToken": "t", "apiKeySecret": "s" }))),
        "twilio.apiKeySid is not set (needed with twilio.apiKeySecret)"
    );
    assert!(SmsOptions::check(twilio(json!({ "authToken": "t" }))).is_ok());
    let e = SmsOptions::check(twilio(json!({ "apiKeySid": "SK1" }))).unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    for ok in [
        json!({ "authToken": "t" }),
        json!({ "apiKeySid": "SK1", "apiKeySecret": "s" }),
    ] {
        let config = SmsOptions::from_json(twilio(ok))
            .unwrap()
            .into_config(&BuiltStore::default());
        assert!(matches!(
            config,
            Ok(crate::sms::SmsProviderConfig::Twilio(_))
        ));
    }
}

#[test]
fn playmobile_needs_login_password_and_originator_and_a_known_priority() {
    let pm = |p: serde_json::Value| json!({ "provider": "playmobile", "playmobile": p });
    assert_eq!(
        sms_error(json!({ "provider": "playmobile" })),
        "provider 'playmobile' needs the playmobile options (login, password, originator)"
    );
    assert_eq!(
        sms_error(pm(json!({ "password": "p", "originator": "3700" }))),
        "playmobile.login is required"
    );
    assert_eq!(
        sms_error(pm(json!({ "login": "l", "originator": "3700" }))),
        "playmobile.password is required"
    );
    assert_eq!(
        sms_error(pm(json!({ "login": "l", "password": "p" }))),
        "playmobile.originator is required"
    );
    assert_eq!(
        sms_error(pm(
            json!({ "login": "l", "password": "p", "originator": "3700", "priority": "urgent" })
        )),
        "playmobile.priority must be one of low, normal, high, realtime"
    );
    assert_eq!(
        sms_error(pm(json!({ "login": "l", "password": "p", "originator": "3700", "callbackUrl": "x" }))),
        "unknown option playmobile.callbackUrl (known: login, password, originator, priority, baseUrl)"
    );
    let e = sms_error(pm(
        json!({ "login": "l", "password": 998901234567u64, "originator": "3700" }),
    ));
    assert_eq!(e, "playmobile.password must be a string");
    let e = SmsOptions::check(json!({ "provider": "playmobile", "balancePollMs": 60000,
        "playmobile": { "login": "l", "password": "p", "originator": "3700" } }))
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Config);
    assert!(
        e.message
            .starts_with("balancePollMs cannot be used with Play Mobile"),
        "{}",
        e.message
    );
    let ok = pm(
        json!({ "login": "l", "password": "p", "originator": "3700", "priority": "realtime",
        "baseUrl": "http://127.0.0.1:9" }),
    );
    let config = SmsOptions::from_json(ok)
        .unwrap()
        .into_config(&BuiltStore::default());
    match config {
        Ok(crate::sms::SmsProviderConfig::PlayMobile(c)) => {
            assert_eq!(c.priority.as_deref(), Some("realtime"));
            assert_eq!(c.originator, "3700");
        }
        _ => panic!("not a Play Mobile configuration"),
    }
}

#[test]
fn zero_limits_and_a_lease_shorter_than_a_refresh_are_refused() {
    for key in [
        "timeoutMs",
        "connectTimeoutMs",
        "maxConcurrency",
        "maxResponseBytes",
    ] {
        let e = sms_error(json!({ "provider": "console", key: 0 }));
        assert_eq!(e, format!("{key} must be positive"));
    }
    let e = sms_error(
        json!({ "provider": "console", "tokenStore": { "type": "memory", "lockLeaseMs": 0 } }),
    );
    assert_eq!(e, "tokenStore.lockLeaseMs must be positive");
    let e = sms_error(
        json!({ "provider": "console", "tokenStore": { "type": "memory", "lockLeaseMs": 5000, "refreshTimeoutMs": 5000 } }),
    );
    assert!(
        e.starts_with("tokenStore.lockLeaseMs (5000 ms) must be longer than the refresh timeout"),
        "{e}"
    );
}

#[test]
fn stores_need_their_location_and_custom_its_callbacks() {
    let store = |v: serde_json::Value| {
        let o: TokenStoreOptions = from_json(v, "TokenStoreOptions").unwrap();
        TokenStoreOptions::build(Some(&o), None)
            .map(|_| ())
            .unwrap_err()
            .message
    };
    assert_eq!(
        store(json!({ "type": "file" })),
        "tokenStore { type: 'file' } needs a path"
    );
    assert_eq!(
        store(json!({ "type": "redis", "url": "" })),
        "tokenStore { type: 'redis' } needs a url"
    );
    assert_eq!(
        store(json!({ "type": "custom" })),
        "tokenStore { type: 'custom' } needs load and save functions"
    );
    let e: crate::Error =
        from_json::<TokenStoreOptions>(json!({ "type": "disk" }), "TokenStoreOptions").unwrap_err();
    assert_eq!(e.message, "type must be one of memory, file, redis, custom");
}

#[test]
fn a_typo_far_from_every_key_gets_no_suggestion() {
    let known = ["baseUrl".to_string(), "from".to_string()];
    assert_eq!(closest("baseUrll", &known), Some("baseUrl"));
    assert_eq!(closest("BASEURL", &known), Some("baseUrl"));
    assert_eq!(closest("fr", &known), None);
    assert_eq!(closest("zzz", &known), None);
}

#[test]
fn the_known_keys_are_read_from_the_types() {
    let keys = keys_of::<SmsOptions>();
    assert_eq!(
        &keys[..7],
        [
            "provider",
            "eskiz",
            "twilio",
            "playmobile",
            "console",
            "balancePollMs",
            "routing"
        ]
    );
    assert_eq!(keys.len(), 16);
    assert!(keys.contains(&"breaker".to_string()));
    assert!(keys.contains(&"alerts".to_string()));
    assert!(keys_of::<AmoCrmOptions>().contains(&"keepAliveMs".to_string()));
    assert!(keys_of::<OtpOptions>().contains(&"appName".to_string()));
}

#[test]
fn routing_builds_every_routed_provider_the_clients_own_first() {
    let options = SmsOptions::from_json(json!({
        "eskiz": { "email": "a@b.uz", "password": "p" },
        "twilio": { "accountSid": "AC1", "authToken": "t" },
        "routing": [{ "to": "KZ", "via": ["twilio"] }, { "to": "*", "via": ["eskiz", "twilio"] }],
        "breaker": { "failures": 2, "coolDownMs": 5000 }
    }))
    .unwrap();
    assert_eq!(
        options.provider,
        SmsProviderKind::Twilio,
        "the first provider the routes name"
    );
    let crate::options::SmsSetup::Routed { members, routing } =
        options.into_setup(&BuiltStore::default()).unwrap()
    else {
        panic!("routed")
    };
    let kinds: Vec<&str> = members
        .iter()
        .map(|m| match m {
            crate::sms::SmsProviderConfig::Eskiz(_) => "eskiz",
            crate::sms::SmsProviderConfig::Twilio(_) => "twilio",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["twilio", "eskiz"]);
    assert_eq!(routing.breakers.failures, 2);
    assert_eq!(routing.routes.len(), 2);
}

#[test]
fn routing_mistakes_are_config_errors_before_anything_is_built() {
    let base = || {
        json!({
            "eskiz": { "email": "a@b.uz", "password": "p" },
            "twilio": { "accountSid": "AC1", "authToken": "t" },
        })
    };
    for (extra, message) in [
        (
            json!({ "routing": [{ "to": "*", "via": ["eskiz"] }] }),
            "twilio is configured but no route uses it",
        ),
        (
            json!({ "routing": [{ "to": "*", "via": ["eskiz", "playmobile"] }] }),
            "routing[0].via[1] \"playmobile\" is not configured",
        ),
        (
            json!({ "provider": "eskiz", "breaker": { "failures": 3 } }),
            "breaker needs routing",
        ),
        (
            json!({ "routing": [{ "to": "*", "via": ["eskiz", "twilio"] }], "breaker": { "coolDownMs": 10 } }),
            "breaker.coolDownMs must be between",
        ),
        (
            json!({ "provider": "console", "routing": [{ "to": "*", "via": ["eskiz", "twilio"] }] }),
            "provider \"console\" is in no route",
        ),
    ] {
        let mut o = base();
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        let e = SmsOptions::from_json(o)
            .and_then(|o| o.into_setup(&BuiltStore::default()).map(|_| ()))
            .unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::Config);
        assert!(e.message.contains(message), "{}", e.message);
    }
}
