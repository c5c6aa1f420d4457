//! Authorization: the one place that answers "may this user do this action on that object"
//! (R-ROLE-1..7, R-REN-1). Every server function asks it; the UI asks it only to hide buttons.

use serde::{Deserialize, Serialize};

use super::ids::{OrgId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Buyer,
    PrimaryAdmin,
    SecondaryAdmin,
    Payer,
    /// A member who uses the products assigned to them and holds no admin, billing or payer
    /// role (invited by an admin, R-ROLE-4).
    User,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Buyer, Role::PrimaryAdmin, Role::SecondaryAdmin, Role::Payer, Role::User];

    pub fn code(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::PrimaryAdmin => "primary_admin",
            Role::SecondaryAdmin => "secondary_admin",
            Role::Payer => "payer",
            Role::User => "user",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Buyer => "Buyer",
            Role::PrimaryAdmin => "Primary admin",
            Role::SecondaryAdmin => "Secondary admin",
            Role::Payer => "Payer",
            Role::User => "User",
        }
    }
}

/// The signed-in user as authorization sees it: one organisation and the roles held there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::PrimaryAdmin) || self.has(Role::SecondaryAdmin)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See the Subscriptions and contracts list and a subscription's page.
    ViewSubscriptions,
    /// See payment methods, invoice details (PO) and payers of a subscription.
    ViewBillingDetails,
    /// Turn auto-renew on or off (R-REN-1, R-SUB-4).
    ChangeAutoRenew,
    /// Renew in the cart, check out and place orders (R-REN-1).
    Renew,
    /// See the organisation's orders (billing information, R-ROLE-5).
    ViewOrders,
    /// Change the seats or term of a subscription's next renewal (R-SUB-3).
    ChangeSubscription,
    /// See the organisation's quotes (prices and billing: buyers, R-REN-1, R-ROLE-5).
    ViewQuotes,
    /// Set or remove the organisation's approval threshold (buyers: it governs their orders).
    SetApprovalThreshold,
    /// Approve or reject another buyer's order held for approval, or withdraw one's own.
    DecideApproval,
    /// See invoices, credit memos and payments (R-INV-1): buyers all of the organisation's,
    /// payers those they pay ([`sees_every_invoice`]).
    ViewInvoices,
    /// Pay invoices, one or several together (R-INV-2, R-ROLE-6).
    PayInvoices,
    /// Add and remove an invoice's payers (R-ROLE-6, R-INV-4: buyers add payers).
    ManagePayers,
    /// Edit a subscription's invoice details (PO number, notes, PO documents; R-INV-5) and
    /// reissue an open invoice with them (R-EXT-4).
    EditInvoiceDetails,
    /// Add, edit and remove payment methods, and choose the method a subscription pays with
    /// (R-PAY-5, R-PAY-6, R-BULK-5).
    ManagePaymentMethods,
    /// Ask for a refund of a purchase or renewal within its window (R-PAY-9): buyers, who buy.
    RequestRefund,
    /// Edit the company name and address of a customer number (R-CUST-1, R-CUST-2): buyers.
    EditCustomerDetails,
    /// See the organisation's users, their roles and product assignments (R-ROLE-4): admins,
    /// and buyers, who may hand on the primary admin role (R-ROLE-3).
    ViewUsers,
    /// Invite and remove users, and assign or free seats of subscriptions (R-ROLE-4): admins.
    ManageUsers,
    /// Make users secondary admins or take the role back (R-ROLE-4): the primary admin only.
    ManageAdmins,
    /// Hand the primary admin role to another user (R-ROLE-3): the primary admin or a buyer.
    ReassignPrimaryAdmin,
    /// See the audit trail: buyers all of it, admins who are not buyers its user-management
    /// entries ([`sees_billing_audit`], R-ROLE-5).
    ViewAudit,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::ViewSubscriptions,
        Action::ViewBillingDetails,
        Action::ChangeAutoRenew,
        Action::Renew,
        Action::ViewOrders,
        Action::ChangeSubscription,
        Action::ViewQuotes,
        Action::SetApprovalThreshold,
        Action::DecideApproval,
        Action::ViewInvoices,
        Action::PayInvoices,
        Action::ManagePayers,
        Action::EditInvoiceDetails,
        Action::ManagePaymentMethods,
        Action::RequestRefund,
        Action::EditCustomerDetails,
        Action::ViewUsers,
        Action::ManageUsers,
        Action::ManageAdmins,
        Action::ReassignPrimaryAdmin,
        Action::ViewAudit,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The object belongs to another organisation: it is not found, never "forbidden", so ids of
    /// other organisations leak nothing.
    NotFound,
    /// The user's roles do not allow the action.
    Forbidden,
}

/// May `actor` perform `action` on an object of organisation `object_org`?
pub fn authorize(actor: &Actor, action: Action, object_org: OrgId) -> Result<(), Denied> {
    if actor.org_id != object_org {
        return Err(Denied::NotFound);
    }
    if allowed(&actor.roles, action) { Ok(()) } else { Err(Denied::Forbidden) }
}

