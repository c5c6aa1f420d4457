//! Payment method kinds (R-PAY-1) and what they can back (R-EXT-3).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentKind {
    Card,
    PayPal,
    DirectDebit,
    Invoice,
    BankTransfer,
    /// Credit of the customer's credit memos applied to invoices (R-INV-2). Never a method on
    /// file and never charged by the provider: the portal settles it itself.
    CreditMemo,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 6] = [
        PaymentKind::Card,
        PaymentKind::PayPal,
        PaymentKind::DirectDebit,
        PaymentKind::Invoice,
        PaymentKind::BankTransfer,
        PaymentKind::CreditMemo,
    ];

    /// The kinds a customer number can have on file as payment methods (R-PAY-1).
    pub const METHODS: [PaymentKind; 5] = [
        PaymentKind::Card,
        PaymentKind::PayPal,
        PaymentKind::DirectDebit,
        PaymentKind::Invoice,
        PaymentKind::BankTransfer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PaymentKind::Card => "card",
            PaymentKind::PayPal => "paypal",
            PaymentKind::DirectDebit => "direct_debit",
            PaymentKind::Invoice => "invoice",
            PaymentKind::BankTransfer => "bank_transfer",
            PaymentKind::CreditMemo => "credit_memo",
        }
    }

    pub fn parse(code: &str) -> Option<PaymentKind> {
        PaymentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentKind::Card => "Credit card",
            PaymentKind::PayPal => "PayPal",
            PaymentKind::DirectDebit => "Direct debit",
            PaymentKind::Invoice => "Pay by invoice",
            PaymentKind::BankTransfer => "Bank transfer",
            PaymentKind::CreditMemo => "Credit memo",
        }
    }

    /// Whether an automatic renewal can be backed by this method. Bank transfers cannot be
    /// charged automatically, so such subscriptions renew manually (R-EXT-3). Pay by invoice can:
    /// the renewal issues an invoice (R-REN-5).
    pub fn backs_automatic_renewal(self) -> bool {
        !matches!(self, PaymentKind::BankTransfer | PaymentKind::CreditMemo)
    }
}

/// Why the payment provider refused a charge, as the portal words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    Declined,
    InsufficientFunds,
}

impl DeclineReason {
    /// The text kept with the failed payment.
    pub fn text(self) -> &'static str {
        match self {
            DeclineReason::Declined => "The card was declined",
            DeclineReason::InsufficientFunds => "Insufficient funds",
        }
    }

    /// Reads a provider's reason back; anything unknown is a plain decline.
    pub fn from_text(text: &str) -> DeclineReason {
        if text == DeclineReason::InsufficientFunds.text() {
            DeclineReason::InsufficientFunds
        } else {
            DeclineReason::Declined
        }
    }
}

/// What decides whether a subscription may switch to another payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodChangeFacts {
    pub status: super::status::Status,
    pub auto_renew: bool,
    /// The method is on file for the subscription's customer number (methods are per CSN).
    pub same_customer: bool,
    /// The local day the subscription's renewal period opens (90 days before renewal, R-REN-2).
    pub renewal_opens: chrono::NaiveDate,
    /// The local day of the change, in the subscription's time zone.
    pub today: chrono::NaiveDate,
}

/// Why a subscription cannot switch to a payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum MethodChangeRefusal {
    #[error("the subscription is canceled")]
    Canceled,
    /// The method is another customer number's.
    #[error("the method belongs to another customer number")]
    OtherCustomer,
    /// A bank transfer cannot back an automatic renewal: auto-renew must be off (R-EXT-3).
    #[error("a bank transfer cannot renew automatically; turn auto-renew off first")]
    ManualWithAutoRenew,
    /// Pay by invoice needs an approved invoice account: another subscription already paying
    /// by invoice (R-PAY-3, R-PAY-4).
    #[error("pay by invoice is available only when another subscription already pays by invoice")]
    InvoiceNotAvailable,
    /// Inside the renewal period pay by invoice is chosen at checkout, not here (R-PAY-4).
    #[error("inside the renewal period (from {opens}), choose pay by invoice at checkout")]
    InvoiceAtCheckout { opens: chrono::NaiveDate },
    /// The card's expiry has passed: it can no longer be charged.
    #[error("the card has expired")]
    CardExpired,
    /// The renewal is over 25,000 USD before tax: card and PayPal cannot pay it (R-PAY-2).
    #[error("the renewal is over the limit for card and PayPal")]
    OverOnlineLimit,
}

