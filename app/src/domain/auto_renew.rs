//! Turning auto-renew on or off (R-SUB-2, R-SUB-4, R-EXT-1, R-EXT-3).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::payment::PaymentKind;
use super::status::Status;
use super::term::Term;
use super::time::{expiry_instant, local_date};

/// What the domain needs to know about one subscription to judge a change.
#[derive(Debug, Clone)]
pub struct AutoRenewFacts {
    pub status: Status,
    pub term: Term,
    pub term_end: DateTime<Utc>,
    pub time_zone: Tz,
    pub auto_renew: bool,
    pub payment: Option<PaymentKind>,
}

/// Why a subscription's auto-renew cannot be changed now. A code: `words::ineligible` words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ineligible {
    /// Canceled subscriptions cannot be renewed or reactivated (R-LIFE-4).
    Canceled,
    /// The change window closed on this local date (R-EXT-1).
    WindowClosed { last_day: NaiveDate },
    /// Auto-renew needs a method that can be charged automatically (R-EXT-3).
    ManualPaymentMethod,
    /// Auto-renew needs a payment method at all (R-EXT-3).
    NoPaymentMethod,
}

/// The outcome of judging one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The setting changes.
    Changes,
    /// The setting already has the requested value; nothing to do.
    Unchanged,
    /// Turned on after the term ended, inside the window: the subscription renews at once, late
    /// (R-SUB-4, R-REN-2). The new term starts where the old one ended; the payment method is
    /// charged now.
    RenewsNow,
}

/// The last local day on which auto-renew can still be changed: 30 days (monthly) or 45 days
/// (annual, 3-year) after the expiry date (R-EXT-1, R-SUB-4).
pub fn last_change_day(facts: &AutoRenewFacts) -> NaiveDate {
    local_date(expiry_instant(facts.term_end), facts.time_zone) + Duration::days(facts.term.auto_renew_grace_days())
}

/// Judges a request to set auto-renew to `turn_on` at `now`.
pub fn judge(facts: &AutoRenewFacts, turn_on: bool, now: DateTime<Utc>) -> Result<Verdict, Ineligible> {
    if facts.status == Status::Canceled {
        return Err(Ineligible::Canceled);
    }
    let last_day = last_change_day(facts);
    if local_date(now, facts.time_zone) > last_day {
        return Err(Ineligible::WindowClosed { last_day });
    }
    if facts.auto_renew == turn_on {
        return Ok(Verdict::Unchanged);
    }
    if turn_on {
        match facts.payment {
            None => return Err(Ineligible::NoPaymentMethod),
            Some(p) if !p.backs_automatic_renewal() => return Err(Ineligible::ManualPaymentMethod),
            Some(_) => {}
        }
        if now >= facts.term_end {
            return Ok(Verdict::RenewsNow);
        }
    }
    Ok(Verdict::Changes)
}

