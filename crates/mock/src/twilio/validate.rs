//! `CreateMessage` parameters, checked in the order below; the first problem is answered
//! (HTTP 400, Twilio's code and message):
//!
//! 1. `To` missing → 21604; neither `From` nor `MessagingServiceSid` → 21603; none of
//!    `Body`, `MediaUrl`, `ContentSid` → 21602; `Body` over 1600 characters → 21617.
//! 2. Formats: `To` not E.164 → 21211; `From` neither a phone number, a short code nor an
//!    alphanumeric sender ID → 21212; `MessagingServiceSid` not `MG…` or not the account's →
//!    21701; `ContentSid` not `HX…` → 21655; more than 10 `MediaUrl` → 21623;
//!    `StatusCallback` not an http(s) URL with a valid host (no underscores), or over 4000
//!    characters → 21609; `ValidityPeriod` not an integer 1–36000 → 21624; a schedule's
//!    `SendAt` not ISO 8601 or not 15 minutes to 35 days ahead → 35114.
//! 3. The sender: magic `From` numbers, then ownership → 21606 (or 21611); a Messaging
//!    Service without senders → 21704.
//! 4. Magic `To` numbers (21211, 21612, 21408, 21610, 21614).
//!
//! Scheduling needs a Messaging Service; without one `ScheduleType`/`SendAt` are dropped
//! and the message goes at once, as Twilio does.

use super::config::TwilioConfig;
use super::error::TwilioError;
use super::magic::{self, VALID_FROM};
use super::sids::is_sid;

/// What Twilio accepts as a body, in characters.
const MAX_BODY_CHARS: usize = 1600;
const MAX_MEDIA: usize = 10;
const MAX_CALLBACK_URL: usize = 4000;
/// The scheduling window: `SendAt` at least 15 minutes and at most 35 days ahead.
const MIN_SCHEDULE_MS: u64 = 15 * 60 * 1000;
const MAX_SCHEDULE_MS: u64 = 35 * 24 * 3600 * 1000;

/// A valid create request.
#[derive(Debug)]
pub(crate) struct Draft {
    pub to: String,
    pub from: String,
    pub service_picks_sender: bool,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub num_media: u32,
    pub status_callback: Option<String>,
    pub send_at_ms: Option<u64>,
    pub feedback: bool,
}

/// The parameters of a create request, already read from the form.
#[derive(Default)]
pub(crate) struct Params<'a> {
    pub to: Option<&'a str>,
    pub from: Option<&'a str>,
    pub messaging_service_sid: Option<&'a str>,
    pub body: Option<&'a str>,
    pub media_urls: Vec<&'a str>,
    pub content_sid: Option<&'a str>,
    pub status_callback: Option<&'a str>,
    pub validity_period: Option<&'a str>,
    pub schedule_type: Option<&'a str>,
    pub send_at: Option<&'a str>,
    pub provide_feedback: Option<&'a str>,
}

