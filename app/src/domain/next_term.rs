//! Self-service changes to a running subscription (R-SUB-3, R-PRICE-3): seats added now
//! (co-termed, bought at checkout), and fewer seats or another term at the next renewal, kept
//! on the subscription until the renewal job (or a renewal in the cart) applies them and
//! withdrawable until then.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::renewal::{RenewalRefusal, judge_renewal};
use super::status::Status;
use super::term::Term;

/// Why a change at the next renewal is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NextTermRefusal {
    /// A canceled subscription has no next renewal (R-LIFE-4).
    #[error("canceled")]
    Canceled,
    /// Its renewal closed on this local day (R-REN-2, R-LIFE-3): there is no renewal to change.
    #[error("renewal closed on {0}")]
    TooLate(chrono::NaiveDate),
    /// An order renewing it is being paid: that order's seats and term are final (R-PRICE-5).
    #[error("an order renewing it is being paid")]
    InOrder,
    /// Its last renewal is not paid yet; the change would apply to a term already started.
    #[error("a renewal payment is open")]
    Unpaid,
    /// Zero or negative seats.
    #[error("at least one seat")]
    NoSeats,
    /// Seats can only be reduced at renewal (R-PRICE-3); added seats start now, co-termed.
    #[error("at most {current} seats at renewal")]
    MoreSeats { current: u32 },
    /// The product is not sold with this term in the subscription's currency.
    #[error("term not sold")]
    TermNotSold(Term),
    /// Nothing is pending, so there is nothing to withdraw.
    #[error("nothing pending")]
    NothingPending,
}

/// What [`judge_next_term`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextTermFacts {
    pub status: Status,
    pub term_end: DateTime<Utc>,
    pub term: Term,
    pub seats: u32,
    pub time_zone: Tz,
    pub unpaid: bool,
    pub in_order: bool,
}

/// The seats and term the next renewal buys; `None` keeps the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NextTermChange {
    pub seats: Option<u32>,
    pub term: Option<Term>,
}

impl NextTermChange {
    pub fn is_empty(&self) -> bool {
        self.seats.is_none() && self.term.is_none()
    }
}

/// Whether the next renewal can still be changed at `now`: not once Canceled or past the late
/// window, not while an order renewing it is being paid or its last renewal is unpaid. A
/// renewal that is months away can be changed (only renewing early waits for the 90 days).
pub fn can_change_next_term(f: &NextTermFacts, now: DateTime<Utc>) -> Result<(), NextTermRefusal> {
    if f.status == Status::Canceled {
        return Err(NextTermRefusal::Canceled);
    }
    if f.in_order {
        return Err(NextTermRefusal::InOrder);
    }
    if f.unpaid {
        return Err(NextTermRefusal::Unpaid);
    }
    match judge_renewal(f.status, f.term_end, f.term, f.time_zone, now) {
        Ok(_) | Err(RenewalRefusal::TooEarly(_)) => Ok(()),
        Err(RenewalRefusal::Canceled) => Err(NextTermRefusal::Canceled),
        Err(RenewalRefusal::TooLate(day)) => Err(NextTermRefusal::TooLate(day)),
    }
}

/// Judges a change of the next renewal to `seats` seats for `term` (R-SUB-3, R-PRICE-3): seats
/// from 1 to the current count, a term the product is sold with (`term_sold`). What equals the
/// current subscription is not a change, so asking for the current seats and term withdraws
/// whatever was pending.
pub fn judge_next_term(
    f: &NextTermFacts,
    seats: i64,
    term: Term,
    term_sold: bool,
    now: DateTime<Utc>,
) -> Result<NextTermChange, NextTermRefusal> {
    can_change_next_term(f, now)?;
    if seats < 1 {
        return Err(NextTermRefusal::NoSeats);
    }
    if seats > i64::from(f.seats) {
        return Err(NextTermRefusal::MoreSeats { current: f.seats });
    }
    if term != f.term && !term_sold {
        return Err(NextTermRefusal::TermNotSold(term));
    }
    let seats = seats as u32;
    Ok(NextTermChange { seats: (seats != f.seats).then_some(seats), term: (term != f.term).then_some(term) })
}

/// The most seats one order adds to a subscription.
pub const MAX_ADDED_SEATS: u32 = 1_000;

/// Why seats cannot be added now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AddSeatsRefusal {
    /// Only an Active subscription takes more seats (R-LIFE-6); renew it first.
    #[error("not active")]
    NotActive(Status),
    /// An order renewing or changing it is being paid.
    #[error("an order for it is being paid")]
    InOrder,
    /// Its last renewal is unpaid.
    #[error("a renewal payment is open")]
    Unpaid,
    /// Zero, negative or not a whole number.
    #[error("at least one seat")]
    NoSeats,
    #[error("at most {max} seats at once")]
    TooMany { max: u32 },
    /// The term ends today: there is nothing left to co-term with; renew instead.
    #[error("the term ends today")]
    TermEnding,
    /// The product has no price for its term and currency today.
    #[error("no price listed")]
    NoPrice,
}

