//! One line's price: spans of terms, proration by days (R-PRICE-1), promotions, and the
//! totals of an order with its tax.

use super::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::testing::*;
    use crate::domain::tax::{TaxAddress, rate_for};
    use proptest::prelude::*;

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
        assert_eq!(prorate(eur(2_030_00), Term::Annual, Span { whole_terms: 0, days: 100 }).unwrap(), eur(55_616));
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
    fn totals_tax_the_subtotal_once() {
        // R-CUST-3: Helsinki, 25.5 % VAT on 2 x 1,000.00 EUR = 510.00 EUR.
        let fi = rate_for(&TaxAddress { country: "FI".into(), region: "".into(), tax_exempt: false }).unwrap();
        let line = price_line(eur(1_000_00), Term::Annual, 1, Span { whole_terms: 1, days: 0 }, None).unwrap();
        let t = totals(Currency::Eur, &[line, line], fi).unwrap();
        assert_eq!((t.subtotal, t.tax, t.total), (eur(2_000_00), eur(510_00), eur(2_510_00)));
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
