//! Wall-clock helpers: Unix milliseconds and the few timestamp formats the providers use.
//!
//! Eskiz lives in Tashkent (UTC+5, no daylight saving): callback `status_date` and history
//! filters are local time without an offset, API timestamps carry `Z` or `+05:00`.
//! Twilio's v2010 API writes RFC 2822 dates in GMT and reads ISO 8601 (`SendAt`).
//! The calendar arithmetic is Howard Hinnant's days-from-civil algorithm, which is exact
//! for the proleptic Gregorian calendar and avoids a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Tashkent's offset from UTC.
pub(crate) const TASHKENT_OFFSET_MS: i64 = 5 * 3_600_000;

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Unix seconds: JWT claims and amoCRM's timestamps.
pub(crate) fn now_secs() -> u64 {
    now_ms() / 1000
}

/// Calendar fields of an instant shifted by `offset_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
}

pub(crate) fn civil(ms: u64, offset_ms: i64) -> Civil {
    let t = ms as i64 + offset_ms;
    let days = t.div_euclid(86_400_000);
    let rem = t.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3_600_000) as u32,
        minute: (rem / 60_000 % 60) as u32,
        second: (rem / 1000 % 60) as u32,
        millis: (rem % 1000) as u32,
    }
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2024-05-31T22:02:27.954Z`
pub(crate) fn iso_utc_ms(ms: u64) -> String {
    let c = civil(ms, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
    )
}

/// `2024-05-31T22:02:27Z`
pub(crate) fn iso_utc_secs(ms: u64) -> String {
    let c = civil(ms, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `2024-05-31T22:02:28.672+05:00`
pub(crate) fn iso_tashkent(ms: u64) -> String {
    let c = civil(ms, TASHKENT_OFFSET_MS);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+05:00",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
    )
}

/// `2021-04-02 00:39:36`, Tashkent local time (callback `status_date`, logs).
pub(crate) fn plain_tashkent(ms: u64) -> String {
    let c = civil(ms, TASHKENT_OFFSET_MS);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Parses a Tashkent local `YYYY-MM-DD[ HH:MM[:SS]]` (a `T` separator is accepted too)
/// into Unix milliseconds.
pub(crate) fn parse_tashkent(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let (mut h, mut mi, mut sec) = (0u32, 0u32, 0u32);
    if let Some(t) = time {
        let mut tp = t.split(':');
        h = tp.next()?.parse().ok()?;
        mi = tp.next().map_or(Some(0), |v| v.parse().ok())?;
        sec = tp.next().map_or(Some(0), |v| v.parse().ok())?;
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
    }
    let local = days_from_civil(y, mo, d) * 86_400_000
        + (h as i64 * 3600 + mi as i64 * 60 + sec as i64) * 1000;
    u64::try_from(local - TASHKENT_OFFSET_MS).ok()
}

pub(crate) const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Weekdays indexed by days since the Unix epoch modulo 7 (1970-01-01 was a Thursday).
const WEEKDAY_FROM_EPOCH: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// `Thu, 24 Aug 2023 05:01:45 +0000` (RFC 2822, GMT), Twilio's v2010 date format.
pub(crate) fn rfc2822(ms: u64) -> String {
    let c = civil(ms, 0);
    let weekday = WEEKDAY_FROM_EPOCH[(ms / 86_400_000 % 7) as usize];
    format!(
        "{weekday}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        c.day,
        MONTH_ABBR[c.month as usize - 1],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// Days since the Unix epoch of a UTC calendar date `YYYY-MM-DD`.
pub(crate) fn parse_utc_day(s: &str) -> Option<i64> {
    let mut dp = s.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: u32 = dp.next()?.parse().ok()?;
    let d: u32 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses ISO 8601 date-times as APIs send them: `2021-11-30T20:36:27Z`, with optional
/// fractional seconds, and `Z`, `+05:00` or `+0500` as the offset (required).
pub(crate) fn parse_iso8601(s: &str) -> Option<u64> {
    let (date, rest) = s.trim().split_once(['T', 't'])?;
    let days = parse_utc_day(date)?;
    let (time, offset_ms) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        (time, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (time, offset) = rest.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let h: i64 = digits[..2].parse().ok()?;
        let m: i64 = digits[2..].parse().ok()?;
        (time, sign * (h * 3_600_000 + m * 60_000))
    };
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, f)) => (hms, f),
        None => (time, ""),
    };
    let mut tp = hms.split(':');
    let h: i64 = tp.next()?.parse().ok()?;
    let mi: i64 = tp.next()?.parse().ok()?;
    let sec: i64 = tp.next().map_or(Some(0), |v| v.parse().ok())?;
    if tp.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    let utc = days * 86_400_000 + (h * 3600 + mi * 60 + sec) * 1000 + millis - offset_ms;
    u64::try_from(utc).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instant() {
        // 2024-05-31T17:02:27.954Z = 22:02:27 in Tashkent
        let ms = 1_717_174_947_954;
        assert_eq!(iso_utc_ms(ms), "2024-05-31T17:02:27.954Z");
        assert_eq!(iso_utc_secs(ms), "2024-05-31T17:02:27Z");
        assert_eq!(iso_tashkent(ms), "2024-05-31T22:02:27.954+05:00");
        assert_eq!(plain_tashkent(ms), "2024-05-31 22:02:27");
    }

    #[test]
    fn parses_local_back() {
        let ms = parse_tashkent("2024-05-31 22:02:27").unwrap();
        assert_eq!(ms, 1_717_174_947_000);
        assert_eq!(parse_tashkent("2024-05-31 22:02"), Some(1_717_174_920_000));
        assert_eq!(parse_tashkent("2024-05-31"), Some(1_717_095_600_000));
        assert_eq!(parse_tashkent("2024-13-01"), None);
        assert_eq!(parse_tashkent("yesterday"), None);
    }

    #[test]
    fn rfc2822_matches_twilio() {
        // Twilio's own example: 2023-08-24T05:01:45Z
        assert_eq!(
            rfc2822(1_692_853_305_000),
            "Thu, 24 Aug 2023 05:01:45 +0000"
        );
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc2822(1_717_174_947_954),
            "Fri, 31 May 2024 17:02:27 +0000"
        );
    }

    #[test]
    fn parses_iso8601() {
        assert_eq!(
            parse_iso8601("2023-08-24T05:01:45Z"),
            Some(1_692_853_305_000)
        );
        assert_eq!(
            parse_iso8601("2023-08-24T10:01:45.5+05:00"),
            Some(1_692_853_305_500)
        );
        assert_eq!(
            parse_iso8601("2023-08-23T23:01:45-0600"),
            Some(1_692_853_305_000)
        );
        assert_eq!(parse_iso8601("2023-08-24T05:01:45"), None);
        assert_eq!(parse_iso8601("2023-08-24"), None);
        assert_eq!(parse_iso8601("tomorrow"), None);
        assert_eq!(parse_utc_day("1970-01-02"), Some(1));
        assert_eq!(parse_utc_day("1970-13-02"), None);
    }

    #[test]
    fn round_trips_days() {
        for days in [-800_000i64, -1, 0, 1, 11_016, 19_874, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
