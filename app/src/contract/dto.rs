//! What server functions return: values and codes, never finished sentences. The pages word
//! them (and, with the languages issue, translate them); dates are local dates of the
//! subscription's purchase time zone, instants are UTC with the zone to show them in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::contract::problem::RenewRefused;
use crate::domain::authz::Role;
use crate::domain::auto_renew::Ineligible;
use crate::domain::eligibility::PaymentRefusal;
use crate::domain::ids::{PaymentMethodId, SubscriptionId, UserId};
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::quote::{AcceptRefusal, QuoteKind, QuoteOrigin, QuoteStatus};
use crate::domain::renewal::{RenewalRefusal, RenewalWindow};
use crate::domain::status::{Allowances, Status};
use crate::domain::term::Term;

/// The signed-in user as the shell shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub org_name: String,
    pub roles: Vec<Role>,
    pub can_view_subscriptions: bool,
    pub can_view_billing: bool,
    pub can_change_auto_renew: bool,
    /// Renew in the cart, check out, see orders (buyers, R-REN-1).
    pub can_renew: bool,
    /// See the organisation's quotes (buyers).
    pub can_view_quotes: bool,
    pub can_manage_payment_methods: bool,
    /// See (and pay) invoices: buyers all of them, payers theirs.
    pub can_view_invoices: bool,
    /// Change the company name and address of customer numbers (buyers, R-CUST-1).
    pub can_edit_customer_details: bool,
    /// See User management (admins and buyers, R-ROLE-3, R-ROLE-4).
    pub can_view_users: bool,
    /// See the audit trail (buyers all of it, admins its user management).
    pub can_view_audit: bool,
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

/// The date a subscription shows (R-SUB-2): with auto-renew on, the renewal date ("Renews
/// on"); off, the expiry date ("Expires on").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownDate {
    pub auto_renew: bool,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionSummary {
    pub id: SubscriptionId,
    pub product_name: String,
    pub contract_number: String,
    pub csn: String,
    pub seats: i64,
    pub term: Term,
    pub status: Status,
    /// The setting itself.
    pub auto_renew: bool,
    /// The date it shows (R-SUB-2): the renewal date, the expiry date, or, once an unpaid
    /// renewal has put it on its lifecycle, the day its last paid term expired.
    pub shown: ShownDate,
    pub currency: Currency,
    /// Hidden from admins who are not buyers (R-ROLE-5).
    pub payment_method: Option<PaymentMethodView>,
}

/// The price of a subscription's next term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalPrice {
    pub seats: u32,
    pub term: Term,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    /// Why the payment method on file cannot pay it (R-PAY-2), if it cannot.
    pub method_refused: Option<crate::domain::eligibility::PaymentRefusal>,
}

/// A payment method as pages show it: its kind, worded in the reader's language, and what
/// identifies it ("Visa •••• 4242", an address), which is the same in every language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodView {
    pub kind: PaymentKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionPage {
    pub rows: Vec<SubscriptionSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub csns: Vec<String>,
    pub currencies: Vec<Currency>,
}

/// An instant as the clocks of a time zone read it, worked out on the server: the browser needs
/// no time-zone database to show it (it would cost the bundle more than all the pages' words).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalInstant {
    pub date: NaiveDate,
    /// "00:00:00"
    pub time: String,
    /// The zone's abbreviation at that instant: "EEST", "CET", "-03".
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionDetail {
    pub summary: SubscriptionSummary,
    pub company_name: String,
    /// The purchase time zone (IANA name): instants below are read on its clocks.
    pub time_zone: String,
    pub started_on: NaiveDate,
    pub term_start: LocalInstant,
    /// The exact instant of renewal or expiry (R-SUB-2).
    pub date_instant: LocalInstant,
    pub seats_at_renewal: Option<i64>,
    pub term_at_renewal: Option<Term>,
    pub partner_csn: Option<String>,
    pub reseller_name: Option<String>,
    pub reseller_email: Option<String>,
    /// Billing details; `None` for admins who are not buyers (R-ROLE-5).
    pub billing: Option<BillingDetail>,
    /// Whether the viewer can change auto-renew here now.
    pub auto_renew_change: ChangeAvailability,
    /// The last day auto-renew can be changed (R-EXT-1).
    pub auto_renew_last_day: NaiveDate,
    /// What the current state allows (R-LIFE-6).
    pub allowances: Allowances,
    /// The states still ahead and the local date each starts, when the lifecycle has started or
    /// will start at a known date (R-LIFE-1..5); empty while the subscription will renew.
    pub next_states: Vec<(Status, NaiveDate)>,
    /// When renewal is possible, or why it is not (R-REN-2).
    pub renewal_window: Result<RenewalWindow, RenewalRefusal>,
    /// A renewal payment that is or will be late (R-LIFE-5).
    pub payment_due: Option<PaymentDue>,
    /// Changing the seats or term of the next renewal (R-SUB-3); `None` for non-buyers.
    pub next_term: Option<NextTermForm>,
    /// What it may align its end date with now (buyers only; empty outside the renewal period).
    pub align_targets: Vec<AlignTarget>,
}

