//! Approval on the customer side (issue 12, beyond the product we mirror). An organisation
//! sets one approval threshold; every checkout (a cart's renewal order, seats added now, a
//! co-term extension, a quote's acceptance) passes the gate in `checkout::write_and_charge`,
//! and one whose total is above the threshold is not placed: it is held here as a request,
//! and the other buyers are mailed. Another buyer approves it (the held form is placed then,
//! for the buyer who asked, with its own checkout key: once, whatever the double clicks) or
//! rejects it; the buyer who asked may withdraw it. Every step is audited and mailed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::checkout::{
    AddSeatsForm, ExtensionForm, OrderForm, Placed, QuoteForm, place_add_seats_as, place_extension_as, place_order_as,
    place_quote_as,
};
use crate::contract::dto::{
    ApprovalDetail, ApprovalLineView, ApprovalSummary, ApprovalsPage, PaymentMethodView, ThresholdView,
};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::approval::{
    ApprovalKind, ApprovalStatus, Decision, DecisionRefusal, MAX_NOTE, judge_decision, parse_threshold,
};
use crate::domain::authz::{Action, Actor, Role, allowed, authorize};
use crate::domain::checkout::OrderPrice;
use crate::domain::ids::{ApprovalId, IdempotencyKey, PaymentMethodId, QuoteId, SubscriptionId, UserId};
use crate::domain::mail_routing::{Contacts, MailKind, Recipient, recipients};
use crate::domain::money::{Currency, Money, UsdRates};
use crate::domain::selection::BulkSelection;
use crate::domain::time::{expiry_instant, local_date};
use crate::server::gateway::PaymentGateway;
use crate::server::mail::{self, ItemLine, Outcome};
use crate::server::store::records::*;
use crate::server::store::{Store, StoreResult, Tx};

/// The most requests the Approvals page lists.
pub const LISTED: i64 = 200;

/// A checkout form held for approval, kept as JSON and placed again, as it was, once
/// approved. Its checkout key is kept beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum HeldForm {
    Renewal {
        ids: Vec<SubscriptionId>,
        fingerprint: String,
        payment_method: PaymentMethodId,
        po_number: String,
    },
    AddSeats {
        id: SubscriptionId,
        seats: i64,
        fingerprint: String,
        payment_method: PaymentMethodId,
        po_number: String,
    },
    Extension {
        id: SubscriptionId,
        target: SubscriptionId,
        fingerprint: String,
        payment_method: PaymentMethodId,
        po_number: String,
    },
    Quote {
        number: String,
        payment_method: PaymentMethodId,
        po_number: String,
    },
}

impl HeldForm {
    pub(crate) fn of_order(f: &OrderForm) -> HeldForm {
        HeldForm::Renewal {
            ids: f.selection.ids().to_vec(),
            fingerprint: f.fingerprint.clone(),
            payment_method: f.payment_method,
            po_number: f.po_number.clone(),
        }
    }

    pub(crate) fn of_add_seats(f: &AddSeatsForm) -> HeldForm {
        HeldForm::AddSeats {
            id: f.id,
            seats: f.seats,
            fingerprint: f.fingerprint.clone(),
            payment_method: f.payment_method,
            po_number: f.po_number.clone(),
        }
    }

    pub(crate) fn of_extension(f: &ExtensionForm) -> HeldForm {
        HeldForm::Extension {
            id: f.id,
            target: f.target,
            fingerprint: f.fingerprint.clone(),
            payment_method: f.payment_method,
            po_number: f.po_number.clone(),
        }
    }

    pub(crate) fn of_quote(f: &QuoteForm) -> HeldForm {
        HeldForm::Quote { number: f.number.clone(), payment_method: f.payment_method, po_number: f.po_number.clone() }
    }

    fn kind(&self) -> ApprovalKind {
        match self {
            HeldForm::Renewal { .. } => ApprovalKind::Renewal,
            HeldForm::AddSeats { .. } => ApprovalKind::AddSeats,
            HeldForm::Extension { .. } => ApprovalKind::Extension,
            HeldForm::Quote { .. } => ApprovalKind::Quote,
        }
    }
}

/// Another buyer's approval of a request, carried into the checkout that places it.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub request: ApprovalId,
    pub number: String,
    pub by: UserId,
    /// The total that was approved: the order is placed at it or not at all.
    pub total: Money,
}

/// The approval gate a checkout passes.
pub(crate) enum Gate<'a> {
    /// A buyer's own checkout: above the threshold, it is held as `form`.
    Ask { form: HeldForm, rates: &'a UsdRates },
    /// The checkout another buyer approved.
    Approved(Grant),
}

