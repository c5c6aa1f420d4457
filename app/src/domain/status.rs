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
        self.allows().product_access == Level::All
    }
}

/// The instant the lifecycle process starts (R-LIFE-1): the subscription's end date when it
/// will not renew (auto-renew off), or the instant an unpaid renewal became late (R-LIFE-5:
/// the renewal date for online payment, the day after the due date for Net 30 invoices),
/// whichever comes first. `None`: nothing has started or will start the process yet.
pub fn lifecycle_start(
    term_end: DateTime<Utc>,
    auto_renew: bool,
    unpaid_since: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let by_end = (!auto_renew).then_some(term_end);
    match (by_end, unpaid_since) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The state at `now` of a subscription whose lifecycle process starts at `start` (R-LIFE-1..3):
/// Active before it, Expired for 15 days, Suspended for 30 days (15 for monthly terms), then
/// Canceled. Days are calendar days in the purchase time zone, each starting at local midnight.
pub fn status_from(start: Option<DateTime<Utc>>, term: Term, tz: Tz, now: DateTime<Utc>) -> Status {
    let Some(start) = start else { return Status::Active };
    let first_day = local_date(start, tz);
    let expired_until = start_of_day(first_day + Duration::days(EXPIRED_DAYS), tz);
    let suspended_until = start_of_day(first_day + Duration::days(EXPIRED_DAYS + term.suspension_days()), tz);
    if now < start {
        Status::Active
    } else if now < expired_until {
        Status::Expired
    } else if now < suspended_until {
        Status::Suspended
    } else {
        Status::Canceled
    }
}

/// The state at `now` of a subscription with these facts: [`lifecycle_start`] then
/// [`status_from`]. What the lifecycle job writes and what a payment restores.
pub fn status_at(
    term_end: DateTime<Utc>,
    auto_renew: bool,
    unpaid_since: Option<DateTime<Utc>>,
    term: Term,
    tz: Tz,
    now: DateTime<Utc>,
) -> Status {
    status_from(lifecycle_start(term_end, auto_renew, unpaid_since), term, tz, now)
}

/// The state of a subscription that was not renewed and owes nothing (the process starts at its
/// term end).
pub fn status_without_renewal(term_end: DateTime<Utc>, term: Term, tz: Tz, now: DateTime<Utc>) -> Status {
    status_from(Some(term_end), term, tz, now)
}

/// The first instant of each later state, for a process starting at `start` (shown on the
/// subscription's page: "Suspended from ...").
pub fn next_transitions(start: DateTime<Utc>, term: Term, tz: Tz) -> [(Status, DateTime<Utc>); 3] {
    let first_day = local_date(start, tz);
    [
        (Status::Expired, start),
        (Status::Suspended, start_of_day(first_day + Duration::days(EXPIRED_DAYS), tz)),
        (Status::Canceled, start_of_day(first_day + Duration::days(EXPIRED_DAYS + term.suspension_days()), tz)),
    ]
}

/// How much of something a state allows (R-LIFE-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    All,
    /// Downloads: everything but upgrades.
    NoUpgrades,
    /// User management: assignments are kept but cannot be used.
    AssignmentsKept,
    /// User management: assignments are removed.
    AssignmentsRemoved,
    /// Support: self-help resources only.
    SelfHelp,
    None,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::All => "Yes",
            Level::NoUpgrades => "Yes, but no upgrades",
            Level::AssignmentsKept => "Assignments kept",
            Level::AssignmentsRemoved => "Assignments removed",
            Level::SelfHelp => "Self-help only",
            Level::None => "No",
        }
    }
}

/// What a state allows (R-LIFE-6), as data the server and the UI both read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowances {
    pub product_access: Level,
    pub user_management: Level,
    pub downloads: Level,
    pub reporting: Level,
    pub support: Level,
}