/// Seats added now to one subscription, reviewed as checkout will charge them (R-PRICE-3,
/// R-PRICE-5): prorated from today to the renewal date, co-termed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddSeatsReview {
    pub id: SubscriptionId,
    pub product_name: String,
    pub csn: String,
    pub company_name: String,
    pub seats_now: i64,
    pub added: u32,
    pub term: Term,
    /// The added seats run from today to the last day of the current term.
    pub from: NaiveDate,
    pub last_day: NaiveDate,
    /// The price of one seat for one term, today.
    pub unit_price: Money,
    pub promotion: Option<String>,
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    pub tax_percent: String,
    pub tax_exempt: bool,
    pub tax: Money,
    pub total: Money,
    /// When it is paid: today, and for three-year terms on each remaining anniversary (R-PAY-8).
    pub schedule: Vec<(NaiveDate, Money)>,
    pub methods: Vec<MethodChoice>,
    pub default_method: PaymentMethodId,
    pub fingerprint: String,
    pub checkout_key: String,
}

/// A subscription another may align its end date with (co-term extension, R-PRICE-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignTarget {
    pub id: SubscriptionId,
    pub product_name: String,
    /// Its renewal date: the aligned subscription's new renewal date.
    pub renewal: NaiveDate,
}

/// Extending a subscription to end with another, reviewed as checkout will charge it
/// (R-PRICE-1, R-PRICE-2, R-PRICE-4, R-PRICE-5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionReview {
    pub id: SubscriptionId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub renewal: NaiveDate,
    pub new_renewal: NaiveDate,
    pub target: SubscriptionId,
    pub target_product: String,
    /// What is bought: whole terms and days (R-PRICE-1).
    pub whole_terms: u32,
    pub days: u32,
    pub unit_price: Money,
    pub promotion: Option<String>,
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    pub tax_percent: String,
    pub tax_exempt: bool,
    pub tax: Money,
    pub total: Money,
    pub methods: Vec<MethodChoice>,
    pub default_method: PaymentMethodId,
    pub fingerprint: String,
    pub checkout_key: String,
}

/// What a buyer may change at the next renewal, and what it is set to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTermForm {
    /// The seats the next renewal buys (pending change or current seats).
    pub seats: u32,
    /// The most seats the next renewal may keep: the current seats (R-PRICE-3).
    pub max_seats: u32,
    /// The term the next renewal buys.
    pub term: Term,
    /// The terms the product is sold with in its currency.
    pub terms: Vec<Term>,
    pub pending: bool,
    /// Why the next renewal cannot be changed now.
    pub blocked: Option<crate::domain::next_term::NextTermRefusal>,
}

/// An open renewal payment: due by the day before `from`, late from then on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDue {
    pub from: NaiveDate,
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ChangeAvailability {
    Available,
    /// The viewer's roles do not allow it (only buyers act on renewals, R-REN-1).
    NotAllowed,
    /// Allowed for the viewer, but not for this subscription now.
    Blocked(Ineligible),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingDetail {
    pub payment_method: Option<PaymentMethodView>,
    /// What the next term costs as the renewal will charge it (seats and term chosen for the
    /// renewal, that day's price list and promotion, tax from the customer's address); `None`
    /// when it cannot be priced or paid as set up.
    pub renewal_price: Option<RenewalPrice>,
    pub po_number: String,
    pub notes: String,
    pub po_documents: Vec<PoDocumentView>,
    pub payers: Vec<String>,
}

/// A PO document attached to a subscription's invoice details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoDocumentView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_on: NaiveDate,
    pub uploaded_by: Option<String>,
}

