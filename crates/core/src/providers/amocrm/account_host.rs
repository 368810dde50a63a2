//! The one rule that decides whether a host is an amoCRM account host, the only kind of host
//! this client sends an integration's secrets to (unless the operator set `baseUrl`).
//!
//! An account host is exactly `<sub>.amocrm.ru`, `<sub>.amocrm.com` or `<sub>.kommo.com`, in
//! lowercase, `<sub>` being 1–63 of `[a-z0-9-]` (not a punycode `xn--` label): no port, no
//! userinfo, no IP literal in any notation, no trailing dot, nothing else. Callback referers,
//! widget installs, stored `baseDomain`s and the configured subdomain all go through
//! [`AccountHost::parse`]; nothing here ever widens it.

use super::oauth::AmoDomain;
use std::fmt;

/// The parent domains amoCRM accounts live under.
const ACCOUNT_DOMAINS: [&str; 3] = ["amocrm.ru", "amocrm.com", "kommo.com"];
const MAX_SUBDOMAIN: usize = 63;

/// A host that passed the account-host rule; the only way to build one is through it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountHost(String);

impl AccountHost {
    /// The rule itself, on the canonical spelling (`example.amocrm.ru`). `None` for anything
    /// else: upper case, a scheme, a path, a port, userinfo, an IP address, a trailing dot.
    pub fn parse(host: &str) -> Option<AccountHost> {
        let (sub, parent) = host.split_once('.')?;
        let sub_ok = (1..=MAX_SUBDOMAIN).contains(&sub.len())
            && sub
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !sub.starts_with("xn--");
        if !sub_ok || !ACCOUNT_DOMAINS.contains(&parent) {
            return None;
        }
        // Belt and braces: the URL parser must read the very same string as a domain host.
        let parsed = url::Url::parse(&format!("https://{host}/")).ok()?;
        let same = matches!(parsed.host(), Some(url::Host::Domain(d)) if d == host)
            && parsed.port().is_none()
            && parsed.username().is_empty()
            && parsed.password().is_none();
        same.then(|| AccountHost(host.to_string()))
    }

    /// The account of a configured subdomain (`example` → `example.amocrm.ru`).
    pub fn of_subdomain(subdomain: &str, domain: AmoDomain) -> Option<AccountHost> {
        if subdomain.contains('.') {
            return None;
        }
        Self::parse(&format!("{subdomain}.{}", domain.tld()))
    }

    /// A callback's `referer` in the spellings amoCRM and its clients use (`example`,
    /// `example.amocrm.ru`, `https://Example.amocrm.ru/`), brought to the canonical host and
    /// then judged by [`AccountHost::parse`]. Anything with a port, userinfo, path, query or
    /// fragment is refused before the rule is even asked.
    pub fn from_referer(referer: &str, domain: AmoDomain) -> Option<AccountHost> {
        let r = referer.trim();
        if r.is_empty() || r.len() > 300 {
            return None;
        }
        if !r.contains(['.', ':', '/', '@', '[', '\\', '%']) {
            // A bare subdomain: amoCRM's own shortest spelling.
            return Self::of_subdomain(&r.to_ascii_lowercase(), domain);
        }
        let lower = r.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .unwrap_or(&lower);
        let host = rest.strip_suffix('/').unwrap_or(rest);
        // Only letters, digits, hyphens and dots may remain: the rule then sees the host as
        // written, with nothing for a URL parser to reinterpret.
        if !host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            return None;
        }
        Self::parse(host)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `https://example.amocrm.ru`: where its API and token endpoint live.
    pub fn origin(&self) -> String {
        format!("https://{}", self.0)
    }
}

impl fmt::Debug for AccountHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountHost({})", self.0)
    }
}

