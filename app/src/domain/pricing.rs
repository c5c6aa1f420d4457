//! Prices, promotions, proration, co-termed seats, extensions, instalments and refunds
//! (R-PRICE-1..4, R-QUOTE-5, R-PAY-8, R-PAY-9).
//!
//! Every amount is computed exactly with [`Decimal`] and rounded once per line by
//! [`Money::from_decimal`] (half away from zero).

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::ProductId;
use super::money::{Currency, Money, MoneyError};
use super::tax::{TaxRate, tax_on};
use super::term::Term;
#[cfg(doc)]
use super::time::add_terms;

/// One entry of a price list: the price of one seat for one term (the contract price, SRP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPrice {
    pub product_id: ProductId,
    pub term: Term,
    pub amount: Money,
    /// The local date from which this price applies; later entries replace earlier ones.
    pub valid_from: NaiveDate,
}

/// The price lists of all products, terms and currencies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList(pub Vec<ListPrice>);

impl PriceList {
    /// The price of one seat of `product` for `term` in `currency` on `day`: the entry with the
    /// latest `valid_from` not after `day`.
    pub fn price(&self, product_id: ProductId, term: Term, currency: Currency, day: NaiveDate) -> Option<Money> {
        self.0
            .iter()
            .filter(|p| {
                p.product_id == product_id && p.term == term && p.amount.currency() == currency && p.valid_from <= day
            })
            .max_by_key(|p| p.valid_from)
            .map(|p| p.amount)
    }
}

/// What a promotion applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Purchase {
    New,
    Renewal,
    AddSeats,
    Extension,
}

impl Purchase {
    pub const ALL: [Purchase; 4] = [Purchase::New, Purchase::Renewal, Purchase::AddSeats, Purchase::Extension];

    pub fn code(self) -> &'static str {
        match self {
            Purchase::New => "new",
            Purchase::Renewal => "renewal",
            Purchase::AddSeats => "add_seats",
            Purchase::Extension => "extension",
        }
    }

    pub fn parse(code: &str) -> Option<Purchase> {
        Purchase::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A percentage discount, applied automatically to the lines it matches (R-QUOTE-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub code: String,
    pub name: String,
    /// `None`: every product.
    pub product_id: Option<ProductId>,
    /// `None`: every term.
    pub term: Option<Term>,
    pub purchase: Purchase,
    pub percent_off: Decimal,
    /// Local dates, both included.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Promotion {
    pub fn applies(&self, product_id: ProductId, term: Term, purchase: Purchase, day: NaiveDate) -> bool {
        self.product_id.is_none_or(|p| p == product_id)
            && self.term.is_none_or(|t| t == term)
            && self.purchase == purchase
            && self.first_day <= day
            && day <= self.last_day
    }
}

/// The best promotion for a line: the largest discount; on a tie, the first code in order.
pub fn best_promotion<'a>(
    promotions: &'a [Promotion],
    product_id: ProductId,
    term: Term,
    purchase: Purchase,
    day: NaiveDate,
) -> Option<&'a Promotion> {
    promotions
        .iter()
        .filter(|p| p.applies(product_id, term, purchase, day))
        .max_by(|a, b| a.percent_off.cmp(&b.percent_off).then_with(|| b.code.cmp(&a.code)))
}

/// The part of a term that is bought: whole terms plus leftover days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub whole_terms: u32,
    pub days: u32,
}

/// Splits the local dates `[from, to)` into whole terms counted from `from`, the way terms
/// themselves are counted ([`add_terms`]: month ends clamp), and the leftover days after them.
/// Leftover days are fewer than one term, and never more than the term's standard days (leap
/// days are ignored, R-PRICE-1). `to` before `from` gives an empty span.
pub fn span(from: NaiveDate, to: NaiveDate, term: Term) -> Span {
    let mut whole_terms = 0;
    let mut end = from;
    while let Some(next) = from.checked_add_months(Months::new(term.months() * (whole_terms + 1))) {
        if next > to {
            break;
        }
        whole_terms += 1;
        end = next;
    }
    let days = (to - end).num_days().clamp(0, i64::from(term.standard_days())) as u32;
    Span { whole_terms, days }
}