impl<'a> Gate<'a> {
    pub(crate) fn new(grant: Option<Grant>, form: HeldForm, rates: &'a UsdRates) -> Gate<'a> {
        match grant {
            Some(g) => Gate::Approved(g),
            None => Gate::Ask { form, rates },
        }
    }
}

/// A checked order that is above the threshold, as the checkout hands it over.
pub(crate) struct Held<'a> {
    pub key: &'a str,
    pub form: HeldForm,
    pub po_number: &'a str,
    pub method: &'a PaymentMethodRecord,
    pub price: &'a OrderPrice,
    pub quote: Option<QuoteId>,
    pub threshold: Money,
    pub lines: Vec<NewApprovalLine>,
}

/// Holds a checked order for approval in the checkout's transaction `tx` (nothing is ordered,
/// charged or accepted), audits it on each subscription, mails the other buyers and commits.
/// The same checkout key twice (a double click) answers with the first request.
pub(crate) async fn hold(
    store: &Store,
    mut tx: Tx,
    actor: &Actor,
    h: Held<'_>,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    let form = serde_json::to_string(&h.form).map_err(|e| {
        tracing::error!(error = %e, "a checkout form that does not serialise");
        AppError::Internal
    })?;
    let t = h.price.totals;
    let new = NewApproval {
        org_id: actor.org_id,
        kind: h.form.kind(),
        checkout_key: h.key,
        form: &form,
        customer_account_id: h.method.customer_account_id,
        subtotal: t.subtotal,
        tax: t.tax,
        total: t.total,
        threshold: h.threshold,
        payment_method_id: h.method.id,
        po_number: h.po_number,
        quote_id: h.quote,
        requested_by: actor.user_id,
        requested_at: now,
    };
    let (id, number) = match tx.insert_approval(&new).await {
        Ok(x) => x,
        Err(e) if e.is_unique_violation() => {
            drop(tx);
            let mut tx = store.begin_read().await?;
            let a = tx.approval_by_key(actor.org_id, h.key).await?.ok_or(AppError::Internal)?;
            return Ok(Placed::HeldForApproval(a.number));
        }
        Err(e) => return Err(e.into()),
    };
    tx.insert_approval_lines(id, &h.lines).await?;
    let audit: Vec<AuditEntry> = h
        .lines
        .iter()
        .map(|l| AuditEntry {
            org_id: actor.org_id,
            actor: Some(actor.user_id),
            action: AuditAction::ApprovalRequested,
            object: AuditObject::Subscription(l.subscription_id),
            detail: format!("{number}: {} above the approval threshold of {}, held for approval", t.total, h.threshold),
            at: now,
        })
        .collect();
    tx.insert_audit(&audit).await?;
    let (asker, contacts) = approval_contacts(&mut tx, actor.org_id, actor.user_id).await?.ok_or(AppError::Internal)?;
    let items: Vec<ItemLine> = h
        .lines
        .iter()
        .map(|l| ItemLine { product_name: l.product_name.clone(), seats: l.seats, term: l.term, amount: l.amount })
        .collect();
    for to in recipients(MailKind::ApprovalRequested, &contacts) {
        let m = mail::approval_requested(
            actor.org_id,
            &to.address,
            to.lang,
            &number,
            &asker.display_name,
            &items,
            t.total,
            h.threshold,
            base_url,
        );
        tx.queue_mail(&m, now).await?;
    }
    tx.commit().await?;
    tracing::info!(request = %number, total = %t.total, "order held for approval");
    Ok(Placed::HeldForApproval(number))
}

