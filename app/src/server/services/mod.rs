//! Services: one transaction per user action, combining the store, the domain rules, the audit
//! log and the mail outbox. Server functions call exactly one service function.

pub mod account;
pub mod approvals;
pub mod audit;
pub mod auto_renew;
pub mod checkout;
pub mod customer_details;
pub mod demo_clock;
pub mod engine;
pub mod exports;
pub mod invitations;
pub mod invoice_details;
pub mod invoices;
pub mod new_quote;
pub mod next_term;
pub mod overview;
pub mod payment_methods;
pub mod quotes;
pub mod refunds;
pub mod subscriptions;
pub mod users;

use crate::domain::authz::Role;
use crate::domain::ids::OrgId;
use crate::domain::mail_routing::Contacts;
use crate::server::store::{StoreResult, Tx};

/// The organisation's buyers as mail contacts: who gets billing mail (R-MAIL-1).
pub async fn buyer_contacts(tx: &mut Tx, org: OrgId) -> StoreResult<Contacts> {
    Ok(Contacts { buyers: tx.recipients_with_role(org, Role::Buyer).await?, ..Contacts::default() })
}
