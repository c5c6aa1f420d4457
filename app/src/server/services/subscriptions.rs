//! Browsing subscriptions: the list and one subscription's page.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::contract::dto::*;
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, allowed, authorize};
use crate::domain::auto_renew::{self, AutoRenewFacts};
use crate::domain::eligibility::method_allowed;
use crate::domain::ids::{OrgId, SubscriptionId};
use crate::domain::money::{Currency, UsdRates};
use crate::domain::next_term::can_change_next_term;
use crate::domain::renewal::judge_renewal;
use crate::domain::status::{Status, lifecycle_start, next_transitions, status_at};
use crate::domain::term::Term;
use crate::domain::time::{expiry_instant, local_date};
use crate::server::services::engine::pricing::{Book, renewal_totals};
use crate::server::services::next_term;
use crate::server::store::Store;
use crate::server::store::records::{SortKey, Subscription, SubscriptionFilter};

/// The longest search text, in characters.
const MAX_SEARCH: usize = 100;

pub use crate::domain::selection::{DEFAULT_PER_PAGE, PER_PAGE_CHOICES};

/// What the domain's rules read from a subscription.
impl Subscription {
    /// The payment method on file, as pages show it.
    fn payment_method(&self) -> Option<PaymentMethodView> {
        let kind = self.payment_kind?;
        Some(PaymentMethodView { kind, detail: self.payment_label.clone().unwrap_or_default() })
    }

    pub fn facts(&self) -> AutoRenewFacts {
        AutoRenewFacts {
            status: self.status,
            term: self.term,
            term_end: self.term_end,
            time_zone: self.time_zone,
            auto_renew: self.auto_renew,
            payment: self.payment_kind,
        }
    }

    /// The date it shows as it is, and the exact instant behind it (R-SUB-2). With auto-renew
    /// on, the renewal date; off, the expiry date. But a renewal that went unpaid (a declined
    /// card, an overdue invoice) and put the subscription on its lifecycle shows the day its last
    /// paid term expired: the term it is in was never paid for, and "Renews on" a day next year
    /// would say the opposite of its Expired or Suspended state.
    pub fn shown_now(&self) -> (ShownDate, DateTime<Utc>) {
        match self.unpaid_since {
            Some(since) if self.status != Status::Active => {
                let at = expiry_instant(since);
                (ShownDate { auto_renew: false, date: local_date(at, self.time_zone) }, at)
            }
            _ => {
                let at = if self.auto_renew { self.term_end } else { expiry_instant(self.term_end) };
                (self.shown(self.auto_renew), at)
            }
        }
    }

    /// The date it shows with auto-renew set to `on` (R-SUB-2).
    pub fn shown(&self, on: bool) -> ShownDate {
        ShownDate { auto_renew: on, date: auto_renew::shown_date(self.term_end, self.time_zone, on) }
    }

    /// The local renewal date: the first day after the term.
    pub fn renewal_day(&self) -> NaiveDate {
        local_date(self.term_end, self.time_zone)
    }

    /// The state it has at `now` with the facts as they are (R-LIFE-1..5).
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        status_at(self.term_end, self.auto_renew, self.unpaid_since, self.term, self.time_zone, now)
    }

    pub fn summary(&self, show_billing: bool) -> SubscriptionSummary {
        SubscriptionSummary {
            id: self.id,
            product_name: self.product_name.clone(),
            contract_number: self.contract_number.clone(),
            csn: self.csn.clone(),
            seats: self.seats,
            term: self.term,
            status: self.status,
            auto_renew: self.auto_renew,
            shown: self.shown_now().0,
            currency: self.currency,
            payment_method: if show_billing { self.payment_method() } else { None },
        }
    }
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub fn parse_query(org_id: OrgId, q: &SubscriptionQuery) -> Result<SubscriptionFilter, AppError> {
    let status = match non_empty(&q.status) {
        Some(s) => Some(Status::parse(&s).ok_or_else(|| AppError::validation("status", Problem::NotListed))?),
        None => None,
    };
    let term = match non_empty(&q.term) {
        Some(s) => Some(Term::parse(&s).ok_or_else(|| AppError::validation("term", Problem::NotListed))?),
        None => None,
    };
    let currency = match non_empty(&q.currency) {
        Some(c) => Some(
            Currency::parse(&c.to_uppercase()).ok_or_else(|| AppError::validation("currency", Problem::NotListed))?,
        ),
        None => None,
    };
    let auto_renew = match non_empty(&q.auto_renew).as_deref() {
        None => None,
        Some("on") => Some(true),
        Some("off") => Some(false),
        Some(_) => return Err(AppError::validation("auto_renew", Problem::NotListed)),
    };
    let sort = match non_empty(&q.sort).as_deref() {
        None => SortKey::Relevance,
        Some("date") => SortKey::Date,
        Some("product") => SortKey::Product,
        Some("id") => SortKey::Id,
        Some("csn") => SortKey::Csn,
        Some("seats") => SortKey::Seats,
        Some("status") => SortKey::Status,
        Some(_) => return Err(AppError::validation("sort", Problem::NotListed)),
    };
    let per_page = q.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !PER_PAGE_CHOICES.contains(&per_page) {
        return Err(AppError::validation("per_page", Problem::PerPage));
    }
    let page = q.page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::validation("page", Problem::PageFromOne));
    }
    let search = non_empty(&q.q);
    if search.as_ref().is_some_and(|s| s.chars().count() > MAX_SEARCH) {
        return Err(AppError::validation("q", Problem::SearchTooLong { max: MAX_SEARCH }));
    }
    Ok(SubscriptionFilter {
        org_id,
        status,
        csn: non_empty(&q.csn),
        currency,
        term,
        auto_renew,
        search,
        sort,
        descending: q.dir.as_deref() == Some("desc"),
        limit: per_page,
        offset: (page - 1) * per_page,
    })
}

