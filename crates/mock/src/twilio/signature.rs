//! `X-Twilio-Signature`, as Twilio computes it for the webhooks it sends.
//!
//! Form requests: base64(HMAC-SHA1(auth token, URL + every parameter name and value,
//! names sorted, values of a repeated name de-duplicated and sorted, no separators)).
//! JSON requests: the URL carries `bodySHA256=<hex SHA-256 of the raw body>` and only the
//! URL is signed. The URL is the one configured, byte for byte; Twilio's own validators
//! also accept the form with the default port written out, which a switch makes the
//! sandbox sign instead.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::hex::hex;

type HmacSha1 = Hmac<Sha1>;

/// The signature of a form-encoded request to `url` carrying `params`.
pub(crate) fn sign(auth_token: &str, url: &str, params: &[(&str, String)]) -> String {
    let mut by_name: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, value) in params {
        by_name.entry(name).or_default().insert(value);
    }
    let mut mac =
        HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts any key length");
    mac.update(url.as_bytes());
    for (name, values) in &by_name {
        for value in values {
            mac.update(name.as_bytes());
            mac.update(value.as_bytes());
        }
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// `url` with `bodySHA256` appended to its query, for a JSON body.
pub(crate) fn with_body_hash(url: &str, body: &[u8]) -> String {
    let digest = hex(&Sha256::digest(body));
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{separator}bodySHA256={digest}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `url` with its scheme's default port written out (`:443` for https, `:80` for http)
/// when it has no port; otherwise `url` unchanged. Nothing else is normalised.
pub(crate) fn with_default_port(url: &str) -> Cow<'_, str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Cow::Borrowed(url);
    };
    let port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return Cow::Borrowed(url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // An IPv6 literal has colons of its own: only one after the closing bracket is a port.
    let has_port = match host.rfind(']') {
        Some(close) => host[close..].contains(':'),
        None => host.contains(':'),
    };
    if has_port {
        return Cow::Borrowed(url);
    }
    let insert_at = scheme.len() + 3 + authority_end;
    Cow::Owned(format!("{}:{port}{}", &url[..insert_at], &url[insert_at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's worked example (§5.4), made-up values.
    fn example_params() -> Vec<(&'static str, String)> {
        let message_sid = format!("SM{}", "2".repeat(32));
        vec![
            ("To", "+998901234567".into()),
            ("From", "+15557654321".into()),
            ("MessageStatus", "undelivered".into()),
            ("SmsStatus", "undelivered".into()),
            ("ErrorCode", "30003".into()),
            ("MessageSid", message_sid.clone()),
            ("SmsSid", message_sid),
            ("AccountSid", format!("AC{}", "1".repeat(32))),
            ("ApiVersion", "2010-04-01".into()),
        ]
    }

    const TOKEN: &str = "d3adb33fd3adb33fd3adb33fd3adb33f";
    const URL: &str = "https://hooks.example.net/sms/status?shop=7";

    #[test]
    fn reproduces_the_reference_example() {
        assert_eq!(
            sign(TOKEN, URL, &example_params()),
            "Hh/iXuXTweQdMyrermmHpc7xtJg="
        );
        let with_port = with_default_port(URL);
        assert_eq!(with_port, "https://hooks.example.net:443/sms/status?shop=7");
        assert_eq!(
            sign(TOKEN, &with_port, &example_params()),
            "2dW5eRcJkOq+/y+QEYDFmTHMK/Y="
        );
    }

    #[test]
    fn repeated_values_are_deduplicated_and_sorted() {
        let once = [("A", "1".to_owned()), ("B", "x".to_owned())];
        let twice = [
            ("B", "x".to_owned()),
            ("A", "1".to_owned()),
            ("B", "x".to_owned()),
        ];
        assert_eq!(sign("k", "u", &once), sign("k", "u", &twice));
        let ab = [("M", "a".to_owned()), ("M", "b".to_owned())];
        let ba = [("M", "b".to_owned()), ("M", "a".to_owned())];
        assert_eq!(sign("k", "u", &ab), sign("k", "u", &ba));
    }

    #[test]
    fn default_ports() {
        assert_eq!(with_default_port("http://h/x"), "http://h:80/x");
        assert_eq!(with_default_port("https://h"), "https://h:443");
        assert_eq!(
            with_default_port("https://u:p@h?q=1"),
            "https://u:p@h:443?q=1"
        );
        assert_eq!(
            with_default_port("http://127.0.0.1:8080/cb"),
            "http://127.0.0.1:8080/cb"
        );
        assert_eq!(with_default_port("http://[::1]/cb"), "http://[::1]:80/cb");
        assert_eq!(with_default_port("http://[::1]:9/cb"), "http://[::1]:9/cb");
    }

    #[test]
    fn body_hash_goes_into_the_query() {
        // SHA-256 of `{}`.
        let digest = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
        let url = with_body_hash("https://h/cb?a=1", b"{}");
        assert_eq!(url, format!("https://h/cb?a=1&bodySHA256={digest}"));
        assert!(with_body_hash("https://h/cb", b"{}").starts_with("https://h/cb?bodySHA256="));
    }
}
