//! What the store returns and takes: one record type per table (or per joined view of one),
//! in the domain's types. The raw rows they are decoded from stay private to the store.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::authz::Role;
use crate::domain::ids::*;
use crate::domain::locale::Locale;
use crate::domain::mail_routing::MailKind;
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::status::Status;
use crate::domain::tax::TaxAddress;
use crate::domain::term::Term;

/// A user as sign-in sees them.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub id: UserId,
    pub password_hash: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

/// Whose session a token opens.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Session {
    pub user_id: UserId,
    pub org_id: OrgId,
}

/// A new session: only the token's hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A membership: one role of one user in one organisation.
#[derive(Debug, Clone, Copy)]
pub struct Membership {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub role: Role,
}

/// A subscription with everything every page and job needs, decoded once.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub org_id: OrgId,
    pub customer_account_id: CustomerAccountId,
    pub product_id: ProductId,
    pub product_name: String,
    pub contract_number: String,
    pub csn: String,
    pub company_name: String,
    pub seats: i64,
    pub seats_at_renewal: Option<i64>,
    pub term: Term,
    pub term_at_renewal: Option<Term>,
    pub status: Status,
    pub auto_renew: bool,
    pub started_at: DateTime<Utc>,
    pub term_start: DateTime<Utc>,
    /// The renewal instant: the first instant after the term, in UTC.
    pub term_end: DateTime<Utc>,
    /// The purchase time zone: dates shown and day windows are counted in it.
    pub time_zone: Tz,
    pub currency: Currency,
    pub partner_csn: Option<String>,
    pub reseller_name: Option<String>,
    pub reseller_email: Option<String>,
    /// The payment method on the subscription (even if since removed from the account).
    pub payment_method_id: Option<PaymentMethodId>,
    /// The method's kind, label (what identifies it, such as "Visa •••• 4242": never a
    /// sentence, pages word the kind) and gateway token while it is on file.
    pub payment_kind: Option<PaymentKind>,
    pub payment_label: Option<String>,
    pub gateway_token: Option<String>,
    /// Since when a renewal payment is owed (late from then on, R-LIFE-5).
    pub unpaid_since: Option<DateTime<Utc>>,
    pub tax_address: TaxAddress,
}

/// Which column the subscription list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Active first, then Expired, Suspended, Canceled; soonest date first within each.
    Relevance,
    Date,
    Product,
    Id,
    Csn,
    Seats,
    Status,
}

/// Filters of the Subscriptions and contracts list; `None` means "any".
#[derive(Debug, Clone)]
pub struct SubscriptionFilter {
    pub org_id: OrgId,
    pub status: Option<Status>,
    pub csn: Option<String>,
    pub currency: Option<Currency>,
    pub term: Option<Term>,
    pub auto_renew: Option<bool>,
    /// Matched case-insensitively against product name, subscription id, contract number and CSN.
    pub search: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The next term a renewal starts (only if the term end is still the one read).
#[derive(Debug, Clone, Copy)]
pub struct NextTerm {
    pub id: SubscriptionId,
    pub old_end: DateTime<Utc>,
    pub new_end: DateTime<Utc>,
    pub seats: i64,
    pub term: Term,
    /// A Net 30 renewal is owed from the day after its invoice's due date.
    pub unpaid_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct InvoiceDetails {
    pub po_number: String,
    pub notes: String,
}

/// One audit-log entry.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub org_id: OrgId,
    /// `None` for the engine's own actions.
    pub actor: Option<UserId>,
    pub action: AuditAction,
    pub object: AuditObject,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// What happened, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    AutoRenewOn,
    AutoRenewOff,
    RenewalOrdered,
    RenewalFailed,
    PaymentFailed,
    /// A payment moved the subscription back to the state its dates give (R-LIFE-3).
    Reactivated,
    /// The lifecycle moved it forward to this state (R-LIFE-1..3).
    Moved(Status),
}

impl AuditAction {
    /// The code stored in `audit_log.action`.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::AutoRenewOn => "auto_renew.on",
            AuditAction::AutoRenewOff => "auto_renew.off",
            AuditAction::RenewalOrdered => "renewal.ordered",
            AuditAction::RenewalFailed => "renewal.failed",
            AuditAction::PaymentFailed => "payment.failed",
            AuditAction::Reactivated => "status.reactivated",
            AuditAction::Moved(Status::Active) => "status.active",
            AuditAction::Moved(Status::Expired) => "status.expired",
            AuditAction::Moved(Status::Suspended) => "status.suspended",
            AuditAction::Moved(Status::Canceled) => "status.canceled",
        }
    }
}

/// What an audit entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditObject {
    Subscription(SubscriptionId),
}

impl AuditObject {
    pub(super) fn parts(self) -> (&'static str, i64) {
        match self {
            AuditObject::Subscription(id) => ("subscription", id.get()),
        }
    }
}

