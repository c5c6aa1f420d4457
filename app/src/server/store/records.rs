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
    /// The checkout order renewing it while its charge is under way.
    pub pending_order_id: Option<OrderId>,
    /// The product's licence type (R-SUB-6 keeps licence types apart).
    pub licence_type: String,
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

/// A PO document's record; its bytes are in the file under `storage_key` (`server::files`).
#[derive(Debug, Clone)]
pub struct PoDocument {
    pub id: i64,
    pub subscription_id: SubscriptionId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}

/// A PO document to record.
pub struct NewPoDocument<'a> {
    pub org_id: OrgId,
    pub subscription_id: SubscriptionId,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub uploaded_by: UserId,
    pub uploaded_at: DateTime<Utc>,
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
    /// Put in a checkout order; the order number is in the detail.
    CheckoutOrdered,
    /// A checkout's charge was declined and its order withdrawn.
    CheckoutDeclined,
    /// The seats or term of the next renewal were changed, or the change withdrawn (R-SUB-3).
    NextTermChanged,
    PaymentFailed,
    /// A payment moved the subscription back to the state its dates give (R-LIFE-3).
    Reactivated,
    /// The lifecycle moved it forward to this state (R-LIFE-1..3).
    Moved(Status),
    /// Quoted in a renewal quote that was sent; the quote number is in the detail.
    QuoteSent,
    /// An order above the approval threshold was held for another buyer; the request is named
    /// in the detail.
    ApprovalRequested,
    ApprovalApproved,
    ApprovalRejected,
    ApprovalWithdrawn,
    /// Closed when someone tried to approve it: the order could no longer be placed as asked.
    ApprovalOutdated,
    /// The organisation's approval threshold was set, changed or removed.
    ApprovalThresholdSet,
    /// A payment of this invoice was made (pending until the gateway answers), and its answer.
    InvoicePaymentMade,
    InvoicePaid,
    InvoicePaymentDeclined,
    /// An invoice's payers (and its subscriptions') were changed.
    PayersChanged,
    /// A subscription's PO number or notes for its invoices were changed (R-INV-5).
    InvoiceDetailsChanged,
    /// A PO document was attached to a subscription's invoice details, or taken off.
    PoDocumentAdded,
    PoDocumentRemoved,
    /// An open invoice was voided and issued again under a new number (R-EXT-4).
    InvoiceReissued,
    /// A card was added to a customer number's payment methods (R-PAY-5).
    PaymentMethodAdded,
    /// A card's billing name, address or expiry was changed (R-PAY-5, R-EXT-5).
    PaymentMethodEdited,
    /// A payment method was removed (R-PAY-6).
    PaymentMethodRemoved,
    /// Someone was invited to the organisation with a role (the address and role in the detail).
    InvitationSent,
    /// A payer without an account was invited from an invoice (billing, R-INV-4), and joined.
    PayerInvited,
    PayerJoined,
    /// An invitation was accepted: an account was opened with its role.
    InvitationAccepted,
    /// A subscription was given another payment method (R-PAY-5, R-BULK-5); both are in the
    /// detail.
    PaymentMethodSwitched,
    /// A purchase or renewal was refunded as a credit memo (R-PAY-9); the order, the memo and
    /// what became of the subscription are in the detail.
    Refunded,
    /// A customer number's company name or address was changed (R-CUST-1, R-EXT-6).
    CustomerDetailsChanged,
    /// A user was removed from the organisation (their sessions ended, seats freed).
    UserRemoved,
    /// A user was made a secondary admin, or the role was taken back (R-ROLE-4).
    AdminGranted,
    AdminRevoked,
    /// The primary admin role moved to another user (R-ROLE-3).
    PrimaryAdminReassigned,
    /// A seat of a subscription was assigned to a user, or freed (R-ROLE-4, R-LIFE-6).
    SeatAssigned,
    SeatFreed,
    /// A user changed their name or password (profile).
    ProfileChanged,
    PasswordChanged,
}