impl fmt::Display for AccountHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule written again, independently of the code above, for the property tests.
    fn rule(host: &str) -> bool {
        let Some((sub, parent)) = host.split_once('.') else {
            return false;
        };
        let re_sub = !sub.is_empty()
            && sub.len() <= 63
            && sub
                .chars()
                .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
            && !sub.starts_with("xn--");
        re_sub && matches!(parent, "amocrm.ru" | "amocrm.com" | "kommo.com")
    }

    #[test]
    fn the_rule_on_a_table_of_hosts() {
        let accepted = [
            "myshop.amocrm.ru",
            "myshop.amocrm.com",
            "myshop.kommo.com",
            "a.amocrm.ru",
            "shop-2.kommo.com",
            "127.amocrm.ru",
            &format!("{}.amocrm.ru", "a".repeat(63)),
        ];
        for h in accepted {
            assert_eq!(
                AccountHost::parse(h).map(|a| a.0),
                Some(h.to_string()),
                "{h}"
            );
        }
        let refused = [
            "",
            "127.0.0.1",
            "127.1",
            "0x7f000001",
            "2130706433",
            "017700000001",
            "0177.0.0.1",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "::1",
            "myshop.amocrm.ru.evil.example",
            "evil.example",
            "evil.example:8443",
            "myshop.amocrm.ru:443",
            "u@myshop.amocrm.ru",
            "u:p@myshop.amocrm.ru",
            "myshop.amocrm.ru.",
            "MYSHOP.amocrm.ru",
            "myshop.AMOCRM.ru",
            "xn--80ak6aa92e.amocrm.ru",
            "xn--myshop.kommo.com",
            &format!("{}.amocrm.ru", "a".repeat(64)),
            "amocrm.ru",
            ".amocrm.ru",
            "www.myshop.amocrm.ru",
            "my_shop.amocrm.ru",
            "my shop.amocrm.ru",
            "myshop.amocrm.ru/",
            "https://myshop.amocrm.ru",
            "myshop.amocrm.ru/path",
            "myshop.amocrm.ru?x",
            "myshop.amocrm.ru#x",
            "myshop%2eamocrm.ru",
            "myshop.amocrm.ru\\",
            "myshop.amocrm.rü",
            "myshop.kommo.ru",
            "myshop.amocrm.org",
        ];
        for h in refused {
            assert_eq!(AccountHost::parse(h), None, "{h:?} must be refused");
        }
    }

    #[test]
    fn referers_in_amocrm_spellings_reach_the_canonical_host() {
        let ru = AmoDomain::AmoCrmRu;
        for r in [
            "example",
            "EXAMPLE",
            "example.amocrm.ru",
            "https://example.amocrm.ru/",
            "http://example.amocrm.ru",
            "Example.AmoCRM.ru",
            " example.amocrm.ru ",
        ] {
            assert_eq!(
                AccountHost::from_referer(r, ru).unwrap().as_str(),
                "example.amocrm.ru",
                "{r}"
            );
        }
        assert_eq!(
            AccountHost::from_referer("shop", AmoDomain::KommoCom)
                .unwrap()
                .as_str(),
            "shop.kommo.com"
        );
        assert_eq!(
            AccountHost::from_referer("shop", AmoDomain::AmoCrmCom)
                .unwrap()
                .as_str(),
            "shop.amocrm.com"
        );
        for r in [
            "",
            "127.0.0.1",
            "127.0.0.1:8443",
            "127.1",
            "http://0x7f000001/",
            "https://2130706433",
            "017700000001:443",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "https://[::1]:9/",
            "myshop.amocrm.ru.evil.example",
            "evil.example:8443",
            "myshop.amocrm.ru:443",
            "https://myshop.amocrm.ru:443/",
            "u@myshop.amocrm.ru",
            "https://u:p@myshop.amocrm.ru/",
            "myshop.amocrm.ru.",
            "myshop.amocrm.ru/oauth2",
            "https://myshop.amocrm.ru/?x=1",
            "myshop.amocrm.ru%2f",
            "myshop%2eamocrm.ru",
            "myshop.amocrm.ru\\@evil.example",
            "ftp://myshop.amocrm.ru",
            "//myshop.amocrm.ru",
            "xn--80ak6aa92e.amocrm.ru",
            "пример.amocrm.ru",
            "evil host",
        ] {
            assert_eq!(
                AccountHost::from_referer(r, ru),
                None,
                "{r:?} must be refused"
            );
        }
        // A bare word that spells an IP number is still only a subdomain of amocrm.ru.
        for n in ["2130706433", "0x7f000001", "017700000001"] {
            assert_eq!(
                AccountHost::from_referer(n, ru).map(|h| h.0),
                Some(format!("{n}.amocrm.ru"))
            );
        }
    }

    fn near_miss() -> impl Strategy<Value = String> {
        let sub = "[a-zA-Z0-9_.:@%\\[\\]\\\\/-]{0,70}";
        let parent = prop_oneof![
            Just("amocrm.ru".to_string()),
            Just("amocrm.com".to_string()),
            Just("kommo.com".to_string()),
            Just("amocrm.ru.".to_string()),
            Just("amocrm.ru:443".to_string()),
            Just("kommo.com.evil.example".to_string()),
            Just("AMOCRM.RU".to_string()),
            "[a-z.]{1,12}",
        ];
        (sub, parent).prop_map(|(s, p)| format!("{s}.{p}"))
    }

    proptest! {
        #[test]
        fn nothing_outside_the_rule_is_accepted(host in prop_oneof![near_miss(), ".{0,80}"]) {
            if let Some(h) = AccountHost::parse(&host) {
                prop_assert!(rule(&host), "accepted {host:?} outside the rule");
                prop_assert_eq!(h.as_str(), host.as_str());
            } else {
                prop_assert!(!rule(&host), "refused {host:?} inside the rule");
            }
        }

        #[test]
        fn referers_never_widen_the_rule(referer in prop_oneof![near_miss(), ".{0,80}"]) {
            if let Some(h) = AccountHost::from_referer(&referer, AmoDomain::AmoCrmRu) {
                prop_assert!(rule(h.as_str()));
            }
        }

        #[test]
        fn every_valid_host_is_accepted(
            sub in "[a-z0-9-]{1,63}",
            parent in prop_oneof![Just("amocrm.ru"), Just("amocrm.com"), Just("kommo.com")],
        ) {
            let host = format!("{sub}.{parent}");
            prop_assert_eq!(AccountHost::parse(&host).is_some(), !sub.starts_with("xn--"));
        }
    }
}