/// The prorated price of one seat for `span` (R-PRICE-1): whole terms at the term price, and the
/// leftover days at term price / standard days per day, rounded once. Taxes are not included.
pub fn prorate(term_price: Money, term: Term, span: Span) -> Result<Money, MoneyError> {
    let std_days = Decimal::from(term.standard_days());
    let units = Decimal::from(span.whole_terms) * std_days + Decimal::from(span.days);
    Money::from_decimal(term_price.to_decimal() * units / std_days, term_price.currency())
}

/// One priced line before tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePrice {
    /// Seats times the (prorated) list price.
    pub list: Money,
    /// The promotion's discount, zero without one.
    pub discount: Money,
    /// `list - discount`: what the line costs before tax.
    pub net: Money,
}

/// Prices `seats` seats for `span` with an optional promotion (R-PRICE-1, R-QUOTE-5). The list
/// amount and the discount are each rounded once.
pub fn price_line(
    term_price: Money,
    term: Term,
    seats: u32,
    span: Span,
    promotion: Option<&Promotion>,
) -> Result<LinePrice, MoneyError> {
    let std_days = Decimal::from(term.standard_days());
    let units = Decimal::from(span.whole_terms) * std_days + Decimal::from(span.days);
    let exact = term_price.to_decimal() * Decimal::from(seats) * units / std_days;
    let currency = term_price.currency();
    let list = Money::from_decimal(exact, currency)?;
    let discount = match promotion {
        Some(p) => Money::from_decimal(list.to_decimal() * p.percent_off / Decimal::ONE_HUNDRED, currency)?,
        None => Money::zero(currency),
    };
    Ok(LinePrice { list, discount, net: list.checked_sub(discount)? })
}

/// Totals of an order, quote or invoice with one tax rate (one customer address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub rate: TaxRate,
}

/// Adds up lines and computes the tax once on the subtotal (R-CUST-3, R-PRICE-6).
pub fn totals(currency: Currency, lines: &[LinePrice], rate: TaxRate) -> Result<Totals, MoneyError> {
    let list = Money::sum(currency, lines.iter().map(|l| l.list))?;
    let discount = Money::sum(currency, lines.iter().map(|l| l.discount))?;
    let subtotal = Money::sum(currency, lines.iter().map(|l| l.net))?;
    let tax = tax_on(subtotal, rate)?;
    Ok(Totals { list, discount, subtotal, tax, total: subtotal.checked_add(tax)?, rate })
}

/// The first day of three-year annual instalments (R-PAY-8).
pub fn instalments_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 16).expect("valid date")
}

/// One amount and the local date it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub due: NaiveDate,
    pub amount: Money,
}

/// How a purchase or renewal of `total` made on `day` is billed (R-PAY-8): three-year terms
/// bought or renewed on or after 16 September 2024 in three annual instalments (at the
/// transaction, one and two years later) that sum exactly to the total; everything else at once.
pub fn billing_schedule(total: Money, term: Term, day: NaiveDate) -> Vec<Charge> {
    if term == Term::ThreeYear && day >= instalments_from() {
        total
            .split(3)
            .into_iter()
            .enumerate()
            .map(|(i, amount)| Charge {
                due: day.checked_add_months(Months::new(12 * i as u32)).expect("date in range"),
                amount,
            })
            .collect()
    } else {
        vec![Charge { due: day, amount: total }]
    }
}

/// One part of a bill and its tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    pub due: NaiveDate,
    /// Net plus tax.
    pub total: Money,
    pub tax: Money,
}

/// [`billing_schedule`] for an order's totals: net and tax are split separately, so the parts
/// add up exactly to both (R-PAY-8).
pub fn instalments(t: &Totals, term: Term, day: NaiveDate) -> Result<Vec<Instalment>, MoneyError> {
    let taxes = billing_schedule(t.tax, term, day);
    billing_schedule(t.subtotal, term, day)
        .into_iter()
        .zip(taxes)
        .map(|(net, tax)| Ok(Instalment { due: net.due, total: net.amount.checked_add(tax.amount)?, tax: tax.amount }))
        .collect()
}