impl AuditAction {
    /// The code stored in `audit_log.action`.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::AutoRenewOn => "auto_renew.on",
            AuditAction::AutoRenewOff => "auto_renew.off",
            AuditAction::RenewalOrdered => "renewal.ordered",
            AuditAction::RenewalFailed => "renewal.failed",
            AuditAction::CheckoutOrdered => "checkout.ordered",
            AuditAction::CheckoutDeclined => "checkout.declined",
            AuditAction::NextTermChanged => "next_term.changed",
            AuditAction::PaymentFailed => "payment.failed",
            AuditAction::Reactivated => "status.reactivated",
            AuditAction::Moved(Status::Active) => "status.active",
            AuditAction::Moved(Status::Expired) => "status.expired",
            AuditAction::Moved(Status::Suspended) => "status.suspended",
            AuditAction::Moved(Status::Canceled) => "status.canceled",
            AuditAction::QuoteSent => "quote.sent",
            AuditAction::ApprovalRequested => "approval.requested",
            AuditAction::ApprovalApproved => "approval.approved",
            AuditAction::ApprovalRejected => "approval.rejected",
            AuditAction::ApprovalWithdrawn => "approval.withdrawn",
            AuditAction::ApprovalOutdated => "approval.outdated",
            AuditAction::ApprovalThresholdSet => "approval.threshold",
            AuditAction::InvoicePaymentMade => "invoice.payment",
            AuditAction::InvoicePaid => "invoice.paid",
            AuditAction::InvoicePaymentDeclined => "invoice.declined",
            AuditAction::PayersChanged => "invoice.payers",
            AuditAction::InvoiceDetailsChanged => "invoice_details.changed",
            AuditAction::PoDocumentAdded => "po_document.added",
            AuditAction::PoDocumentRemoved => "po_document.removed",
            AuditAction::InvoiceReissued => "invoice.reissued",
            AuditAction::InvitationSent => "invitation.sent",
            AuditAction::InvitationAccepted => "invitation.accepted",
            AuditAction::PayerInvited => "invoice.payer_invited",
            AuditAction::PayerJoined => "invoice.payer_joined",
            AuditAction::PaymentMethodAdded => "payment_method.added",
            AuditAction::PaymentMethodEdited => "payment_method.edited",
            AuditAction::PaymentMethodRemoved => "payment_method.removed",
            AuditAction::PaymentMethodSwitched => "payment_method.switched",
            AuditAction::Refunded => "refund.credited",
            AuditAction::CustomerDetailsChanged => "customer_details.changed",
            AuditAction::UserRemoved => "user.removed",
            AuditAction::AdminGranted => "user.admin_granted",
            AuditAction::AdminRevoked => "user.admin_revoked",
            AuditAction::PrimaryAdminReassigned => "user.primary_admin",
            AuditAction::SeatAssigned => "seat.assigned",
            AuditAction::SeatFreed => "seat.freed",
            AuditAction::ProfileChanged => "profile.changed",
            AuditAction::PasswordChanged => "profile.password",
        }
    }
}

/// What an audit entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditObject {
    Subscription(SubscriptionId),
    /// The organisation itself (its settings).
    Organisation(OrgId),
    Invoice(InvoiceId),
    PaymentMethod(PaymentMethodId),
    /// A customer number's details (R-CUST-1).
    CustomerAccount(CustomerAccountId),
    /// A user of the organisation (roles, membership, profile).
    User(UserId),
}

impl AuditObject {
    pub(super) fn parts(self) -> (&'static str, i64) {
        match self {
            AuditObject::Subscription(id) => ("subscription", id.get()),
            AuditObject::Organisation(id) => ("organisation", id.get()),
            AuditObject::Invoice(id) => ("invoice", id.get()),
            AuditObject::PaymentMethod(id) => ("payment_method", id.get()),
            AuditObject::CustomerAccount(id) => ("customer_account", id.get()),
            AuditObject::User(id) => ("user", id.get()),
        }
    }
}

/// A customer number of the organisation with its details (R-CUST-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAccountRecord {
    pub id: CustomerAccountId,
    pub csn: String,
    pub details: crate::domain::customer::CustomerDetails,
    /// A tax-exemption certificate is on file (R-CUST-2, R-CUST-3).
    pub tax_exempt: bool,
    /// How many subscriptions the customer number has (a change applies to all, R-EXT-6).
    pub subscriptions: i64,
}

/// A purchase or an invoice of the spending summary (R-EXT-7): when, what it came to, what is
/// paid of it, and whether a payment of it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendingRecord {
    pub at: DateTime<Utc>,
    pub total: Money,
    pub paid: Money,
    pub failed: bool,
}