/// An invitation as its link opens it, before it is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub org_name: String,
    pub email: String,
    pub role: Role,
    /// The last day the link works (UTC).
    pub expires_on: NaiveDate,
}

/// Billing and orders > Payment methods (R-PAY-5): each customer number's methods on file with
/// the subscriptions paying with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentMethodsPage {
    pub customers: Vec<CustomerMethods>,
    /// The most subscriptions listed under one method; the rest are counted.
    pub listed_per_method: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerMethods {
    pub csn: String,
    pub company_name: String,
    pub methods: Vec<MethodOnFileView>,
    /// Subscriptions (not canceled) without a method on file: theirs was removed.
    pub without_method: Vec<MethodUserView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodOnFileView {
    pub id: PaymentMethodId,
    pub method: PaymentMethodView,
    pub card: Option<CardView>,
    pub billing_name: String,
    pub billing_address: String,
    /// The first subscriptions paying with it (at most `listed_per_method`).
    pub subscriptions: Vec<MethodUserView>,
    /// How many subscriptions pay with it in all.
    pub subscription_count: usize,
    /// How many of them renew automatically: while any does, it cannot be removed (R-PAY-6).
    pub auto_renewing: usize,
}

/// What is kept of a card: never its number (R-PAY-5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardView {
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    /// Its expiry has passed: it charges nothing.
    pub expired: bool,
}

/// A subscription as the payment methods pages name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodUserView {
    pub id: SubscriptionId,
    pub product_name: String,
    pub auto_renew: bool,
    pub status: Status,
}

/// Changing the payment method of selected subscriptions (R-PAY-5, R-BULK-5): one customer
/// number's, since methods are on file per customer number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodChangePage {
    pub csn: String,
    pub company_name: String,
    pub items: Vec<MethodChangeItem>,
    pub choices: Vec<MethodChangeChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodChangeItem {
    pub subscription: MethodUserView,
    /// The method it pays with now; `None` when it has none on file.
    pub current: Option<PaymentMethodView>,
    pub current_id: Option<PaymentMethodId>,
}

/// A method the selection could switch to, and the subscriptions that cannot (then nothing
/// switches: all or nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodChangeChoice {
    pub id: PaymentMethodId,
    pub method: PaymentMethodView,
    pub refused: Vec<crate::contract::problem::MethodRefused>,
}

/// The audit trail's filters and page, as they come from the URL (all optional text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub subscription: Option<String>,
    pub user: Option<String>,
    pub kind: Option<String>,
    pub page: Option<String>,
}

/// One page of the audit trail, newest first, with the choices of its filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// The kinds the reader may see (all for buyers, user management for other admins).
    pub kinds: Vec<crate::domain::audit::AuditKind>,
    /// The organisation's users, to filter by.
    pub users: Vec<(UserId, String)>,
}

/// One recorded change: when, who (none: the portal itself), its kind and action, what it was
/// about, and the change as recorded (before and after).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor: Option<AuditUser>,
    pub kind: Option<crate::domain::audit::AuditKind>,
    pub action: String,
    pub object_type: String,
    pub object_id: i64,
    pub object_label: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditUser {
    pub name: String,
    pub email: String,
}

/// The Billing and orders overview (R-EXT-7): what is due in the next 90 days, the spending of
/// the last 5 months and this month per currency, and the renewal calendar of the next 12 months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewPage {
    pub today: NaiveDate,
    pub horizon_end: NaiveDate,
    pub due: Vec<DueItem>,
    pub spending: Vec<SpendingChart>,
    pub calendar: Vec<crate::domain::overview::CalendarMonth>,
}

/// A payment or expiration falling due, on its local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueItem {
    pub day: NaiveDate,
    /// What is to pay: the open amount of an invoice, the price of a renewal.
    pub amount: Option<Money>,
    pub kind: DueKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DueKind {
    /// An invoice to pay; `overdue` when its due day has passed.
    Invoice { number: String, overdue: bool },
    /// A subscription renewing automatically (R-SUB-2).
    Renewal { id: SubscriptionId, product_name: String },
    /// A subscription expiring: auto-renew off, or on its lifecycle.
    Expiry { id: SubscriptionId, product_name: String, status: Status },
}