/// Whether a subscription may switch to a method of `kind` (R-PAY-2, R-PAY-4, R-PAY-5, R-EXT-3).
/// `invoice_account`: another subscription of the customer number already pays by invoice;
/// `card_valid`: the method is not a card past its expiry; `renewal`: whether that kind can pay
/// the subscription's next renewal (`eligibility::method_allowed` on its price before tax).
pub fn judge_method_change(
    f: &MethodChangeFacts,
    kind: PaymentKind,
    invoice_account: bool,
    card_valid: bool,
    renewal: Result<(), super::eligibility::PaymentRefusal>,
) -> Result<(), MethodChangeRefusal> {
    if f.status == super::status::Status::Canceled {
        return Err(MethodChangeRefusal::Canceled);
    }
    if !f.same_customer {
        return Err(MethodChangeRefusal::OtherCustomer);
    }
    if !card_valid {
        return Err(MethodChangeRefusal::CardExpired);
    }
    if f.auto_renew && !kind.backs_automatic_renewal() {
        return Err(MethodChangeRefusal::ManualWithAutoRenew);
    }
    if renewal.is_err() {
        return Err(MethodChangeRefusal::OverOnlineLimit);
    }
    if kind == PaymentKind::Invoice {
        if !invoice_account {
            return Err(MethodChangeRefusal::InvoiceNotAvailable);
        }
        if f.today >= f.renewal_opens {
            return Err(MethodChangeRefusal::InvoiceAtCheckout { opens: f.renewal_opens });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_transfer_cannot_back_an_automatic_renewal() {
        // R-EXT-3
        assert!(!PaymentKind::BankTransfer.backs_automatic_renewal());
        for k in [PaymentKind::Card, PaymentKind::PayPal, PaymentKind::DirectDebit, PaymentKind::Invoice] {
            assert!(k.backs_automatic_renewal(), "{k:?}");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for k in PaymentKind::ALL {
            assert_eq!(PaymentKind::parse(k.code()), Some(k));
        }
    }

    fn facts(auto_renew: bool, today: (u32, u32)) -> MethodChangeFacts {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        MethodChangeFacts {
            status: crate::domain::status::Status::Active,
            auto_renew,
            same_customer: true,
            renewal_opens: day(9, 1),
            today: day(today.0, today.1),
        }
    }

    #[test]
    fn switching_to_pay_by_invoice_is_self_service_only_with_an_invoice_account_and_before_the_renewal_period() {
        // R-PAY-4: another subscription already pays by invoice; outside the renewal period here,
        // inside it at checkout.
        use MethodChangeRefusal::*;
        let f = facts(true, (8, 31));
        assert_eq!(judge_method_change(&f, PaymentKind::Invoice, true, true, Ok(())), Ok(()));
        assert_eq!(judge_method_change(&f, PaymentKind::Invoice, false, true, Ok(())), Err(InvoiceNotAvailable));
        let inside = facts(true, (9, 1));
        let opens = inside.renewal_opens;
        assert_eq!(
            judge_method_change(&inside, PaymentKind::Invoice, true, true, Ok(())),
            Err(InvoiceAtCheckout { opens })
        );
        assert_eq!(judge_method_change(&inside, PaymentKind::Card, false, true, Ok(())), Ok(()), "a card any day");
    }

    #[test]
    fn a_bank_transfer_backs_only_a_subscription_without_auto_renew_and_an_expired_card_nothing() {
        // R-EXT-3, R-PAY-5
        use MethodChangeRefusal::*;
        assert_eq!(
            judge_method_change(&facts(true, (3, 1)), PaymentKind::BankTransfer, false, true, Ok(())),
            Err(ManualWithAutoRenew)
        );
        assert_eq!(judge_method_change(&facts(false, (3, 1)), PaymentKind::BankTransfer, false, true, Ok(())), Ok(()));
        assert_eq!(
            judge_method_change(&facts(false, (3, 1)), PaymentKind::Card, false, false, Ok(())),
            Err(CardExpired)
        );
        let mut other = facts(false, (3, 1));
        other.same_customer = false;
        assert_eq!(judge_method_change(&other, PaymentKind::Card, false, true, Ok(())), Err(OtherCustomer));
        let mut canceled = facts(false, (3, 1));
        canceled.status = crate::domain::status::Status::Canceled;
        assert_eq!(judge_method_change(&canceled, PaymentKind::Card, false, true, Ok(())), Err(Canceled));
    }

    #[test]
    fn a_renewal_over_the_online_limit_cannot_switch_to_card_or_paypal() {
        // R-PAY-2: the caller asks `method_allowed` for the renewal's price before tax.
        use crate::domain::eligibility::PaymentRefusal;
        let over = Err(PaymentRefusal::OverOnlineLimit(PaymentKind::Card));
        assert_eq!(
            judge_method_change(&facts(true, (3, 1)), PaymentKind::Card, false, true, over),
            Err(MethodChangeRefusal::OverOnlineLimit)
        );
        assert_eq!(judge_method_change(&facts(true, (3, 1)), PaymentKind::DirectDebit, false, true, Ok(())), Ok(()));
    }
}
