//! Renewing in the cart and checking out: who can be renewed now (R-REN-2, R-LIFE-4), how the
//! cart splits into orders (R-BULK-3, R-SUB-6) and what an order costs, line by line and
//! instalment by instalment (R-CUST-3, R-PAY-8).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money, MoneyError};
use super::payment::PaymentKind;
use super::pricing::{Instalment, LinePrice, Totals, split_due, totals};
use super::renewal::{RenewalRefusal, RenewalWindow, judge_renewal};
use super::selection::MAX_BULK;
use super::status::Status;
use super::tax::TaxRate;
use super::term::Term;

/// A cart holds at most this many renewals, and so does an order (R-BULK-2).
pub const MAX_CART: usize = MAX_BULK;

/// Why a subscription cannot be renewed in the cart now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum RenewBlock {
    /// Canceled subscriptions cannot be renewed; a new one must be bought (R-LIFE-4).
    #[error("canceled")]
    Canceled,
    /// Renewal opens on this local day, 90 days before the renewal date (R-REN-2).
    #[error("renewal opens on {0}")]
    TooEarly(NaiveDate),
    /// Renewal closed on this local day (R-REN-2, R-LIFE-3).
    #[error("renewal closed on {0}")]
    TooLate(NaiveDate),
    /// Its last renewal is not paid yet: that payment reactivates it, not a second renewal.
    #[error("a renewal payment is open")]
    Unpaid,
    /// No payment method is on file for it.
    #[error("no payment method")]
    NoPaymentMethod,
    /// An order renewing it is being paid right now.
    #[error("an order renewing it is being paid")]
    InOrder,
    /// No price is listed for its renewal (product, term and currency) on this day.
    #[error("no price listed")]
    NoPrice,
}

impl From<RenewalRefusal> for RenewBlock {
    fn from(r: RenewalRefusal) -> Self {
        match r {
            RenewalRefusal::Canceled => RenewBlock::Canceled,
            RenewalRefusal::TooEarly(d) => RenewBlock::TooEarly(d),
            RenewalRefusal::TooLate(d) => RenewBlock::TooLate(d),
        }
    }
}

/// What [`judge_cart_renewal`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartFacts {
    pub status: Status,
    pub term_end: DateTime<Utc>,
    /// The term the renewal buys (the one chosen for the renewal, else the current one).
    pub term: Term,
    pub time_zone: Tz,
    pub unpaid: bool,
    pub payment: Option<PaymentKind>,
    pub in_order: bool,
}

/// Whether a subscription can be renewed in the cart at `now`: early from 90 days before its
/// renewal date, late while Expired or Suspended until the day before it would be Canceled,
/// never once Canceled (R-REN-2, R-LIFE-3, R-LIFE-4). The window is the same one auto-renew
/// and the lifecycle use ([`judge_renewal`]).
pub fn judge_cart_renewal(f: &CartFacts, now: DateTime<Utc>) -> Result<RenewalWindow, RenewBlock> {
    if f.status == Status::Canceled {
        return Err(RenewBlock::Canceled);
    }
    if f.in_order {
        return Err(RenewBlock::InOrder);
    }
    if f.unpaid {
        return Err(RenewBlock::Unpaid);
    }
    let window = judge_renewal(f.status, f.term_end, f.term, f.time_zone, now)?;
    if f.payment.is_none() {
        return Err(RenewBlock::NoPaymentMethod);
    }
    Ok(window)
}

/// What one order may hold (R-BULK-3, R-SUB-6): one customer number, currency and payment
/// method, one licence type and one term length. A cart that holds more is checked out as
/// several orders, each on its own, instead of failing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderGroup {
    pub csn: String,
    pub currency: Currency,
    pub payment_method_id: i64,
    pub licence_type: String,
    pub term: Term,
}

/// Groups items by key, keys in order, each group's items in the given order.
pub fn group_by<K: Ord + Clone, T: Clone>(items: &[(K, T)]) -> Vec<(K, Vec<T>)> {
    let mut groups: BTreeMap<K, Vec<T>> = BTreeMap::new();
    for (key, item) in items {
        groups.entry(key.clone()).or_default().push(item.clone());
    }
    groups.into_iter().collect()
}

/// One line of a priced order: its price, its share of the order's tax, and when it is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub price: LinePrice,
    pub tax: Money,
    /// The line's instalments (one for terms paid at once, R-PAY-8).
    pub schedule: Vec<Instalment>,
}

/// An order's price: totals with tax computed once on the subtotal (R-CUST-3), that tax shared
/// out to the lines, and the instalments of the whole order (R-PAY-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPrice {
    pub totals: Totals,
    pub lines: Vec<PricedLine>,
    /// What the order charges, in order of due date: the first is charged at checkout.
    pub schedule: Vec<Instalment>,
}