/// One currency's spending by month and the geometry of its chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpendingChart {
    pub currency: Currency,
    pub months: Vec<crate::domain::overview::SpendingMonth>,
    pub layout: crate::domain::overview::ChartLayout,
}

/// User management (R-ROLE-3, R-ROLE-4): the organisation's users, the invitations waiting, and
/// what the reader may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersPage {
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationLine>,
    pub max_pending: usize,
    /// Invite, remove, assign seats (admins).
    pub can_manage: bool,
    /// Make secondary admins (the primary admin).
    pub can_manage_admins: bool,
    /// Hand the primary admin role on (the primary admin, buyers).
    pub can_reassign_primary_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    /// Seats of subscriptions the user holds.
    pub seats: usize,
    pub is_you: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationLine {
    pub email: String,
    pub role: Role,
    /// The last day its link works (UTC).
    pub expires_on: NaiveDate,
}

/// A subscription's seats and who holds them (R-ROLE-4, R-LIFE-6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSeatsView {
    pub id: SubscriptionId,
    pub product_name: String,
    pub status: Status,
    pub seats: i64,
    /// Suspended: assignments are kept but give no access.
    pub access: bool,
    pub holders: Vec<SeatHolderView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatHolderView {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

/// One subscription's seats with the users who could be given one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSeatsPage {
    pub product: ProductSeatsView,
    pub candidates: Vec<SeatHolderView>,
    pub can_manage: bool,
}

/// The organisation's customer numbers with their details, as buyers edit them (R-CUST-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetailsPage {
    pub accounts: Vec<CustomerAccountView>,
}

/// One customer number's details, the tax its orders pay, and what a change reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerAccountView {
    pub csn: String,
    pub details: crate::domain::customer::CustomerDetails,
    /// A certificate is on file: the details are changed by support only (R-CUST-2).
    pub tax_exempt: bool,
    /// The tax of its orders now (R-CUST-3); `None` when the stored address has no known rate.
    pub tax: Option<crate::domain::tax::TaxRate>,
    /// Its subscriptions, which a change applies to (R-EXT-6).
    pub subscriptions: i64,
    /// The buyers a change is mailed to (R-MAIL-5).
    pub buyers: usize,
}

/// A subscription's invoice details, as the buyer edits them (R-INV-5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetailsPage {
    pub subscription_id: SubscriptionId,
    pub product_name: String,
    pub po_number: String,
    pub notes: String,
    pub documents: Vec<PoDocumentView>,
    pub max_documents: usize,
    pub max_document_bytes: usize,
    /// The day the automatic renewal invoice is issued, when it is near (R-REN-5): changes
    /// after it apply only to later invoices.
    pub renewal_invoice_on: Option<NaiveDate>,
    /// Open invoices of this subscription issued with the details as they were: reissue them to
    /// carry the change (R-EXT-4).
    pub open_invoices: Vec<String>,
    /// Who its invoices go to from now on (R-INV-4), at most `max_payers`.
    pub payers: Vec<String>,
    pub max_payers: usize,
}

/// The demo clock (configuration `PORTAL_DEMO_CLOCK`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoClockView {
    pub now: DateTime<Utc>,
    /// Whole days the clock is ahead of real time.
    pub days_ahead: i64,
    /// Whether this user is one of the demo's operators, who may move it.
    pub can_move: bool,
}

/// What one move of the demo clock did: the engine pass it ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockMove {
    pub renewed: u32,
    pub invoiced: u32,
    pub failed: u32,
    pub instalments: u32,
    pub settled: u32,
    pub transitions: u32,
    pub reminders: u32,
}

impl ClockMove {
    /// The counts in the order of [`ClockMove::to_param`], for the page's address.
    fn counts(&self) -> [u32; 7] {
        [self.renewed, self.invoiced, self.failed, self.instalments, self.settled, self.transitions, self.reminders]
    }

    /// `"1.0.2.0.3.0.5"`: the move as the clock page's `moved` parameter.
    pub fn to_param(&self) -> String {
        self.counts().iter().map(u32::to_string).collect::<Vec<_>>().join(".")
    }

    pub fn from_param(text: &str) -> Option<ClockMove> {
        let n: Vec<u32> = text.split('.').map(str::parse).collect::<Result<_, _>>().ok()?;
        let [renewed, invoiced, failed, instalments, settled, transitions, reminders] = n[..] else { return None };
        Some(ClockMove { renewed, invoiced, failed, instalments, settled, transitions, reminders })
    }
}

