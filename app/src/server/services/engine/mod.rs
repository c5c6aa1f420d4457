//! The engine's background work, in the order one pass needs it: renew what is due, charge due
//! instalments, settle open payments, move lifecycles, write reminders, make and mail quotes,
//! mail overdue-invoice notices. Every step is
//! idempotent and safe with several processes on one PostgreSQL database; each process runs a
//! pass every minute, and the demo clock runs one right after it moves.

use std::sync::Arc;

use chrono::{DateTime, Utc};

mod instalments;
mod invoices;
mod lifecycle;
pub mod overdue;
mod payments;
pub mod pricing;
mod reminders;
mod renewals;

pub use instalments::charge_instalments;
pub use invoices::{Issue, issue_invoice, mail_invoice};
pub use lifecycle::apply as apply_lifecycle;
pub use payments::{credit_settled, settle, settle_open};
pub use reminders::send_due as send_reminders;
pub use renewals::{RenewalReport, renew_due};

use crate::domain::ids::{OrgId, SubscriptionId};
use crate::domain::money::UsdRates;
use crate::server::gateway::PaymentGateway;
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject};
use crate::server::store::{Store, StoreResult};

/// An audit entry the engine writes about a subscription (no user acted).
fn audit(org: OrgId, id: SubscriptionId, action: AuditAction, detail: String, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry { org_id: org, actor: None, action, object: AuditObject::Subscription(id), detail, at }
}

/// What the jobs need besides the time.
#[derive(Clone)]
pub struct Engine {
    pub store: Store,
    pub gateway: Arc<dyn PaymentGateway>,
    pub rates: UsdRates,
    pub base_url: String,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub renewals: RenewalReport,
    pub instalments: usize,
    pub settled: usize,
    pub transitions: usize,
    pub reminders: usize,
    /// Renewal quotes made 30 days before the renewal date (R-QUOTE-6), and quotes that arrived
    /// from a partner mailed (R-QUOTE-7).
    pub quotes: usize,
    /// Overdue invoices whose payers and buyers were mailed (R-MAIL-1, R-MAIL-4).
    pub overdue: usize,
}

impl PassReport {
    pub fn is_empty(&self) -> bool {
        *self == PassReport::default()
    }
}

impl Engine {
    #[tracing::instrument(skip(self))]
    pub async fn run_pass(&self, now: DateTime<Utc>) -> StoreResult<PassReport> {
        let gateway = self.gateway.as_ref();
        let renewals = renew_due(&self.store, gateway, &self.rates, now, &self.base_url).await?;
        let instalments = charge_instalments(&self.store, gateway, now, &self.base_url).await?;
        let settled = settle_open(&self.store, gateway, now, &self.base_url).await?;
        let transitions = apply_lifecycle(&self.store, now).await?;
        let reminders = send_reminders(&self.store, &self.rates, now, &self.base_url).await?;
        use crate::server::services::new_quote::{generate_due, mail_arrived};
        let quotes = generate_due(&self.store, &self.rates, now, &self.base_url).await?
            + mail_arrived(&self.store, now, &self.base_url).await?;
        let overdue = overdue::send_due(&self.store, now, &self.base_url).await?;
        Ok(PassReport { renewals, instalments, settled, transitions, reminders, quotes, overdue })
    }
}
