//! Who receives which mail (R-MAIL-1..5, R-AUTH-2, R-INV-3, R-QUOTE-7): one function, from the
//! kind of mail and the organisation's roles.

use serde::{Deserialize, Serialize};

use super::locale::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailKind {
    OrderConfirmation,
    RenewalReminder,
    ExpiryNotice,
    AutoRenewChanged,
    Quote,
    InvoiceToPayers,
    OverdueInvoice,
    CustomerDetailsChanged,
    PasswordReset,
    Invitation,
    UserManagementNotice,
    /// An order above the approval threshold waits for another buyer.
    ApprovalRequested,
    /// The requester's order was approved or rejected.
    ApprovalDecided,
    /// A renewal or instalment charge was declined.
    PaymentFailed,
}

impl MailKind {
    pub const ALL: [MailKind; 14] = [
        MailKind::OrderConfirmation,
        MailKind::RenewalReminder,
        MailKind::ExpiryNotice,
        MailKind::AutoRenewChanged,
        MailKind::Quote,
        MailKind::InvoiceToPayers,
        MailKind::OverdueInvoice,
        MailKind::CustomerDetailsChanged,
        MailKind::PasswordReset,
        MailKind::Invitation,
        MailKind::UserManagementNotice,
        MailKind::ApprovalRequested,
        MailKind::ApprovalDecided,
        MailKind::PaymentFailed,
    ];

    pub fn parse(code: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The value stored in `mail_outbox.kind`.
    pub fn code(self) -> &'static str {
        match self {
            MailKind::OrderConfirmation => "order_confirmation",
            MailKind::RenewalReminder => "renewal_reminder",
            MailKind::ExpiryNotice => "expiry_notice",
            MailKind::AutoRenewChanged => "auto_renew_changed",
            MailKind::Quote => "quote",
            MailKind::InvoiceToPayers => "invoice",
            MailKind::OverdueInvoice => "overdue_invoice",
            MailKind::CustomerDetailsChanged => "customer_details_changed",
            MailKind::PasswordReset => "password_reset",
            MailKind::Invitation => "invitation",
            MailKind::UserManagementNotice => "user_management",
            MailKind::ApprovalRequested => "approval_requested",
            MailKind::ApprovalDecided => "approval_decided",
            MailKind::PaymentFailed => "payment_failed",
        }
    }

    /// Mail that carries a secret (a single-use link): its body is not kept once delivered.
    pub fn carries_secret(self) -> bool {
        matches!(self, MailKind::PasswordReset | MailKind::Invitation)
    }

    /// Billing and renewal mail: never to an admin who is not a buyer (R-MAIL-3).
    pub fn is_billing(self) -> bool {
        !matches!(self, MailKind::PasswordReset | MailKind::Invitation | MailKind::UserManagementNotice)
    }
}

/// The people a mail can go to, for one organisation and one occasion.
#[derive(Debug, Clone, Default)]
pub struct Contacts {
    pub buyers: Vec<Recipient>,
    /// Primary and secondary admins.
    pub admins: Vec<Recipient>,
    /// The payers of the invoice in question (up to 10, R-ROLE-6).
    pub payers: Vec<Recipient>,
    /// The account the mail is about (password reset, invitation), or the buyer who asked for
    /// an approval.
    pub person: Option<Recipient>,
    /// Extra recipients chosen by the buyer for a quote (up to 4, R-QUOTE-1).
    pub quote_recipients: Vec<Recipient>,
}

/// An address and the language mail to it is written in: the person's own choice, else their
/// organisation's default language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub address: String,
    pub lang: Locale,
}

