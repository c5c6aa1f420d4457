//! Payment method kinds (R-PAY-1) and what they can back (R-EXT-3).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentKind {
    Card,
    PayPal,
    DirectDebit,
    Invoice,
    BankTransfer,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 5] = [
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
        }
    }

    /// Whether an automatic renewal can be backed by this method. Bank transfers cannot be
    /// charged automatically, so such subscriptions renew manually (R-EXT-3). Pay by invoice can:
    /// the renewal issues an invoice (R-REN-5).
    pub fn backs_automatic_renewal(self) -> bool {
        !matches!(self, PaymentKind::BankTransfer)
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
}