/// One subscription in the review step of Manage auto-renew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoRenewPreviewItem {
    pub id: SubscriptionId,
    pub product_name: String,
    pub csn: String,
    pub current: ShownDate,
    /// What it shows after the change.
    pub resulting: ShownDate,
    pub outcome: PreviewOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PreviewOutcome {
    Changes,
    Unchanged,
    /// Turned on after its term ended: it renews at once, late (R-SUB-4).
    RenewsNow,
    Ineligible(Ineligible),
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
        self.items.iter().filter(|i| matches!(i.outcome, PreviewOutcome::Changes | PreviewOutcome::RenewsNow)).count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoRenewOutcome {
    pub on: bool,
    /// Every subscription whose setting changed, those renewing late included.
    pub changed: Vec<SubscriptionId>,
    pub unchanged: Vec<SubscriptionId>,
    /// Turned on after their terms ended: renewed at once (R-SUB-4).
    #[serde(default)]
    pub renewed_now: Vec<SubscriptionId>,
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
    /// The names of the files attached (a quote's PDF).
    pub attachments: Vec<String>,
}

/// Bulk renew, first step: the selected subscriptions that can be renewed now, grouped by
/// customer number, currency and payment method (R-BULK-3), and those left out with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewOptions {
    pub groups: Vec<RenewGroup>,
    pub left_out: Vec<RenewRefused>,
    /// How many renewals the cart holds already.
    pub in_cart: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewGroup {
    pub csn: String,
    pub company_name: String,
    pub currency: Currency,
    pub payment_method: PaymentMethodView,
    pub items: Vec<RenewItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewItem {
    pub id: SubscriptionId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub status: Status,
    /// The renewal date: the new term starts there (R-REN-2).
    pub renewal_date: NaiveDate,
    /// The last day of the new term.
    pub new_last_day: NaiveDate,
    pub in_cart: bool,
}

/// The cart, reviewed: one order per customer number, currency, payment method, licence type and
/// term (R-BULK-3, R-SUB-6), each priced as it will be charged (R-PRICE-5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub orders: Vec<CartOrder>,
    /// Renewals in the cart that cannot be ordered now, and why.
    pub blocked: Vec<RenewRefused>,
}

impl CartView {
    pub fn count(&self) -> usize {
        self.orders.iter().map(|o| o.lines.len()).sum::<usize>() + self.blocked.len()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartOrder {
    pub csn: String,
    pub company_name: String,
    pub currency: Currency,
    pub term: Term,
    pub licence_type: String,
    /// Comma-separated ids of the lines: what the order form places.
    pub ids: String,
    pub lines: Vec<CartLine>,
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    /// The tax rate in percent ("25.5"), from the customer's address (R-CUST-3).
    pub tax_percent: String,
    pub tax_exempt: bool,
    pub tax: Money,
    pub total: Money,
    /// When the total is paid: the first part at checkout (R-PAY-8).
    pub schedule: Vec<(NaiveDate, Money)>,
    /// The methods on file for this customer number, each with why it cannot pay this order.
    pub methods: Vec<MethodChoice>,
    /// The subscriptions' own method: chosen unless the buyer picks another.
    pub default_method: PaymentMethodId,
    /// What the review showed: placing checks the prices are still these (R-PRICE-5).
    pub fingerprint: String,
    /// A fresh one-time key for the order form: a double submit places one order.
    pub checkout_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub id: PaymentMethodId,
    pub method: PaymentMethodView,
    pub refused: Option<PaymentRefusal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub id: SubscriptionId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub status: Status,
    /// The new term: from the renewal date to its last day.
    pub period_start: NaiveDate,
    pub period_last_day: NaiveDate,
    /// The price of one seat for one term, that day.
    pub unit_price: Money,
    pub list: Money,
    pub discount: Money,
    pub promotion: Option<String>,
    pub net: Money,
}

/// Where an order's payment stands, as its pages say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentState {
    /// Charged.
    Paid,
    /// Accepted by the provider, not settled yet (bank transfers, R-PAY-7).
    Pending,
    /// The provider's answer has not arrived yet: the order waits for it.
    Confirming,
    /// Invoiced Net 30 (R-REN-5): the invoice's number.
    Invoiced(String),
    /// A later settlement failed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub number: String,
    pub placed_on: NaiveDate,
    pub csn: String,
    pub lines: i64,
    pub total: Money,
    pub payment_method: Option<PaymentMethodView>,
    pub payment: PaymentState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersPage {
    pub rows: Vec<OrderSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub company_name: String,
    pub po_number: String,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub tax: Money,
}

/// One line of an order, and what became of its subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub subscription_id: Option<SubscriptionId>,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: NaiveDate,
    pub period_last_day: NaiveDate,
    pub list: Money,
    pub discount: Money,
    pub net: Money,
    pub tax: Money,
    /// The subscription's state now (after the order: Active once renewed).
    pub status_now: Option<Status>,
    /// It can be refunded now (R-PAY-9): for how much, until when.
    pub refund: Option<RefundOffer>,
    /// It was refunded: the credit memo that made.
    pub refunded: Option<String>,
}

/// A refund an order line can have now (R-PAY-9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundOffer {
    pub amount: Money,
    /// The last local day it can be asked for.
    pub last_day: NaiveDate,
}

/// What a refund of one subscription's line of an order does, before it is asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundReview {
    pub order_number: String,
    pub subscription_id: SubscriptionId,
    pub product_name: String,
    pub offer: RefundOffer,
    pub outcome: RefundOutcome,
}

