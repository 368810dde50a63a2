//! Calendar arithmetic for the few dates uzgate formats or parses (HTTP dates, Eskiz's Tashkent
//! times, ISO 8601 report times) — small enough not to need a date crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// Tashkent is UTC+5 all year (no daylight saving).
pub const TASHKENT_OFFSET_SECS: i64 = 5 * 3600;

pub fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse: `(year, month, day)` of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// `(date, hours, minutes, seconds)` of a Unix time shifted by `offset_secs`.
fn split(unix_secs: i64, offset_secs: i64) -> ((i64, u32, u32), i64, i64, i64) {
    let t = unix_secs + offset_secs;
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    (civil_from_days(days), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `2024-05-31T17:02:27.000Z`
pub fn iso8601_utc(unix_ms: u64) -> String {
    let ((y, m, d), h, mi, s) = split((unix_ms / 1000) as i64, 0);
    format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        unix_ms % 1000
    )
}

/// `YYYY-MM-DD HH:MM` in Tashkent, Eskiz's request format.
pub fn tashkent_minute(unix_ms: u64) -> String {
    let ((y, m, d), h, mi, _) = split((unix_ms / 1000) as i64, TASHKENT_OFFSET_SECS);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}")
}

/// `YYYY-MM-DD HH:MM:SS` read as a local time at `offset_secs` → Unix seconds.
pub fn parse_local_datetime(s: &str, offset_secs: i64) -> Option<i64> {
    let (date, time) = s.trim().split_once([' ', 'T'])?;
    let d: Vec<u32> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<u32> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3 || !(2..=3).contains(&t.len()) {
        return None;
    }
    let (mo, day, h, mi, sec) = (d[1], d[2], t[0], t[1], t.get(2).copied().unwrap_or(0));
    if !(1..=12).contains(&mo) || !(1..=31).contains(&day) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(
        days_from_civil(d[0] as i64, mo, day) * 86_400
            + h as i64 * 3600
            + mi as i64 * 60
            + sec as i64
            - offset_secs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_formats() {
        for days in [-1000, 0, 1, 59, 60, 365, 10_957, 20_000, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(iso8601_utc(1_717_174_947_123), "2024-05-31T17:02:27.123Z");
        assert_eq!(tashkent_minute(1_717_174_947_000), "2024-05-31 22:02");
        assert_eq!(tashkent_minute(0), "1970-01-01 05:00");
    }

    #[test]
    fn parses_local_times() {
        // Eskiz's callback example: 2021-04-02 00:39:36 in Tashkent = 2021-04-01T19:39:36Z.
        let t = parse_local_datetime("2021-04-02 00:39:36", TASHKENT_OFFSET_SECS).unwrap();
        assert_eq!(iso8601_utc(t as u64 * 1000), "2021-04-01T19:39:36.000Z");
        assert_eq!(parse_local_datetime("2021-13-02 00:39:36", 0), None);
        assert_eq!(parse_local_datetime("yesterday", 0), None);
    }
}
