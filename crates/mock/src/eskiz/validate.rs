//! Field checks shared by the send endpoints. Each returns the refusal message.

use super::config::EskizConfig;

/// Uzbek numbers as Eskiz wants them: `998` and nine digits, nothing else.
pub(crate) fn local_phone(phone: &str) -> Result<(), &'static str> {
    if phone.len() == 12 && phone.starts_with("998") && phone.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("mobile_phone is invalid")
    }
}

/// International numbers: digits only, with country code (E.164 without `+`).
pub(crate) fn global_phone(phone: &str) -> Result<(), &'static str> {
    if (7..=15).contains(&phone.len()) && phone.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("mobile_phone is invalid")
    }
}

/// Default: letters, digits, `-`, `_`, at most 40 (the docs use `hiha124`, `test-sms-1`).
/// Strict: numeric, at most 12 digits (what one live probe accepted).
pub(crate) fn user_sms_id(id: &str, cfg: &EskizConfig) -> Result<(), &'static str> {
    let ok = if cfg.strict_user_sms_id {
        (1..=12).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
    } else {
        (1..=40).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if ok {
        Ok(())
    } else {
        Err("user_sms_id is invalid")
    }
}

/// Empty means "no callback"; otherwise it must be an http(s) URL.
pub(crate) fn callback_url(url: &str) -> Result<Option<String>, &'static str> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    match url::Url::parse(url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
            Ok(Some(url.to_owned()))
        }
        _ => Err("callback_url is invalid"),
    }
}

/// ISO 3166 alpha-2, upper-cased.
pub(crate) fn country_code(code: &str) -> Result<String, &'static str> {
    let code = code.trim();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err("country_code is invalid")
    }
}

/// Operator (`smsc_id`) of an Uzbek number, by its two-digit prefix.
pub(crate) fn smsc_of(phone: &str) -> u8 {
    match phone.get(3..5).unwrap_or("") {
        "88" | "97" => 1,        // Mobiuz
        "90" | "91" => 2,        // Beeline
        "93" | "94" | "50" => 3, // Ucell
        "33" => 4,               // Humans
        "95" | "99" | "77" => 5, // Uzmobile GSM
        "98" => 7,               // Perfectum
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert!(local_phone("998901234567").is_ok());
        assert!(local_phone("+998901234567").is_err());
        assert!(local_phone("99890123456").is_err());
        assert!(local_phone("797012345678").is_err());
        assert!(global_phone("12345678910").is_ok());
        assert!(global_phone("1-234").is_err());
    }

    #[test]
    fn user_sms_ids() {
        let mut cfg = EskizConfig::default();
        assert!(user_sms_id("test-sms-1", &cfg).is_ok());
        assert!(user_sms_id(&"a".repeat(41), &cfg).is_err());
        assert!(user_sms_id("a b", &cfg).is_err());
        cfg.strict_user_sms_id = true;
        assert!(user_sms_id("999999999999", &cfg).is_ok());
        assert!(user_sms_id("1000000000000", &cfg).is_err());
        assert!(user_sms_id("hiha124", &cfg).is_err());
    }

    #[test]
    fn callback_urls() {
        assert_eq!(callback_url(""), Ok(None));
        assert!(callback_url("http://127.0.0.1:9/cb").unwrap().is_some());
        assert!(callback_url("ftp://x/y").is_err());
        assert!(callback_url("not a url").is_err());
    }
}
