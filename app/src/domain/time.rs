//! Instants and local dates in the time zone a subscription was bought in (R-SUB-2).
//!
//! A term is stored as the instant it ends: local midnight, in the purchase time zone, of the day
//! after the last day of the term. With auto-renew on that instant is the *renewal* instant; with it
//! off, the *expiry* instant is one second earlier (23:59:59 of the last day).

use chrono::{DateTime, Duration, LocalResult, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::term::Term;

/// Parses an IANA time-zone name ("Europe/Paris").
/// An instant as a log shows it, in UTC to the second: "2026-11-23 09:00:00 UTC".
pub fn utc_instant_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// The first instant of `date` in `tz`. Where midnight does not exist (a DST gap at midnight), the
/// day starts at the first instant that does.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Walk forward minute by minute out of the gap (gaps are at most a few hours).
            (1..=24 * 60)
                .find_map(|m| tz.from_local_datetime(&(midnight + Duration::minutes(m))).earliest())
                .expect("a DST gap ends within a day")
                .with_timezone(&Utc)
        }
    }
}

/// Adds whole terms to a local start date. Month ends clamp (31 Jan + 1 month = 28/29 Feb).
pub fn add_terms(start: NaiveDate, term: Term, count: u32) -> NaiveDate {
    start.checked_add_months(Months::new(term.months() * count)).expect("date within range")
}

/// The instant a term that started on local date `start` ends (the renewal instant).
pub fn term_end(start: NaiveDate, term: Term, tz: Tz) -> DateTime<Utc> {
    start_of_day(add_terms(start, term, 1), tz)
}

/// The expiry instant shown when auto-renew is off: the last second of the term.
pub fn expiry_instant(term_end: DateTime<Utc>) -> DateTime<Utc> {
    term_end - Duration::seconds(1)
}

/// The local calendar date of an instant in `tz`.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Whole days from `from` to `to` counted on the local calendar of `tz` (negative if `to` is earlier).
pub fn days_between(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> i64 {
    (local_date(to, tz) - local_date(from, tz)).num_days()
}

/// "10 June 2025 00:00:00 CEST" style rendering used on detail pages.
pub fn format_instant(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %B %Y %H:%M:%S %Z").to_string()
}

/// Why a move of the demo clock was refused. A code, worded by the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum StepError {
    /// Not a whole number followed by d, h or m.
    #[error("not a number followed by d, h or m")]
    Format,
    /// Zero: the clock only moves forward.
    #[error("not a forward move")]
    NotForward,
    /// More than [`MAX_STEP_DAYS`] at once.
    #[error("more than {MAX_STEP_DAYS} days")]
    TooFar,
    /// The clock would be more than [`MAX_AHEAD_DAYS`] ahead of real time.
    #[error("more than {MAX_AHEAD_DAYS} days ahead in all")]
    TooFarAhead,
}

/// How far ahead of real time the demo clock may be in all: twenty years.
pub const MAX_AHEAD_DAYS: i64 = 7320;

/// The largest move of the demo clock at once: ten years.
pub const MAX_STEP_DAYS: i64 = 3660;

/// A move of the demo clock: "30d", "12h" or "90m", a positive whole number of days, hours or
/// minutes, at most ten years. Anything else is refused with a reason, never a panic.
pub fn parse_step(text: &str) -> Result<Duration, StepError> {
    let text = text.trim();
    let (number, per_unit): (&str, fn(i64) -> Option<Duration>) = if let Some(n) = text.strip_suffix('d') {
        (n, Duration::try_days)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, Duration::try_hours)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, Duration::try_minutes)
    } else {
        return Err(StepError::Format);
    };
    if number.is_empty() || number.len() > 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StepError::Format);
    }
    let n: i64 = number.parse().map_err(|_| StepError::Format)?;
    if n == 0 {
        return Err(StepError::NotForward);
    }
    match per_unit(n) {
        Some(by) if by <= Duration::days(MAX_STEP_DAYS) => Ok(by),
        _ => Err(StepError::TooFar),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_steps_parse_and_only_move_forward() {
        assert_eq!(parse_step("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_step(" 12h "), Ok(Duration::hours(12)));
        assert_eq!(parse_step("90m"), Ok(Duration::minutes(90)));
        for refused in ["-1d", "3w", "d", "", "1é", "é", "1.5d", "+3d", "200000000000000d", "９d"] {
            assert_eq!(parse_step(refused), Err(StepError::Format), "{refused:?}");
        }
        assert_eq!(parse_step("0d"), Err(StepError::NotForward));
        assert_eq!(parse_step("4000d"), Err(StepError::TooFar));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn seeds_worked_example_annual_bought_10_june_2024_in_cet() {
        // R-SUB-2: expiry 9 June 2025 23:59:59, renewal 10 June 2025 00:00:00, local time.
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let end = term_end(d(2024, 6, 10), Term::Annual, tz);
        let renewal = end.with_timezone(&tz);
        assert_eq!(renewal.format("%F %T").to_string(), "2025-06-10 00:00:00");
        let expiry = expiry_instant(end).with_timezone(&tz);
        assert_eq!(expiry.format("%F %T").to_string(), "2025-06-09 23:59:59");
    }

    #[test]
    fn month_ends_clamp_to_the_shorter_month() {
        assert_eq!(add_terms(d(2025, 1, 31), Term::Monthly, 1), d(2025, 2, 28));
        assert_eq!(add_terms(d(2024, 1, 31), Term::Monthly, 1), d(2024, 2, 29));
        assert_eq!(add_terms(d(2024, 2, 29), Term::Annual, 1), d(2025, 2, 28));
        assert_eq!(add_terms(d(2024, 6, 10), Term::ThreeYear, 1), d(2027, 6, 10));
    }

    #[test]
    fn terms_end_at_local_midnight_across_a_dst_change() {
        // Bought in winter time, renews in summer time: still local midnight.
        let tz: Tz = "Europe/Stockholm".parse().unwrap();
        let end = term_end(d(2025, 2, 15), Term::Monthly, tz);
        assert_eq!(end.with_timezone(&tz).format("%F %T %Z").to_string(), "2025-03-15 00:00:00 CET");
        let end = term_end(d(2025, 3, 15), Term::Monthly, tz);
        assert_eq!(end.with_timezone(&tz).format("%F %T %Z").to_string(), "2025-04-15 00:00:00 CEST");
    }

    #[test]
    fn a_day_without_midnight_starts_at_its_first_instant() {
        // Santiago skipped 00:00-01:00 on 7 September 2025.
        let tz: Tz = "America/Santiago".parse().unwrap();
        let start = start_of_day(d(2025, 9, 7), tz);
        assert_eq!(start.with_timezone(&tz).format("%F %T").to_string(), "2025-09-07 01:00:00");
    }
}
