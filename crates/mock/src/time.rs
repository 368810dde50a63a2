//! Wall-clock helpers: Unix milliseconds and the few timestamp formats Eskiz uses.
//!
//! Eskiz lives in Tashkent (UTC+5, no daylight saving): callback `status_date` and history
//! filters are local time without an offset, API timestamps carry `Z` or `+05:00`.
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
    fn round_trips_days() {
        for days in [-800_000i64, -1, 0, 1, 11_016, 19_874, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