/// An open invoice falling due (R-EXT-7).
#[derive(Debug, Clone, PartialEq)]
pub struct DueInvoice {
    pub number: String,
    pub due_at: DateTime<Utc>,
    pub open: Money,
    pub time_zone: Tz,
}

/// A user of the organisation with the roles held there (sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
}

/// An invitation still waiting to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A seat of a subscription and who holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatHolder {
    pub subscription_id: SubscriptionId,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

/// What an audit listing selects: the kinds the reader may see (or the one chosen), and
/// optionally one subscription and one user (who made the change, or whom it was about).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    pub kinds: Vec<crate::domain::audit::AuditKind>,
    pub subscription: Option<SubscriptionId>,
    pub user: Option<UserId>,
}

/// An audit entry as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who made the change; `None` for the portal itself (the engine).
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: i64,
    /// The object's name where it has one: an invoice's number, a CSN, a user's address.
    pub object_label: Option<String>,
    pub detail: String,
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
    /// A file sent with it (a quote's PDF), written into the outbox with the mail.
    pub attachment: Option<Attachment>,
}

/// A file attached to a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A "forgot password" request waiting for the outbox worker.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResetRequest {
    pub email: String,
    pub locale: Locale,
    pub requested_at: i64,
}

/// An invitation to an organisation with a role, as its link opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub org_id: OrgId,
    /// Empty when read back by [`super::Tx::take_invitation`].
    pub org_name: String,
    pub email: String,
    pub role: Role,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    pub org_id: OrgId,
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: Option<UserId>,
    pub at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
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
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment: Option<Vec<u8>>,
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
    pub kind: LineKind,
    pub order_id: OrderId,
    pub subscription_id: SubscriptionId,
    pub product_id: ProductId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub list: Money,
    pub discount: Money,
    /// Net: list minus discount.
    pub amount: Money,
    /// The line's share of the order's tax.
    pub tax: Money,
}

/// What an order line buys: the subscription's next term, seats added to its current term
/// (co-termed, R-PRICE-3), or its current term extended (R-PRICE-2). Stored as `order_lines.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Renewal,
    AddSeats,
    /// The current term extended to the line's period end (co-term alignment, R-PRICE-2).
    Extension,
}

impl LineKind {
    pub fn code(self) -> &'static str {
        match self {
            LineKind::Renewal => "renewal",
            LineKind::AddSeats => "add_seats",
            LineKind::Extension => "extension",
        }
    }

    pub fn parse(code: &str) -> Option<LineKind> {
        [LineKind::Renewal, LineKind::AddSeats, LineKind::Extension].into_iter().find(|k| k.code() == code)
    }

    /// `orders.kind` of an order of such lines (the schema calls an extension a co-term order).
    pub fn order_kind(self) -> &'static str {
        match self {
            LineKind::Renewal => "renewal",
            LineKind::AddSeats => "add_seats",
            LineKind::Extension => "coterm",
        }
    }
}

/// An order placed at checkout, before the gateway has answered.
#[derive(Debug, Clone)]
pub struct NewCheckoutOrder<'a> {
    pub org_id: OrgId,
    /// What its lines buy: one kind per order.
    pub kind: LineKind,
    /// The quote it buys, if it was placed by accepting one.
    pub quote_id: Option<QuoteId>,
    pub customer_account_id: CustomerAccountId,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub payment_method_id: PaymentMethodId,
    pub created_by: UserId,
    pub checkout_key: &'a str,
    pub po_number: &'a str,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
}

/// Where an order stands: being charged, or placed (paid, or accepted for payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OrderStatus {
    Charging,
    Placed,
}

impl OrderStatus {
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Charging => "charging",
            OrderStatus::Placed => "placed",
        }
    }

    pub fn parse(code: &str) -> Option<OrderStatus> {
        [OrderStatus::Charging, OrderStatus::Placed].into_iter().find(|s| s.code() == code)
    }
}

