//! The audit trail's kinds of entries (issue 14): every change the portal records is of one kind,
//! named by the part of its action code before the dot ("auto_renew.off" is of kind
//! `auto_renew`). Admins who are not buyers see the user-management kinds only (R-ROLE-5).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditKind {
    AutoRenew,
    Renewal,
    Checkout,
    NextTerm,
    Payment,
    Status,
    Quote,
    Approval,
    Invoice,
    InvoiceDetails,
    PoDocument,
    PaymentMethod,
    Refund,
    CustomerDetails,
    Invitation,
    User,
    Seat,
    Profile,
}

impl AuditKind {
    pub const ALL: [AuditKind; 18] = [
        AuditKind::AutoRenew,
        AuditKind::Renewal,
        AuditKind::Checkout,
        AuditKind::NextTerm,
        AuditKind::Payment,
        AuditKind::Status,
        AuditKind::Quote,
        AuditKind::Approval,
        AuditKind::Invoice,
        AuditKind::InvoiceDetails,
        AuditKind::PoDocument,
        AuditKind::PaymentMethod,
        AuditKind::Refund,
        AuditKind::CustomerDetails,
        AuditKind::Invitation,
        AuditKind::User,
        AuditKind::Seat,
        AuditKind::Profile,
    ];

    /// The prefix of its action codes in `audit_log.action`.
    pub fn code(self) -> &'static str {
        match self {
            AuditKind::AutoRenew => "auto_renew",
            AuditKind::Renewal => "renewal",
            AuditKind::Checkout => "checkout",
            AuditKind::NextTerm => "next_term",
            AuditKind::Payment => "payment",
            AuditKind::Status => "status",
            AuditKind::Quote => "quote",
            AuditKind::Approval => "approval",
            AuditKind::Invoice => "invoice",
            AuditKind::InvoiceDetails => "invoice_details",
            AuditKind::PoDocument => "po_document",
            AuditKind::PaymentMethod => "payment_method",
            AuditKind::Refund => "refund",
            AuditKind::CustomerDetails => "customer_details",
            AuditKind::Invitation => "invitation",
            AuditKind::User => "user",
            AuditKind::Seat => "seat",
            AuditKind::Profile => "profile",
        }
    }

    pub fn parse(code: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind of an action code: the part before its dot.
    pub fn of_action(action: &str) -> Option<AuditKind> {
        AuditKind::parse(action.split('.').next().unwrap_or_default())
    }

    /// User management: invitations, users' roles and membership, seats, profiles.
    pub fn is_user_management(self) -> bool {
        matches!(self, AuditKind::Invitation | AuditKind::User | AuditKind::Seat | AuditKind::Profile)
    }

    /// The kinds someone with these rights sees: all of them, or user management only.
    pub fn visible(sees_billing: bool) -> Vec<AuditKind> {
        AuditKind::ALL.into_iter().filter(|k| sees_billing || k.is_user_management()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_code_has_its_kind() {
        for (code, kind) in [
            ("auto_renew.off", AuditKind::AutoRenew),
            ("invoice_details.changed", AuditKind::InvoiceDetails),
            ("invoice.paid", AuditKind::Invoice),
            ("user.primary_admin", AuditKind::User),
            ("seat.assigned", AuditKind::Seat),
        ] {
            assert_eq!(AuditKind::of_action(code), Some(kind), "{code}");
        }
        assert_eq!(AuditKind::of_action("nonsense"), None);
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::parse(k.code()), Some(k));
        }
    }

    #[test]
    fn admins_who_are_not_buyers_see_user_management_only() {
        // R-ROLE-5: limited visibility of billing.
        let admin = AuditKind::visible(false);
        assert_eq!(admin, [AuditKind::Invitation, AuditKind::User, AuditKind::Seat, AuditKind::Profile]);
        assert_eq!(AuditKind::visible(true).len(), AuditKind::ALL.len());
    }
}