/// What becomes of the subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundOutcome {
    /// A renewal: canceled, its term ending on `last_day` (before the renewal).
    Canceled { last_day: NaiveDate },
    /// An extension: its term ends on `last_day` again.
    Shortened { last_day: NaiveDate },
    /// Seats added: taken off.
    SeatsRemoved { seats: i64 },
}

/// A quote as the Quotes page lists it (R-QUOTE-7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteSummary {
    pub number: String,
    /// What it buys: renewals, or a co-term (an end date aligned with another subscription's).
    pub kind: QuoteKind,
    pub origin: QuoteOrigin,
    /// The partner who made it (partner quotes).
    pub partner_name: Option<String>,
    pub csn: String,
    pub created_on: NaiveDate,
    /// The last day it can be accepted.
    pub expires_on: NaiveDate,
    /// Including discounts and tax.
    pub total: Money,
    pub status: QuoteStatus,
    /// Active, but a subscription it renews has renewed since: it can no longer be accepted.
    pub outdated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotesPage {
    pub rows: Vec<QuoteSummary>,
}

/// A quote's page: its lines, promotions, tax and total, the customer as printed on it and
/// who received it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteDetail {
    pub summary: QuoteSummary,
    pub partner_csn: Option<String>,
    pub customer_name: String,
    pub customer_address: String,
    pub lines: Vec<QuoteLineView>,
    /// Before discounts.
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    pub tax: Money,
    pub recipients: Vec<String>,
    /// The order it was bought with, once accepted.
    pub order_number: Option<String>,
    /// Whether it can be accepted and bought now, and how; or why not.
    pub acceptance: QuoteAcceptance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QuoteAcceptance {
    Open(QuoteCheckout),
    Refused(AcceptRefusal),
}

/// How an active quote can be paid (R-PAY-2, R-PAY-3) and what is charged now (R-PAY-8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteCheckout {
    pub methods: Vec<MethodChoice>,
    pub default_method: PaymentMethodId,
    pub checkout_key: String,
    pub due_now: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteLineView {
    pub subscription_id: Option<SubscriptionId>,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub unit_price: Money,
    pub discount: Money,
    pub net: Money,
    /// The promotion applied automatically (R-QUOTE-5).
    pub promotion: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_last_day: Option<NaiveDate>,
}