#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn list(store: &Store, actor: &Actor, query: &SubscriptionQuery) -> Result<SubscriptionPage, AppError> {
    authorize(actor, Action::ViewSubscriptions, actor.org_id)?;
    let filter = parse_query(actor.org_id, query)?;
    let show_billing = allowed(&actor.roles, Action::ViewBillingDetails);
    let mut tx = store.begin_read().await?;
    let (rows, total) = tx.list_subscriptions(&filter).await?;
    let (csns, currencies) = tx.subscription_facets(actor.org_id).await?;
    Ok(SubscriptionPage {
        rows: rows.iter().map(|s| s.summary(show_billing)).collect(),
        total,
        page: filter.offset / filter.limit + 1,
        per_page: filter.limit,
        csns,
        currencies,
    })
}

/// An instant as the clocks of `tz` read it.
fn on_the_clock(at: DateTime<Utc>, tz: Tz) -> LocalInstant {
    let local = at.with_timezone(&tz);
    LocalInstant {
        date: local.date_naive(),
        time: local.format("%H:%M:%S").to_string(),
        zone: local.format("%Z").to_string(),
    }
}

/// The states ahead of a subscription and the local date each begins (R-LIFE-1..5).
fn next_states(s: &Subscription) -> Vec<(Status, NaiveDate)> {
    let Some(start) = lifecycle_start(s.term_end, s.auto_renew, s.unpaid_since) else { return Vec::new() };
    next_transitions(start, s.term, s.time_zone)
        .into_iter()
        .filter(|(state, _)| *state > s.status)
        .map(|(state, at)| (state, local_date(at, s.time_zone)))
        .collect()
}

#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %id))]
pub async fn detail(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<SubscriptionDetail, AppError> {
    let mut tx = store.begin_read().await?;
    let s = tx.subscription(id).await?.ok_or(AppError::NotFound)?;
    authorize(actor, Action::ViewSubscriptions, s.org_id)?;
    let show_billing = allowed(&actor.roles, Action::ViewBillingDetails);
    let next_term = if allowed(&actor.roles, Action::ChangeSubscription) {
        let prices = tx.price_list().await?;
        let max_seats = u32::try_from(s.seats).unwrap_or(0);
        Some(NextTermForm {
            seats: s.seats_at_renewal.and_then(|n| u32::try_from(n).ok()).unwrap_or(max_seats),
            max_seats,
            term: s.term_at_renewal.unwrap_or(s.term),
            terms: next_term::sold_terms(&prices, &s, now),
            pending: s.seats_at_renewal.is_some() || s.term_at_renewal.is_some(),
            blocked: can_change_next_term(&next_term::facts(&s), now).err(),
        })
    } else {
        None
    };
    let align_targets = if next_term.is_some() && s.status == Status::Active {
        super::checkout::align_targets(&mut tx, &s, now).await?
    } else {
        Vec::new()
    };
    let billing = if show_billing {
        let details = tx.invoice_details(id).await?.unwrap_or_default();
        let book = Book::load(&mut tx, rates).await?;
        // Shown whatever pays it; a method that cannot pay it (R-PAY-2) is said beside it.
        let renewal_price = match renewal_totals(&book, &s) {
            Ok((line, totals)) => Some(RenewalPrice {
                seats: line.seats,
                term: line.term,
                subtotal: totals.subtotal,
                tax: totals.tax,
                total: totals.total,
                method_refused: s.payment_kind.and_then(|k| method_allowed(k, totals.subtotal, &book.rates).err()),
            }),
            Err(problem) => {
                tracing::debug!(%problem, "no renewal price to show");
                None
            }
        };
        Some(BillingDetail {
            payment_method: s.payment_method(),
            renewal_price,
            po_number: details.po_number,
            notes: details.notes,
            po_documents: tx
                .po_documents(id)
                .await?
                .into_iter()
                .map(|d| super::invoice_details::document_view(d, s.time_zone))
                .collect(),
            payers: tx.subscription_payers(id).await?.into_iter().map(|p| p.address).collect(),
        })
    } else {
        None
    };
    let on = s.auto_renew;
    let facts = s.facts();
    let blocked = auto_renew::judge(&facts, !on, now).err();
    Ok(SubscriptionDetail {
        summary: s.summary(show_billing),
        company_name: s.company_name.clone(),
        time_zone: s.time_zone.name().to_string(),
        started_on: local_date(s.started_at, s.time_zone),
        term_start: on_the_clock(s.term_start, s.time_zone),
        date_instant: on_the_clock(s.shown_now().1, s.time_zone),
        seats_at_renewal: s.seats_at_renewal,
        term_at_renewal: s.term_at_renewal,
        partner_csn: s.partner_csn.clone(),
        reseller_name: s.reseller_name.clone(),
        reseller_email: s.reseller_email.clone(),
        billing,
        auto_renew_change: match blocked {
            _ if !allowed(&actor.roles, Action::ChangeAutoRenew) => ChangeAvailability::NotAllowed,
            Some(why) => ChangeAvailability::Blocked(why),
            None => ChangeAvailability::Available,
        },
        auto_renew_last_day: auto_renew::last_change_day(&facts),
        allowances: s.status.allows(),
        next_states: next_states(&s),
        renewal_window: judge_renewal(s.status, s.term_end, s.term, s.time_zone, now),
        payment_due: s.unpaid_since.map(|u| PaymentDue { from: local_date(u, s.time_zone), late: u <= now }),
        next_term,
        align_targets,
    })
}
