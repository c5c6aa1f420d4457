//! Credit memos and refunds (R-INV-1, R-INV-2, R-PAY-9): whether one subscription's line of an
//! order can be refunded now, what the refund does to the subscription, what it is worth, and
//! how credit is drawn from the memos to pay invoices.
//!
//! A refund gives back what was paid for the line (its share of what the order's payments and
//! invoices have received) as a credit memo of the customer number, in the order's currency.
//! That credit pays the customer number's invoices in that currency, oldest memo first.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::invoice::spread_payment;
use super::money::{Money, MoneyError};
use super::pricing::{RefundRefusal, judge_refund};
use super::term::Term;

/// What an order line bought, as far as a refund is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bought {
    /// A new term of the subscription.
    Renewal,
    /// Seats added to the current term (R-PRICE-3).
    AddSeats,
    /// The current term extended to end with another subscription's (R-PRICE-2).
    Extension,
}

/// Everything a refund request is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundFacts {
    pub bought: Bought,
    /// The term of the line (the refund window depends on it, R-PAY-9).
    pub term: Term,
    /// The local day the order was placed, in the subscription's time zone.
    pub bought_on: NaiveDate,
    /// Today in the same zone.
    pub today: NaiveDate,
    /// Where the line's period starts: a refunded renewal or extension ends the term there.
    pub period_start: DateTime<Utc>,
    pub line_seats: i64,
    pub seats_now: i64,
    pub canceled: bool,
    /// A later order that changed the subscription again and is not refunded: refund it first.
    pub later_order: Option<String>,
    /// An invoice of the order that is not paid: a refund gives back what was paid.
    pub unpaid_invoice: Option<String>,
    /// A payment of the order is on its way (R-PAY-7): what it brings is not known yet.
    pub payment_pending: bool,
    /// The line's share of what the order has received.
    pub paid: Money,
}

/// What a refund does to the subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundEffect {
    /// A refunded renewal: the term ends where the renewal began and the subscription is
    /// canceled (it was not wanted; it is not renewed again).
    Cancel { end: DateTime<Utc> },
    /// A refunded extension: the term ends where it ended before.
    Shorten { end: DateTime<Utc> },
    /// Refunded seats are taken off the current term.
    RemoveSeats { seats: i64 },
}

/// A refund that can be made: its last day, what it is worth and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refund {
    pub last_day: NaiveDate,
    pub amount: Money,
    pub effect: RefundEffect,
}

/// Whether the line can be refunded today (R-PAY-9): within 15 days of the order for monthly
/// terms and 30 days for annual and three-year terms (the day it closes is given), for a
/// subscription that is not canceled, not changed by a later order, and whose order is paid.
pub fn judge_refund_request(f: &RefundFacts) -> Result<Refund, RefundRefusal> {
    if f.canceled {
        return Err(RefundRefusal::Canceled);
    }
    let last_day = judge_refund(f.term, f.bought_on, f.today, false)?;
    if let Some(order) = &f.later_order {
        return Err(RefundRefusal::LaterOrder(order.clone()));
    }
    if f.payment_pending {
        return Err(RefundRefusal::PaymentPending);
    }
    if let Some(invoice) = &f.unpaid_invoice {
        return Err(RefundRefusal::Unpaid(invoice.clone()));
    }
    if f.paid.minor() <= 0 {
        return Err(RefundRefusal::NothingPaid);
    }
    let effect = match f.bought {
        Bought::Renewal => RefundEffect::Cancel { end: f.period_start },
        Bought::Extension => RefundEffect::Shorten { end: f.period_start },
        Bought::AddSeats if f.seats_now > f.line_seats => RefundEffect::RemoveSeats { seats: f.line_seats },
        // The seats were reduced since: taking them off would leave none.
        Bought::AddSeats => return Err(RefundRefusal::SeatsGone),
    };
    Ok(Refund { last_day, amount: f.paid, effect })
}