/// An order as its pages show it.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub id: OrderId,
    pub org_id: OrgId,
    pub number: String,
    pub status: OrderStatus,
    pub customer_account_id: CustomerAccountId,
    pub csn: String,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub payment_method_id: Option<PaymentMethodId>,
    pub payment_kind: Option<PaymentKind>,
    pub payment_label: Option<String>,
    pub po_number: String,
    pub created_at: DateTime<Utc>,
    pub line_count: i64,
    /// The newest payment's status, if one was made (none for pay by invoice).
    pub payment_status: Option<PaymentStatus>,
    pub payment_failure: Option<String>,
    /// The invoice issued for it (pay by invoice).
    pub invoice_number: Option<String>,
}

/// One line of an order as read back.
#[derive(Debug, Clone)]
pub struct OrderLineRecord {
    pub kind: LineKind,
    pub subscription_id: Option<SubscriptionId>,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub list: Money,
    pub discount: Money,
    pub amount: Money,
    pub tax: Money,
}

/// A renewal an order line applies to its subscription once the order is placed.
#[derive(Debug, Clone, Copy)]
pub struct AppliedRenewal {
    pub id: SubscriptionId,
    pub order: OrderId,
    pub term_start: DateTime<Utc>,
    pub term_end: DateTime<Utc>,
    pub seats: i64,
    pub term: Term,
}

/// A payment method on file, as checkout offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethodRecord {
    pub id: PaymentMethodId,
    pub customer_account_id: CustomerAccountId,
    pub kind: PaymentKind,
    pub label: String,
}

/// A payment method on file as its page shows it, with its customer number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodOnFile {
    pub id: PaymentMethodId,
    pub customer_account_id: CustomerAccountId,
    pub csn: String,
    pub company_name: String,
    pub kind: PaymentKind,
    pub label: String,
    pub card: Option<CardOnFile>,
    pub billing_name: String,
    pub billing_address: String,
}

/// What is kept of a card (R-PAY-5): never its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOnFile {
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// A card to put on file: the gateway's token and what may be shown of it.
#[derive(Debug, Clone)]
pub struct NewCard<'a> {
    pub org_id: OrgId,
    pub customer_account_id: CustomerAccountId,
    pub token: &'a str,
    pub label: &'a str,
    pub card: CardOnFile,
    pub billing_name: &'a str,
    pub billing_address: &'a str,
    pub at: DateTime<Utc>,
}

/// A subscription (not canceled) and the method it pays with, for the payment methods page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodUse {
    pub id: SubscriptionId,
    pub customer_account_id: CustomerAccountId,
    pub product_name: String,
    /// `None`: no method, or one since removed.
    pub payment_method_id: Option<PaymentMethodId>,
    pub auto_renew: bool,
    pub status: Status,
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
    /// The local day of `issued_at` in the customer's time zone.
    pub issued_on: NaiveDate,
    pub due_at: DateTime<Utc>,
    /// The invoice this one replaces (R-EXT-4).
    pub replaces: Option<InvoiceId>,
}

/// One line an invoice bills: a subscription's order line, or its share of one instalment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoiceLine {
    pub subscription_id: Option<SubscriptionId>,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// Before tax.
    pub amount: Money,
}

/// An invoice as the Invoices pages show it (R-INV-1).
#[derive(Debug, Clone)]
pub struct InvoiceRecord {
    pub id: InvoiceId,
    pub org_id: OrgId,
    pub number: String,
    pub customer_account_id: CustomerAccountId,
    pub csn: String,
    pub order_id: Option<OrderId>,
    pub order_number: Option<String>,
    pub status: crate::domain::invoice::InvoiceStatus,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub paid: Money,
    pub po_number: String,
    pub notes: String,
    pub issued_at: DateTime<Utc>,
    /// The instant it becomes late: the start of the day after its due date.
    pub due_at: DateTime<Utc>,
    pub voided_at: Option<DateTime<Utc>>,
    /// The invoice it replaced (R-EXT-4), and the one that replaced it.
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    /// Its first subscription's time zone (UTC without one): its dates are read there.
    pub time_zone: Tz,
}

impl InvoiceRecord {
    /// What is still owed.
    pub fn open_amount(&self) -> Money {
        self.total.checked_sub(self.paid).unwrap_or(self.total)
    }
}

/// Which invoices a listing reads.
#[derive(Debug, Clone, Default)]
pub struct InvoiceListing<'a> {
    /// Only those naming this payer (a payer who is not a buyer, R-ROLE-6).
    pub payer: Option<&'a str>,
    pub statuses: &'a [crate::domain::invoice::InvoiceStatus],
    pub csn: Option<&'a str>,
    /// Issued on or after / on or before these local days.
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