impl OrderPrice {
    /// What checkout charges now.
    pub fn due_now(&self) -> Money {
        self.schedule.first().map_or(Money::zero(self.totals.total.currency()), |i| i.total)
    }
}

/// Prices an order of `lines` of one term made on `day` (the transaction date): the tax once
/// on the subtotal, shared out to the lines in proportion to their net amounts so each
/// subscription's instalments are its own, and every sum exact: the lines' taxes add up to
/// the order's tax, the lines' instalments to the order's instalments, and those to the total.
pub fn price_order(
    currency: Currency,
    lines: &[LinePrice],
    rate: TaxRate,
    term: Term,
    day: NaiveDate,
) -> Result<OrderPrice, MoneyError> {
    let t = totals(currency, lines, rate)?;
    let nets: Vec<Money> = lines.iter().map(|l| l.net).collect();
    let taxes = t.tax.allocate(&nets);
    let mut priced = Vec::with_capacity(lines.len());
    for (line, tax) in lines.iter().zip(taxes) {
        priced.push(PricedLine { price: *line, tax, schedule: split_due(line.net, tax, term, day)? });
    }
    let mut schedule = split_due(t.subtotal, t.tax, term, day)?;
    // The order's parts are the sums of the lines' parts (both are split the same way, but the
    // sum of splits is not the split of a sum by a minor unit or two).
    for (i, part) in schedule.iter_mut().enumerate() {
        part.total = Money::sum(currency, priced.iter().map(|l| l.schedule[i].total))?;
        part.tax = Money::sum(currency, priced.iter().map(|l| l.schedule[i].tax))?;
    }
    Ok(OrderPrice { totals: t, lines: priced, schedule })
}

