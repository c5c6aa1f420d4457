//! Who may buy what together, and how to pay for it: bulk renewal groups (R-BULK-3), orders
//! that must not mix licence types or terms (R-SUB-6), self-service quotes (R-QUOTE-3,
//! R-QUOTE-4), pay by invoice (R-PAY-3, R-PAY-4) and the online payment limit (R-PAY-2).

use serde::{Deserialize, Serialize};

use super::money::{Currency, Money, UsdRates, over_online_limit};
use super::payment::PaymentKind;
use super::term::Term;

/// What bulk renewal groups by (R-BULK-3): customer number, currency and payment method.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RenewalGroupKey {
    pub csn: String,
    pub currency: Currency,
    pub payment_method_id: i64,
}

/// Groups renewable subscriptions (id, key) for a common renewal, each group's ids in the
/// given order, groups ordered by key (R-BULK-3).
pub fn renewal_groups(items: &[(i64, RenewalGroupKey)]) -> Vec<(RenewalGroupKey, Vec<i64>)> {
    let keyed: Vec<(RenewalGroupKey, i64)> = items.iter().map(|(id, key)| (key.clone(), *id)).collect();
    super::checkout::group_by(&keyed)
}

/// What R-SUB-6 keeps apart: licence type and term length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderKind {
    pub licence_type: String,
    pub term: Term,
}

/// Splits order lines into the separate orders R-SUB-6 asks for: one per licence type and term,
/// in order of first appearance. One group means the order can go ahead as it is.
pub fn separate_orders<T: Clone>(lines: &[(OrderKind, T)]) -> Vec<(OrderKind, Vec<T>)> {
    let mut out: Vec<(OrderKind, Vec<T>)> = Vec::new();
    for (kind, line) in lines {
        match out.iter_mut().find(|(k, _)| k == kind) {
            Some((_, v)) => v.push(line.clone()),
            None => out.push((kind.clone(), vec![line.clone()])),
        }
    }
    out
}

/// The kind of a line on a self-service quote (R-QUOTE-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuoteLineKind {
    New,
    Coterm,
    Renewal,
}

/// One line of a self-service quote, with the facts R-QUOTE-3 and R-QUOTE-4 look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLineFacts {
    pub kind: QuoteLineKind,
    pub csn: String,
    pub currency: Currency,
    /// The subscription's current currency, for renewal and co-term lines.
    pub subscription_currency: Option<Currency>,
    pub partner_csn: Option<String>,
    /// Seats above the subscription's current quantity (renewal lines).
    pub added_seats: u32,
    /// Whether the line asks to start after the quote's date.
    pub future_start: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum QuoteRefusal {
    #[error("A quote needs at least one item.")]
    Empty,
    #[error("A renewal cannot be combined with new or co-term items in one quote; create separate quotes.")]
    RenewalMixed,
    #[error("All items on a quote must belong to the same customer number.")]
    MixedCustomers,
    #[error("All items on a quote must be in the same currency.")]
    MixedCurrencies,
    #[error("All items on a quote must have the same partner.")]
    MixedPartners,
    #[error(
        "The currency of a subscription cannot be changed through a self-service quote; contact your partner or sales."
    )]
    CurrencyChange,
    #[error("Seats cannot be added through a quote; add them on the subscription's page.")]
    AddsSeats,
    #[error("Self-service quotes cannot start in the future.")]
    FutureStart,
}

/// Judges a self-service quote (R-QUOTE-3, R-QUOTE-4).
pub fn judge_self_service_quote(lines: &[QuoteLineFacts]) -> Result<(), QuoteRefusal> {
    let first = lines.first().ok_or(QuoteRefusal::Empty)?;
    let renewals = lines.iter().filter(|l| l.kind == QuoteLineKind::Renewal).count();
    if renewals > 0 && renewals < lines.len() {
        return Err(QuoteRefusal::RenewalMixed);
    }
    if lines.iter().any(|l| l.csn != first.csn) {
        return Err(QuoteRefusal::MixedCustomers);
    }
    if lines.iter().any(|l| l.currency != first.currency) {
        return Err(QuoteRefusal::MixedCurrencies);
    }
    if lines.iter().any(|l| l.partner_csn != first.partner_csn) {
        return Err(QuoteRefusal::MixedPartners);
    }
    if lines.iter().any(|l| l.subscription_currency.is_some_and(|c| c != l.currency)) {
        return Err(QuoteRefusal::CurrencyChange);
    }
    if lines.iter().any(|l| l.added_seats > 0) {
        return Err(QuoteRefusal::AddsSeats);
    }
    if lines.iter().any(|l| l.future_start) {
        return Err(QuoteRefusal::FutureStart);
    }
    Ok(())
}