/// How much each credit memo gives when `amount` is paid with credit: the oldest memo first,
/// each as far as what it has left goes. `left` is what each memo has, oldest first; the answer
/// is in the same order, without the memos that give nothing. Never more than they have.
pub fn draw_credit(amount: Money, left: &[Money]) -> Result<Vec<Money>, MoneyError> {
    spread_payment(amount, left)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn facts(bought: Bought, term: Term, today: NaiveDate) -> RefundFacts {
        RefundFacts {
            bought,
            term,
            bought_on: day(11, 1),
            today,
            period_start: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
            line_seats: 2,
            seats_now: 5,
            canceled: false,
            later_order: None,
            unpaid_invoice: None,
            payment_pending: false,
            paid: eur(124_00),
        }
    }

    #[test]
    fn a_renewal_is_refunded_within_its_window_and_cancels_the_subscription() {
        // R-PAY-9: annual and three-year within 30 days, monthly within 15.
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let ok = judge_refund_request(&facts(Bought::Renewal, Term::Annual, day(12, 1))).unwrap();
        assert_eq!(
            ok,
            Refund { last_day: day(12, 1), amount: eur(124_00), effect: RefundEffect::Cancel { end: start } }
        );
        assert_eq!(
            judge_refund_request(&facts(Bought::Renewal, Term::ThreeYear, day(12, 2))),
            Err(RefundRefusal::Late(day(12, 1)))
        );
        assert!(judge_refund_request(&facts(Bought::Renewal, Term::Monthly, day(11, 16))).is_ok());
        assert_eq!(
            judge_refund_request(&facts(Bought::Renewal, Term::Monthly, day(11, 17))),
            Err(RefundRefusal::Late(day(11, 16)))
        );
    }

    #[test]
    fn an_extension_is_shortened_back_and_added_seats_are_taken_off() {
        // R-PAY-9 applied to what the portal sells besides renewals.
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let ext = judge_refund_request(&facts(Bought::Extension, Term::Annual, day(11, 5))).unwrap();
        assert_eq!(ext.effect, RefundEffect::Shorten { end: start });
        let seats = judge_refund_request(&facts(Bought::AddSeats, Term::Annual, day(11, 5))).unwrap();
        assert_eq!(seats.effect, RefundEffect::RemoveSeats { seats: 2 });
        let fewer = RefundFacts { seats_now: 2, ..facts(Bought::AddSeats, Term::Annual, day(11, 5)) };
        assert_eq!(judge_refund_request(&fewer), Err(RefundRefusal::SeatsGone), "it would leave no seat");
    }

    #[test]
    fn only_what_was_paid_and_only_the_latest_change_is_refunded() {
        let f = facts(Bought::Renewal, Term::Annual, day(11, 5));
        let cases = [
            (RefundFacts { canceled: true, ..f.clone() }, RefundRefusal::Canceled),
            (RefundFacts { later_order: Some("ORD-9".into()), ..f.clone() }, RefundRefusal::LaterOrder("ORD-9".into())),
            (RefundFacts { payment_pending: true, ..f.clone() }, RefundRefusal::PaymentPending),
            (RefundFacts { unpaid_invoice: Some("INV-3".into()), ..f.clone() }, RefundRefusal::Unpaid("INV-3".into())),
            (RefundFacts { paid: eur(0), ..f.clone() }, RefundRefusal::NothingPaid),
        ];
        for (facts, want) in cases {
            assert_eq!(judge_refund_request(&facts), Err(want));
        }
        // The window is judged first: a late request is told the day it closed.
        let late = RefundFacts { unpaid_invoice: Some("INV-3".into()), today: day(12, 9), ..f };
        assert_eq!(judge_refund_request(&late), Err(RefundRefusal::Late(day(12, 1))));
    }

    #[test]
    fn credit_is_drawn_from_the_oldest_memo_first_and_never_beyond_what_is_left() {
        // R-INV-2: credit memos pay invoices.
        assert_eq!(draw_credit(eur(150_00), &[eur(100_00), eur(80_00)]), Ok(vec![eur(100_00), eur(50_00)]));
        assert_eq!(draw_credit(eur(50_00), &[eur(100_00), eur(80_00)]), Ok(vec![eur(50_00)]));
        assert_eq!(draw_credit(eur(500_00), &[eur(100_00), eur(80_00)]), Ok(vec![eur(100_00), eur(80_00)]));
    }
}