/// Prices a change to a running subscription as one order line: seats added now (R-PRICE-3,
/// R-PAY-8) or an extension (R-PRICE-2, one charge today). For added seats, the charges of
/// [`added_seats_charges`](super::pricing::added_seats_charges) (one prorated to the renewal
/// date, or for a three-year term in instalments one prorated to the next anniversary and one
/// per remaining anniversary), the tax once on their sum (R-CUST-3) shared out to the charges,
/// so the instalments add up exactly to the order's total.
pub fn price_change(
    currency: Currency,
    charges: &[(super::pricing::Charge, LinePrice)],
    rate: TaxRate,
) -> Result<OrderPrice, MoneyError> {
    let parts: Vec<LinePrice> = charges.iter().map(|(_, l)| *l).collect();
    let t = totals(currency, &parts, rate)?;
    let nets: Vec<Money> = parts.iter().map(|l| l.net).collect();
    let taxes = t.tax.allocate(&nets);
    let mut schedule = Vec::with_capacity(charges.len());
    for ((charge, line), tax) in charges.iter().zip(taxes) {
        schedule.push(Instalment { due: charge.due, total: line.net.checked_add(tax)?, tax });
    }
    let price = LinePrice { list: t.list, discount: t.discount, net: t.subtotal };
    Ok(OrderPrice { totals: t, lines: vec![PricedLine { price, tax: t.tax, schedule: schedule.clone() }], schedule })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::{Span, price_line};
    use crate::domain::tax::{TaxAddress, rate_for};
    use crate::domain::time::start_of_day;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }
    fn helsinki() -> Tz {
        "Europe/Helsinki".parse().unwrap()
    }
    fn fi() -> TaxRate {
        rate_for(&TaxAddress { country: "FI".into(), region: "".into(), tax_exempt: false }).unwrap()
    }
    fn facts(status: Status, end: NaiveDate, term: Term) -> CartFacts {
        CartFacts {
            status,
            term_end: start_of_day(end, helsinki()),
            term,
            time_zone: helsinki(),
            unpaid: false,
            payment: Some(PaymentKind::Card),
            in_order: false,
        }
    }
    fn noon(y: i32, m: u32, day: u32) -> DateTime<Utc> {
        helsinki().with_ymd_and_hms(y, m, day, 12, 0, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn seats_added_to_a_three_year_term_are_taxed_once_and_paid_in_exact_parts() {
        // R-PRICE-3, R-PAY-8, R-CUST-3: 1 seat of a 5,475.00 EUR three-year term added on
        // 29 March 2026 (order 10 June 2025): 365.00 now, 1,825.00 on 10 June 2026 and 2027,
        // 4,015.00 in all. Finnish VAT 25.5 % once on 4,015.00 = 1,023.825, rounded 1,023.83,
        // shared out by net: 93.07 + 465.38 + 465.38 = 1,023.83.
        let charges = crate::domain::pricing::added_seats_charges(
            eur(5_475_00),
            Term::ThreeYear,
            1,
            d(2026, 3, 29),
            d(2025, 6, 10),
            d(2028, 6, 10),
            None,
        )
        .unwrap();
        let p = price_change(Currency::Eur, &charges, fi()).unwrap();
        assert_eq!(p.totals.subtotal, eur(4_015_00));
        assert_eq!(p.totals.tax, eur(1_023_83));
        let parts: Vec<(NaiveDate, Money, Money)> = p.schedule.iter().map(|i| (i.due, i.total, i.tax)).collect();
        assert_eq!(
            parts,
            vec![
                (d(2026, 3, 29), eur(458_07), eur(93_07)),
                (d(2026, 6, 10), eur(2_290_38), eur(465_38)),
                (d(2027, 6, 10), eur(2_290_38), eur(465_38)),
            ]
        );
        assert_eq!(p.due_now(), eur(458_07));
        assert_eq!(Money::sum(Currency::Eur, p.schedule.iter().map(|i| i.total)).unwrap(), p.totals.total);
    }

    #[test]
    fn renewal_in_the_cart_opens_90_days_before_the_renewal_date() {
        // R-REN-2: renewal date 1 July 2026 (Helsinki); the window opens on 2 April 2026.
        let f = facts(Status::Active, d(2026, 7, 1), Term::Annual);
        assert_eq!(judge_cart_renewal(&f, noon(2026, 4, 1)), Err(RenewBlock::TooEarly(d(2026, 4, 2))));
        let w = judge_cart_renewal(&f, noon(2026, 4, 2)).unwrap();
        assert_eq!(w.opens, d(2026, 4, 2));
    }

    #[test]
    fn late_renewal_closes_the_day_before_canceled_per_term() {
        // R-REN-2, R-LIFE-3: renewal date 1 July 2026 is day 1. Annual: Expired days 1-15,
        // Suspended days 16-45, Canceled from day 46 (15 August), so the last day to renew is
        // 14 August. Monthly: Suspended 15 days, Canceled from day 31 (31 July), last day 30 July.
        let annual = facts(Status::Suspended, d(2026, 7, 1), Term::Annual);
        assert!(judge_cart_renewal(&annual, noon(2026, 8, 14)).is_ok());
        assert_eq!(judge_cart_renewal(&annual, noon(2026, 8, 15)), Err(RenewBlock::TooLate(d(2026, 8, 14))));
        let monthly = facts(Status::Suspended, d(2026, 7, 1), Term::Monthly);
        assert!(judge_cart_renewal(&monthly, noon(2026, 7, 30)).is_ok());
        assert_eq!(judge_cart_renewal(&monthly, noon(2026, 7, 31)), Err(RenewBlock::TooLate(d(2026, 7, 30))));
    }

    #[test]
    fn canceled_unpaid_busy_or_unpayable_subscriptions_are_not_renewed() {
        // R-LIFE-4: Canceled cannot be renewed, whatever the day.
        let f = facts(Status::Canceled, d(2026, 7, 1), Term::Annual);
        assert_eq!(judge_cart_renewal(&f, noon(2026, 7, 2)), Err(RenewBlock::Canceled));
        let now = noon(2026, 6, 1);
        let base = facts(Status::Active, d(2026, 7, 1), Term::Annual);
        assert_eq!(judge_cart_renewal(&CartFacts { unpaid: true, ..base }, now), Err(RenewBlock::Unpaid));
        assert_eq!(judge_cart_renewal(&CartFacts { in_order: true, ..base }, now), Err(RenewBlock::InOrder));
        assert_eq!(judge_cart_renewal(&CartFacts { payment: None, ..base }, now), Err(RenewBlock::NoPaymentMethod));
        assert!(judge_cart_renewal(&base, now).is_ok());
    }

    #[test]
    fn a_cart_splits_into_orders_by_customer_currency_method_licence_and_term() {
        // R-BULK-3, R-SUB-6
        let g = |csn: &str, pm, term| OrderGroup {
            csn: csn.into(),
            currency: Currency::Eur,
            payment_method_id: pm,
            licence_type: "subscription".into(),
            term,
        };
        let items = vec![
            (g("A", 1, Term::Annual), 10),
            (g("A", 1, Term::Monthly), 11),
            (g("B", 1, Term::Annual), 12),
            (g("A", 1, Term::Annual), 13),
            (g("A", 2, Term::Annual), 14),
        ];
        let groups = group_by(&items);
        assert_eq!(groups.len(), 4);
        assert_eq!(groups[0], (g("A", 1, Term::Monthly), vec![11]));
        assert_eq!(groups[1], (g("A", 1, Term::Annual), vec![10, 13]));
    }

    #[test]
    fn the_tax_is_computed_once_and_shared_out_to_the_lines_exactly() {
        // R-CUST-3: three lines of 100.00, 200.00 and 0.03 EUR at 25.5 % (Finland): subtotal
        // 300.03, tax 76.50765 -> 76.51. Exact shares by net: 25.50078, 51.00157 and 0.00765;
        // whole cents 25.50 + 51.00 + 0.00 = 76.50 leave one cent, which goes to the largest
        // remainder (line 3's 0.765 cent): 25.50, 51.00 and 0.01.
        let lines: Vec<LinePrice> =
            [10_000, 20_000, 3].iter().map(|m| LinePrice { list: eur(*m), discount: eur(0), net: eur(*m) }).collect();
        let p = price_order(Currency::Eur, &lines, fi(), Term::Annual, d(2026, 3, 1)).unwrap();
        assert_eq!((p.totals.subtotal, p.totals.tax, p.totals.total), (eur(30_003), eur(7_651), eur(37_654)));
        let taxes: Vec<Money> = p.lines.iter().map(|l| l.tax).collect();
        assert_eq!(taxes, vec![eur(2_550), eur(5_100), eur(1)]);
        assert_eq!(p.schedule.len(), 1);
        assert_eq!(p.due_now(), eur(37_654));
    }

    #[test]
    fn a_three_year_order_is_charged_in_three_instalments_that_sum_exactly() {
        // R-PAY-8: two 3-year lines of 6,090.01 and 3,000.00 EUR bought 10 March 2026 in
        // Finland. Subtotal 9,090.01, tax 25.5 % = 2,317.95255 -> 2,317.95, total 11,407.96.
        // Line taxes by net: 1,552.95 and 765.00. Line 1 instalments: net 2,030.01 + 2,030.00 +
        // 2,030.00, tax 517.65 x 3; line 2: net 1,000.00 x 3, tax 255.00 x 3. The order's first
        // instalment is 2,030.01 + 517.65 + 1,000.00 + 255.00 = 3,802.66, then 3,802.65 twice:
        // 11,407.96 in all.
        let line = |m| price_line(eur(m), Term::ThreeYear, 1, Span { whole_terms: 1, days: 0 }, None).unwrap();
        let p =
            price_order(Currency::Eur, &[line(609_001), line(300_000)], fi(), Term::ThreeYear, d(2026, 3, 10)).unwrap();
        assert_eq!(p.totals.total, eur(1_140_796));
        assert_eq!(p.lines[0].tax, eur(155_295));
        assert_eq!(p.lines[1].tax, eur(76_500));
        let parts: Vec<(NaiveDate, Money)> = p.schedule.iter().map(|i| (i.due, i.total)).collect();
        assert_eq!(
            parts,
            vec![(d(2026, 3, 10), eur(380_266)), (d(2027, 3, 10), eur(380_265)), (d(2028, 3, 10), eur(380_265))]
        );
        assert_eq!(p.due_now(), eur(380_266));
    }

    proptest! {
        #[test]
        fn every_part_of_an_order_sums_exactly(
            nets in proptest::collection::vec(0i64..5_000_000, 1..40), three_year in any::<bool>()
        ) {
            // R-PAY-8, R-PRICE-6
            let term = if three_year { Term::ThreeYear } else { Term::Annual };
            let lines: Vec<LinePrice> =
                nets.iter().map(|m| LinePrice { list: eur(*m), discount: eur(0), net: eur(*m) }).collect();
            let p = price_order(Currency::Eur, &lines, fi(), term, d(2026, 1, 31)).unwrap();
            prop_assert_eq!(Money::sum(Currency::Eur, p.lines.iter().map(|l| l.tax)).unwrap(), p.totals.tax);
            prop_assert_eq!(Money::sum(Currency::Eur, p.schedule.iter().map(|i| i.total)).unwrap(), p.totals.total);
            for l in &p.lines {
                let paid = Money::sum(Currency::Eur, l.schedule.iter().map(|i| i.total)).unwrap();
                prop_assert_eq!(paid, l.price.net.checked_add(l.tax).unwrap());
            }
        }

        #[test]
        fn allocation_is_exact_and_within_a_cent_of_the_proportion(
            amount in 0i64..10_000_000, weights in proptest::collection::vec(0i64..1_000_000, 1..30)
        ) {
            let w: Vec<Money> = weights.iter().map(|m| eur(*m)).collect();
            let shares = eur(amount).allocate(&w);
            prop_assert_eq!(Money::sum(Currency::Eur, shares.iter().copied()).unwrap(), eur(amount));
            let total: i128 = weights.iter().map(|x| i128::from(*x)).sum();
            if total > 0 {
                for (s, x) in shares.iter().zip(&weights) {
                    let exact = i128::from(amount) * i128::from(*x);
                    let diff = (i128::from(s.minor()) * total - exact).abs();
                    prop_assert!(diff < total, "share {} of weight {}", s.minor(), x);
                }
            }
        }
    }
}
