//! Who may buy what together, and how to pay for it: bulk renewal groups (R-BULK-3), orders
//! that must not mix licence types or terms (R-SUB-6), pay by invoice (R-PAY-3, R-PAY-4) and the
//! online payment limit (R-PAY-2). What a self-service quote may hold is `quote`'s.

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