/// The recipients of a mail of `kind`, each once, in a stable order.
///
/// - Order confirmations, renewal reminders, expiry notices, auto-renew changes, failed renewal
///   payments and customer details changes go to every buyer (R-MAIL-1, R-MAIL-5, R-MAIL-6, R-EXT-1).
/// - Quotes go to the buyers and the chosen extra recipients (R-QUOTE-1, R-QUOTE-7).
/// - Invoices go to the invoice's payers (R-MAIL-4, R-INV-3), or to the buyers when it has none.
/// - Overdue invoices go to the payers and the buyers (R-MAIL-1: buyers get overdue notices).
/// - Password resets and invitations go to the person only (R-AUTH-2, R-AUTH-3).
/// - User-management notices go to the admins (R-MAIL-3).
/// - An approval request goes to every buyer but the one who asked (`person`); its decision
///   to the one who asked.
pub fn recipients(kind: MailKind, c: &Contacts) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = match kind {
        MailKind::OrderConfirmation
        | MailKind::RenewalReminder
        | MailKind::ExpiryNotice
        | MailKind::AutoRenewChanged
        | MailKind::CustomerDetailsChanged
        | MailKind::PaymentFailed => c.buyers.clone(),
        MailKind::Quote => c.buyers.iter().chain(&c.quote_recipients).cloned().collect(),
        MailKind::InvoiceToPayers if c.payers.is_empty() => c.buyers.clone(),
        MailKind::InvoiceToPayers => c.payers.clone(),
        MailKind::OverdueInvoice => c.payers.iter().chain(&c.buyers).cloned().collect(),
        MailKind::PasswordReset | MailKind::Invitation => c.person.iter().cloned().collect(),
        MailKind::UserManagementNotice => c.admins.clone(),
        MailKind::ApprovalRequested => {
            let asker = c.person.as_ref().map(|p| p.address.to_lowercase());
            c.buyers.iter().filter(|b| Some(b.address.to_lowercase()) != asker).cloned().collect()
        }
        MailKind::ApprovalDecided => c.person.iter().cloned().collect(),
    };
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.address.to_lowercase()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(address: &str) -> Recipient {
        Recipient { address: address.into(), lang: Locale::En }
    }

    fn contacts() -> Contacts {
        Contacts {
            buyers: vec![r("buyer@x.example"), r("buyer-admin@x.example")],
            admins: vec![r("admin@x.example"), r("buyer-admin@x.example")],
            payers: vec![r("payer@x.example")],
            person: Some(r("person@x.example")),
            quote_recipients: vec![r("cfo@x.example")],
        }
    }

    #[test]
    fn the_matrix_of_mail_kinds_and_roles() {
        // R-MAIL-1, R-MAIL-3, R-MAIL-4, R-MAIL-5, R-MAIL-6, R-AUTH-2, R-QUOTE-7, R-INV-3
        let c = contacts();
        // (kind, buyer, admin who is not a buyer, payer, the person, quote extra)
        let expect = [
            (MailKind::OrderConfirmation, true, false, false, false, false),
            (MailKind::RenewalReminder, true, false, false, false, false),
            (MailKind::ExpiryNotice, true, false, false, false, false),
            (MailKind::AutoRenewChanged, true, false, false, false, false),
            (MailKind::Quote, true, false, false, false, true),
            (MailKind::InvoiceToPayers, false, false, true, false, false),
            (MailKind::OverdueInvoice, true, false, true, false, false),
            (MailKind::CustomerDetailsChanged, true, false, false, false, false),
            (MailKind::PasswordReset, false, false, false, true, false),
            (MailKind::Invitation, false, false, false, true, false),
            (MailKind::UserManagementNotice, false, true, false, false, false),
            (MailKind::ApprovalRequested, true, false, false, false, false),
            (MailKind::ApprovalDecided, false, false, false, true, false),
            (MailKind::PaymentFailed, true, false, false, false, false),
        ];
        assert_eq!(expect.len(), MailKind::ALL.len());
        for (kind, buyer, admin, payer, person, extra) in expect {
            let to = recipients(kind, &c);
            let has = |a: &str| to.iter().any(|t| t.address == a);
            assert_eq!(has("buyer@x.example"), buyer, "{kind:?} buyer");
            assert_eq!(has("admin@x.example"), admin, "{kind:?} admin");
            assert_eq!(has("payer@x.example"), payer, "{kind:?} payer");
            assert_eq!(has("person@x.example"), person, "{kind:?} person");
            assert_eq!(has("cfo@x.example"), extra, "{kind:?} quote recipient");
            if kind.is_billing() {
                assert!(!has("admin@x.example"), "{kind:?}: admins who are not buyers get no billing mail");
            }
        }
    }

    #[test]
    fn a_buyer_who_is_also_admin_gets_billing_and_admin_mail_once() {
        // R-MAIL-3, R-ROLE-3
        let c = contacts();
        assert_eq!(
            recipients(MailKind::AutoRenewChanged, &c).iter().filter(|t| t.address == "buyer-admin@x.example").count(),
            1
        );
        assert!(recipients(MailKind::UserManagementNotice, &c).contains(&r("buyer-admin@x.example")));
    }

    #[test]
    fn an_approval_request_goes_to_the_other_buyers_and_its_decision_to_the_asker() {
        let c = Contacts { person: Some(r("Buyer@x.example")), ..contacts() };
        assert_eq!(recipients(MailKind::ApprovalRequested, &c), vec![r("buyer-admin@x.example")]);
        assert_eq!(recipients(MailKind::ApprovalDecided, &c), vec![r("Buyer@x.example")]);
    }

    #[test]
    fn an_invoice_without_payers_goes_to_the_buyers() {
        let c = Contacts { payers: vec![], ..contacts() };
        assert_eq!(recipients(MailKind::InvoiceToPayers, &c), c.buyers);
    }
}