/// What adding seats to a running subscription costs and when (R-PRICE-3). The seats are
/// co-termed: they end on the subscription's renewal date. For a three-year term billed in
/// instalments the first charge is prorated to the next anniversary of the multi-year order at
/// the annual instalment price, and one full instalment falls due on each remaining
/// anniversary; otherwise one prorated charge covers the time to the renewal date.
pub fn added_seats_charges(
    term_price: Money,
    term: Term,
    seats: u32,
    today: NaiveDate,
    term_start: NaiveDate,
    renewal: NaiveDate,
    promotion: Option<&Promotion>,
) -> Result<Vec<(Charge, LinePrice)>, MoneyError> {
    if today >= renewal {
        return Ok(Vec::new());
    }
    let instalments = term == Term::ThreeYear && term_start >= instalments_from();
    if !instalments {
        let line = price_line(term_price, term, seats, span(today, renewal, term), promotion)?;
        return Ok(vec![(Charge { due: today, amount: line.net }, line)]);
    }
    let annual = Money::from_decimal(term_price.to_decimal() / Decimal::from(3), term_price.currency())?;
    let anniversaries: Vec<NaiveDate> = (1..3)
        .filter_map(|y| term_start.checked_add_months(Months::new(12 * y)))
        .filter(|d| *d > today && *d < renewal)
        .collect();
    let first_end = anniversaries.first().copied().unwrap_or(renewal);
    let mut out = Vec::new();
    let first = price_line(annual, Term::Annual, seats, span(today, first_end, Term::Annual), promotion)?;
    out.push((Charge { due: today, amount: first.net }, first));
    for day in anniversaries {
        let line = price_line(annual, Term::Annual, seats, Span { whole_terms: 1, days: 0 }, promotion)?;
        out.push((Charge { due: day, amount: line.net }, line));
    }
    Ok(out)
}

/// Why an extension (co-term alignment) is refused (R-PRICE-2, R-PRICE-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ExtensionRefusal {
    #[error("Canceled subscriptions cannot be extended.")]
    Canceled,
    #[error("The subscription is not eligible for renewal, so it cannot be extended.")]
    NotRenewable,
    #[error("The subscription to align with must end in the future.")]
    TargetNotInFuture,
    #[error("An extension cannot move the end date back (no backdating, no refunds).")]
    Backdating,
    #[error("Extensions are possible only in the 90 days before the renewal date (from {0}).")]
    OutsideRenewalPeriod(NaiveDate),
    #[error(
        "The extension may reach at most {limit} (39 months from today or 36 months from the current end date, whichever is sooner)."
    )]
    TooLong { limit: NaiveDate },
}

/// The facts an extension is judged on.
#[derive(Debug, Clone, Copy)]
pub struct ExtensionRequest {
    pub term: Term,
    pub canceled: bool,
    pub renewable: bool,
    /// The transaction date (today, local).
    pub today: NaiveDate,
    /// The subscription's renewal date (first day after its term).
    pub renewal: NaiveDate,
    /// The renewal date of the subscription it aligns with.
    pub target: NaiveDate,
}

/// The latest date an extension may reach (R-PRICE-4): 39 months from the transaction or 36
/// months from the current end date, whichever is sooner.
pub fn extension_limit(today: NaiveDate, renewal: NaiveDate) -> NaiveDate {
    let a = today.checked_add_months(Months::new(39)).expect("date in range");
    let b = renewal.checked_add_months(Months::new(36)).expect("date in range");
    a.min(b)
}

/// Judges an extension and returns the span it buys (R-PRICE-2, R-PRICE-4).
pub fn judge_extension(r: &ExtensionRequest) -> Result<Span, ExtensionRefusal> {
    if r.canceled {
        return Err(ExtensionRefusal::Canceled);
    }
    if !r.renewable {
        return Err(ExtensionRefusal::NotRenewable);
    }
    if r.target <= r.today {
        return Err(ExtensionRefusal::TargetNotInFuture);
    }
    if r.target <= r.renewal {
        return Err(ExtensionRefusal::Backdating);
    }
    let opens = r.renewal - chrono::Duration::days(super::renewal::EARLY_DAYS);
    if r.today < opens {
        return Err(ExtensionRefusal::OutsideRenewalPeriod(opens));
    }
    let limit = extension_limit(r.today, r.renewal);
    if r.target > limit {
        return Err(ExtensionRefusal::TooLong { limit });
    }
    Ok(span(r.renewal, r.target, r.term))
}