/// A credit memo as read back (R-INV-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditMemoRecord {
    pub id: CreditMemoId,
    pub number: String,
    pub customer_account_id: CustomerAccountId,
    pub csn: String,
    pub amount: Money,
    /// What it has left to pay invoices with.
    pub remaining: Money,
    pub issued_at: DateTime<Utc>,
    /// The local day it was issued, in its subscription's time zone.
    pub issued_on: chrono::NaiveDate,
    /// The order whose refund made it, and the subscription refunded.
    pub order_number: Option<String>,
    pub subscription_id: Option<SubscriptionId>,
}

/// A credit memo as a refund writes it.
#[derive(Debug, Clone)]
pub struct NewCreditMemo<'a> {
    pub org_id: OrgId,
    pub number: &'a str,
    pub customer_account_id: CustomerAccountId,
    pub amount: Money,
    pub order_id: OrderId,
    pub subscription_id: SubscriptionId,
    pub issued_at: DateTime<Utc>,
    pub issued_on: chrono::NaiveDate,
    pub created_by: UserId,
}

/// Where an order stands for a refund: what it has received, and what is still coming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPaid {
    /// What its payments and invoices have received, in minor units of its currency.
    pub paid_minor: i64,
    /// A payment of it (or of one of its invoices) is on its way.
    pub pending: bool,
    /// An invoice of it that is open (not paid in full).
    pub unpaid_invoice: Option<String>,
}

/// What is owed per customer number and currency (R-INV-1's balances).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceBalance {
    pub csn: String,
    /// Open and pending invoices, less what was paid on them.
    pub owed: Money,
    /// The part of it that is past due.
    pub overdue: Money,
    pub invoices: i64,
}

/// A payment of invoices, with what it pays on each.
#[derive(Debug, Clone)]
pub struct InvoicePaymentRecord {
    pub id: PaymentId,
    pub org_id: OrgId,
    pub status: PaymentStatus,
    pub kind: PaymentKind,
    pub method_label: Option<String>,
    pub amount: Money,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
    /// Invoice number and the amount paid on it, in the order the payer chose them.
    pub allocations: Vec<(String, Money)>,
}

/// A payment of invoices to write: pending until the gateway answers.
#[derive(Debug, Clone)]
pub struct NewInvoicePayment {
    pub org_id: OrgId,
    pub payment_method_id: Option<PaymentMethodId>,
    pub kind: PaymentKind,
    pub amount: Money,
    pub idempotency_key: String,
    pub created_by: UserId,
    pub allocations: Vec<(InvoiceId, Money)>,
}

/// A payment to ask the gateway for (status pending).
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub org_id: OrgId,
    pub order_id: OrderId,
    /// The subscription a renewal or instalment pays for; `None` for a checkout's order.
    pub subscription_id: Option<SubscriptionId>,
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
    pub fn parse(code: &str) -> Option<PaymentStatus> {
        [Self::Pending, Self::Unknown, Self::Succeeded, Self::Failed].into_iter().find(|s| s.code() == code)
    }

    pub fn code(self) -> &'static str {
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
    pub order_id: Option<OrderId>,
    pub amount: Money,
    pub idempotency_key: String,
    pub due_at: DateTime<Utc>,
    pub kind: PaymentKind,
    pub gateway_token: String,
}

