//! Subscription lifecycle states (R-LIFE-1..3) and what each allows (R-LIFE-6).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::term::Term;

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
/// monthly terms), then Canceled.
pub fn status_without_renewal(term_end: DateTime<Utc>, term: Term, now: DateTime<Utc>) -> Status {
    let expired_until = term_end + Duration::days(EXPIRED_DAYS);
    let suspended_until = expired_until + Duration::days(term.suspension_days());
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

    #[test]
    fn an_unrenewed_annual_subscription_expires_then_is_suspended_then_canceled() {
        // R-LIFE-1, R-LIFE-2, R-LIFE-3
        let end = Utc.with_ymd_and_hms(2025, 6, 9, 22, 0, 0).unwrap();
        let at = |days: i64| end + Duration::days(days);
        assert_eq!(status_without_renewal(end, Term::Annual, end - Duration::seconds(1)), Status::Active);
        assert_eq!(status_without_renewal(end, Term::Annual, at(0)), Status::Expired);
        assert_eq!(status_without_renewal(end, Term::Annual, at(15) - Duration::seconds(1)), Status::Expired);
        assert_eq!(status_without_renewal(end, Term::Annual, at(15)), Status::Suspended);
        assert_eq!(status_without_renewal(end, Term::Annual, at(45) - Duration::seconds(1)), Status::Suspended);
        assert_eq!(status_without_renewal(end, Term::Annual, at(45)), Status::Canceled);
    }

    #[test]
    fn an_unrenewed_monthly_subscription_is_suspended_for_fifteen_days() {
        // R-LIFE-3
        let end = Utc.with_ymd_and_hms(2025, 6, 9, 22, 0, 0).unwrap();
        assert_eq!(status_without_renewal(end, Term::Monthly, end + Duration::days(29)), Status::Suspended);
        assert_eq!(status_without_renewal(end, Term::Monthly, end + Duration::days(30)), Status::Canceled);
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