/// The date a subscription shows with auto-renew set to `on` (R-SUB-2): the renewal date (first
/// day of the next term) when on, the expiry date (last day of the term) when off.
pub fn shown_date(term_end: DateTime<Utc>, tz: Tz, on: bool) -> NaiveDate {
    if on { local_date(term_end, tz) } else { local_date(expiry_instant(term_end), tz) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::term_end;
    use chrono::TimeZone;

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn facts(term: Term, auto_renew: bool) -> AutoRenewFacts {
        AutoRenewFacts {
            status: Status::Active,
            term,
            term_end: term_end(NaiveDate::from_ymd_opt(2024, 6, 10).unwrap(), term, paris()),
            time_zone: paris(),
            auto_renew,
            payment: Some(PaymentKind::Card),
        }
    }

    fn local_noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        paris().with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_shown_date_is_the_renewal_date_when_on_and_the_expiry_date_when_off() {
        // R-SUB-2
        let f = facts(Term::Annual, true);
        assert_eq!(shown_date(f.term_end, paris(), true), NaiveDate::from_ymd_opt(2025, 6, 10).unwrap());
        assert_eq!(shown_date(f.term_end, paris(), false), NaiveDate::from_ymd_opt(2025, 6, 9).unwrap());
    }

    #[test]
    fn annual_auto_renew_can_change_until_45_days_after_expiry() {
        // R-EXT-1, R-SUB-4: expiry 9 June 2025, so the last day is 24 July 2025.
        let mut f = facts(Term::Annual, true);
        f.status = Status::Expired;
        assert_eq!(last_change_day(&f), NaiveDate::from_ymd_opt(2025, 7, 24).unwrap());
        assert_eq!(judge(&f, false, local_noon(2025, 7, 24)), Ok(Verdict::Changes));
        assert_eq!(
            judge(&f, false, local_noon(2025, 7, 25)),
            Err(Ineligible::WindowClosed { last_day: NaiveDate::from_ymd_opt(2025, 7, 24).unwrap() })
        );
    }

    #[test]
    fn monthly_auto_renew_can_change_until_30_days_after_expiry() {
        // R-EXT-1: bought 10 June 2024, monthly: expiry 9 July 2024, last day 8 August 2024.
        let f = facts(Term::Monthly, true);
        assert_eq!(last_change_day(&f), NaiveDate::from_ymd_opt(2024, 8, 8).unwrap());
        assert!(judge(&f, false, local_noon(2024, 8, 8)).is_ok());
        assert!(judge(&f, false, local_noon(2024, 8, 9)).is_err());
    }

    #[test]
    fn turning_auto_renew_on_after_the_term_ended_renews_at_once_until_the_window_closes() {
        // R-SUB-4, R-REN-2, R-EXT-1: renewal date 10 June 2025, expiry 9 June; the window closes
        // on 24 July (45 days after expiry), the day before the subscription is Canceled.
        let mut f = facts(Term::Annual, false);
        assert_eq!(judge(&f, true, local_noon(2025, 6, 9)), Ok(Verdict::Changes), "before the end: a switch");
        f.status = Status::Expired;
        assert_eq!(judge(&f, true, local_noon(2025, 6, 10)), Ok(Verdict::RenewsNow));
        f.status = Status::Suspended;
        assert_eq!(judge(&f, true, local_noon(2025, 7, 24)), Ok(Verdict::RenewsNow));
        assert_eq!(
            judge(&f, true, local_noon(2025, 7, 25)),
            Err(Ineligible::WindowClosed { last_day: NaiveDate::from_ymd_opt(2025, 7, 24).unwrap() })
        );
        // R-EXT-3: a late renewal is charged to the method on file: it must be one that can be.
        f.payment = Some(PaymentKind::BankTransfer);
        assert_eq!(judge(&f, true, local_noon(2025, 6, 10)), Err(Ineligible::ManualPaymentMethod));
    }

    #[test]
    fn turning_auto_renew_on_needs_a_payment_method() {
        // R-EXT-3
        let mut f = facts(Term::Annual, false);
        f.payment = None;
        assert_eq!(judge(&f, true, local_noon(2024, 7, 1)), Err(Ineligible::NoPaymentMethod));
    }

    #[test]
    fn canceled_subscriptions_cannot_change() {
        // R-LIFE-4
        let mut f = facts(Term::Annual, false);
        f.status = Status::Canceled;
        assert_eq!(judge(&f, true, local_noon(2024, 7, 1)), Err(Ineligible::Canceled));
    }

    #[test]
    fn asking_for_the_current_value_changes_nothing() {
        let f = facts(Term::Annual, true);
        assert_eq!(judge(&f, true, local_noon(2024, 7, 1)), Ok(Verdict::Unchanged));
    }

    #[test]
    fn bank_transfer_subscriptions_cannot_turn_auto_renew_on_but_can_turn_it_off() {
        // R-EXT-3
        let mut f = facts(Term::Annual, false);
        f.payment = Some(PaymentKind::BankTransfer);
        assert_eq!(judge(&f, true, local_noon(2024, 7, 1)), Err(Ineligible::ManualPaymentMethod));
        f.auto_renew = true;
        assert_eq!(judge(&f, false, local_noon(2024, 7, 1)), Ok(Verdict::Changes));
    }
}
