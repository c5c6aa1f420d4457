//! Browsing subscriptions: the list and one subscription's page.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::api::dto::*;
use crate::api::error::AppError;
use crate::domain::authz::{Action, Actor, allowed, authorize};
use crate::domain::auto_renew::{self, AutoRenewFacts};
use crate::domain::payment::PaymentKind;
use crate::domain::renewal::judge_renewal;
use crate::domain::status::{Status, lifecycle_start, next_transitions};
use crate::domain::term::Term;
use crate::domain::time::{format_date, format_instant, local_date, parse_tz};
use crate::server::context::internal;
use crate::server::store::rows::{SortKey, SubscriptionFilter, SubscriptionRow};
use crate::server::store::{Store, StoreError};

pub const DEFAULT_PER_PAGE: i64 = 25;
pub const PER_PAGE_CHOICES: [i64; 4] = [25, 50, 100, 200];

/// A subscription row parsed into domain types; a row that does not parse is a corrupt store.
pub struct Parsed {
    pub row: SubscriptionRow,
    pub term: Term,
    pub status: Status,
    pub tz: Tz,
    pub term_end: DateTime<Utc>,
    pub payment: Option<PaymentKind>,
}

impl Parsed {
    pub fn new(row: SubscriptionRow) -> Result<Parsed, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("subscription {}: {what}", row.id));
        let term = Term::parse(&row.term).ok_or_else(|| bad("term"))?;
        let status = Status::parse(&row.status).ok_or_else(|| bad("status"))?;
        let tz = parse_tz(&row.time_zone).ok_or_else(|| bad("time zone"))?;
        let term_end = DateTime::from_timestamp(row.term_end_at, 0).ok_or_else(|| bad("term end"))?;
        let payment = match &row.payment_kind {
            Some(k) => Some(PaymentKind::parse(k).ok_or_else(|| bad("payment kind"))?),
            None => None,
        };
        Ok(Parsed { row, term, status, tz, term_end, payment })
    }

    pub fn facts(&self) -> AutoRenewFacts {
        AutoRenewFacts {
            status: self.status,
            term: self.term,
            term_end: self.term_end,
            time_zone: self.tz,
            auto_renew: self.row.auto_renew,
            payment: self.payment,
        }
    }

    /// "Renews on 10 Jun 2025" / "Expires on 9 Jun 2025" with auto-renew set to `on`.
    pub fn date_phrase(&self, on: bool) -> String {
        format!(
            "{} {}",
            auto_renew::shown_date_label(on),
            format_date(auto_renew::shown_date(self.term_end, self.tz, on))
        )
    }

    pub fn summary(&self, show_billing: bool) -> SubscriptionSummary {
        let on = self.row.auto_renew;
        SubscriptionSummary {
            id: self.row.id,
            product_name: self.row.product_name.clone(),
            contract_number: self.row.contract_number.clone(),
            csn: self.row.csn.clone(),
            seats: self.row.seats,
            term_label: self.term.label().into(),
            status: self.status,
            auto_renew: on,
            date_label: auto_renew::shown_date_label(on).into(),
            date: format_date(auto_renew::shown_date(self.term_end, self.tz, on)),
            currency: self.row.currency.clone(),
            payment_method: if show_billing { self.row.payment_label.clone() } else { None },
        }
    }
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Parses the list's URL parameters into a store filter; unknown values are the user's mistake.
pub fn parse_query(org_id: i64, q: &SubscriptionQuery) -> Result<SubscriptionFilter, AppError> {
    let status = match non_empty(&q.status) {
        Some(s) => Some(
            Status::parse(&s)
                .ok_or_else(|| AppError::validation("status", "Choose a listed status."))?
                .code()
                .to_string(),
        ),
        None => None,
    };
    let term = match non_empty(&q.term) {
        Some(s) => Some(
            Term::parse(&s).ok_or_else(|| AppError::validation("term", "Choose a listed term."))?.code().to_string(),
        ),
        None => None,
    };
    let auto_renew = match non_empty(&q.auto_renew).as_deref() {
        None => None,
        Some("on") => Some(true),
        Some("off") => Some(false),
        Some(_) => return Err(AppError::validation("auto_renew", "Auto-renew is on or off.")),
    };
    let sort = match non_empty(&q.sort).as_deref() {
        None => SortKey::Relevance,
        Some("date") => SortKey::Date,
        Some("product") => SortKey::Product,
        Some("id") => SortKey::Id,
        Some("csn") => SortKey::Csn,
        Some("seats") => SortKey::Seats,
        Some("status") => SortKey::Status,
        Some(_) => return Err(AppError::validation("sort", "Choose a listed sort order.")),
    };
    let per_page = q.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !PER_PAGE_CHOICES.contains(&per_page) {
        return Err(AppError::validation("per_page", "Show 25, 50, 100 or 200 rows per page."));
    }
    let page = q.page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::validation("page", "Pages start at 1."));
    }
    let search = non_empty(&q.q);
    if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::validation("q", "Search for at most 100 characters."));
    }
    Ok(SubscriptionFilter {
        org_id,
        status,
        csn: non_empty(&q.csn),
        currency: non_empty(&q.currency).map(|c| c.to_uppercase()),
        term,
        auto_renew,
        search,
        sort,
        descending: q.dir.as_deref() == Some("desc"),
        limit: per_page,
        offset: (page - 1) * per_page,
    })
}

