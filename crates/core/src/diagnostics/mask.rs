//! The one place that decides how a configured value may appear in the configuration view. A
//! secret never appears at all (only whether it is set); identifiers keep a few characters so an
//! operator recognises them; URLs keep their host and lose anything that may carry a secret
//! (a password, a query, a callback's secret path segment). Everything shown in the view passes
//! through `reveal`.

use url::Url;

/// What kind of value is about to be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// A password, token, key or HMAC secret: never shown, not even in part.
    Secret,
    /// An e-mail address: first character of the name and the domain.
    Email,
    /// An account or integration id (Twilio `AC…`, amoCRM client id): its first two and last
    /// four characters.
    Identifier,
    /// A login name (Play Mobile's Basic user): its first two characters, and only when it
    /// has at least six.
    Login,
    /// An API root: scheme, host, port and path; a user's password and the query masked.
    Url,
    /// A webhook URL (it may carry a secret path segment): scheme, host and port only.
    CallbackUrl,
    /// A Redis URL: the user shown, the password and query values masked.
    RedisUrl,
    /// A file path, a subdomain, a sender name: shown as configured.
    Plain,
}

pub const MASK: &str = "***";

/// How `value` may be shown; `None` for a secret (the view then says only `set`).
pub fn reveal(exposure: Exposure, value: &str) -> Option<String> {
    match exposure {
        Exposure::Secret => None,
        Exposure::Plain => Some(value.to_string()),
        Exposure::Email => Some(email(value)),
        Exposure::Identifier => Some(identifier(value)),
        Exposure::Login => Some(login(value)),
        Exposure::Url => Some(url(value, false, false)),
        Exposure::CallbackUrl => Some(url(value, true, false)),
        Exposure::RedisUrl => Some(url(value, false, true)),
    }
}

fn email(value: &str) -> String {
    match value.trim().split_once('@') {
        Some((name, domain)) if !name.is_empty() => {
            let first: String = name.chars().take(1).collect();
            format!("{first}{MASK}@{domain}")
        }
        _ => MASK.to_string(),
    }
}

fn identifier(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() < 12 {
        return MASK.to_string();
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

fn login(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() < 6 {
        return MASK.to_string();
    }
    let head: String = chars[..2].iter().collect();
    format!("{head}{MASK}")
}

/// An unparsable URL is shown as the mask alone: it may be anything.
fn url(value: &str, origin_only: bool, keep_user: bool) -> String {
    let Ok(mut u) = Url::parse(value.trim()) else {
        return MASK.to_string();
    };
    if !u.cannot_be_a_base() {
        if keep_user {
            let _ = u.password().is_some().then(|| u.set_password(Some(MASK)));
        } else if !u.username().is_empty() || u.password().is_some() {
            let _ = u.set_password(None);
            let _ = u.set_username(MASK);
        }
    }
    if u.query().is_some() {
        let names: Vec<String> = u
            .query_pairs()
            .map(|(k, _)| format!("{k}={MASK}"))
            .collect();
        u.set_query(Some(&names.join("&")));
    }
    u.set_fragment(None);
    if origin_only {
        let path = if u.path().trim_matches('/').is_empty() {
            ""
        } else {
            "/***"
        };
        return format!("{}{path}", u.origin().ascii_serialization());
    }
    let shown = u.to_string().replace("%2A%2A%2A", MASK);
    // The parser adds a `/` to a bare origin; show the root as it was written.
    match shown.strip_suffix('/') {
        Some(bare) if u.path() == "/" && u.query().is_none() && !value.trim().ends_with('/') => {
            bare.to_string()
        }
        _ => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_revealed() {
        assert_eq!(reveal(Exposure::Secret, "anything"), None);
    }

    #[test]
    fn redis_url_keeps_the_user_and_masks_the_password() {
        assert_eq!(
            reveal(
                Exposure::RedisUrl,
                "rediss://app-user:pa55word-x@cache.example.uz:6380/0"
            )
            .unwrap(),
            "rediss://app-user:***@cache.example.uz:6380/0"
        );
        assert_eq!(
            reveal(Exposure::RedisUrl, "redis://:only-password@10.0.0.5:6379").unwrap(),
            "redis://:***@10.0.0.5:6379"
        );
        assert_eq!(
            reveal(Exposure::RedisUrl, "redis://127.0.0.1:6379/2").unwrap(),
            "redis://127.0.0.1:6379/2"
        );
    }

    #[test]
    fn urls_lose_credentials_queries_and_callback_paths() {
        assert_eq!(
            reveal(
                Exposure::Url,
                "https://u:p@proxy.example.uz/eskiz/api?key=k1"
            )
            .unwrap(),
            "https://***@proxy.example.uz/eskiz/api?key=***"
        );
        assert_eq!(
            reveal(
                Exposure::CallbackUrl,
                "https://shop.uz/sms/callbacks/eskiz/0123456789abcdef"
            )
            .unwrap(),
            "https://shop.uz/***"
        );
        assert_eq!(
            reveal(Exposure::CallbackUrl, "https://shop.uz").unwrap(),
            "https://shop.uz"
        );
        assert_eq!(reveal(Exposure::Url, "not a url").unwrap(), MASK);
    }

    #[test]
    fn identifiers_and_emails_keep_a_few_characters() {
        assert_eq!(
            reveal(Exposure::Identifier, "3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f").unwrap(),
            "3f…4e5f"
        );
        assert_eq!(reveal(Exposure::Identifier, "short").unwrap(), MASK);
        assert_eq!(
            reveal(Exposure::Email, "ops@example.uz").unwrap(),
            "o***@example.uz"
        );
        assert_eq!(reveal(Exposure::Email, "no-at-sign").unwrap(), MASK);
        assert_eq!(reveal(Exposure::Login, "shopuz_api").unwrap(), "sh***");
        assert_eq!(reveal(Exposure::Login, "shop").unwrap(), MASK);
    }
}
