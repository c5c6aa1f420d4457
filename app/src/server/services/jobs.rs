//! The engine's background work, in the order one pass needs it: renew what is due, charge due
//! instalments, settle open payments, move lifecycles, write reminders. Every step is
//! idempotent and safe with several processes on one PostgreSQL database; each process runs a
//! pass every minute, and the demo clock runs one right after it moves.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{billing, lifecycle, reminders};
use crate::domain::money::UsdRates;
use crate::server::gateway::PaymentGateway;
use crate::server::store::{Store, StoreResult};

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
    pub renewals: billing::RenewalReport,
    pub instalments: usize,
    pub settled: usize,
    pub transitions: usize,
    pub reminders: usize,
}

impl PassReport {
    pub fn is_empty(&self) -> bool {
        *self == PassReport::default()
    }
}

impl Engine {
    pub async fn run_pass(&self, now: DateTime<Utc>) -> StoreResult<PassReport> {
        let gateway = self.gateway.as_ref();
        let renewals = billing::renew_due(&self.store, gateway, &self.rates, now, &self.base_url).await?;
        let instalments = billing::charge_instalments(&self.store, gateway, now, &self.base_url).await?;
        let settled = billing::settle_open(&self.store, gateway, now).await?;
        let transitions = lifecycle::apply(&self.store, now).await?;
        let reminders = reminders::send_due(&self.store, &self.rates, now, &self.base_url).await?;
        Ok(PassReport { renewals, instalments, settled, transitions, reminders })
    }
}
