//! Input checks made before any request: a bad input costs the user an error, not an SMS.

use crate::error::{Error, Result};
use crate::segments::{self, SegmentInfo};

/// Twilio's documented maximum; Eskiz documents none, the same cap keeps both honest.
pub const MAX_TEXT_CHARS: usize = 1600;
/// Messages in one `sendBatch` call.
pub const MAX_BATCH: usize = 1000;

/// Non-empty text within the size cap; returns its segment count.
pub fn text(text: &str) -> Result<SegmentInfo> {
    if text.trim().is_empty() {
        return Err(Error::invalid("text must not be empty"));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Error::invalid(format!(
            "text is {chars} characters long; the limit is {MAX_TEXT_CHARS}"
        )));
    }
    if text.chars().any(|c| c == '\0') {
        return Err(Error::invalid("text must not contain NUL characters"));
    }
    Ok(segments::count(text))
}

/// An alphanumeric sender name (1–11 characters, the GSM limit) or a short/long number
/// (3–15 digits).
pub fn sender(from: &str) -> Result<()> {
    let digits = from.chars().all(|c| c.is_ascii_digit());
    let ok = if digits {
        (3..=15).contains(&from.len())
    } else {
        (1..=11).contains(&from.chars().count())
            && from
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && from
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'))
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "sender {from:?} must be 1–11 letters/digits (alphanumeric sender ID) or 3–15 digits"
        )))
    }
}

/// An absolute http(s) URL with a host, as providers POST delivery reports to it.
pub fn callback_url(url: &str) -> Result<()> {
    let bad = || Error::invalid("callbackUrl must be an absolute http(s) URL with a host");
    if url.len() > 2048 {
        return Err(Error::invalid("callbackUrl is longer than 2048 characters"));
    }
    let parsed = url::Url::parse(url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(())
}

/// Eskiz's `user_sms_id`: a live probe showed only numbers of at most 12 digits pass.
pub fn eskiz_reference(reference: &str) -> Result<()> {
    if (1..=12).contains(&reference.len()) && reference.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "reference {reference:?} must be 1–12 digits (Eskiz user_sms_id)"
        )))
    }
}

/// Replaces runs of four or more digits (codes, amounts, numbers) with `*` for log lines.
pub fn mask_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 4 {
            out.extend(std::iter::repeat_n('*', run.chars().count()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn texts() {
        assert_eq!(text("Salom").unwrap().segments, 1);
        for bad in ["", "   ", "\n\t"] {
            assert_eq!(text(bad).unwrap_err().code, ErrorCode::InvalidArgument);
        }
        assert!(text(&"a".repeat(1600)).is_ok());
        assert!(text(&"a".repeat(1601)).is_err());
        assert!(text("a\0b").is_err());
    }

    #[test]
    fn senders() {
        for ok in ["4546", "Eskiz.uz", "MyShop", "A", "12345678901234"] {
            assert!(sender(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "12",
            "TooLongSenderName",
            "-start",
            "bad/char",
            "1234567890123456",
        ] {
            assert!(sender(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn callback_urls() {
        assert!(callback_url("https://example.uz/hooks/eskiz/s3cret").is_ok());
        for bad in [
            "",
            "example.uz/x",
            "ftp://example.uz",
            "http://",
            "javascript:alert(1)",
        ] {
            assert!(callback_url(bad).is_err(), "{bad}");
        }
        assert!(callback_url(&format!("https://x.uz/{}", "a".repeat(2100))).is_err());
    }

    #[test]
    fn references() {
        assert!(eskiz_reference("999999999999").is_ok());
        for bad in ["", "1000000000000", "abc", "12-3"] {
            assert!(eskiz_reference(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masks_codes_in_log_text() {
        assert_eq!(
            mask_digits("Kod: 123456. 12 daqiqa"),
            "Kod: ******. 12 daqiqa"
        );
    }
}
