//! Changes to a running subscription: co-termed seats (R-PRICE-3), extensions (R-PRICE-2,
//! R-PRICE-4) and refunds (R-PAY-9).

use super::*;

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
    let opens = r.renewal - chrono::Duration::days(crate::domain::renewal::EARLY_DAYS);
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
    #[error("The subscription is canceled.")]
    Canceled,
    /// A later order changed the subscription again: that one is refunded first.
    #[error("Order {0} changed the subscription since; refund that one first.")]
    LaterOrder(String),
    /// A payment of the order is on its way (R-PAY-7).
    #[error("A payment of this order is on its way.")]
    PaymentPending,
    /// An invoice of the order is not paid: a refund gives back what was paid.
    #[error("Invoice {0} of this order is not paid.")]
    Unpaid(String),
    #[error("Nothing was paid for it.")]
    NothingPaid,
    /// Refunded already, as this credit memo.
    #[error("Refunded already as credit memo {0}.")]
    Refunded(String),
    /// The seats bought were taken off since (a reduction at renewal).
    #[error("Those seats are no longer on the subscription.")]
    SeatsGone,
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
    use crate::domain::pricing::testing::*;

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
    fn added_seats_across_a_month_end_and_a_leap_day_count_the_calendar_days() {
        // R-PRICE-1, R-PRICE-3: a monthly term of 30.00 EUR renewing on 2 March 2028, 3 seats
        // added on 15 February 2028: 15 Feb to 2 Mar is 16 days in a leap February (15..29, then
        // 1 March), 3 x 30.00 / 30 x 16 = 48.00.
        let monthly =
            added_seats_charges(eur(30_00), Term::Monthly, 3, d(2028, 2, 15), d(2028, 2, 2), d(2028, 3, 2), None)
                .unwrap();
        assert_eq!(monthly[0].0, Charge { due: d(2028, 2, 15), amount: eur(48_00) });
        // An annual term of 1,825.00 EUR (5.00 a day) renewing on 1 April 2028, 2 seats added
        // on 1 February 2028: 29 + 31 = 60 days, the leap day included, 2 x 5.00 x 60 = 600.00.
        let annual =
            added_seats_charges(eur(1_825_00), Term::Annual, 2, d(2028, 2, 1), d(2027, 4, 1), d(2028, 4, 1), None)
                .unwrap();
        assert_eq!(annual[0].0, Charge { due: d(2028, 2, 1), amount: eur(600_00) });
        // Across a month end without a leap day: 20 Jan to 10 Feb 2027 is 21 days: 105.00.
        let across =
            added_seats_charges(eur(1_825_00), Term::Annual, 1, d(2027, 1, 20), d(2026, 2, 10), d(2027, 2, 10), None)
                .unwrap();
        assert_eq!(across[0].0.amount, eur(105_00));
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
}