/// A renewal quote about to be sent (R-QUOTE-2, R-BULK-4): its lines priced at today's price
/// list and promotions (R-QUOTE-5), the customer as it will be printed (R-QUOTE-8), who can
/// receive it (R-QUOTE-1), and the human check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteDraft {
    pub csn: String,
    pub company_name: String,
    pub currency: Currency,
    /// The term every line renews for (one order, one term: R-SUB-6).
    pub term: Term,
    /// The terms it can be changed to: those every line's product is sold with.
    pub terms: Vec<Term>,
    /// A co-term quote: its one line extends to end with this subscription (R-QUOTE-2).
    pub align: Option<CotermView>,
    pub lines: Vec<QuoteDraftLine>,
    /// Selected subscriptions that cannot be quoted now, and why.
    pub left_out: Vec<RenewRefused>,
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    pub tax_percent: String,
    pub tax_exempt: bool,
    pub tax: Money,
    pub total: Money,
    /// The last day it can be accepted.
    pub last_day: NaiveDate,
    pub customer_name: String,
    pub customer_address: String,
    /// The organisation's members: (name, address).
    pub members: Vec<(String, String)>,
    /// How many other addresses it may go to (R-QUOTE-1).
    pub max_extra: usize,
    /// Subscriptions whose seats or term the quote changes and whose auto-renew is on: it must
    /// be turned off until the quote is completed (R-REN-4), with the buyer's consent.
    pub auto_renew_off: Vec<SubscriptionId>,
    /// What the review shows, for the send form (R-PRICE-5).
    pub fingerprint: String,
    /// The lines' subscriptions as the form sends them back.
    pub ids: String,
    /// The lines' seats as the form sends them back ("id:seats,...").
    pub seats: String,
    pub check: HumanCheckView,
}

/// What a co-term quote aligns with: the subscription, and the new renewal date it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CotermView {
    pub target: SubscriptionId,
    pub target_product: String,
    pub new_renewal: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteDraftLine {
    pub id: SubscriptionId,
    pub product_name: String,
    /// What it has now; the quote may keep or reduce it (R-QUOTE-4).
    pub seats_now: i64,
    pub seats: i64,
    pub term: Term,
    pub status: Status,
    pub auto_renew: bool,
    pub period_start: NaiveDate,
    pub period_last_day: NaiveDate,
    pub unit_price: Money,
    pub discount: Money,
    pub promotion: Option<String>,
    pub net: Money,
}

/// The human check of a form: the question's terms and the key its answer is kept under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HumanCheckView {
    pub nonce: String,
    pub a: u8,
    pub b: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_move_survives_the_page_address() {
        let m =
            ClockMove { renewed: 3, invoiced: 1, failed: 0, instalments: 2, settled: 4, transitions: 7, reminders: 12 };
        assert_eq!(m.to_param(), "3.1.0.2.4.7.12");
        assert_eq!(ClockMove::from_param(&m.to_param()), Some(m));
        assert_eq!(ClockMove::from_param("1.2"), None);
        assert_eq!(ClockMove::from_param("a.b.c.d.e.f.g"), None);
    }
}

/// The organisation's approval threshold and who set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdView {
    pub amount: Money,
    pub set_by: String,
    pub set_on: NaiveDate,
}

/// One order held for approval, as the Approvals list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalSummary {
    pub number: String,
    pub kind: crate::domain::approval::ApprovalKind,
    pub status: crate::domain::approval::ApprovalStatus,
    pub requested_by: String,
    pub requested_on: NaiveDate,
    pub csn: String,
    /// Tax included.
    pub total: Money,
    /// The order placed once it was approved (none if its charge was declined).
    pub order_number: Option<String>,
}

/// The Approvals page: the threshold, and the requests (pending first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsPage {
    pub threshold: Option<ThresholdView>,
    /// How many buyers the organisation has: a threshold needs two.
    pub buyers: usize,
    pub requests: Vec<ApprovalSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalLineView {
    pub subscription_id: SubscriptionId,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: NaiveDate,
    pub period_last_day: NaiveDate,
    pub amount: Money,
}

/// One order held for approval, and what the viewer may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDetail {
    pub summary: ApprovalSummary,
    pub company_name: String,
    pub quote_number: Option<String>,
    pub lines: Vec<ApprovalLineView>,
    pub subtotal: Money,
    pub tax: Money,
    /// The threshold as it stood when it was asked.
    pub threshold: Money,
    pub payment_method: PaymentMethodView,
    pub po_number: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub note: String,
    /// Another buyer may approve or reject it now.
    pub can_decide: bool,
    /// The buyer who asked may withdraw it now.
    pub can_withdraw: bool,
}

/// Filters and page of the Invoices and credit memos list, as text from the URL; the server
/// parses them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceQuery {
    /// `unpaid` (default), `paid`, `voided` or `all`.
    pub status: Option<String>,
    pub csn: Option<String>,
    /// Issued on or after / on or before these days (YYYY-MM-DD).
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
}

