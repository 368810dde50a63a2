//! Property tests of the parsers that take outside input: phone numbers, JWT `exp`, delivery
//! callbacks, Twilio signatures, segment counting. Whatever the input, they never panic, and
//! what they accept they read back consistently.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use uzgate_core::jwt;
use uzgate_core::phone;
use uzgate_core::providers::twilio::signature;
use uzgate_core::segments;
use uzgate_core::sms::delivery_report::{fields_from_form, parse_eskiz, parse_twilio};
use uzgate_core::sms::DeliveryStatus;

/// Uzbek mobile operator codes (Beeline, Ucell, Mobiuz, Uzmobile, Perfectum, Humans).
const UZ_OPERATORS: [&str; 12] = [
    "90", "91", "93", "94", "95", "97", "98", "99", "88", "33", "50", "77",
];

proptest! {
    #[test]
    fn phone_normalisation_never_panics(input in ".{0,40}") {
        let _ = phone::normalize(&input, "UZ");
    }

    #[test]
    fn every_spelling_of_an_uzbek_mobile_number_normalises_alike(
        op in 0..UZ_OPERATORS.len(),
        rest in "[0-9]{7}",
        sep in prop::sample::select(vec!["", " ", "-", "  "]),
        prefix in prop::sample::select(vec!["+998", "998", "00998", ""]),
    ) {
        let national = format!("{}{}", UZ_OPERATORS[op], rest);
        let spaced: String = national
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 2 || i == 5 || i == 7 { format!("{sep}{c}") } else { c.to_string() })
            .collect();
        let input = format!("{prefix}{spaced}");
        let p = phone::normalize(&input, "UZ");
        prop_assert!(p.is_ok(), "{input:?} was refused");
        let p = p.unwrap();
        prop_assert_eq!(&p.e164, &format!("+998{national}"));
        prop_assert!(p.is_uzbek());
        prop_assert_eq!(phone::normalize(&p.e164, "UZ").unwrap().e164, format!("+998{national}"));
    }

    #[test]
    fn jwt_exp_round_trips(exp in 0u64..(1u64 << 53), other in "[a-z]{0,10}") {
        let payload = format!(r#"{{"sub":"{other}","exp":{exp}}}"#);
        let token = format!("{}.{}.sig", URL_SAFE_NO_PAD.encode("{}"), URL_SAFE_NO_PAD.encode(payload));
        prop_assert_eq!(jwt::expiry_unix_secs(&token), Some(exp));
    }

    #[test]
    fn jwt_decoding_never_panics(token in ".{0,200}") {
        let _ = jwt::expiry_unix_secs(&token);
    }

    #[test]
    fn callback_parsers_never_panic_and_status_is_case_insensitive(body in ".{0,300}", status in "[A-Za-z_]{1,15}") {
        let fields = fields_from_form(body.as_bytes());
        let _ = parse_eskiz(&fields);
        let _ = parse_twilio(&fields);
        let lower = fields_from_form(format!("request_id=r&status={}", status.to_lowercase()).as_bytes());
        let upper = fields_from_form(format!("request_id=r&status={}", status.to_uppercase()).as_bytes());
        prop_assert_eq!(parse_eskiz(&lower).unwrap().status, parse_eskiz(&upper).unwrap().status);
    }

    #[test]
    fn terminal_eskiz_states_are_recognised(status in prop::sample::select(vec!["DELIVRD", "UNDELIV", "EXPIRED", "REJECTD", "DELETED", "REJECTED", "DELIVERED"])) {
        let f = fields_from_form(format!("message_id=1&status={status}").as_bytes());
        prop_assert_ne!(parse_eskiz(&f).unwrap().status, DeliveryStatus::Pending);
    }

    #[test]
    fn a_signature_validates_its_own_params_and_nothing_else(
        params in prop::collection::vec(("[A-Za-z]{1,8}", "[ -~]{0,20}"), 0..8),
        token in "[a-f0-9]{32}",
        path in "[a-z]{1,10}",
    ) {
        let url = format!("https://hooks.example.net/{path}");
        let params: Vec<(String, String)> = params;
        let sig = signature::compute(&token, &url, &params);
        prop_assert!(signature::validate(&token, &url, &params, &sig));
        let mut tampered = params.clone();
        tampered.push(("Injected".into(), "1".into()));
        prop_assert!(!signature::validate(&token, &url, &tampered, &sig));
    }

    #[test]
    fn segments_are_consistent(text in ".{0,400}") {
        let info = segments::count(&text);
        let (single, per) = match info.encoding {
            segments::Encoding::Gsm7 => (160, 153),
            segments::Encoding::Ucs2 => (70, 67),
        };
        prop_assert!(info.segments >= 1);
        if info.units <= single {
            prop_assert_eq!(info.segments, 1);
        } else {
            prop_assert_eq!(info.segments as usize, info.units.div_ceil(per));
        }
    }
}