/// An audit entry as read back.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditLine {
    pub action: String,
    pub detail: String,
    pub at: i64,
}

/// One mail to queue in the outbox.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub org_id: Option<OrgId>,
    pub kind: MailKind,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A "forgot password" request waiting for the outbox worker.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResetRequest {
    pub email: String,
    pub locale: Locale,
    pub requested_at: i64,
}

/// A queued mail as the delivery worker reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: MailId,
    pub kind: MailKind,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
}

/// A queued mail as tests read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailCopy {
    pub id: MailId,
    pub subject: String,
    pub body_text: String,
}

/// An order for one subscription's renewal (or, later, a cart's checkout).
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub org_id: OrgId,
    pub number: &'a str,
    pub customer_account_id: CustomerAccountId,
    pub kind: OrderKind,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub payment_method_id: Option<PaymentMethodId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    Renewal,
}

impl OrderKind {
    pub(super) fn code(self) -> &'static str {
        match self {
            OrderKind::Renewal => "renewal",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewOrderLine {
    pub order_id: OrderId,
    pub subscription_id: SubscriptionId,
    pub product_id: ProductId,
    pub seats: i64,
    pub term: Term,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub amount: Money,
}

/// A later instalment of an order (R-PAY-8), waiting for its day.
#[derive(Debug, Clone)]
pub struct NewScheduledCharge {
    pub org_id: OrgId,
    pub subscription_id: SubscriptionId,
    pub order_id: OrderId,
    pub due_on: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub total: Money,
    pub tax: Money,
}

/// An instalment that has fallen due.
#[derive(Debug, Clone)]
pub struct ScheduledCharge {
    pub id: ScheduledChargeId,
    pub org_id: OrgId,
    pub subscription_id: SubscriptionId,
    pub order_id: OrderId,
    pub due_on: NaiveDate,
    pub total: Money,
    pub tax: Money,
    pub payment_method_id: Option<PaymentMethodId>,
    pub payment_kind: Option<PaymentKind>,
}

#[derive(Debug, Clone)]
pub struct NewInvoice<'a> {
    pub org_id: OrgId,
    pub number: &'a str,
    pub customer_account_id: CustomerAccountId,
    pub order_id: OrderId,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub po_number: &'a str,
    pub notes: &'a str,
    pub issued_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// A payment to ask the gateway for (status pending).
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub org_id: OrgId,
    pub order_id: OrderId,
    pub subscription_id: SubscriptionId,
    pub payment_method_id: Option<PaymentMethodId>,
    pub amount: Money,
    pub idempotency_key: String,
    /// The instant it is owed from: the renewal instant, or an instalment's due date.
    pub due_at: DateTime<Utc>,
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Written, or accepted by the gateway and not settled yet (bank transfers, R-PAY-7).
    Pending,
    /// The gateway's answer was lost: the next run asks again.
    Unknown,
    Succeeded,
    Failed,
}

impl PaymentStatus {
    pub(super) fn code(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Unknown => "unknown",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, PaymentStatus::Succeeded | PaymentStatus::Failed)
    }
}

/// A payment whose outcome is not final yet, with what is needed to ask the gateway.
#[derive(Debug, Clone)]
pub struct OpenPayment {
    pub id: PaymentId,
    pub org_id: OrgId,
    pub subscription_id: Option<SubscriptionId>,
    pub amount: Money,
    pub idempotency_key: String,
    pub due_at: DateTime<Utc>,
    pub kind: PaymentKind,
    pub gateway_token: String,
}

/// A payment's final (or newly pending) answer.
#[derive(Debug, Clone, Copy)]
pub struct PaymentSettlement<'a> {
    pub status: PaymentStatus,
    pub reference: Option<&'a str>,
    pub failure: Option<&'a str>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// What the simulated gateway decided for a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimulatedOutcome {
    Succeeded,
    Pending,
    Declined,
    InsufficientFunds,
}

impl SimulatedOutcome {
    pub(super) fn code(self) -> &'static str {
        match self {
            SimulatedOutcome::Succeeded => "succeeded",
            SimulatedOutcome::Pending => "pending",
            SimulatedOutcome::Declined => "declined",
            SimulatedOutcome::InsufficientFunds => "insufficient_funds",
        }
    }

    pub(super) fn parse(code: &str) -> Option<SimulatedOutcome> {
        [Self::Succeeded, Self::Pending, Self::Declined, Self::InsufficientFunds].into_iter().find(|o| o.code() == code)
    }
}

/// The simulated gateway's record of one charge.
#[derive(Debug, Clone)]
pub struct GatewayCharge {
    pub idempotency_key: String,
    pub token: String,
    pub amount: Money,
    pub outcome: SimulatedOutcome,
    pub reference: String,
    pub created_at: DateTime<Utc>,
    pub settles_at: DateTime<Utc>,
}