/// One invoice in the list (R-INV-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub number: String,
    /// The customer number billed: the payer number the invoice is addressed to.
    pub csn: String,
    pub order_number: Option<String>,
    pub issued_on: NaiveDate,
    /// Payable through this day (Net 30, R-REN-5).
    pub due_on: NaiveDate,
    pub total: Money,
    /// What is still owed.
    pub open_amount: Money,
    pub status: crate::domain::invoice::InvoiceStatus,
    /// Open past its due date.
    pub overdue: bool,
    pub po_number: String,
}

/// What is owed on one customer number in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceView {
    pub csn: String,
    pub owed: Money,
    pub overdue: Money,
    pub invoices: i64,
    /// What the customer number's credit memos have left in this currency (R-INV-1).
    pub credit: Money,
}

/// A credit memo as the list shows it (R-INV-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditMemoView {
    pub number: String,
    pub csn: String,
    pub issued_on: NaiveDate,
    pub amount: Money,
    /// What it has left to pay invoices with.
    pub remaining: Money,
    /// The order whose refund made it, and the subscription refunded (R-PAY-9).
    pub order_number: Option<String>,
    pub subscription_id: Option<SubscriptionId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicesPage {
    pub rows: Vec<InvoiceSummary>,
    pub filter: crate::domain::invoice::InvoiceFilter,
    pub csn: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The customer numbers there are invoices for (the filter's choices).
    pub csns: Vec<String>,
    pub balances: Vec<BalanceView>,
    /// The newest credit memos the user sees.
    pub credit_memos: Vec<CreditMemoView>,
    pub page: i64,
    pub pages: i64,
    pub total_rows: i64,
    /// Only the invoices naming the user as a payer are listed (a payer who is not a buyer).
    pub payer_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLineView {
    pub subscription_id: Option<SubscriptionId>,
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub period_start: NaiveDate,
    pub period_last_day: NaiveDate,
    /// Before tax.
    pub amount: Money,
}

/// Where a payment of invoices stands (R-PAY-7: some show as pending for a while).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoicePaymentState {
    Pending,
    Succeeded,
    Failed,
}

/// A payment of invoices: how much, by what, for which invoices, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicePaymentView {
    pub id: crate::domain::ids::PaymentId,
    pub state: InvoicePaymentState,
    pub method: PaymentMethodView,
    pub amount: Money,
    pub made_on: NaiveDate,
    pub settled_on: Option<NaiveDate>,
    pub failure: Option<crate::domain::payment::DeclineReason>,
    /// Invoice number and what this payment pays on it.
    pub invoices: Vec<(String, Money)>,
}

/// One invoice's page (R-INV-1): lines, PO number, notes, tax, total, due date, payments,
/// status, payer number and payers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub summary: InvoiceSummary,
    pub lines: Vec<InvoiceLineView>,
    pub subtotal: Money,
    pub tax: Money,
    pub paid: Money,
    pub notes: String,
    pub payers: Vec<String>,
    pub payments: Vec<InvoicePaymentView>,
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    /// Whether this user may pay it now (open, and they pay invoices).
    pub payable: bool,
    /// Whether this user may add and remove its payers (buyers; not once it is voided).
    pub can_manage_payers: bool,
    /// The PO number and notes a reissue would print (R-EXT-4): its subscription's invoice
    /// details as they are now; `None` when this user cannot reissue it (buyers reissue open
    /// invoices with nothing paid on them).
    pub reissue: Option<ReissueForm>,
}

/// What reissuing an invoice starts from (R-EXT-4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReissueForm {
    pub po_number: String,
    pub notes: String,
    /// The subscription whose invoice details these are (edited on its page), if one.
    pub subscription_id: Option<SubscriptionId>,
}

/// A way to pay invoices: a method on file (`value` its id) or a bank transfer
/// (`value` "bank_transfer"); refused ones say why (R-PAY-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayChoice {
    pub value: String,
    pub method: PaymentMethodView,
    pub refused: Option<PaymentRefusal>,
}

/// The review before paying invoices together (R-INV-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicePayReview {
    pub invoices: Vec<InvoiceSummary>,
    /// Their numbers as the pay form sends them (comma-separated), oldest due first.
    pub numbers: String,
    /// Their open amounts together.
    pub amount: Money,
    /// The credit the customer number's memos have left in this currency, if any.
    pub credit: Option<Money>,
    pub choices: Vec<PayChoice>,
    /// The form's one-time key: a double submit pays once.
    pub pay_key: String,
}