impl Allowances {
    /// The rows of the R-LIFE-6 table with this state's values, in the table's order.
    pub fn rows(self) -> [(&'static str, Level); 5] {
        [
            ("Product access", self.product_access),
            ("User management", self.user_management),
            ("Downloads and uploads", self.downloads),
            ("Reporting", self.reporting),
            ("Product support", self.support),
        ]
    }
}

impl Status {
    /// R-LIFE-6
    pub fn allows(self) -> Allowances {
        use Level::*;
        match self {
            Status::Active => {
                Allowances { product_access: All, user_management: All, downloads: All, reporting: All, support: All }
            }
            Status::Expired => Allowances {
                product_access: All,
                user_management: All,
                downloads: NoUpgrades,
                reporting: None,
                support: SelfHelp,
            },
            Status::Suspended => Allowances {
                product_access: None,
                user_management: AssignmentsKept,
                downloads: None,
                reporting: None,
                support: SelfHelp,
            },
            Status::Canceled => Allowances {
                product_access: None,
                user_management: AssignmentsRemoved,
                downloads: None,
                reporting: None,
                support: SelfHelp,
            },
        }
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
        assert_eq!(
            status_without_renewal(end, Term::Annual, paris(), at(45) - Duration::seconds(1)),
            Status::Suspended
        );
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
        assert_eq!(
            status_without_renewal(end, Term::Annual, paris(), suspended_from - Duration::seconds(1)),
            Status::Expired
        );
        assert_eq!(status_without_renewal(end, Term::Annual, paris(), suspended_from), Status::Suspended);
    }

    #[test]
    fn what_each_state_allows() {
        // R-LIFE-6, the whole table.
        use Level::*;
        let table = [
            (Status::Active, [All, All, All, All, All]),
            (Status::Expired, [All, All, NoUpgrades, None, SelfHelp]),
            (Status::Suspended, [None, AssignmentsKept, None, None, SelfHelp]),
            (Status::Canceled, [None, AssignmentsRemoved, None, None, SelfHelp]),
        ];
        for (status, levels) in table {
            let got: Vec<Level> = status.allows().rows().iter().map(|(_, l)| *l).collect();
            assert_eq!(got, levels.to_vec(), "{status:?}");
        }
    }

    #[test]
    fn the_process_starts_at_the_end_date_or_the_late_payment_whichever_is_first() {
        // R-LIFE-1, R-LIFE-5
        let end = Utc.with_ymd_and_hms(2025, 6, 9, 22, 0, 0).unwrap();
        let late = end + Duration::days(31);
        assert_eq!(lifecycle_start(end, false, None), Some(end));
        assert_eq!(lifecycle_start(end, true, None), None);
        assert_eq!(lifecycle_start(end, true, Some(late)), Some(late));
        assert_eq!(lifecycle_start(late, false, Some(end)), Some(end));
        assert_eq!(status_from(None, Term::Annual, paris(), end + Duration::days(400)), Status::Active);
    }

    #[test]
    fn an_unpaid_automatic_renewal_is_suspended_from_day_16_and_canceled_on_day_46() {
        // R-LIFE-5: renewal date 10 June 2025 (Paris), card payment failed: day 1 is 10 June.
        let renewal = paris().with_ymd_and_hms(2025, 6, 10, 0, 0, 0).unwrap().with_timezone(&Utc);
        let day = |n: i64| {
            paris().with_ymd_and_hms(2025, 6, 10, 12, 0, 0).unwrap().with_timezone(&Utc) + Duration::days(n - 1)
        };
        let start = lifecycle_start(renewal + Duration::days(365), true, Some(renewal));
        assert_eq!(status_from(start, Term::Annual, paris(), day(15)), Status::Expired);
        assert_eq!(status_from(start, Term::Annual, paris(), day(16)), Status::Suspended);
        assert_eq!(status_from(start, Term::Annual, paris(), day(45)), Status::Suspended);
        assert_eq!(status_from(start, Term::Annual, paris(), day(46)), Status::Canceled);
    }