/// The role matrix. Buyers manage billing and renewals (R-ROLE-2, R-REN-1); admins who are not
/// buyers see subscriptions with limited billing detail and never act on billing (R-ROLE-5);
/// payers see and pay invoices and nothing else (R-ROLE-6: no subscriptions, no renewals).
pub fn allowed(roles: &[Role], action: Action) -> bool {
    let buyer = roles.contains(&Role::Buyer);
    let admin = roles.contains(&Role::PrimaryAdmin) || roles.contains(&Role::SecondaryAdmin);
    let payer = roles.contains(&Role::Payer);
    let primary_admin = roles.contains(&Role::PrimaryAdmin);
    match action {
        Action::ViewSubscriptions | Action::ViewUsers | Action::ViewAudit => buyer || admin,
        Action::ManageUsers => admin,
        Action::ManageAdmins => primary_admin,
        Action::ReassignPrimaryAdmin => primary_admin || buyer,
        Action::ViewInvoices | Action::PayInvoices => buyer || payer,
        Action::ViewBillingDetails
        | Action::ChangeAutoRenew
        | Action::Renew
        | Action::ViewOrders
        | Action::ChangeSubscription
        | Action::ViewQuotes
        | Action::SetApprovalThreshold
        | Action::DecideApproval
        | Action::ManagePayers
        | Action::EditInvoiceDetails
        | Action::ManagePaymentMethods
        | Action::RequestRefund
        | Action::EditCustomerDetails => buyer,
    }
}

/// Whether the user's audit trail shows billing entries too (buyers), or only user management
/// (admins who are not buyers have limited visibility of billing, R-ROLE-5).
pub fn sees_billing_audit(roles: &[Role]) -> bool {
    roles.contains(&Role::Buyer)
}

/// Whether the user sees every invoice of the organisation (buyers) or only those naming them
/// as a payer (R-ROLE-6, R-INV-4: a payer is a person an invoice is sent to).
pub fn sees_every_invoice(roles: &[Role]) -> bool {
    roles.contains(&Role::Buyer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor { user_id: UserId(1), org_id: OrgId(7), roles: roles.to_vec() }
    }

    #[test]
    fn the_whole_matrix_of_roles_and_actions() {
        // R-ROLE-2, R-ROLE-5, R-ROLE-6, R-REN-1: payers see and pay invoices, nothing else.
        use Action::*;
        let expect = |role: Role, action: Action| -> bool {
            // Written out, not computed like `allowed`: the matrix as RULES.md states it.
            // R-ROLE-3: a buyer may hand on the primary admin role, but makes no secondary admins.
            // R-ROLE-4: admins manage users; only the primary admin makes secondary admins.
            (role == Role::Buyer && !matches!(action, ManageUsers | ManageAdmins))
                || (matches!(role, Role::PrimaryAdmin | Role::SecondaryAdmin)
                    && matches!(action, ViewSubscriptions | ViewUsers | ViewAudit | ManageUsers))
                || (role == Role::PrimaryAdmin && matches!(action, ManageAdmins | ReassignPrimaryAdmin))
                || (role == Role::Payer && matches!(action, ViewInvoices | PayInvoices))
        };
        for role in Role::ALL {
            for action in Action::ALL {
                let got = authorize(&actor(&[role]), action, OrgId(7));
                let want = if expect(role, action) { Ok(()) } else { Err(Denied::Forbidden) };
                assert_eq!(got, want, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_buyer_who_is_also_secondary_admin_keeps_all_buyer_rights() {
        // R-ROLE-3
        let a = actor(&[Role::Buyer, Role::SecondaryAdmin]);
        for action in Action::ALL {
            if allowed(&[Role::Buyer], action) {
                assert_eq!(authorize(&a, action, OrgId(7)), Ok(()), "{action:?}");
            }
        }
        // ... and as a secondary admin manages users, but makes no admins (R-ROLE-4).
        assert_eq!(authorize(&a, Action::ManageUsers, OrgId(7)), Ok(()));
        assert_eq!(authorize(&a, Action::ManageAdmins, OrgId(7)), Err(Denied::Forbidden));
    }

    #[test]
    fn objects_of_another_organisation_are_not_found_for_every_role_and_action() {
        for role in Role::ALL {
            for action in Action::ALL {
                assert_eq!(authorize(&actor(&[role]), action, OrgId(8)), Err(Denied::NotFound));
            }
        }
    }

    #[test]
    fn a_user_without_roles_may_do_nothing() {
        for action in Action::ALL {
            assert_eq!(authorize(&actor(&[]), action, OrgId(7)), Err(Denied::Forbidden));
            assert_eq!(authorize(&actor(&[Role::User]), action, OrgId(7)), Err(Denied::Forbidden));
        }
    }
}