pub async fn list(store: &Store, actor: &Actor, query: &SubscriptionQuery) -> Result<SubscriptionPage, AppError> {
    authorize(actor, Action::ViewSubscriptions, actor.org_id)?;
    let filter = parse_query(actor.org_id, query)?;
    let show_billing = allowed(&actor.roles, Action::ViewBillingDetails);
    let mut tx = store.begin_read().await.map_err(internal)?;
    let (rows, total) = tx.list_subscriptions(&filter).await.map_err(internal)?;
    let (csns, currencies) = tx.subscription_facets(actor.org_id).await.map_err(internal)?;
    let rows = rows
        .into_iter()
        .map(|r| Parsed::new(r).map(|p| p.summary(show_billing)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    Ok(SubscriptionPage {
        rows,
        total,
        page: filter.offset / filter.limit + 1,
        per_page: filter.limit,
        csns,
        currencies,
    })
}

/// The states ahead of a subscription and the local date each begins (R-LIFE-1..5).
fn next_states(p: &Parsed, unpaid: Option<DateTime<Utc>>) -> Vec<(String, String)> {
    let Some(start) = lifecycle_start(p.term_end, p.row.auto_renew, unpaid) else { return Vec::new() };
    next_transitions(start, p.term, p.tz)
        .into_iter()
        .filter(|(s, _)| *s > p.status)
        .map(|(s, at)| (s.label().to_string(), format_date(local_date(at, p.tz))))
        .collect()
}

pub async fn detail(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<SubscriptionDetail, AppError> {
    let mut tx = store.begin_read().await.map_err(internal)?;
    let row = tx.subscription(id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
    authorize(actor, Action::ViewSubscriptions, row.org_id)?;
    let show_billing = allowed(&actor.roles, Action::ViewBillingDetails);
    let billing = if show_billing {
        let details = tx.invoice_details(id).await.map_err(internal)?;
        Some(BillingDetail {
            payment_method: row.payment_label.clone(),
            po_number: details.as_ref().map(|d| d.po_number.clone()).unwrap_or_default(),
            notes: details.map(|d| d.notes).unwrap_or_default(),
            po_documents: tx.po_documents(id).await.map_err(internal)?.into_iter().map(|d| d.file_name).collect(),
            payers: tx.subscription_payers(id).await.map_err(internal)?,
        })
    } else {
        None
    };
    let p = Parsed::new(row).map_err(internal)?;
    let unpaid = p.row.unpaid_since.and_then(|t| DateTime::from_timestamp(t, 0));
    let instant = |t: i64| DateTime::from_timestamp(t, 0).map(|t| format_instant(t, p.tz)).unwrap_or_default();
    let on = p.row.auto_renew;
    let shown_instant = if on { p.term_end } else { crate::domain::time::expiry_instant(p.term_end) };
    let facts = p.facts();
    let blocked = auto_renew::judge(&facts, !on, now).err().map(|e| e.message());
    Ok(SubscriptionDetail {
        summary: p.summary(show_billing),
        company_name: p.row.company_name.clone(),
        time_zone: p.row.time_zone.clone(),
        started_on: DateTime::from_timestamp(p.row.started_at, 0)
            .map(|t| format_date(local_date(t, p.tz)))
            .unwrap_or_default(),
        term_start: instant(p.row.term_start_at),
        date_instant: format_instant(shown_instant, p.tz),
        seats_at_renewal: p.row.seats_at_renewal,
        term_at_renewal: p.row.term_at_renewal.as_deref().and_then(Term::parse).map(|t| t.label().to_string()),
        partner_csn: p.row.partner_csn.clone(),
        reseller: p.row.reseller_name.clone().map(|n| match &p.row.reseller_email {
            Some(e) => format!("{n} ({e})"),
            None => n,
        }),
        product_access: p.status.product_access(),
        billing,
        auto_renew_change: match blocked {
            _ if !allowed(&actor.roles, Action::ChangeAutoRenew) => ChangeAvailability::NotAllowed,
            Some(why) => ChangeAvailability::Blocked(why),
            None => ChangeAvailability::Available,
        },
        auto_renew_last_day: format_date(auto_renew::last_change_day(&facts)),
        allowances: p
            .status
            .allows()
            .rows()
            .iter()
            .map(|(what, level)| (what.to_string(), level.label().to_string()))
            .collect(),
        next_states: next_states(&p, unpaid),
        renewal_window: match judge_renewal(p.status, p.term_end, p.tz, now) {
            Ok(w) => format!("Renewal is possible from {} to {}.", format_date(w.opens), format_date(w.closes)),
            Err(e) => e.to_string(),
        },
        payment_due: unpaid.map(|u| {
            let day = format_date(local_date(u, p.tz));
            if u > now {
                format!("A renewal invoice is open; pay it by the day before {day} to keep the subscription active.")
            } else {
                format!("A renewal payment is late since {day}; pay it to reactivate the subscription.")
            }
        }),
    })
}