/// Marks the request approved in the transaction that writes its order, audits it and mails
/// the buyer who asked. False if it was decided meanwhile: the caller writes no order.
pub(crate) async fn record_approval(
    tx: &mut Tx,
    asker: &Actor,
    grant: &Grant,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<bool> {
    if !tx.decide_approval(grant.request, ApprovalStatus::Approved, grant.by, "", now).await? {
        return Ok(false);
    }
    decided(
        tx,
        asker.org_id,
        grant.request,
        &grant.number,
        asker.user_id,
        grant.by,
        Outcome::Approved,
        "",
        now,
        base_url,
    )
    .await?;
    Ok(true)
}

/// The audit entries and the mail to the buyer who asked, once a request is decided.
#[allow(clippy::too_many_arguments)]
async fn decided(
    tx: &mut Tx,
    org: crate::domain::ids::OrgId,
    request: ApprovalId,
    number: &str,
    asker: UserId,
    by: UserId,
    outcome: Outcome,
    note: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<()> {
    let (action, what) = match outcome {
        Outcome::Approved => (AuditAction::ApprovalApproved, "approved"),
        Outcome::Rejected => (AuditAction::ApprovalRejected, "rejected"),
        Outcome::Outdated => (AuditAction::ApprovalOutdated, "closed: the order changed since it was asked"),
    };
    let lines = tx.approval_lines(request).await?;
    let audit: Vec<AuditEntry> = lines
        .iter()
        .map(|l| AuditEntry {
            org_id: org,
            actor: Some(by),
            action,
            object: AuditObject::Subscription(l.subscription_id),
            detail: if note.is_empty() { format!("{number} {what}") } else { format!("{number} {what}: {note}") },
            at: now,
        })
        .collect();
    tx.insert_audit(&audit).await?;
    let by_name = tx.user(by).await?.map(|u| u.display_name).unwrap_or_default();
    if let Some(to) = asker_contact(tx, org, asker).await? {
        let m = mail::approval_decided(org, &to.address, to.lang, number, outcome, &by_name, note, base_url);
        tx.queue_mail(&m, now).await?;
    }
    Ok(())
}

/// Who approval mail goes to: the organisation's buyers, and the one who asked (`person`).
async fn approval_contacts(
    tx: &mut Tx,
    org: crate::domain::ids::OrgId,
    asker: UserId,
) -> StoreResult<Option<(User, Contacts)>> {
    let Some(user) = tx.user(asker).await? else { return Ok(None) };
    let contacts = Contacts {
        buyers: tx.recipients_with_role(org, Role::Buyer).await?,
        person: Some(Recipient { address: user.email.clone(), lang: tx.org_language(org).await? }),
        ..Contacts::default()
    };
    Ok(Some((user, contacts)))
}

/// The buyer who asked, in their language, if they are still one of the organisation's buyers.
async fn asker_contact(tx: &mut Tx, org: crate::domain::ids::OrgId, asker: UserId) -> StoreResult<Option<Recipient>> {
    let Some((user, contacts)) = approval_contacts(tx, org, asker).await? else { return Ok(None) };
    let buyer = contacts.buyers.iter().find(|b| b.address.eq_ignore_ascii_case(&user.email)).cloned();
    Ok(buyer.or_else(|| recipients(MailKind::ApprovalDecided, &contacts).pop()))
}

/// Where a request stands now (after a concurrent decision).
pub(crate) async fn status_now(store: &Store, actor: &Actor, number: &str) -> Result<ApprovalStatus, AppError> {
    let mut tx = store.begin_read().await?;
    let a = tx.approval_by_number(actor.org_id, number).await?.ok_or(AppError::NotFound)?;
    Ok(a.status)
}

fn refused(why: DecisionRefusal) -> AppError {
    AppError::Conflict(Problem::ApprovalRefused(why))
}

/// Whether a checkout's refusal means the held order can no longer be placed as it was asked
/// (rather than a passing failure, or a decline after it was approved).
fn outdates(e: &AppError) -> bool {
    match e {
        AppError::Conflict(Problem::ReviewStale | Problem::QuoteRefused(_)) => true,
        AppError::Validation { problem, .. } => !matches!(problem, Problem::PaymentDeclined(_)),
        AppError::NotFound | AppError::Forbidden => true,
        _ => false,
    }
}

/// Closes a request that can no longer be placed, audits it and tells the buyer who asked.
async fn close_outdated(
    store: &Store,
    r: &ApprovalRecord,
    by: &Actor,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    if tx.decide_approval(r.id, ApprovalStatus::Outdated, by.user_id, "", now).await? {
        decided(&mut tx, r.org_id, r.id, &r.number, r.requested_by, by.user_id, Outcome::Outdated, "", now, base_url)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Another buyer approves a request: the held form is placed, for the buyer who asked, at the
/// total that was asked, with its own checkout key, so a double click or a concurrent approval
/// places one order. One that can no longer be placed as it was asked is closed as outdated.
#[tracing::instrument(skip_all, fields(user = %approver.user_id, org = %approver.org_id))]
pub async fn approve(
    store: &Store,
    gateway: &dyn PaymentGateway,
    approver: &Actor,
    number: &str,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    authorize(approver, Action::DecideApproval, approver.org_id)?;
    let (r, roles) = {
        let mut tx = store.begin_read().await?;
        let r = tx.approval_by_number(approver.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
        let roles = tx.roles(r.requested_by, r.org_id).await?;
        (r, roles)
    };
    if r.status == ApprovalStatus::Approved
        && r.requested_by != approver.user_id
        && let Some(order) = &r.order_number
    {
        // A second click of the same approval: the order it placed.
        return Ok(Placed::Order(order.clone()));
    }
    judge_decision(r.status, r.requested_by, approver.user_id, Decision::Approve).map_err(refused)?;
    let asker = Actor { user_id: r.requested_by, org_id: r.org_id, roles };
    if !allowed(&asker.roles, Action::Renew) {
        close_outdated(store, &r, approver, now, base_url).await?;
        return Err(AppError::Conflict(Problem::ApprovalOutdated));
    }
    let form: HeldForm = serde_json::from_str(&r.form).map_err(|e| {
        tracing::error!(request = %r.number, error = %e, "a held form that does not read back");
        AppError::Internal
    })?;
    let key = IdempotencyKey::parse(&r.checkout_key).map_err(|_| AppError::Internal)?;
    let grant = Some(Grant { request: r.id, number: r.number.clone(), by: approver.user_id, total: r.total });
    let placed = match form {
        HeldForm::Renewal { ids, fingerprint, payment_method, po_number } => {
            let selection = BulkSelection::from_ids(ids).map_err(|_| AppError::Internal)?;
            let f = OrderForm { selection, fingerprint, payment_method, po_number, key };
            place_order_as(store, gateway, &asker, &f, rates, now, base_url, grant).await
        }
        HeldForm::AddSeats { id, seats, fingerprint, payment_method, po_number } => {
            let f = AddSeatsForm { id, seats, fingerprint, payment_method, po_number, key };
            place_add_seats_as(store, gateway, &asker, &f, rates, now, base_url, grant).await
        }
        HeldForm::Extension { id, target, fingerprint, payment_method, po_number } => {
            let f = ExtensionForm { id, target, fingerprint, payment_method, po_number, key };
            place_extension_as(store, gateway, &asker, &f, rates, now, base_url, grant).await
        }
        HeldForm::Quote { number, payment_method, po_number } => {
            let f = QuoteForm { number, payment_method, po_number, key };
            place_quote_as(store, gateway, &asker, &f, rates, now, base_url, grant).await
        }
    };
    match placed {
        Err(e) if outdates(&e) => {
            tracing::info!(request = %r.number, error = %e, "a held order that can no longer be placed");
            close_outdated(store, &r, approver, now, base_url).await?;
            Err(AppError::Conflict(Problem::ApprovalOutdated))
        }
        other => other,
    }
}

/// Another buyer rejects a request, with an optional note for the buyer who asked.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn reject(
    store: &Store,
    actor: &Actor,
    number: &str,
    note: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<(), AppError> {
    decide(store, actor, number, Decision::Reject, note, now, base_url).await
}

/// The buyer who asked takes a pending request back.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn withdraw(store: &Store, actor: &Actor, number: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    decide(store, actor, number, Decision::Withdraw, "", now, "").await
}

async fn decide(
    store: &Store,
    actor: &Actor,
    number: &str,
    decision: Decision,
    note: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<(), AppError> {
    authorize(actor, Action::DecideApproval, actor.org_id)?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::validation("note", Problem::TooLong { max: MAX_NOTE }));
    }
    let mut tx = store.begin_write().await?;
    let r = tx.approval_by_number(actor.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
    let status = match decision {
        Decision::Withdraw => ApprovalStatus::Withdrawn,
        _ => ApprovalStatus::Rejected,
    };
    if r.status == status && r.status != ApprovalStatus::Pending {
        // The same decision twice (a double click): done already.
        return Ok(());
    }
    judge_decision(r.status, r.requested_by, actor.user_id, decision).map_err(refused)?;
    if !tx.decide_approval(r.id, status, actor.user_id, note, now).await? {
        return Err(refused(DecisionRefusal::NotPending(ApprovalStatus::Approved)));
    }
    match decision {
        Decision::Withdraw => {
            let lines = tx.approval_lines(r.id).await?;
            let audit: Vec<AuditEntry> = lines
                .iter()
                .map(|l| AuditEntry {
                    org_id: r.org_id,
                    actor: Some(actor.user_id),
                    action: AuditAction::ApprovalWithdrawn,
                    object: AuditObject::Subscription(l.subscription_id),
                    detail: format!("{} withdrawn", r.number),
                    at: now,
                })
                .collect();
            tx.insert_audit(&audit).await?;
        }
        _ => {
            decided(
                &mut tx,
                r.org_id,
                r.id,
                &r.number,
                r.requested_by,
                actor.user_id,
                Outcome::Rejected,
                note,
                now,
                base_url,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the organisation's approval threshold (replacing the one there was), audited.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn set_threshold(
    store: &Store,
    actor: &Actor,
    currency: &str,
    amount: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    authorize(actor, Action::SetApprovalThreshold, actor.org_id)?;
    let currency =
        Currency::parse(currency.trim()).ok_or_else(|| AppError::validation("currency", Problem::NotListed))?;
    let mut tx = store.begin_write().await?;
    let buyers = tx.recipients_with_role(actor.org_id, Role::Buyer).await?.len();
    let amount =
        parse_threshold(amount, currency, buyers).map_err(|e| AppError::validation("amount", Problem::Threshold(e)))?;
    let before = tx.approval_threshold(actor.org_id).await?.map(|t| t.amount);
    if before == Some(amount) {
        return Ok(());
    }
    tx.set_approval_threshold(actor.org_id, amount, actor.user_id, now).await?;
    let detail = match before {
        Some(b) => format!("approval threshold changed from {b} to {amount}"),
        None => format!("approval threshold set to {amount}"),
    };
    threshold_audit(&mut tx, actor, detail, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the organisation's approval threshold: orders are placed at once again. Requests
/// already pending stay pending.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn remove_threshold(store: &Store, actor: &Actor, now: DateTime<Utc>) -> Result<(), AppError> {
    authorize(actor, Action::SetApprovalThreshold, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let before = tx.approval_threshold(actor.org_id).await?;
    if tx.remove_approval_threshold(actor.org_id).await? {
        let was = before.map(|t| t.amount.to_string()).unwrap_or_default();
        threshold_audit(&mut tx, actor, format!("approval threshold of {was} removed"), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn threshold_audit(tx: &mut Tx, actor: &Actor, detail: String, now: DateTime<Utc>) -> StoreResult<()> {
    tx.insert_audit(&[AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::ApprovalThresholdSet,
        object: AuditObject::Organisation(actor.org_id),
        detail,
        at: now,
    }])
    .await
}

fn summary(r: &ApprovalRecord) -> ApprovalSummary {
    ApprovalSummary {
        number: r.number.clone(),
        kind: r.kind,
        status: r.status,
        requested_by: r.requester_name.clone(),
        requested_on: local_date(r.requested_at, r.time_zone),
        csn: r.csn.clone(),
        total: r.total,
        order_number: r.order_number.clone(),
    }
}

/// The Approvals page: the threshold and the organisation's requests, pending ones first.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn approvals(store: &Store, actor: &Actor) -> Result<ApprovalsPage, AppError> {
    authorize(actor, Action::ViewOrders, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    // A setting of the organisation, which has no time zone of its own: dated in UTC.
    let tz = chrono_tz::UTC;
    let threshold = tx.approval_threshold(actor.org_id).await?.map(|t| ThresholdView {
        amount: t.amount,
        set_by: t.set_by_name,
        set_on: local_date(t.set_at, tz),
    });
    let buyers = tx.recipients_with_role(actor.org_id, Role::Buyer).await?.len();
    let requests = tx.approvals_in_org(actor.org_id, LISTED).await?.iter().map(summary).collect();
    Ok(ApprovalsPage { threshold, buyers, requests })
}

/// One request by its number; another organisation's is not found.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn approval(store: &Store, actor: &Actor, number: &str) -> Result<ApprovalDetail, AppError> {
    authorize(actor, Action::ViewOrders, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let r = tx.approval_by_number(actor.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
    let lines = tx.approval_lines(r.id).await?;
    let tz = r.time_zone;
    let may = |d| {
        allowed(&actor.roles, Action::DecideApproval)
            && judge_decision(r.status, r.requested_by, actor.user_id, d).is_ok()
    };
    Ok(ApprovalDetail {
        summary: summary(&r),
        company_name: r.company_name.clone(),
        quote_number: r.quote_number.clone(),
        lines: lines
            .into_iter()
            .map(|l| ApprovalLineView {
                subscription_id: l.subscription_id,
                product_name: l.product_name,
                seats: l.seats,
                term: l.term,
                period_start: local_date(l.period_start, tz),
                period_last_day: local_date(expiry_instant(l.period_end), tz),
                amount: l.amount,
            })
            .collect(),
        subtotal: r.subtotal,
        tax: r.tax,
        threshold: r.threshold,
        payment_method: PaymentMethodView { kind: r.payment_kind, detail: r.payment_label.clone() },
        po_number: r.po_number.clone(),
        decided_by: r.decider_name.clone(),
        decided_on: r.decided_at.map(|t| local_date(t, tz)),
        note: r.note.clone(),
        can_decide: may(Decision::Approve),
        can_withdraw: may(Decision::Withdraw),
    })
}
