//! What server functions return: plain data for the pages, already worded for display.

use serde::{Deserialize, Serialize};

use crate::domain::authz::Role;
use crate::domain::status::Status;

/// The signed-in user as the shell shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub org_name: String,
    pub roles: Vec<Role>,
    pub can_view_subscriptions: bool,
    pub can_view_billing: bool,
    pub can_change_auto_renew: bool,
}

/// Filters, search, sort and page of the Subscriptions and contracts list. Every field is
/// optional text, as it comes from the URL; the server parses it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionQuery {
    pub status: Option<String>,
    pub csn: Option<String>,
    pub currency: Option<String>,
    pub term: Option<String>,
    pub auto_renew: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionSummary {
    pub id: i64,
    pub product_name: String,
    pub contract_number: String,
    pub csn: String,
    pub seats: i64,
    pub term_label: String,
    pub status: Status,
    pub auto_renew: bool,
    /// "Renews on" or "Expires on" (R-SUB-2).
    pub date_label: String,
    pub date: String,
    pub currency: String,
    /// Hidden from admins who are not buyers (R-ROLE-5).
    pub payment_method: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionPage {
    pub rows: Vec<SubscriptionSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub csns: Vec<String>,
    pub currencies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionDetail {
    pub summary: SubscriptionSummary,
    pub company_name: String,
    pub time_zone: String,
    pub started_on: String,
    pub term_start: String,
    /// The exact instant of renewal or expiry in the purchase time zone (R-SUB-2).
    pub date_instant: String,
    pub seats_at_renewal: Option<i64>,
    pub term_at_renewal: Option<String>,
    pub partner_csn: Option<String>,
    pub reseller: Option<String>,
    pub product_access: bool,
    /// Billing details; `None` for admins who are not buyers (R-ROLE-5).
    pub billing: Option<BillingDetail>,
    /// Whether the viewer can change auto-renew here now.
    pub auto_renew_change: ChangeAvailability,
    /// The last day auto-renew can be changed (R-EXT-1).
    pub auto_renew_last_day: String,
    /// What the current state allows (R-LIFE-6): (what, how much).
    pub allowances: Vec<(String, String)>,
    /// The states still ahead and the local date each starts, when the lifecycle has started or
    /// will start at a known date (R-LIFE-1..5); empty while the subscription will renew.
    pub next_states: Vec<(String, String)>,
    /// When renewal is possible, or why it is not (R-REN-2).
    pub renewal_window: String,
    /// A renewal payment that is or will be late, with the local date (R-LIFE-5).
    pub payment_due: Option<String>,
}

/// The demo clock (configuration `PORTAL_DEMO_CLOCK`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoClockView {
    /// "23 Nov 2026 09:00 UTC"
    pub now: String,
    /// Whole days the clock is ahead of real time.
    pub days_ahead: i64,
    /// What the last move did, when the page is shown after one.
    pub report: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ChangeAvailability {
    Available,
    /// The viewer's roles do not allow it (only buyers act on renewals, R-REN-1).
    NotAllowed,
    /// Allowed for the viewer, but not for this subscription now; the reason.
    Blocked(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingDetail {
    pub payment_method: Option<String>,
    pub po_number: String,
    pub notes: String,
    pub po_documents: Vec<String>,
    pub payers: Vec<String>,
}

/// One subscription in the review step of Manage auto-renew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoRenewPreviewItem {
    pub id: i64,
    pub product_name: String,
    pub csn: String,
    pub current: String,
    /// "Renews on 10 Jun 2025" / "Expires on 9 Jun 2025" after the change.
    pub resulting: String,
    pub outcome: PreviewOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PreviewOutcome {
    Changes,
    Unchanged,
    Ineligible(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoRenewPreview {
    pub on: bool,
    pub items: Vec<AutoRenewPreviewItem>,
    /// A fresh key for the confirm form: a double submit has the effect of one.
    pub idempotency_key: String,
}

impl AutoRenewPreview {
    pub fn ineligible(&self) -> usize {
        self.items.iter().filter(|i| matches!(i.outcome, PreviewOutcome::Ineligible(_))).count()
    }

    pub fn changes(&self) -> usize {
        self.items.iter().filter(|i| i.outcome == PreviewOutcome::Changes).count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoRenewOutcome {
    pub on: bool,
    pub changed: Vec<i64>,
    pub unchanged: Vec<i64>,
}

/// What this deployment offers beyond the billing pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// The demo Mailbox page (mail written as files, never in production).
    pub mailbox: bool,
    /// The demo clock page.
    pub demo_clock: bool,
}

/// One message in the demo Mailbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailboxEntry {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    pub text: String,
}