pub(crate) fn draft(p: &Params, cfg: &TwilioConfig, now_ms: u64) -> Result<Draft, TwilioError> {
    let to =
        p.to.ok_or_else(|| bad(21604, "A 'To' phone number is required."))?;
    if p.from.is_none() && p.messaging_service_sid.is_none() {
        return Err(bad(21603, "A 'From' phone number is required."));
    }
    if p.body.is_none() && p.media_urls.is_empty() && p.content_sid.is_none() {
        return Err(bad(21602, "Message body is required."));
    }
    let body = p.body.unwrap_or("");
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(bad(
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }

    if !is_e164(to) {
        return Err(bad(21211, magic::invalid_to(to)));
    }
    if let Some(from) = p.from {
        let well_formed = is_e164(from) || is_short_code(from) || is_alphanumeric_id(from);
        if !well_formed && !cfg.numbers.iter().any(|n| n == from) {
            return Err(bad(
                21212,
                format!(
                    "The 'From' number {from} is not a valid phone number, shortcode, or \
                     alphanumeric sender ID."
                ),
            ));
        }
    }
    if let Some(mg) = p.messaging_service_sid {
        if !is_sid("MG", mg) || !cfg.messaging_service_sids.iter().any(|s| s == mg) {
            return Err(bad(
                21701,
                format!("The Messaging Service Sid {mg} is invalid."),
            ));
        }
    }
    if let Some(hx) = p.content_sid {
        if !is_sid("HX", hx) {
            return Err(bad(21655, "The ContentSid is Invalid."));
        }
    }
    if p.media_urls.len() > MAX_MEDIA {
        return Err(bad(
            21623,
            "The number of media files exceeds the allowed limit of 10.",
        ));
    }
    if let Some(url) = p.status_callback {
        if !callback_url_ok(url) {
            return Err(bad(
                21609,
                format!("The StatusCallback URL {url} is not a valid URL."),
            ));
        }
    }
    if let Some(v) = p.validity_period {
        if !v.parse::<u32>().is_ok_and(|s| (1..=36_000).contains(&s)) {
            return Err(bad(21624, "Invalid validity period value"));
        }
    }
    let scheduled = p.messaging_service_sid.is_some() && p.schedule_type == Some("fixed");
    let send_at_ms = if scheduled {
        let at = p
            .send_at
            .and_then(crate::time::parse_iso8601)
            .filter(|at| *at >= now_ms + MIN_SCHEDULE_MS && *at <= now_ms + MAX_SCHEDULE_MS);
        Some(at.ok_or_else(|| bad(35114, "Scheduling does not support this timestamp."))?)
    } else {
        None
    };

    let (from, service_picks_sender) = match p.from {
        Some(from) => {
            check_sender(from, cfg)?;
            (from.to_owned(), false)
        }
        // A Messaging Service picks from its sender pool: the account's first number
        // (the magic valid sender for test credentials).
        None if cfg.test_credentials => (VALID_FROM.to_owned(), true),
        None => match cfg.numbers.first() {
            Some(n) => (n.clone(), true),
            None => {
                return Err(bad(
                    21704,
                    "The Messaging Service contains no phone numbers",
                ))
            }
        },
    };
    if let Some(e) = magic::to_refusal(to, &from) {
        return Err(e);
    }

    Ok(Draft {
        to: to.to_owned(),
        from,
        service_picks_sender,
        messaging_service_sid: p.messaging_service_sid.map(str::to_owned),
        body: body.to_owned(),
        num_media: p.media_urls.len() as u32,
        status_callback: p.status_callback.map(str::to_owned),
        send_at_ms,
        feedback: p
            .provide_feedback
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
    })
}

fn bad(code: u32, message: impl Into<String>) -> TwilioError {
    TwilioError::bad_request(code, message)
}

/// Whether the account may send from `from`. Test credentials own nothing but the magic
/// sender.
fn check_sender(from: &str, cfg: &TwilioConfig) -> Result<(), TwilioError> {
    if let Some(e) = magic::from_refusal(from) {
        return Err(e);
    }
    let owned = from == VALID_FROM
        || (!cfg.test_credentials
            && (cfg.numbers.iter().any(|n| n == from)
                || (cfg.alphanumeric_senders && is_alphanumeric_id(from))));
    if owned {
        Ok(())
    } else {
        Err(magic::not_your_sender(from))
    }
}

/// `+` and 2–15 digits, the first not 0.
pub(crate) fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn is_short_code(s: &str) -> bool {
    (5..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Up to 11 letters, digits and spaces, at least one letter.
fn is_alphanumeric_id(s: &str) -> bool {
    (1..=11).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

/// A fully qualified http(s) URL whose host has no underscore (the Messages API refuses
/// them, though DNS allows them).
fn callback_url_ok(url: &str) -> bool {
    if url.len() > MAX_CALLBACK_URL {
        return false;
    }
    match url::Url::parse(url) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https")
                && u.host_str()
                    .is_some_and(|h| !h.is_empty() && !h.contains('_'))
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params<'a>() -> Params<'a> {
        Params {
            to: Some("+998901234567"),
            from: Some(VALID_FROM),
            body: Some("Hi"),
            ..Params::default()
        }
    }

    fn code(p: &Params, cfg: &TwilioConfig) -> Option<u32> {
        draft(p, cfg, 1_000_000).err().map(|e| e.code)
    }

    #[test]
    fn formats() {
        assert!(is_e164("+15005550006"));
        assert!(!is_e164("15005550006"));
        assert!(!is_e164("+0123"));
        assert!(!is_e164("+1234567890123456"));
        assert!(is_alphanumeric_id("My Shop 24"));
        assert!(!is_alphanumeric_id("123456"));
        assert!(!is_alphanumeric_id("TwelveLetter"));
        assert!(callback_url_ok("https://hooks.example.net/sms?x=1"));
        assert!(callback_url_ok("http://127.0.0.1:9/cb"));
        assert!(!callback_url_ok("https://my_hooks.example.net/sms"));
        assert!(!callback_url_ok("ftp://example.net/x"));
        assert!(!callback_url_ok("/relative"));
    }

    #[test]
    fn checks_in_order() {
        let cfg = TwilioConfig::default();
        assert_eq!(code(&params(), &cfg), None);
        let p = Params {
            to: None,
            from: None,
            body: None,
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21604));
        let p = Params {
            from: None,
            body: None,
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21603));
        let p = Params {
            body: None,
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21602));
        let long = "a".repeat(1601);
        let p = Params {
            body: Some(&long),
            to: Some("nope"),
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21617));
        let p = Params {
            to: Some("998901234567"),
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21211));
        let p = Params {
            from: Some("not-a-sender!"),
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21212));
        let p = Params {
            from: Some("+14155550199"),
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21606));
        let p = Params {
            validity_period: Some("0"),
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21624));
    }

    #[test]
    fn services_pick_senders_and_schedule() {
        let cfg = TwilioConfig::default();
        let mg = cfg.messaging_service_sids[0].clone();
        let p = Params {
            from: None,
            messaging_service_sid: Some(&mg),
            ..params()
        };
        let d = draft(&p, &cfg, 0).unwrap();
        assert_eq!(
            (d.from.as_str(), d.service_picks_sender),
            (VALID_FROM, true)
        );

        let soon = crate::time::iso_utc_secs(1_000_000 + 60_000);
        let later = crate::time::iso_utc_secs(1_000_000 + 3_600_000);
        assert_eq!(code(&scheduled(&mg, &soon), &cfg), Some(35114));
        let d = draft(&scheduled(&mg, &later), &cfg, 1_000_000).unwrap();
        assert_eq!(d.send_at_ms, Some(1_000_000 + 3_600_000));
        // Without a service, the schedule is dropped.
        let p = Params {
            schedule_type: Some("fixed"),
            send_at: Some(&soon),
            ..params()
        };
        assert_eq!(draft(&p, &cfg, 1_000_000).unwrap().send_at_ms, None);
    }

    fn scheduled<'a>(mg: &'a str, send_at: &'a str) -> Params<'a> {
        Params {
            from: None,
            messaging_service_sid: Some(mg),
            schedule_type: Some("fixed"),
            send_at: Some(send_at),
            ..params()
        }
    }

    #[test]
    fn test_credentials_own_only_the_magic_sender() {
        let cfg = TwilioConfig {
            test_credentials: true,
            ..TwilioConfig::default()
        };
        assert_eq!(code(&params(), &cfg), None);
        let p = Params {
            from: Some("+14155550100"),
            ..params()
        };
        assert_eq!(code(&p, &cfg), Some(21606));
    }
}
