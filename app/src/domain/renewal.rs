//! Renewal windows (R-REN-2, R-QUOTE-9, R-SUB-4), reminders (R-EXT-8, R-MAIL-6) and invoice
//! terms (R-REN-5, R-LIFE-5).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::auto_renew::shown_date;
use super::status::{Status, next_transitions};
use super::term::Term;
use super::time::{local_date, start_of_day};

/// Early renewal opens 90 days before the renewal date (R-REN-2, R-PRICE-2, R-QUOTE-9).
pub const EARLY_DAYS: i64 = 90;
/// Reminders go out this many days before the renewal or expiry date (R-EXT-8).
pub const REMINDER_DAYS: [i64; 3] = [45, 30, 4];
/// Pay-by-invoice terms: the invoice is due 30 days after it is issued (R-PAY-3, R-REN-5).
pub const NET_DAYS: i64 = 30;

/// The local days on which a subscription can be renewed, both included (R-REN-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalWindow {
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

/// The window around the renewal date, the first local day after the term (R-REN-2). It closes
/// on the last day before the lifecycle cancels a subscription that was not renewed (R-LIFE-3):
/// the renewal date's day 45 for annual and 3-year terms (Canceled from day 46), day 30 for
/// monthly terms (Canceled from day 31). That is also the last day of the R-EXT-1 window, 45 or
/// 30 days after the expiry date, so "renew", "turn auto-renew on again" and the lifecycle agree
/// to the day.
pub fn renewal_window(term_end: DateTime<Utc>, term: Term, tz: Tz) -> RenewalWindow {
    let renewal = local_date(term_end, tz);
    let [_, _, (_, canceled_from)] = next_transitions(term_end, term, tz);
    RenewalWindow {
        opens: renewal - Duration::days(EARLY_DAYS),
        closes: local_date(canceled_from, tz) - Duration::days(1),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RenewalRefusal {
    #[error("canceled")]
    Canceled,
    /// Renewal opens on this local day.
    #[error("renewal opens on {0}")]
    TooEarly(NaiveDate),
    /// Renewal closed on this local day.
    #[error("renewal closed on {0}")]
    TooLate(NaiveDate),
}

/// Whether a subscription can be renewed (early, on time or late) at `now` (R-REN-2, R-LIFE-4).
pub fn judge_renewal(
    status: Status,
    term_end: DateTime<Utc>,
    term: Term,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<RenewalWindow, RenewalRefusal> {
    if status == Status::Canceled {
        return Err(RenewalRefusal::Canceled);
    }
    let w = renewal_window(term_end, term, tz);
    let today = local_date(now, tz);
    if today < w.opens {
        Err(RenewalRefusal::TooEarly(w.opens))
    } else if today > w.closes {
        Err(RenewalRefusal::TooLate(w.closes))
    } else {
        Ok(w)
    }
}

/// The reminder (45, 30 or 4 days before, R-EXT-8) that is due on `today` for a term ending at
/// `term_end`: the smallest threshold not below the days left. The reminder counts to the date
/// the subscription shows (R-SUB-2): the renewal date with auto-renew on, the expiry date with
/// it off. A day the job did not run is caught up by the next threshold's reminder instead of a
/// burst of old ones; after the date there is none. Thresholds that fall on or before the term's
/// first day are skipped (no "45 days left" mail for a monthly term).
pub fn due_reminder(
    term_start: DateTime<Utc>,
    term_end: DateTime<Utc>,
    tz: Tz,
    auto_renew: bool,
    today: NaiveDate,
) -> Option<i64> {
    let date = shown_date(term_end, tz, auto_renew);
    let left = (date - today).num_days();
    if left < 0 {
        return None;
    }
    let first_day = local_date(term_start, tz);
    REMINDER_DAYS.iter().rev().copied().filter(|d| date - Duration::days(*d) > first_day).find(|d| *d >= left)
}

/// The due date of an invoice issued on `issued` (Net 30, R-REN-5): payable through that day.
pub fn invoice_due_date(issued: NaiveDate) -> NaiveDate {
    issued + Duration::days(NET_DAYS)
}

/// The instant an invoice due on `due` becomes late: the start of the next local day. The
/// lifecycle of an unpaid renewal starts there (R-LIFE-1, R-LIFE-5 decision: with Net 30 the
/// process counts from the due date).
pub fn overdue_from(due: NaiveDate, tz: Tz) -> DateTime<Utc> {
    start_of_day(due + Duration::days(1), tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::term::Term;
    use crate::domain::time::term_end;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }
    fn noon(date: NaiveDate) -> DateTime<Utc> {
        paris().from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap()).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn renewal_is_open_from_90_days_before_until_the_day_before_canceled() {
        // R-REN-2, R-LIFE-3, R-QUOTE-9: renewal date 10 June 2025 (day 1). Annual: Expired days
        // 1-15, Suspended days 16-45 (to 24 July), Canceled from day 46 (25 July).
        let end = term_end(d(2024, 6, 10), Term::Annual, paris());
        let w = renewal_window(end, Term::Annual, paris());
        assert_eq!(w, RenewalWindow { opens: d(2025, 3, 12), closes: d(2025, 7, 24) });
        let judge = |status, day| judge_renewal(status, end, Term::Annual, paris(), noon(day));
        assert_eq!(judge(Status::Active, d(2025, 3, 11)), Err(RenewalRefusal::TooEarly(d(2025, 3, 12))));
        assert!(judge(Status::Active, d(2025, 3, 12)).is_ok());
        assert!(judge(Status::Expired, d(2025, 6, 20)).is_ok());
        assert!(judge(Status::Suspended, d(2025, 7, 24)).is_ok());
        assert_eq!(judge(Status::Suspended, d(2025, 7, 25)), Err(RenewalRefusal::TooLate(d(2025, 7, 24))));
        // R-LIFE-4: canceled cannot be renewed, even inside the window.
        assert_eq!(judge(Status::Canceled, d(2025, 6, 20)), Err(RenewalRefusal::Canceled));
    }

    #[test]
    fn a_monthly_term_can_be_renewed_late_for_30_days_not_45() {
        // R-REN-2, R-LIFE-3, R-EXT-1: renewal date 10 July 2025 (day 1). Monthly: Expired days
        // 1-15, Suspended days 16-30 (to 8 August), Canceled from day 31 (9 August).
        let end = term_end(d(2025, 6, 10), Term::Monthly, paris());
        let w = renewal_window(end, Term::Monthly, paris());
        assert_eq!(w.closes, d(2025, 8, 8));
        let judge = |day| judge_renewal(Status::Suspended, end, Term::Monthly, paris(), noon(day));
        assert!(judge(d(2025, 8, 8)).is_ok());
        assert_eq!(judge(d(2025, 8, 9)), Err(RenewalRefusal::TooLate(d(2025, 8, 8))));
        // A 3-year term closes like an annual one: day 45 after its renewal date.
        let end = term_end(d(2022, 6, 10), Term::ThreeYear, paris());
        assert_eq!(renewal_window(end, Term::ThreeYear, paris()).closes, d(2025, 7, 24));
    }

    #[test]
    fn the_window_renewal_the_auto_renew_window_and_the_lifecycle_end_on_the_same_day() {
        // R-REN-2, R-EXT-1, R-LIFE-3, R-SUB-4: for every term and many start days, the last day
        // renewal is open is the last day before Canceled and the last day auto-renew may change.
        use crate::domain::auto_renew::{AutoRenewFacts, last_change_day};
        use crate::domain::status::status_without_renewal;
        for term in [Term::Monthly, Term::Annual, Term::ThreeYear] {
            for offset in 0..400 {
                let start = d(2023, 1, 1) + Duration::days(offset);
                let end = term_end(start, term, paris());
                let closes = renewal_window(end, term, paris()).closes;
                assert_ne!(
                    status_without_renewal(end, term, paris(), noon(closes)),
                    Status::Canceled,
                    "{term:?} {start}"
                );
                let after = closes + Duration::days(1);
                assert_eq!(
                    status_without_renewal(end, term, paris(), noon(after)),
                    Status::Canceled,
                    "{term:?} {start}"
                );
                let facts = AutoRenewFacts {
                    status: Status::Expired,
                    term,
                    term_end: end,
                    time_zone: paris(),
                    auto_renew: false,
                    payment: None,
                };
                assert_eq!(last_change_day(&facts), closes, "{term:?} {start}");
            }
        }
    }

    #[test]
    fn reminders_go_out_45_30_and_4_days_before_the_shown_date() {
        // R-EXT-8, R-MAIL-6: renewal date 10 June 2025 (auto-renew on), expiry date 9 June (off).
        let end = term_end(d(2024, 6, 10), Term::Annual, paris());
        let start = start_of_day(d(2024, 6, 10), paris());
        let on = |day| due_reminder(start, end, paris(), true, day);
        assert_eq!(on(d(2025, 4, 25)), None);
        assert_eq!(on(d(2025, 4, 26)), Some(45));
        assert_eq!(on(d(2025, 5, 11)), Some(30));
        assert_eq!(on(d(2025, 6, 6)), Some(4));
        assert_eq!(on(d(2025, 6, 10)), Some(4));
        assert_eq!(on(d(2025, 6, 11)), None);
        let off = |day| due_reminder(start, end, paris(), false, day);
        assert_eq!(off(d(2025, 4, 25)), Some(45));
        assert_eq!(off(d(2025, 4, 24)), None);
        assert_eq!(off(d(2025, 6, 5)), Some(4));
    }

    #[test]
    fn a_monthly_term_gets_only_the_reminders_that_fall_inside_it() {
        // R-EXT-8: bought 10 June, renews 10 July: 45 and 30 days before are not inside the term.
        let start = start_of_day(d(2025, 6, 10), paris());
        let end = term_end(d(2025, 6, 10), Term::Monthly, paris());
        assert_eq!(due_reminder(start, end, paris(), true, d(2025, 6, 10)), None);
        assert_eq!(due_reminder(start, end, paris(), true, d(2025, 6, 11)), None);
        assert_eq!(due_reminder(start, end, paris(), true, d(2025, 7, 6)), Some(4));
    }

    #[test]
    fn net_30_invoices_are_late_from_the_day_after_the_due_date() {
        // R-REN-5, R-LIFE-5
        assert_eq!(invoice_due_date(d(2025, 6, 10)), d(2025, 7, 10));
        let late = overdue_from(d(2025, 7, 10), paris()).with_timezone(&paris());
        assert_eq!(late.format("%F %T").to_string(), "2025-07-11 00:00:00");
    }
}
