//! Phone numbers: whatever users type (`+998 90 123-45-67`, `90 123 45 67`, `998901234567`,
//! `00998…`) becomes one validated E.164 number before any request is made.

use crate::error::{Error, ErrorCode, Result};
use crate::log::mask_phone;
use parking_lot::Mutex;
use phonenumber::country::Id as CountryId;
use phonenumber::Mode;
use std::collections::HashMap;
use std::sync::LazyLock;

/// A validated number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// `+998901234567`
    pub e164: String,
    /// ISO 3166-1 alpha-2 of the number's region (`UZ`), when libphonenumber knows it.
    pub country: Option<String>,
    pub calling_code: u16,
}

impl Phone {
    /// `998901234567`: the digits without `+`, as Eskiz wants them.
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    pub fn is_uzbek(&self) -> bool {
        self.calling_code == 998
    }

    pub fn masked(&self) -> String {
        mask_phone(&self.e164)
    }
}

/// Validated numbers kept for reuse: libphonenumber's checks cost more than the HTTP request
/// itself, and the same numbers come back (send, status, OTP send and verify, retries).
const CACHE_CAPACITY: usize = 4096;
static CACHE: LazyLock<Mutex<HashMap<(String, String), Phone>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Parses `input`; a number without a country code is read as a number of `default_region`
/// (ISO alpha-2, e.g. `UZ`). Errors are `INVALID_PHONE` and never echo the full number.
pub fn normalize(input: &str, default_region: &str) -> Result<Phone> {
    let key = (input.to_string(), default_region.to_string());
    if let Some(p) = CACHE.lock().get(&key) {
        return Ok(p.clone());
    }
    let phone = parse(input, default_region)?;
    let mut cache = CACHE.lock();
    if cache.len() >= CACHE_CAPACITY {
        // Crude but bounded: a full cache starts over rather than tracking recency.
        cache.clear();
    }
    cache.insert(key, phone.clone());
    Ok(phone)
}

fn parse(input: &str, default_region: &str) -> Result<Phone> {
    let cleaned: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{a0}' | '\t'))
        .collect();
    if cleaned.is_empty() {
        return Err(invalid("phone number is empty"));
    }
    let cleaned = match cleaned.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => cleaned,
    };
    let body = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(&format!(
            "phone number {} contains characters other than digits",
            mask_phone(input)
        )));
    }
    if body.len() > 15 {
        return Err(invalid("phone number is longer than 15 digits (E.164)"));
    }
    let region: Option<CountryId> = default_region.parse().ok();
    let explicit = cleaned.starts_with('+');
    let candidates: Vec<(Option<CountryId>, String)> = if explicit {
        vec![(None, cleaned.clone())]
    } else {
        // Local form first (`901234567` in Uzbekistan), then the digits read as an
        // international number without its `+` (`998901234567`, `14155552345`), then the local
        // form with the region's code in front: libphonenumber reads a local number that
        // happens to start with the code (`99 800 00 00`) as international and refuses it.
        let mut c = vec![(region, cleaned.clone()), (None, format!("+{cleaned}"))];
        if let Some(code) = phonenumber::metadata::DATABASE
            .by_id(default_region)
            .map(|m| m.country_code())
        {
            c.push((None, format!("+{code}{cleaned}")));
        }
        c
    };
    for (region, text) in candidates {
        if let Ok(number) = phonenumber::parse(region, &text) {
            if phonenumber::is_valid(&number) {
                return Ok(Phone {
                    e164: number.format().mode(Mode::E164).to_string(),
                    country: number.country().id().map(|id| format!("{id:?}")),
                    calling_code: number.code().value(),
                });
            }
        }
    }
    Err(invalid(&format!(
        "{} is not a valid phone number",
        mask_phone(input)
    )))
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidPhone, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_uzbek_spellings() {
        for input in [
            "+998901234567",
            "998901234567",
            "+998 90 123-45-67",
            "(90) 123 45 67",
            "901234567",
            "00998901234567",
        ] {
            let p = normalize(input, "UZ").unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(p.e164, "+998901234567", "{input}");
            assert_eq!(p.digits(), "998901234567");
            assert_eq!(p.country.as_deref(), Some("UZ"));
            assert!(p.is_uzbek());
        }
    }

    #[test]
    fn a_local_number_starting_with_the_country_code_is_still_local() {
        assert_eq!(
            normalize("99 800 00 00", "UZ").unwrap().e164,
            "+998998000000"
        );
        assert_eq!(normalize("998000000", "UZ").unwrap().e164, "+998998000000");
        assert_eq!(
            normalize("998998000000", "UZ").unwrap().e164,
            "+998998000000"
        );
    }

    #[test]
    fn accepts_foreign_numbers_with_country_code() {
        let p = normalize("+1 415 555 2671", "UZ").unwrap();
        assert_eq!(p.e164, "+14155552671");
        assert_eq!(p.calling_code, 1);
        let p = normalize("14155552671", "UZ").unwrap();
        assert_eq!(p.e164, "+14155552671");
    }

    #[test]
    fn rejects_garbage_with_invalid_phone() {
        for input in [
            "",
            "   ",
            "abc",
            "+998",
            "99890123",
            "+9989012345678901",
            "998-90-123-45-6x",
            "+0000000000",
        ] {
            let err = normalize(input, "UZ").unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidPhone, "{input:?}");
        }
    }

    #[test]
    fn cached_answers_equal_fresh_ones() {
        for input in ["+998901234567", "90 123 45 67", "nonsense", "+14155552671"] {
            let first = normalize(input, "UZ");
            let second = normalize(input, "UZ");
            assert_eq!(first.as_ref().ok(), second.as_ref().ok(), "{input}");
            assert_eq!(first.is_err(), second.is_err());
            assert_eq!(parse(input, "UZ").ok(), second.ok());
        }
        // The region is part of the key: a local number means different things.
        assert!(normalize("4155552671", "US").is_ok());
        assert!(normalize("4155552671", "UZ").is_err());
    }

    #[test]
    fn errors_do_not_echo_the_number() {
        let err = normalize("99890123456x", "UZ").unwrap_err();
        assert!(!err.message.contains("99890123456"), "{}", err.message);
    }
}
