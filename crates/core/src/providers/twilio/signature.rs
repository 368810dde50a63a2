//! `X-Twilio-Signature` (reference §5): base64(HMAC-SHA1(auth token, URL + sorted params)),
//! compared in constant time against every URL form twilio-node's validator tries
//! (`signed_url.rs`). The JSON-body variant signs the URL alone, which carries `bodySHA256` =
//! lowercase hex SHA-256 of the raw body (compared as given, like twilio-node: uppercase hex is
//! not the digest Twilio sends). Verdicts match twilio-node's `validateRequest` /
//! `validateRequestWithBody` for the same inputs; `__test__/security/twilio-signature.test.ts`
//! holds the two side by side.

use super::signed_url;
use crate::ct;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// `url + name1 + value1 + name2 + value2 …`: names sorted (by code unit), each name's values
/// de-duplicated and sorted.
fn string_to_sign(url: &str, params: &[(String, String)]) -> String {
    let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    names.dedup();
    let mut data = url.to_string();
    for name in names {
        let mut values: Vec<&str> = params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        values.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        values.dedup();
        for v in values {
            data.push_str(name);
            data.push_str(v);
        }
    }
    data
}

pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(string_to_sign(url, params).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Form-encoded callbacks (and GET webhooks, with no params). The header is compared as given
/// (no trimming), against every URL form twilio-node tries.
pub fn validate(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let mut ok = false;
    for u in signed_url::candidates(url) {
        // No early exit: every form is checked, in constant time each.
        ok |= ct::eq(
            compute(auth_token, &u, params).as_bytes(),
            signature.as_bytes(),
        );
    }
    ok
}

/// JSON callbacks: the URL's `bodySHA256` must equal the raw body's digest, and the signature
/// must be over the URL alone.
pub fn validate_json(auth_token: &str, url: &str, raw_body: &[u8], signature: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let Some(expected) = parsed
        .query_pairs()
        .find(|(k, _)| k == "bodySHA256")
        .map(|(_, v)| v.into_owned())
    else {
        return false;
    };
    let actual: String = Sha256::digest(raw_body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let body_ok = ct::eq(actual.as_bytes(), expected.as_bytes());
    let sig_ok = validate(auth_token, url, &[], signature);
    body_ok & sig_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_params() -> Vec<(String, String)> {
        let sm = format!("SM{}", "2".repeat(32));
        [
            ("To", "+998901234567".to_string()),
            ("From", "+15557654321".into()),
            ("MessageStatus", "undelivered".into()),
            ("SmsStatus", "undelivered".into()),
            ("ErrorCode", "30003".into()),
            ("MessageSid", sm.clone()),
            ("SmsSid", sm),
            ("AccountSid", format!("AC{}", "1".repeat(32))),
            ("ApiVersion", "2010-04-01".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    const TOKEN: &str = "d3adb33fd3adb33fd3adb33fd3adb33f";

    #[test]
    fn reproduces_the_reference_example() {
        let p = example_params();
        assert_eq!(
            compute(TOKEN, "https://hooks.example.net/sms/status?shop=7", &p),
            "Hh/iXuXTweQdMyrermmHpc7xtJg="
        );
        assert_eq!(
            compute(TOKEN, "https://hooks.example.net:443/sms/status?shop=7", &p),
            "2dW5eRcJkOq+/y+QEYDFmTHMK/Y="
        );
    }

    #[test]
    fn accepts_either_port_form_and_rejects_tampering() {
        let p = example_params();
        for url in [
            "https://hooks.example.net/sms/status?shop=7",
            "https://hooks.example.net:443/sms/status?shop=7",
        ] {
            assert!(
                validate(TOKEN, url, &p, "Hh/iXuXTweQdMyrermmHpc7xtJg="),
                "{url}"
            );
            assert!(
                validate(TOKEN, url, &p, "2dW5eRcJkOq+/y+QEYDFmTHMK/Y="),
                "{url}"
            );
        }
        let mut tampered = p.clone();
        tampered[2].1 = "delivered".into();
        assert!(!validate(
            TOKEN,
            "https://hooks.example.net/sms/status?shop=7",
            &tampered,
            "Hh/iXuXTweQdMyrermmHpc7xtJg="
        ));
        assert!(!validate(
            "other-token",
            "https://hooks.example.net/sms/status?shop=7",
            &p,
            "Hh/iXuXTweQdMyrermmHpc7xtJg="
        ));
        assert!(!validate(
            TOKEN,
            "https://hooks.example.net/sms/status?shop=8",
            &p,
            "Hh/iXuXTweQdMyrermmHpc7xtJg="
        ));
    }

    #[test]
    fn repeated_keys_are_deduplicated_and_sorted() {
        let a = vec![
            ("MediaUrl".to_string(), "b".to_string()),
            ("MediaUrl".into(), "a".into()),
            ("MediaUrl".into(), "a".into()),
        ];
        assert_eq!(string_to_sign("u", &a), "uMediaUrlaMediaUrlb");
        let b = vec![
            ("b".to_string(), "1".to_string()),
            ("B".into(), "2".into()),
            ("Body".into(), "3".into()),
            ("A".into(), "4".into()),
        ];
        assert_eq!(string_to_sign("u", &b), "uA4B2Body3b1");
    }

    #[test]
    fn json_variant_checks_body_digest_and_url() {
        let body = br#"{"MessageStatus":"delivered"}"#;
        let digest: String = Sha256::digest(body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let url = format!("https://hooks.example.net/status?bodySHA256={digest}");
        let sig = compute(TOKEN, &url, &[]);
        assert!(validate_json(TOKEN, &url, body, &sig));
        assert!(!validate_json(
            TOKEN,
            &url,
            br#"{"MessageStatus":"failed"}"#,
            &sig
        ));
        assert!(!validate_json(
            TOKEN,
            "https://hooks.example.net/status",
            body,
            &sig
        ));
    }
}