/// Whether `seats` seats can be added to the current term at `now` (R-SUB-3, R-PRICE-3): an
/// Active subscription that no order holds, whose renewal is not unpaid, before its renewal
/// date (the seats are co-termed to it).
pub fn judge_add_seats(f: &NextTermFacts, seats: i64, now: DateTime<Utc>) -> Result<u32, AddSeatsRefusal> {
    if f.status != Status::Active {
        return Err(AddSeatsRefusal::NotActive(f.status));
    }
    if f.in_order {
        return Err(AddSeatsRefusal::InOrder);
    }
    if f.unpaid {
        return Err(AddSeatsRefusal::Unpaid);
    }
    if seats < 1 {
        return Err(AddSeatsRefusal::NoSeats);
    }
    if seats > i64::from(MAX_ADDED_SEATS) {
        return Err(AddSeatsRefusal::TooMany { max: MAX_ADDED_SEATS });
    }
    let today = crate::domain::time::local_date(now, f.time_zone);
    if today >= crate::domain::time::local_date(f.term_end, f.time_zone) {
        return Err(AddSeatsRefusal::TermEnding);
    }
    Ok(seats as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts(status: Status, term_end: DateTime<Utc>) -> NextTermFacts {
        NextTermFacts {
            status,
            term_end,
            term: Term::Annual,
            seats: 10,
            time_zone: chrono_tz::Europe::Berlin,
            unpaid: false,
            in_order: false,
        }
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn seats_are_reduced_and_the_term_changed_at_the_next_renewal() {
        // R-SUB-3, R-PRICE-3: 10 seats renewing in 200 days; 4 seats on a three-year term next time.
        let f = facts(Status::Active, at(2027, 6, 10));
        let now = at(2026, 11, 22);
        assert_eq!(
            judge_next_term(&f, 4, Term::ThreeYear, true, now),
            Ok(NextTermChange { seats: Some(4), term: Some(Term::ThreeYear) })
        );
        // The current seats and term are no change: that withdraws what was pending.
        assert_eq!(judge_next_term(&f, 10, Term::Annual, true, now), Ok(NextTermChange::default()));
        // Seats are only reduced at renewal; added seats start now, co-termed.
        assert_eq!(judge_next_term(&f, 11, Term::Annual, true, now), Err(NextTermRefusal::MoreSeats { current: 10 }));
        assert_eq!(judge_next_term(&f, 0, Term::Annual, true, now), Err(NextTermRefusal::NoSeats));
        assert_eq!(judge_next_term(&f, -3, Term::Annual, true, now), Err(NextTermRefusal::NoSeats));
        assert_eq!(
            judge_next_term(&f, 10, Term::Monthly, false, now),
            Err(NextTermRefusal::TermNotSold(Term::Monthly))
        );
    }

    #[test]
    fn seats_are_added_to_an_active_term_before_its_renewal_date() {
        // R-SUB-3, R-PRICE-3, R-LIFE-6: renewal on 10 June 2027 (Berlin).
        let end = chrono_tz::Europe::Berlin.with_ymd_and_hms(2027, 6, 10, 0, 0, 0).unwrap().with_timezone(&Utc);
        let f = facts(Status::Active, end);
        assert_eq!(judge_add_seats(&f, 3, at(2026, 11, 22)), Ok(3));
        assert_eq!(judge_add_seats(&f, 0, at(2026, 11, 22)), Err(AddSeatsRefusal::NoSeats));
        assert_eq!(judge_add_seats(&f, 1_001, at(2026, 11, 22)), Err(AddSeatsRefusal::TooMany { max: 1_000 }));
        // The last local day of the term still co-terms one day; the renewal date itself does not.
        assert_eq!(judge_add_seats(&f, 1, at(2027, 6, 9)), Ok(1));
        assert_eq!(judge_add_seats(&f, 1, at(2027, 6, 10)), Err(AddSeatsRefusal::TermEnding));
        let expired = facts(Status::Expired, end);
        assert_eq!(judge_add_seats(&expired, 1, at(2026, 11, 22)), Err(AddSeatsRefusal::NotActive(Status::Expired)));
        let held = NextTermFacts { in_order: true, ..f };
        assert_eq!(judge_add_seats(&held, 1, at(2026, 11, 22)), Err(AddSeatsRefusal::InOrder));
    }

    #[test]
    fn no_change_once_canceled_past_the_late_window_or_while_being_paid() {
        // R-SUB-3, R-LIFE-3, R-LIFE-4: an expired annual term can be renewed late until the day
        // before it would be Canceled, so its next term can be changed until then, not after.
        let end = chrono_tz::Europe::Berlin.with_ymd_and_hms(2026, 6, 10, 0, 0, 0).unwrap().with_timezone(&Utc);
        let expired = facts(Status::Expired, end);
        let closes = crate::domain::renewal::renewal_window(end, Term::Annual, chrono_tz::Europe::Berlin).closes;
        let noon = |day: chrono::NaiveDate| {
            chrono_tz::Europe::Berlin
                .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
                .unwrap()
                .with_timezone(&Utc)
        };
        assert!(judge_next_term(&expired, 5, Term::Annual, true, noon(closes)).is_ok());
        assert_eq!(
            judge_next_term(&expired, 5, Term::Annual, true, noon(closes.succ_opt().unwrap())),
            Err(NextTermRefusal::TooLate(closes))
        );
        let canceled = facts(Status::Canceled, end);
        assert_eq!(judge_next_term(&canceled, 5, Term::Annual, true, at(2026, 6, 1)), Err(NextTermRefusal::Canceled));
        let paying = NextTermFacts { in_order: true, ..facts(Status::Active, at(2027, 1, 1)) };
        assert_eq!(judge_next_term(&paying, 5, Term::Annual, true, at(2026, 12, 1)), Err(NextTermRefusal::InOrder));
        let unpaid = NextTermFacts { unpaid: true, ..facts(Status::Active, at(2027, 1, 1)) };
        assert_eq!(judge_next_term(&unpaid, 5, Term::Annual, true, at(2026, 12, 1)), Err(NextTermRefusal::Unpaid));
    }
}