/// Why a refund is refused (R-PAY-9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RefundRefusal {
    #[error("Refunds ended on {0}.")]
    Late(NaiveDate),
    #[error("Purchases under a unique legal agreement are not refundable.")]
    UniqueAgreement,
}

/// Until which local date a purchase or renewal made on `day` can be refunded (R-PAY-9):
/// 15 days for monthly terms, 30 for annual and three-year terms.
pub fn refund_last_day(term: Term, day: NaiveDate) -> NaiveDate {
    let days = match term {
        Term::Monthly => 15,
        Term::Annual | Term::ThreeYear => 30,
    };
    day + chrono::Duration::days(days)
}

pub fn judge_refund(
    term: Term,
    purchased: NaiveDate,
    today: NaiveDate,
    unique_agreement: bool,
) -> Result<NaiveDate, RefundRefusal> {
    if unique_agreement {
        return Err(RefundRefusal::UniqueAgreement);
    }
    let last = refund_last_day(term, purchased);
    if today > last { Err(RefundRefusal::Late(last)) } else { Ok(last) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tax::{TaxAddress, rate_for};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    #[test]
    fn daily_price_is_the_term_price_over_standard_days() {
        // R-PRICE-1: 1,825.00 EUR a year is 5.00 EUR a day; 100 days cost 500.00 EUR.
        let price = eur(1_825_00);
        assert_eq!(prorate(price, Term::Annual, Span { whole_terms: 0, days: 100 }).unwrap(), eur(500_00));
        // 30.00 EUR a month is 1.00 EUR a day.
        assert_eq!(prorate(eur(30_00), Term::Monthly, Span { whole_terms: 0, days: 17 }).unwrap(), eur(17_00));
        // 3 years of 1,095.00 EUR: 1.00 EUR a day.
        assert_eq!(prorate(eur(1_095_00), Term::ThreeYear, Span { whole_terms: 0, days: 400 }).unwrap(), eur(400_00));
        // Rounded once: 2,030.00 / 365 x 100 = 556.164... -> 556.16.
        assert_eq!(prorate(eur(2_030_00), Term::Annual, Span { whole_terms: 0, days: 100 }).unwrap(), eur(556_16));
    }

    #[test]
    fn leap_years_are_ignored() {
        // R-PRICE-1: a year that holds 29 February still costs one year, and its days never
        // exceed 365.
        assert_eq!(span(d(2024, 1, 1), d(2025, 1, 1), Term::Annual), Span { whole_terms: 1, days: 0 });
        assert_eq!(span(d(2024, 2, 29), d(2025, 2, 28), Term::Annual), Span { whole_terms: 1, days: 0 });
        // 2 January 2024 to 1 January 2025 holds 29 February: 365 days, not one whole year.
        assert_eq!(span(d(2024, 1, 2), d(2025, 1, 1), Term::Annual), Span { whole_terms: 0, days: 365 });
        assert_eq!(span(d(2024, 3, 1), d(2025, 2, 28), Term::Annual), Span { whole_terms: 0, days: 364 });
    }

    #[test]
    fn spans_count_whole_terms_like_the_terms_themselves() {
        // R-PRICE-1
        assert_eq!(span(d(2025, 1, 10), d(2025, 3, 15), Term::Monthly), Span { whole_terms: 2, days: 5 });
        assert_eq!(span(d(2025, 1, 31), d(2025, 2, 28), Term::Monthly), Span { whole_terms: 1, days: 0 });
        assert_eq!(span(d(2025, 1, 30), d(2025, 3, 30), Term::Monthly), Span { whole_terms: 2, days: 0 });
        assert_eq!(span(d(2025, 2, 15), d(2025, 3, 15), Term::Monthly), Span { whole_terms: 1, days: 0 });
        assert_eq!(span(d(2025, 3, 15), d(2025, 3, 15), Term::Monthly), Span { whole_terms: 0, days: 0 });
        assert_eq!(span(d(2025, 4, 1), d(2025, 3, 15), Term::Monthly), Span { whole_terms: 0, days: 0 });
        assert_eq!(span(d(2025, 6, 10), d(2028, 6, 10), Term::ThreeYear), Span { whole_terms: 1, days: 0 });
    }

    #[test]
    fn promotions_apply_automatically_and_the_best_wins() {
        // R-QUOTE-5
        let promo = |code: &str, pct: i64, product: Option<i64>| Promotion {
            code: code.into(),
            name: code.into(),
            product_id: product.map(ProductId),
            term: Some(Term::Annual),
            purchase: Purchase::Renewal,
            percent_off: Decimal::from(pct),
            first_day: d(2026, 11, 1),
            last_day: d(2026, 11, 30),
        };
        let promos = vec![promo("ALL10", 10, None), promo("CAD15", 15, Some(1))];
        assert_eq!(
            best_promotion(&promos, ProductId(1), Term::Annual, Purchase::Renewal, d(2026, 11, 23)).unwrap().code,
            "CAD15"
        );
        assert_eq!(
            best_promotion(&promos, ProductId(2), Term::Annual, Purchase::Renewal, d(2026, 11, 23)).unwrap().code,
            "ALL10"
        );
        assert!(best_promotion(&promos, ProductId(1), Term::Monthly, Purchase::Renewal, d(2026, 11, 23)).is_none());
        assert!(best_promotion(&promos, ProductId(1), Term::Annual, Purchase::New, d(2026, 11, 23)).is_none());
        assert!(best_promotion(&promos, ProductId(1), Term::Annual, Purchase::Renewal, d(2026, 12, 1)).is_none());
        let line = price_line(eur(2_030_00), Term::Annual, 3, Span { whole_terms: 1, days: 0 }, promos.get(1)).unwrap();
        assert_eq!(line, LinePrice { list: eur(6_090_00), discount: eur(913_50), net: eur(5_176_50) });
    }

    #[test]
    fn price_lists_pick_the_latest_valid_price() {
        let list = PriceList(vec![
            ListPrice { product_id: ProductId(1), term: Term::Annual, amount: eur(100_00), valid_from: d(2020, 1, 1) },
            ListPrice { product_id: ProductId(1), term: Term::Annual, amount: eur(120_00), valid_from: d(2026, 12, 1) },
        ]);
        assert_eq!(list.price(ProductId(1), Term::Annual, Currency::Eur, d(2026, 11, 30)), Some(eur(100_00)));
        assert_eq!(list.price(ProductId(1), Term::Annual, Currency::Eur, d(2026, 12, 1)), Some(eur(120_00)));
        assert_eq!(list.price(ProductId(1), Term::Annual, Currency::Usd, d(2026, 12, 1)), None);
        assert_eq!(list.price(ProductId(1), Term::Monthly, Currency::Eur, d(2026, 12, 1)), None);
    }

    #[test]
    fn totals_tax_the_subtotal_once() {
        // R-CUST-3: Helsinki, 25.5 % VAT on 2 x 1,000.00 EUR = 510.00 EUR.
        let fi = rate_for(&TaxAddress { country: "FI".into(), region: "".into(), tax_exempt: false }).unwrap();
        let line = price_line(eur(1_000_00), Term::Annual, 1, Span { whole_terms: 1, days: 0 }, None).unwrap();
        let t = totals(Currency::Eur, &[line, line], fi).unwrap();
        assert_eq!((t.subtotal, t.tax, t.total), (eur(2_000_00), eur(510_00), eur(2_510_00)));
    }

    #[test]
    fn three_year_terms_since_16_september_2024_are_billed_in_three_annual_instalments() {
        // R-PAY-8
        let s = billing_schedule(eur(6_090_01), Term::ThreeYear, d(2024, 9, 16));
        assert_eq!(
            s,
            vec![
                Charge { due: d(2024, 9, 16), amount: eur(2_030_01) },
                Charge { due: d(2025, 9, 16), amount: eur(2_030_00) },
                Charge { due: d(2026, 9, 16), amount: eur(2_030_00) },
            ]
        );
        assert_eq!(
            billing_schedule(eur(6_090_00), Term::ThreeYear, d(2024, 9, 15)),
            vec![Charge { due: d(2024, 9, 15), amount: eur(6_090_00) }]
        );
        assert_eq!(billing_schedule(eur(2_030_00), Term::Annual, d(2026, 1, 1)).len(), 1);
    }

    #[test]
    fn instalments_split_net_and_tax_so_both_sum_exactly() {
        // R-PAY-8
        let fi = rate_for(&TaxAddress { country: "FI".into(), region: "".into(), tax_exempt: false }).unwrap();
        let line = price_line(eur(6_090_01), Term::ThreeYear, 1, Span { whole_terms: 1, days: 0 }, None).unwrap();
        let t = totals(Currency::Eur, &[line], fi).unwrap();
        let parts = instalments(&t, Term::ThreeYear, d(2026, 1, 5)).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(Money::sum(Currency::Eur, parts.iter().map(|p| p.total)).unwrap(), t.total);
        assert_eq!(Money::sum(Currency::Eur, parts.iter().map(|p| p.tax)).unwrap(), t.tax);
        assert_eq!(parts[2].due, d(2028, 1, 5));
    }

    #[test]
    fn added_seats_are_co_termed_and_prorated_to_the_renewal_date() {
        // R-PRICE-3: 2 seats of a 1,825.00 EUR annual term, 73 days before renewal: 2 x 365.00.
        let charges =
            added_seats_charges(eur(1_825_00), Term::Annual, 2, d(2026, 3, 29), d(2025, 6, 10), d(2026, 6, 10), None)
                .unwrap();
        assert_eq!(charges.len(), 1);
        assert_eq!(charges[0].0, Charge { due: d(2026, 3, 29), amount: eur(730_00) });
        // Nothing to pay on or after the renewal date.
        assert!(
            added_seats_charges(eur(1_825_00), Term::Annual, 2, d(2026, 6, 10), d(2025, 6, 10), d(2026, 6, 10), None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn seats_added_to_a_three_year_term_follow_its_anniversaries() {
        // R-PRICE-3, R-PAY-8: order 10 June 2025, 3 years for 5,475.00 EUR (1,825.00 a year).
        // Adding 1 seat on 29 March 2026: 73 days to the first anniversary, then one instalment
        // on 10 June 2027; the term renews 10 June 2028.
        let charges = added_seats_charges(
            eur(5_475_00),
            Term::ThreeYear,
            1,
            d(2026, 3, 29),
            d(2025, 6, 10),
            d(2028, 6, 10),
            None,
        )
        .unwrap();
        let due: Vec<Charge> = charges.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            due,
            vec![
                Charge { due: d(2026, 3, 29), amount: eur(365_00) },
                Charge { due: d(2026, 6, 10), amount: eur(1_825_00) },
                Charge { due: d(2027, 6, 10), amount: eur(1_825_00) },
            ]
        );
    }

    fn ext(today: NaiveDate, renewal: NaiveDate, target: NaiveDate) -> ExtensionRequest {
        ExtensionRequest { term: Term::Annual, canceled: false, renewable: true, today, renewal, target }
    }

    #[test]
    fn extension_limits() {
        // R-PRICE-2, R-PRICE-4
        let today = d(2026, 11, 23);
        let renewal = d(2027, 1, 15);
        assert_eq!(judge_extension(&ext(today, renewal, d(2027, 6, 15))), Ok(Span { whole_terms: 0, days: 151 }));
        assert_eq!(judge_extension(&ext(today, renewal, d(2027, 1, 10))), Err(ExtensionRefusal::Backdating));
        assert_eq!(judge_extension(&ext(today, renewal, d(2026, 11, 23))), Err(ExtensionRefusal::TargetNotInFuture));
        assert_eq!(
            judge_extension(&ExtensionRequest { canceled: true, ..ext(today, renewal, d(2027, 6, 15)) }),
            Err(ExtensionRefusal::Canceled)
        );
        assert_eq!(
            judge_extension(&ExtensionRequest { renewable: false, ..ext(today, renewal, d(2027, 6, 15)) }),
            Err(ExtensionRefusal::NotRenewable)
        );
        // More than 90 days before the renewal date: outside the renewal period.
        assert_eq!(
            judge_extension(&ext(d(2026, 10, 1), renewal, d(2027, 6, 15))),
            Err(ExtensionRefusal::OutsideRenewalPeriod(d(2026, 10, 17)))
        );
        // 36 months from the end date (15 Jan 2030) comes before 39 months from today (23 Feb 2030).
        assert_eq!(
            judge_extension(&ext(today, renewal, d(2030, 1, 16))),
            Err(ExtensionRefusal::TooLong { limit: d(2030, 1, 15) })
        );
        assert!(judge_extension(&ext(today, renewal, d(2030, 1, 15))).is_ok());
        // 36 months from the end date, or 39 months from today, whichever is sooner.
        assert_eq!(extension_limit(d(2026, 11, 23), d(2026, 11, 1)), d(2029, 11, 1));
        assert_eq!(extension_limit(d(2026, 11, 23), d(2027, 2, 24)), d(2030, 2, 23));
    }

    #[test]
    fn refunds_within_15_days_for_monthly_and_30_days_for_longer_terms() {
        // R-PAY-9
        let bought = d(2026, 11, 1);
        assert_eq!(judge_refund(Term::Monthly, bought, d(2026, 11, 16), false), Ok(d(2026, 11, 16)));
        assert_eq!(
            judge_refund(Term::Monthly, bought, d(2026, 11, 17), false),
            Err(RefundRefusal::Late(d(2026, 11, 16)))
        );
        assert_eq!(judge_refund(Term::Annual, bought, d(2026, 12, 1), false), Ok(d(2026, 12, 1)));
        assert_eq!(
            judge_refund(Term::ThreeYear, bought, d(2026, 12, 2), false),
            Err(RefundRefusal::Late(d(2026, 12, 1)))
        );
        assert_eq!(judge_refund(Term::Annual, bought, bought, true), Err(RefundRefusal::UniqueAgreement));
    }

    fn any_term() -> impl Strategy<Value = Term> {
        prop_oneof![Just(Term::Monthly), Just(Term::Annual), Just(Term::ThreeYear)]
    }

    proptest! {
        #[test]
        fn a_full_period_prorates_to_the_period_price(
            minor in 0i64..100_000_000, term in any_term(), start_days in 0i64..20_000, seats in 1u32..500
        ) {
            // R-PRICE-1: whatever the start date (month ends, leap days), one whole term costs
            // exactly the term price, per seat.
            let from = d(2000, 1, 1) + chrono::Duration::days(start_days);
            let to = crate::domain::time::add_terms(from, term, 1);
            let sp = span(from, to, term);
            let price = eur(minor);
            prop_assert_eq!(prorate(price, term, sp).unwrap(), price);
            prop_assert_eq!(price_line(price, term, seats, sp, None).unwrap().net, price.times(seats.into()).unwrap());
        }

        #[test]
        fn three_instalments_sum_to_the_three_year_price(minor in 0i64..1_000_000_000, days in 0i64..5000) {
            // R-PAY-8
            let day = instalments_from() + chrono::Duration::days(days);
            let s = billing_schedule(eur(minor), Term::ThreeYear, day);
            prop_assert_eq!(s.len(), 3);
            prop_assert_eq!(Money::sum(Currency::Eur, s.iter().map(|c| c.amount)).unwrap(), eur(minor));
        }

        #[test]
        fn a_partial_period_never_costs_more_than_the_whole(minor in 0i64..100_000_000, term in any_term(), start_days in 0i64..20_000, back in 0i64..1200) {
            // R-PRICE-1
            let to = d(2000, 1, 1) + chrono::Duration::days(start_days);
            let from = to - chrono::Duration::days(back);
            let sp = span(from, to, term);
            let cost = prorate(eur(minor), term, sp).unwrap();
            let whole = eur(minor).times(i64::from(sp.whole_terms) + 1).unwrap();
            prop_assert!(cost.minor() <= whole.minor());
        }
    }
}