    #[test]
    fn with_net_30_the_process_starts_after_the_due_date() {
        // R-LIFE-5 decision: invoice issued on the renewal date 10 June 2025, due 10 July;
        // suspended 16 days after the due date (26 July), canceled 46 days after (25 August).
        let renewal = paris().with_ymd_and_hms(2025, 6, 10, 0, 0, 0).unwrap().with_timezone(&Utc);
        let due = crate::domain::renewal::invoice_due_date(local_date(renewal, paris()));
        let late = crate::domain::renewal::overdue_from(due, paris());
        let start = lifecycle_start(renewal + Duration::days(365), true, Some(late));
        let on = |m: u32, d: u32| paris().with_ymd_and_hms(2025, m, d, 12, 0, 0).unwrap().with_timezone(&Utc);
        assert_eq!(status_from(start, Term::Annual, paris(), on(7, 10)), Status::Active);
        assert_eq!(status_from(start, Term::Annual, paris(), on(7, 11)), Status::Expired);
        assert_eq!(status_from(start, Term::Annual, paris(), on(7, 25)), Status::Expired);
        assert_eq!(status_from(start, Term::Annual, paris(), on(7, 26)), Status::Suspended);
        assert_eq!(status_from(start, Term::Annual, paris(), on(8, 24)), Status::Suspended);
        assert_eq!(status_from(start, Term::Annual, paris(), on(8, 25)), Status::Canceled);
    }

    fn any_term() -> impl proptest::strategy::Strategy<Value = Term> {
        proptest::prop_oneof![
            proptest::strategy::Just(Term::Monthly),
            proptest::strategy::Just(Term::Annual),
            proptest::strategy::Just(Term::ThreeYear)
        ]
    }

    proptest::proptest! {
        #[test]
        fn the_state_never_moves_back_as_time_passes(
            start in 1_500_000_000i64..2_000_000_000, a in 0i64..10_000_000, b in 0i64..10_000_000,
            term in any_term(), zone in 0usize..4
        ) {
            // R-LIFE-1: without a payment or renewal (which change `start`), time only moves a
            // subscription forward through the states.
            let tz: Tz = ["Europe/Paris", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata"][zone].parse().unwrap();
            let start = DateTime::from_timestamp(start, 0).unwrap();
            let (t1, t2) = (start + Duration::seconds(a.min(b)) - Duration::days(30), start + Duration::seconds(a.max(b)) - Duration::days(30));
            proptest::prop_assert!(status_from(Some(start), term, tz, t1) <= status_from(Some(start), term, tz, t2));
        }

        #[test]
        fn the_expired_state_lasts_fifteen_local_days(start_day in 0i64..20_000, zone in 0usize..4, term in any_term()) {
            // R-LIFE-2, R-LIFE-3 across DST changes: each transition is at local midnight.
            let tz: Tz = ["Europe/Paris", "America/New_York", "Europe/Helsinki", "Australia/Sydney"][zone].parse().unwrap();
            let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(start_day);
            let start = start_of_day(date, tz);
            for (status, at) in next_transitions(start, term, tz) {
                proptest::prop_assert_eq!(status_from(Some(start), term, tz, at), status);
                proptest::prop_assert!(status_from(Some(start), term, tz, at - Duration::seconds(1)) < status);
                let local = at.with_timezone(&tz);
                proptest::prop_assert_eq!(local.date_naive(), local_date(at, tz));
            }
            // The lengths RULES.md gives, not this module's constants: Expired 15 days, then
            // Suspended 15 days (monthly) or 30 days (annual, 3-year).
            let [_, (_, suspended), (_, canceled)] = next_transitions(start, term, tz);
            proptest::prop_assert_eq!((local_date(suspended, tz) - date).num_days(), 15);
            let suspension = if term == Term::Monthly { 15 } else { 30 };
            proptest::prop_assert_eq!((local_date(canceled, tz) - local_date(suspended, tz)).num_days(), suspension);
        }
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
