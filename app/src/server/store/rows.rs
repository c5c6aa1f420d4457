//! Rows as the store returns them: plain columns, decoded identically from both backends.
//! Services turn them into domain types.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserAuthRow {
    pub id: i64,
    pub password_hash: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub org_id: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub org_id: i64,
    pub product_name: String,
    pub contract_number: String,
    pub csn: String,
    pub company_name: String,
    pub seats: i64,
    pub seats_at_renewal: Option<i64>,
    pub term: String,
    pub term_at_renewal: Option<String>,
    pub status: String,
    pub auto_renew: bool,
    pub started_at: i64,
    pub term_start_at: i64,
    pub term_end_at: i64,
    pub time_zone: String,
    pub currency: String,
    pub partner_csn: Option<String>,
    pub reseller_name: Option<String>,
    pub reseller_email: Option<String>,
    pub payment_kind: Option<String>,
    pub payment_label: Option<String>,
    pub unpaid_since: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceDetailsRow {
    pub po_number: String,
    pub notes: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub file_name: String,
}

/// Lifecycle order of the status codes (Active, Expired, Suspended, Canceled), for sorting.
macro_rules! status_rank {
    () => {
        "CASE s.status WHEN 'active' THEN 0 WHEN 'expired' THEN 1 WHEN 'suspended' THEN 2 ELSE 3 END"
    };
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

impl SortKey {
    pub(super) fn column(self) -> &'static str {
        match self {
            SortKey::Relevance => concat!(status_rank!(), ", s.term_end_at"),
            SortKey::Date => "s.term_end_at",
            SortKey::Product => "p.name",
            SortKey::Id => "s.id",
            SortKey::Csn => "ca.csn",
            SortKey::Seats => "s.seats",
            SortKey::Status => status_rank!(),
        }
    }
}

/// Filters of the Subscriptions and contracts list; `None` means "any".
#[derive(Debug, Clone)]
pub struct SubscriptionFilter {
    pub org_id: i64,
    pub status: Option<String>,
    pub csn: Option<String>,
    pub currency: Option<String>,
    pub term: Option<String>,
    pub auto_renew: Option<bool>,
    /// Matched case-insensitively against product name, subscription id, contract number and CSN.
    pub search: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One audit-log entry to write.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub org_id: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: i64,
    pub detail: String,
    pub at: i64,
}

/// One mail to queue in the outbox.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub org_id: Option<i64>,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A queued mail as the delivery worker reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
}

/// A subscription with everything the engine's jobs need to price, charge and remind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EngineRow {
    pub id: i64,
    pub org_id: i64,
    pub customer_account_id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub seats: i64,
    pub seats_at_renewal: Option<i64>,
    pub term: String,
    pub term_at_renewal: Option<String>,
    pub currency: String,
    pub status: String,
    pub auto_renew: bool,
    pub term_start_at: i64,
    pub term_end_at: i64,
    pub time_zone: String,
    pub unpaid_since: Option<i64>,
    pub payment_method_id: Option<i64>,
    pub payment_kind: Option<String>,
    pub gateway_token: Option<String>,
    pub country: String,
    pub region: String,
    pub tax_exempt: bool,
}

/// A payment to ask the gateway for (status `pending`).
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub org_id: i64,
    pub order_id: i64,
    pub subscription_id: i64,
    pub payment_method_id: Option<i64>,
    pub currency: String,
    pub amount_minor: i64,
    pub idempotency_key: String,
    /// The instant it is owed from: the renewal instant, or an instalment's due date.
    pub due_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PriceRow {
    pub product_id: i64,
    pub term: String,
    pub currency: String,
    pub amount_minor: i64,
    pub valid_from: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PromotionRow {
    pub code: String,
    pub name: String,
    pub product_id: Option<i64>,
    pub term: Option<String>,
    pub purchase: String,
    pub percent_off: String,
    pub first_day: String,
    pub last_day: String,
}

/// A payment whose outcome is not final yet, with what is needed to ask the gateway.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenPaymentRow {
    pub id: i64,
    pub org_id: i64,
    pub subscription_id: Option<i64>,
    pub order_id: Option<i64>,
    pub currency: String,
    pub amount_minor: i64,
    pub status: String,
    pub idempotency_key: String,
    pub due_at: i64,
    pub payment_kind: String,
    pub gateway_token: String,
}

/// The simulated gateway's record of one charge.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GatewayChargeRow {
    pub idempotency_key: String,
    pub outcome: String,
    pub reference: String,
    pub settles_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduledChargeRow {
    pub id: i64,
    pub org_id: i64,
    pub subscription_id: i64,
    pub order_id: i64,
    pub due_on: String,
    pub currency: String,
    pub amount_minor: i64,
    pub tax_minor: i64,
    pub payment_method_id: Option<i64>,
    pub payment_kind: Option<String>,
}