impl OpenPayment {
    /// A payment of invoices (R-INV-2): it belongs to no order and no subscription; its answer
    /// is written on the invoices it pays.
    pub fn pays_invoices(&self) -> bool {
        self.order_id.is_none() && self.subscription_id.is_none()
    }
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

/// A quote as the Quotes pages show it (R-QUOTE-7). Its status is the stored one: whether a
/// sent quote has expired is the domain's to say (`quote::status_at`).
#[derive(Debug, Clone)]
pub struct QuoteRecord {
    pub id: QuoteId,
    pub org_id: OrgId,
    pub number: String,
    pub kind: crate::domain::quote::QuoteKind,
    pub origin: crate::domain::quote::QuoteOrigin,
    pub status: crate::domain::quote::QuoteStatus,
    pub csn: String,
    pub currency: Currency,
    /// Before tax, discounts taken off.
    pub subtotal: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub partner_csn: Option<String>,
    pub partner_name: Option<String>,
    /// The customer as printed on the quote (R-QUOTE-8).
    pub customer_name: String,
    pub customer_address: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub order_id: Option<OrderId>,
    /// A subscription it renews has renewed (or changed its term) since it was made: its prices
    /// no longer describe what would be bought, and accepting it is refused as outdated.
    pub renewed_since: bool,
    /// The time zone its dates are read in: its first subscription's, else the organisation's
    /// first customer number's subscriptions' (UTC when it has none).
    pub time_zone: Tz,
}

/// One line of a quote.
#[derive(Debug, Clone)]
pub struct QuoteLineRecord {
    pub subscription_id: Option<SubscriptionId>,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub unit_price: Money,
    pub discount: Money,
    /// Seats times the unit price, less the discount.
    pub amount: Money,
    pub promotion: Option<String>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
}

/// A quote about to be written: sent at once, with its lines and recipients.
#[derive(Debug, Clone)]
pub struct NewQuote<'a> {
    pub org_id: OrgId,
    pub customer_account_id: CustomerAccountId,
    pub kind: crate::domain::quote::QuoteKind,
    pub origin: crate::domain::quote::QuoteOrigin,
    pub currency: Currency,
    pub subtotal: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub partner_csn: Option<&'a str>,
    pub customer_name: &'a str,
    pub customer_address: &'a str,
    pub expires_at: DateTime<Utc>,
    /// `None` for the engine's quotes.
    pub created_by: Option<UserId>,
    /// The send form's one-time key (self-service quotes).
    pub creation_key: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

/// One line of a quote about to be written: the next term of one subscription.
#[derive(Debug, Clone)]
pub struct NewQuoteLine {
    pub subscription_id: SubscriptionId,
    pub product_id: ProductId,
    pub seats: i64,
    pub term: Term,
    pub unit_price: Money,
    pub discount: Money,
    pub amount: Money,
    pub promotion: Option<String>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

/// What became of an answer to a human check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// Right, and now used up.
    Passed,
    /// Wrong; it may be answered again.
    Wrong,
    /// Unknown, of another user, expired, used, or answered wrongly too often.
    Void,
}

/// A member of an organisation, as a quote's recipients are chosen from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub lang: Locale,
}

/// An organisation's approval threshold and who set it.
#[derive(Debug, Clone)]
pub struct ThresholdRecord {
    pub amount: Money,
    pub set_by_name: String,
    pub set_at: DateTime<Utc>,
}

/// An order held for approval, as it is written.
pub struct NewApproval<'a> {
    pub org_id: OrgId,
    pub kind: crate::domain::approval::ApprovalKind,
    pub checkout_key: &'a str,
    /// The checkout form, as JSON, to place it again once approved.
    pub form: &'a str,
    pub customer_account_id: CustomerAccountId,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub threshold: Money,
    pub payment_method_id: PaymentMethodId,
    pub po_number: &'a str,
    pub quote_id: Option<QuoteId>,
    pub requested_by: UserId,
    pub requested_at: DateTime<Utc>,
}

/// One line of an order held for approval, as it was priced when asked.
pub struct NewApprovalLine {
    pub subscription_id: SubscriptionId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub amount: Money,
}

/// An order held for approval, as its pages show it.
#[derive(Debug, Clone)]
pub struct ApprovalRecord {
    pub id: ApprovalId,
    pub org_id: OrgId,
    pub number: String,
    pub kind: crate::domain::approval::ApprovalKind,
    pub checkout_key: String,
    pub form: String,
    pub csn: String,
    pub company_name: String,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub threshold: Money,
    pub payment_kind: PaymentKind,
    pub payment_label: String,
    pub po_number: String,
    pub quote_number: Option<String>,
    pub requested_by: UserId,
    pub requester_name: String,
    pub requested_at: DateTime<Utc>,
    pub status: crate::domain::approval::ApprovalStatus,
    pub decider_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: String,
    /// The order placed with the request's checkout key, once approved (none if its charge was
    /// declined: a decline leaves no order).
    pub order_number: Option<String>,
    pub time_zone: chrono_tz::Tz,
}

/// One line of an order held for approval.
#[derive(Debug, Clone)]
pub struct ApprovalLineRecord {
    pub subscription_id: SubscriptionId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub amount: Money,
}