/// How a purchase is made, for pay-by-invoice eligibility (R-PAY-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFacts {
    /// Buying through a partner quote.
    pub partner_quote: bool,
    /// The customer already has a subscription paid by invoice (an approved account).
    pub has_invoice_subscription: bool,
}

/// Pay by invoice is available through a partner quote or to customers who already pay a
/// subscription by invoice (R-PAY-3). There is no minimum amount.
pub fn pay_by_invoice_available(f: InvoiceFacts) -> bool {
    f.partner_quote || f.has_invoice_subscription
}

/// Where a renewal can be switched to pay by invoice (R-PAY-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceSwitch {
    /// Outside the renewal period: in the Payment center.
    PaymentCenter,
    /// Inside the renewal period: at checkout.
    Checkout,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PaymentRefusal {
    #[error(
        "Pay by invoice is available only through a partner quote or when another subscription already pays by invoice; contact sales."
    )]
    InvoiceNotAvailable,
    #[error(
        "{} cannot be used for amounts over 25,000 USD (or the local equivalent) before tax; choose pay by invoice, direct debit or bank transfer.", .0.label()
    )]
    OverOnlineLimit(PaymentKind),
}

/// R-PAY-4: switching a renewal to pay by invoice is self-service only when another
/// subscription already pays by invoice; where depends on the renewal period.
pub fn switch_to_invoice(
    has_other_invoice_subscription: bool,
    in_renewal_period: bool,
) -> Result<InvoiceSwitch, PaymentRefusal> {
    if !has_other_invoice_subscription {
        return Err(PaymentRefusal::InvoiceNotAvailable);
    }
    Ok(if in_renewal_period { InvoiceSwitch::Checkout } else { InvoiceSwitch::PaymentCenter })
}

