//! When an order is paid: three-year terms in three annual instalments (R-PAY-8).

use super::*;

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
    split_due(t.subtotal, t.tax, term, day)
}

/// [`billing_schedule`] of a net amount and its tax, each split separately (R-PAY-8).
pub fn split_due(net: Money, tax: Money, term: Term, day: NaiveDate) -> Result<Vec<Instalment>, MoneyError> {
    let taxes = billing_schedule(tax, term, day);
    billing_schedule(net, term, day)
        .into_iter()
        .zip(taxes)
        .map(|(net, tax)| Ok(Instalment { due: net.due, total: net.amount.checked_add(tax.amount)?, tax: tax.amount }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::testing::*;
    use crate::domain::tax::{TaxAddress, rate_for};
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn three_instalments_sum_to_the_three_year_price(minor in 0i64..1_000_000_000, days in 0i64..5000) {
            // R-PAY-8
            let day = instalments_from() + chrono::Duration::days(days);
            let s = billing_schedule(eur(minor), Term::ThreeYear, day);
            prop_assert_eq!(s.len(), 3);
            prop_assert_eq!(Money::sum(Currency::Eur, s.iter().map(|c| c.amount)).unwrap(), eur(minor));
        }
    }
}
