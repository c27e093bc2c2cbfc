//! Calendar dates and timestamps, without a clock: the caller says what time
//! it is, so that the engine stays pure and tests stay deterministic.

use std::fmt;
use std::str::FromStr;

/// A calendar date (proleptic Gregorian), as written in waivers: `2026-12-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// A date that is not `YYYY-MM-DD` or does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: write it as YYYY-MM-DD, for example 2026-12-31")]
pub struct DateError(String);

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The date of a Unix time in seconds (UTC).
    pub fn from_unix_seconds(secs: i64) -> Date {
        civil_from_days(secs.div_euclid(86_400))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        let err = || DateError(s.chars().take(40).collect());
        let mut parts = s.trim().splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        let day = d.parse().map_err(|_| err())?;
        Date::new(year, month, day).ok_or_else(err)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (if m <= 2 { y + 1 } else { y }) as i32;
    Date {
        year,
        month: m,
        day: d,
    }
}

/// Formats a Unix time in seconds as RFC 3339 UTC: `2026-11-26T02:20:47Z`.
pub fn rfc3339(secs: i64) -> String {
    let date = Date::from_unix_seconds(secs);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let d: Date = "2026-02-28".parse().unwrap();
        assert_eq!(d.to_string(), "2026-02-28");
        assert!("2026-02-29".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        assert!("2026-13-01".parse::<Date>().is_err());
        assert!("26-1-1".parse::<Date>().is_err());
        assert!("tomorrow".parse::<Date>().is_err());
    }

    #[test]
    fn orders_chronologically() {
        let a: Date = "2026-11-30".parse().unwrap();
        let b: Date = "2026-12-01".parse().unwrap();
        assert!(a < b);
    }

    #[test]
    fn unix_conversion() {
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        assert_eq!(rfc3339(1_795_659_647), "2026-11-26T02:20:47Z");
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