/// Whether `kind` may pay `amount_before_tax` (R-PAY-2): card and PayPal not over 25,000 USD.
pub fn method_allowed(kind: PaymentKind, amount_before_tax: Money, rates: &UsdRates) -> Result<(), PaymentRefusal> {
    let online = matches!(kind, PaymentKind::Card | PaymentKind::PayPal);
    if online && over_online_limit(amount_before_tax, rates) {
        return Err(PaymentRefusal::OverOnlineLimit(kind));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(csn: &str, currency: Currency, pm: i64) -> RenewalGroupKey {
        RenewalGroupKey { csn: csn.into(), currency, payment_method_id: pm }
    }

    #[test]
    fn bulk_renewals_are_grouped_by_csn_currency_and_payment_method() {
        // R-BULK-3
        let items = vec![
            (1, key("A", Currency::Eur, 10)),
            (2, key("A", Currency::Eur, 11)),
            (3, key("B", Currency::Eur, 10)),
            (4, key("A", Currency::Eur, 10)),
            (5, key("A", Currency::Sek, 10)),
        ];
        let groups = renewal_groups(&items);
        assert_eq!(
            groups,
            vec![
                (key("A", Currency::Eur, 10), vec![1, 4]),
                (key("A", Currency::Eur, 11), vec![2]),
                (key("A", Currency::Sek, 10), vec![5]),
                (key("B", Currency::Eur, 10), vec![3]),
            ]
        );
    }

    #[test]
    fn orders_are_split_by_licence_type_and_term_instead_of_failing() {
        // R-SUB-6
        let k = |l: &str, t| OrderKind { licence_type: l.into(), term: t };
        let lines = vec![
            (k("subscription", Term::Annual), 1),
            (k("subscription", Term::Monthly), 2),
            (k("flex", Term::Annual), 3),
            (k("subscription", Term::Annual), 4),
        ];
        let orders = separate_orders(&lines);
        assert_eq!(orders.len(), 3);
        assert_eq!(orders[0], (k("subscription", Term::Annual), vec![1, 4]));
        assert_eq!(separate_orders(&lines[..1]).len(), 1);
    }

    fn line(kind: QuoteLineKind) -> QuoteLineFacts {
        QuoteLineFacts {
            kind,
            csn: "5150001001".into(),
            currency: Currency::Eur,
            subscription_currency: (kind != QuoteLineKind::New).then_some(Currency::Eur),
            partner_csn: None,
            added_seats: 0,
            future_start: false,
        }
    }

    #[test]
    fn self_service_quotes_are_for_new_coterm_or_renewal_items() {
        // R-QUOTE-3
        assert_eq!(judge_self_service_quote(&[]), Err(QuoteRefusal::Empty));
        assert!(judge_self_service_quote(&[line(QuoteLineKind::Renewal), line(QuoteLineKind::Renewal)]).is_ok());
        assert!(judge_self_service_quote(&[line(QuoteLineKind::New), line(QuoteLineKind::Coterm)]).is_ok());
        assert_eq!(
            judge_self_service_quote(&[line(QuoteLineKind::Renewal), line(QuoteLineKind::New)]),
            Err(QuoteRefusal::RenewalMixed)
        );
        let other_csn = QuoteLineFacts { csn: "5150001002".into(), ..line(QuoteLineKind::Renewal) };
        assert_eq!(
            judge_self_service_quote(&[line(QuoteLineKind::Renewal), other_csn]),
            Err(QuoteRefusal::MixedCustomers)
        );
        let sek = QuoteLineFacts {
            currency: Currency::Sek,
            subscription_currency: Some(Currency::Sek),
            ..line(QuoteLineKind::Renewal)
        };
        assert_eq!(judge_self_service_quote(&[line(QuoteLineKind::Renewal), sek]), Err(QuoteRefusal::MixedCurrencies));
        let partner = QuoteLineFacts { partner_csn: Some("5100900017".into()), ..line(QuoteLineKind::Renewal) };
        assert_eq!(
            judge_self_service_quote(&[line(QuoteLineKind::Renewal), partner]),
            Err(QuoteRefusal::MixedPartners)
        );
    }

    #[test]
    fn what_self_service_quotes_cannot_do() {
        // R-QUOTE-4
        let change = QuoteLineFacts {
            currency: Currency::Usd,
            subscription_currency: Some(Currency::Eur),
            ..line(QuoteLineKind::Renewal)
        };
        assert_eq!(judge_self_service_quote(&[change]), Err(QuoteRefusal::CurrencyChange));
        let seats = QuoteLineFacts { added_seats: 2, ..line(QuoteLineKind::Renewal) };
        assert_eq!(judge_self_service_quote(&[seats]), Err(QuoteRefusal::AddsSeats));
        let later = QuoteLineFacts { future_start: true, ..line(QuoteLineKind::New) };
        assert_eq!(judge_self_service_quote(&[later]), Err(QuoteRefusal::FutureStart));
    }

    #[test]
    fn pay_by_invoice_needs_a_partner_quote_or_an_invoice_customer() {
        // R-PAY-3
        assert!(pay_by_invoice_available(InvoiceFacts { partner_quote: true, has_invoice_subscription: false }));
        assert!(pay_by_invoice_available(InvoiceFacts { partner_quote: false, has_invoice_subscription: true }));
        assert!(!pay_by_invoice_available(InvoiceFacts { partner_quote: false, has_invoice_subscription: false }));
    }

    #[test]
    fn switching_a_renewal_to_invoice() {
        // R-PAY-4
        assert_eq!(switch_to_invoice(true, false), Ok(InvoiceSwitch::PaymentCenter));
        assert_eq!(switch_to_invoice(true, true), Ok(InvoiceSwitch::Checkout));
        assert_eq!(switch_to_invoice(false, true), Err(PaymentRefusal::InvoiceNotAvailable));
    }

    #[test]
    fn card_and_paypal_stop_at_25000_usd() {
        // R-PAY-2
        let rates = UsdRates::default();
        let big = Money::from_minor(25_000_01, Currency::Usd);
        let ok = Money::from_minor(25_000_00, Currency::Usd);
        assert!(matches!(method_allowed(PaymentKind::Card, big, &rates), Err(PaymentRefusal::OverOnlineLimit(_))));
        assert!(matches!(method_allowed(PaymentKind::PayPal, big, &rates), Err(PaymentRefusal::OverOnlineLimit(_))));
        assert_eq!(method_allowed(PaymentKind::Card, ok, &rates), Ok(()));
        for kind in [PaymentKind::Invoice, PaymentKind::DirectDebit, PaymentKind::BankTransfer] {
            assert_eq!(method_allowed(kind, big, &rates), Ok(()), "{kind:?}");
        }
    }
}
