//! Subscription lifecycle states (R-LIFE-1..3) and what each allows (R-LIFE-6).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::term::Term;
use super::time::{local_date, start_of_day};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    Active,
    Expired,
    Suspended,
    Canceled,
}

/// Expired lasts 15 days (R-LIFE-2).
pub const EXPIRED_DAYS: i64 = 15;

impl Status {
    pub const ALL: [Status; 4] = [Status::Active, Status::Expired, Status::Suspended, Status::Canceled];

    pub fn code(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::Suspended => "suspended",
            Status::Canceled => "canceled",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// English UI wording (R-LIFE-1: "Canceled", not "terminated").
    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "Active",
            Status::Expired => "Expired",
            Status::Suspended => "Suspended",
            Status::Canceled => "Canceled",
        }
    }

    /// R-LIFE-6: product access in this state.
    pub fn product_access(self) -> bool {
        matches!(self, Status::Active | Status::Expired)
    }
}

/// The state of a subscription that was not renewed, `now` being after or before its term end
/// (R-LIFE-1..3): Active until the end, Expired for 15 days, Suspended for 30 days (15 for
/// monthly terms), then Canceled. Days are calendar days in the purchase time zone, each
/// starting at local midnight like the term itself.
pub fn status_without_renewal(term_end: DateTime<Utc>, term: Term, tz: Tz, now: DateTime<Utc>) -> Status {
    let first_day = local_date(term_end, tz);
    let expired_until = start_of_day(first_day + Duration::days(EXPIRED_DAYS), tz);
    let suspended_until = start_of_day(first_day + Duration::days(EXPIRED_DAYS + term.suspension_days()), tz);
    if now < term_end {
        Status::Active
    } else if now < expired_until {
        Status::Expired
    } else if now < suspended_until {
        Status::Suspended
    } else {
        Status::Canceled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    #[test]
    fn an_unrenewed_annual_subscription_expires_then_is_suspended_then_canceled() {
        // R-LIFE-1, R-LIFE-2, R-LIFE-3: 10 June 2025 00:00 CEST is 9 June 22:00 UTC.
        let end = Utc.with_ymd_and_hms(2025, 6, 9, 22, 0, 0).unwrap();
        let at = |days: i64| end + Duration::days(days);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), end - Duration::seconds(1)), Status::Active);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), at(0)), Status::Expired);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), at(15) - Duration::seconds(1)), Status::Expired);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), at(15)), Status::Suspended);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), at(45) - Duration::seconds(1)), Status::Suspended);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), at(45)), Status::Canceled);
    }

    #[test]
    fn an_unrenewed_monthly_subscription_is_suspended_for_fifteen_days() {
        // R-LIFE-3
        let end = Utc.with_ymd_and_hms(2025, 6, 9, 22, 0, 0).unwrap();
        assert_eq!(status_without_renewal(end, Term::Monthly, paris(), end + Duration::days(29)), Status::Suspended);
        assert_eq!(status_without_renewal(end, Term::Monthly, paris(), end + Duration::days(30)), Status::Canceled);
    }

    #[test]
    fn lifecycle_days_are_local_days_across_a_dst_change() {
        // R-LIFE-2: a term ending 15 October 2025 in Paris (CEST) is suspended from local midnight
        // 30 October (CET), which is 23:00 UTC, not 22:00.
        let end = paris().with_ymd_and_hms(2025, 10, 15, 0, 0, 0).unwrap().with_timezone(&Utc);
        let suspended_from = Utc.with_ymd_and_hms(2025, 10, 29, 23, 0, 0).unwrap();
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), suspended_from - Duration::seconds(1)), Status::Expired);
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), suspended_from), Status::Suspended);
    }

    #[test]
    fn only_active_and_expired_subscriptions_give_product_access() {
        // R-LIFE-6
        assert!(Status::Active.product_access());
        assert!(Status::Expired.product_access());
        assert!(!Status::Suspended.product_access());
        assert!(!Status::Canceled.product_access());
    }
}
