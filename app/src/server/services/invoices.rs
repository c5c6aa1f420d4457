//! Invoices and credit memos (R-INV-1, R-INV-2): the list with balances per customer number
//! and currency, one invoice's page, and paying one or several together, exactly once.
//!
//! Buyers see and pay every invoice of the organisation; payers only those naming them
//! (R-ROLE-6). A payment claims its invoices (open to pending) in the transaction that writes
//! it, so double clicks, replays and two payers at once pay an invoice once; the gateway's
//! answer marks them paid (and reactivates what they bill, R-LIFE-3) or open again.

use chrono::{DateTime, NaiveDate, Utc};

use crate::contract::dto::{
    BalanceView, CreditMemoView, InvoiceDetail, InvoiceLineView, InvoicePayReview, InvoicePaymentState,
    InvoicePaymentView, InvoiceQuery, InvoiceSummary, InvoicesPage, PayChoice, PaymentMethodView, ReissueForm,
};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, Role, authorize, sees_every_invoice};
use crate::domain::credit::draw_credit;
use crate::domain::eligibility::method_allowed;
use crate::domain::ids::{IdempotencyKey, PaymentId, PaymentMethodId};
use crate::domain::invoice::{
    InvoiceFacts, InvoiceFilter, InvoicePaymentRefusal, InvoiceStatus, MAX_INVOICES_PAID, is_overdue,
    judge_invoice_payment, payment_amount, spread_payment,
};
use crate::domain::money::{Money, UsdRates};
use crate::domain::payment::{DeclineReason, PaymentKind};
use crate::domain::time::{expiry_instant, local_date};
use crate::server::documents::{InvoicePrint, PrintLine, invoice_pdf};
use crate::server::gateway::PaymentGateway;
use crate::server::services::engine::settle;
use crate::server::store::records::{
    Attachment, AuditAction, AuditEntry, AuditObject, CreditMemoRecord, InvoiceBalance, InvoiceListing,
    InvoicePaymentRecord, InvoiceRecord, NewInvoicePayment, PaymentStatus,
};
use crate::server::store::{Store, StoreError, Tx};

/// Invoices per page of the list.
pub const INVOICES_PER_PAGE: i64 = 50;

/// The form value of a bank transfer (no method on file is needed, R-PAY-7).
pub const BANK_TRANSFER: &str = "bank_transfer";

/// The form value of paying with the credit the customer number's memos have left (R-INV-2).
pub const CREDIT: &str = "credit_memo";

/// The payer address the user's invoices must name; `None` for buyers, who see them all.
async fn payer_scope(tx: &mut Tx, actor: &Actor) -> Result<Option<String>, AppError> {
    if sees_every_invoice(&actor.roles) {
        return Ok(None);
    }
    let user = tx.user(actor.user_id).await?.ok_or(AppError::Unauthorized)?;
    Ok(Some(user.email.to_lowercase()))
}

pub(crate) fn summary(i: &InvoiceRecord, now: DateTime<Utc>) -> InvoiceSummary {
    InvoiceSummary {
        number: i.number.clone(),
        csn: i.csn.clone(),
        order_number: i.order_number.clone(),
        issued_on: local_date(i.issued_at, i.time_zone),
        due_on: local_date(expiry_instant(i.due_at), i.time_zone),
        total: i.total,
        open_amount: i.open_amount(),
        status: i.status,
        overdue: is_overdue(i.status, i.due_at, now),
        po_number: i.po_number.clone(),
    }
}

fn day(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::validation(field, Problem::MalformedForm)),
    }
}

/// The list (R-INV-1): filtered by status, customer number and issue date, soonest due first,
/// overdue ones marked; with what is owed per customer number and currency.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn invoices(
    store: &Store,
    actor: &Actor,
    q: &InvoiceQuery,
    now: DateTime<Utc>,
) -> Result<InvoicesPage, AppError> {
    authorize(actor, Action::ViewInvoices, actor.org_id)?;
    let filter = InvoiceFilter::parse(q.status.as_deref().unwrap_or(""))
        .ok_or_else(|| AppError::validation("status", Problem::NotListed))?;
    let (from, to) = (day("from", q.from.as_deref())?, day("to", q.to.as_deref())?);
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(AppError::validation("page", Problem::PageFromOne));
    }
    let csn = q.csn.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    let mut tx = store.begin_read().await?;
    let payer = payer_scope(&mut tx, actor).await?;
    // Issue days are each invoice's own local day, as its page shows it.
    let listing = InvoiceListing {
        payer: payer.as_deref(),
        statuses: filter.statuses(),
        csn: csn.as_deref(),
        issued_from: from,
        issued_to: to,
        limit: INVOICES_PER_PAGE,
        offset: (page - 1).saturating_mul(INVOICES_PER_PAGE),
    };
    let (rows, total_rows) = tx.invoices_in_org(actor.org_id, &listing).await?;
    let balances = tx.invoice_balances(actor.org_id, payer.as_deref(), now).await?;
    let credit = tx.credit_balances(actor.org_id, payer.as_deref()).await?;
    let memos = tx.credit_memos_in_org(actor.org_id, payer.as_deref(), CREDIT_MEMOS_SHOWN).await?;
    let csns = tx.invoiced_customer_numbers(actor.org_id, payer.as_deref()).await?;
    Ok(InvoicesPage {
        rows: rows.iter().map(|i| summary(i, now)).collect(),
        filter,
        csn,
        from,
        to,
        csns,
        balances: balance_views(balances, credit),
        credit_memos: memos.into_iter().map(memo_view).collect(),
        page,
        pages: ((total_rows + INVOICES_PER_PAGE - 1) / INVOICES_PER_PAGE).max(1),
        total_rows,
        payer_only: payer.is_some(),
    })
}

/// Credit memos the list shows, newest first.
pub const CREDIT_MEMOS_SHOWN: i64 = 50;

/// What is owed and what credit is left, per customer number and currency: one row for each
/// pair that has either.
fn balance_views(owed: Vec<InvoiceBalance>, credit: Vec<(String, Money)>) -> Vec<BalanceView> {
    let mut rows: Vec<BalanceView> = owed
        .into_iter()
        .map(|b| BalanceView {
            credit: Money::zero(b.owed.currency()),
            csn: b.csn,
            owed: b.owed,
            overdue: b.overdue,
            invoices: b.invoices,
        })
        .collect();
    for (csn, left) in credit {
        match rows.iter_mut().find(|r| r.csn == csn && r.owed.currency() == left.currency()) {
            Some(row) => row.credit = left,
            None => rows.push(BalanceView {
                csn,
                owed: Money::zero(left.currency()),
                overdue: Money::zero(left.currency()),
                invoices: 0,
                credit: left,
            }),
        }
    }
    rows.sort_by(|a, b| (&a.csn, a.owed.currency().code()).cmp(&(&b.csn, b.owed.currency().code())));
    rows
}

fn memo_view(m: CreditMemoRecord) -> CreditMemoView {
    CreditMemoView {
        number: m.number,
        csn: m.csn,
        issued_on: m.issued_on,
        amount: m.amount,
        remaining: m.remaining,
        order_number: m.order_number,
        subscription_id: m.subscription_id,
    }
}

fn payment_view(p: InvoicePaymentRecord, tz: chrono_tz::Tz) -> InvoicePaymentView {
    InvoicePaymentView {
        id: p.id,
        state: match p.status {
            PaymentStatus::Succeeded => InvoicePaymentState::Succeeded,
            PaymentStatus::Failed => InvoicePaymentState::Failed,
            PaymentStatus::Pending | PaymentStatus::Unknown => InvoicePaymentState::Pending,
        },
        method: PaymentMethodView { kind: p.kind, detail: p.method_label.unwrap_or_default() },
        amount: p.amount,
        made_on: local_date(p.created_at, tz),
        settled_on: p.settled_at.map(|t| local_date(t, tz)),
        failure: p.failure.as_deref().map(DeclineReason::from_text),
        invoices: p.allocations,
    }
}

/// One invoice by number; another organisation's, or for a payer one not naming them, is
/// not found.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn invoice(
    store: &Store,
    actor: &Actor,
    number: &str,
    now: DateTime<Utc>,
) -> Result<InvoiceDetail, AppError> {
    authorize(actor, Action::ViewInvoices, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let payer = payer_scope(&mut tx, actor).await?;
    let i = tx.invoice_by_number(actor.org_id, number.trim(), payer.as_deref()).await?.ok_or(AppError::NotFound)?;
    let tz = i.time_zone;
    let lines = tx.invoice_lines(i.id).await?;
    let mut payments = Vec::new();
    for id in tx.payments_of_invoice(i.id).await? {
        if let Some(p) = read_payment(&mut tx, actor, id).await? {
            payments.push(payment_view(p, tz));
        }
    }
    Ok(InvoiceDetail {
        summary: summary(&i, now),
        lines: lines
            .into_iter()
            .map(|l| InvoiceLineView {
                subscription_id: l.subscription_id,
                product_name: l.product_name,
                seats: l.seats,
                term: l.term,
                period_start: local_date(l.period_start, tz),
                period_last_day: local_date(expiry_instant(l.period_end), tz),
                amount: l.amount,
            })
            .collect(),
        subtotal: i.subtotal,
        tax: i.tax,
        paid: i.paid,
        notes: i.notes.clone(),
        payers: tx.invoice_payers(i.id).await?,
        payments,
        replaces: i.replaces.clone(),
        replaced_by: i.replaced_by.clone(),
        payable: i.status == InvoiceStatus::Open && crate::domain::authz::allowed(&actor.roles, Action::PayInvoices),
        can_manage_payers: i.status != InvoiceStatus::Voided
            && crate::domain::authz::allowed(&actor.roles, Action::ManagePayers),
        reissue: reissue_form(&mut tx, actor, &i).await?,
    })
}

/// A payment of invoices of the organisation; one paid with credit names the memos it drew on.
async fn read_payment(tx: &mut Tx, actor: &Actor, id: PaymentId) -> Result<Option<InvoicePaymentRecord>, AppError> {
    let Some(mut p) = tx.invoice_payment(actor.org_id, Some(id), None).await? else { return Ok(None) };
    if p.kind == PaymentKind::CreditMemo {
        p.method_label = Some(tx.credit_memos_of_payment(p.id).await?.join(", "));
    }
    Ok(Some(p))
}

/// Whether an invoice can be reissued now (R-EXT-4): open and nothing paid on it.
fn reissuable(i: &InvoiceRecord) -> Result<(), AppError> {
    if i.status == InvoiceStatus::Open && i.paid.is_zero() {
        Ok(())
    } else {
        Err(AppError::Conflict(Problem::NotReissuable { status: i.status, partly_paid: !i.paid.is_zero() }))
    }
}

/// What a reissue of `i` starts from: the invoice details of the subscription it bills as they
/// are now (R-INV-5), or the invoice's own when it bills several with different ones.
async fn reissue_form(tx: &mut Tx, actor: &Actor, i: &InvoiceRecord) -> Result<Option<ReissueForm>, AppError> {
    if !crate::domain::authz::allowed(&actor.roles, Action::EditInvoiceDetails) || reissuable(i).is_err() {
        return Ok(None);
    }
    Ok(Some(match tx.subscriptions_of_invoice(i.id).await?.as_slice() {
        [sub] => {
            let d = tx.invoice_details(*sub).await?.unwrap_or_default();
            ReissueForm { po_number: d.po_number, notes: d.notes, subscription_id: Some(*sub) }
        }
        _ => ReissueForm { po_number: i.po_number.clone(), notes: i.notes.clone(), subscription_id: None },
    }))
}

/// Reissues an open invoice with a corrected PO number and notes (R-EXT-4): an issued invoice
/// is never edited in place, so the old one is voided and a new one, linked to it, bills the
/// same lines with the same due date, goes to the same payers and is mailed to them again.
/// A second click answers with the invoice the first one made. Returns the new number.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn reissue(
    store: &Store,
    actor: &Actor,
    number: &str,
    po_number: &str,
    notes: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<String, AppError> {
    use crate::domain::invoice::{parse_notes, parse_po_number, reissued_number};
    authorize(actor, Action::EditInvoiceDetails, actor.org_id)?;
    let po = parse_po_number(po_number).map_err(|p| AppError::validation("po_number", Problem::PoNumber(p)))?;
    let notes = parse_notes(notes).map_err(|p| AppError::validation("notes", Problem::Notes(p)))?;
    let mut tx = store.begin_write().await?;
    let old = tx.invoice_by_number(actor.org_id, number.trim(), None).await?.ok_or(AppError::NotFound)?;
    if let (InvoiceStatus::Voided, Some(new)) = (old.status, &old.replaced_by) {
        return Ok(new.clone());
    }
    reissuable(&old)?;
    if !tx.void_invoice(old.id, now).await? {
        // Changed since it was read (PostgreSQL): by a concurrent click, whose answer is ours.
        let now_is = tx.invoice_by_number(actor.org_id, &old.number, None).await?.ok_or(AppError::NotFound)?;
        return match now_is.replaced_by {
            Some(new) => Ok(new),
            None => Err(reissuable(&now_is).err().unwrap_or(AppError::Conflict(Problem::ReviewStale))),
        };
    }
    let order = old.order_id.ok_or_else(|| StoreError::Corrupt(format!("invoice {} has no order", old.number)))?;
    let new_number = reissued_number(&old.number);
    let invoice = crate::server::store::records::NewInvoice {
        org_id: old.org_id,
        number: &new_number,
        customer_account_id: old.customer_account_id,
        order_id: order,
        subtotal: old.subtotal,
        tax: old.tax,
        total: old.total,
        po_number: &po,
        notes: &notes,
        issued_at: now,
        issued_on: local_date(now, old.time_zone),
        due_at: old.due_at,
        replaces: Some(old.id),
    };
    let lines = tx.invoice_lines(old.id).await?;
    let payers = tx.invoice_payer_recipients(old.id).await?;
    let addresses: Vec<String> = payers.iter().map(|p| p.address.clone()).collect();
    tx.insert_invoice(&invoice, &lines, &addresses).await?;
    crate::server::services::engine::mail_invoice(&mut tx, old.org_id, &new_number, payers, now, base_url).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::InvoiceReissued,
        object: AuditObject::Invoice(old.id),
        detail: format!("{} -> {new_number}: PO {:?} -> {po:?}", old.number, old.po_number),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(new_number)
}

/// The invoice numbers of a pay form ("INV-1,INV-2"): each once, at most 100.
pub fn parse_numbers(text: &str) -> Result<Vec<String>, AppError> {
    let mut numbers: Vec<String> = Vec::new();
    for n in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if n.len() > 64 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(AppError::NotFound);
        }
        if !numbers.iter().any(|m| m == n) {
            numbers.push(n.to_string());
        }
    }
    if numbers.is_empty() {
        return Err(AppError::validation("numbers", Problem::InvoicePayment(InvoicePaymentRefusal::NoneChosen)));
    }
    if numbers.len() > MAX_INVOICES_PAID {
        let refusal = InvoicePaymentRefusal::TooMany { max: MAX_INVOICES_PAID, asked: numbers.len() };
        return Err(AppError::validation("numbers", Problem::InvoicePayment(refusal)));
    }
    Ok(numbers)
}

/// The invoices asked for, all of them the user's, or not found (nothing says which).
async fn load(tx: &mut Tx, actor: &Actor, numbers: &[String]) -> Result<Vec<InvoiceRecord>, AppError> {
    let payer = payer_scope(tx, actor).await?;
    let found = tx.invoices_by_numbers(actor.org_id, numbers, payer.as_deref()).await?;
    if found.len() != numbers.len() {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

fn facts(invoices: &[InvoiceRecord]) -> Vec<InvoiceFacts<'_>> {
    invoices
        .iter()
        .map(|i| InvoiceFacts {
            number: &i.number,
            csn: &i.csn,
            status: i.status,
            subtotal: i.subtotal,
            open_amount: i.open_amount(),
        })
        .collect()
}

fn refused(r: InvoicePaymentRefusal) -> AppError {
    AppError::validation("numbers", Problem::InvoicePayment(r))
}

/// The ways to pay these invoices: the customer number's methods on file that can charge them
/// (an invoice is not paid by another invoice), each refused where R-PAY-2 says so, and a bank
/// transfer, which needs no method on file.
async fn choices(
    tx: &mut Tx,
    invoices: &[InvoiceRecord],
    rates: &UsdRates,
) -> Result<Vec<(PayChoice, Option<PaymentMethodId>, PaymentKind)>, AppError> {
    let first = &invoices[0];
    let subtotal =
        Money::sum(first.total.currency(), invoices.iter().map(|i| i.subtotal)).map_err(|_| AppError::Internal)?;
    let mut out = Vec::new();
    for m in tx.payment_methods_of(first.customer_account_id).await? {
        if matches!(m.kind, PaymentKind::Invoice | PaymentKind::BankTransfer) {
            continue;
        }
        let choice = PayChoice {
            value: m.id.to_string(),
            method: PaymentMethodView { kind: m.kind, detail: m.label.clone() },
            refused: method_allowed(m.kind, subtotal, rates).err(),
        };
        out.push((choice, Some(m.id), m.kind));
    }
    let transfer = PayChoice {
        value: BANK_TRANSFER.to_string(),
        method: PaymentMethodView { kind: PaymentKind::BankTransfer, detail: String::new() },
        refused: None,
    };
    out.push((transfer, None, PaymentKind::BankTransfer));
    let memos = tx.credit_left(first.customer_account_id, first.total.currency()).await?;
    if !memos.is_empty() {
        let numbers: Vec<&str> = memos.iter().map(|m| m.number.as_str()).collect();
        let credit = PayChoice {
            value: CREDIT.to_string(),
            method: PaymentMethodView { kind: PaymentKind::CreditMemo, detail: numbers.join(", ") },
            refused: None,
        };
        out.push((credit, None, PaymentKind::CreditMemo));
    }
    Ok(out)
}

/// What the customer number's memos have left in the invoices' currency.
async fn credit_available(tx: &mut Tx, first: &InvoiceRecord) -> Result<Money, AppError> {
    let memos = tx.credit_left(first.customer_account_id, first.total.currency()).await?;
    Money::sum(first.total.currency(), memos.iter().map(|m| m.remaining)).map_err(|_| AppError::Internal)
}

/// The invoice numbers a pay page is about: those named (`numbers`), or with `all` as
/// "CSN:CUR" every open invoice of that customer number in that currency the user sees,
/// oldest due first, at most [`MAX_INVOICES_PAID`] ("pay all", beyond the product we mirror).
async fn chosen_numbers(tx: &mut Tx, actor: &Actor, numbers: &str, all: &str) -> Result<Vec<String>, AppError> {
    let all = all.trim();
    if all.is_empty() {
        return parse_numbers(numbers);
    }
    let (csn, currency) = all
        .rsplit_once(':')
        .and_then(|(csn, code)| Some((csn, crate::domain::money::Currency::parse(code)?)))
        .ok_or_else(|| AppError::validation("all", Problem::NotListed))?;
    let payer = payer_scope(tx, actor).await?;
    let listing = InvoiceListing {
        payer: payer.as_deref(),
        statuses: &[InvoiceStatus::Open],
        csn: Some(csn),
        issued_from: None,
        issued_to: None,
        limit: 1_000,
        offset: 0,
    };
    let (rows, _) = tx.invoices_in_org(actor.org_id, &listing).await?;
    let numbers: Vec<String> =
        rows.into_iter().filter(|i| i.total.currency() == currency).take(MAX_INVOICES_PAID).map(|i| i.number).collect();
    if numbers.is_empty() {
        return Err(refused(InvoicePaymentRefusal::NoneChosen));
    }
    Ok(numbers)
}

/// The invoices oldest due first: the order one payment pays them in.
fn oldest_first(mut invoices: Vec<InvoiceRecord>) -> Vec<InvoiceRecord> {
    invoices.sort_by_key(|i| (i.due_at, i.id));
    invoices
}

/// The review before paying: the invoices, what they come to, and how they can be paid.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn review_payment(
    store: &Store,
    actor: &Actor,
    numbers: &str,
    all: &str,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<InvoicePayReview, AppError> {
    authorize(actor, Action::PayInvoices, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let numbers = chosen_numbers(&mut tx, actor, numbers, all).await?;
    let invoices = oldest_first(load(&mut tx, actor, &numbers).await?);
    // Bank transfers have no limit: the amount is judged for them, each method on its own.
    let amount = judge_invoice_payment(&facts(&invoices), PaymentKind::BankTransfer, rates).map_err(refused)?;
    let choices = choices(&mut tx, &invoices, rates).await?.into_iter().map(|(c, _, _)| c).collect();
    let credit = credit_available(&mut tx, &invoices[0]).await?;
    Ok(InvoicePayReview {
        numbers: invoices.iter().map(|i| i.number.as_str()).collect::<Vec<_>>().join(","),
        invoices: invoices.iter().map(|i| summary(i, now)).collect(),
        amount,
        credit: (!credit.is_zero()).then_some(credit),
        choices,
        pay_key: IdempotencyKey::new().as_str().to_string(),
    })
}

/// A pay form as submitted.
#[derive(Debug, Clone, Default)]
pub struct PayForm {
    pub numbers: String,
    /// A payment method's id, [`BANK_TRANSFER`] or [`CREDIT`].
    pub method: String,
    /// The amount to pay, in the invoices' currency; empty pays all they owe. Less pays the
    /// oldest due first ("pay all" with a part, beyond the product we mirror).
    pub amount: String,
    pub key: IdempotencyKey,
}

/// The idempotency key of a pay form's payment: the form's key, within the organisation.
fn payment_key(actor: &Actor, key: &IdempotencyKey) -> String {
    format!("invoices:{}:{}", actor.org_id, key.as_str())
}

/// Pays the chosen invoices together (R-INV-2): all of them the user's and open, one customer
/// number and currency, the method allowed for their amount (R-PAY-2); one payment, charged
/// once. The amount (all they owe unless a smaller one is typed; with credit, at most what the
/// memos have left) is spread over them oldest due first, and only those it reaches are paid.
/// Credit is settled at once, drawing on the oldest memos first; other methods go to the
/// gateway after the commit. A second submit of the same form answers with the first one's
/// payment.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn pay(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &PayForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<PaymentId, AppError> {
    authorize(actor, Action::PayInvoices, actor.org_id)?;
    let numbers = parse_numbers(&form.numbers)?;
    let key = payment_key(actor, &form.key);
    match pay_once(store, gateway, actor, form, &numbers, &key, rates, now, base_url).await {
        Ok(id) => Ok(id),
        Err(refusal) => {
            // The same form submitted at once (a double click, a replay) may have paid
            // meanwhile, changing what this request saw (the invoices claimed, the credit
            // drawn): its payment is the answer. Otherwise the refusal stands.
            let mut tx = store.begin_read().await?;
            match tx.invoice_payment(actor.org_id, None, Some(&key)).await? {
                Some(done) => Ok(done.id),
                None => Err(refusal),
            }
        }
    }
}

/// One attempt of [`pay`] for the payment with idempotency key `key`.
#[allow(clippy::too_many_arguments)]
async fn pay_once(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &PayForm,
    numbers: &[String],
    key: &str,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<PaymentId, AppError> {
    let mut tx = store.begin_write().await?;
    if let Some(done) = tx.invoice_payment(actor.org_id, None, Some(key)).await? {
        return Ok(done.id);
    }
    let invoices = oldest_first(load(&mut tx, actor, numbers).await?);
    // Which invoices, first (each open, one customer number and currency): a bank transfer
    // has no limit, so this judges them alone.
    let owed = judge_invoice_payment(&facts(&invoices), PaymentKind::BankTransfer, rates).map_err(refused)?;
    let choices = choices(&mut tx, &invoices, rates).await?;
    let (_, method_id, kind) = choices
        .into_iter()
        .find(|(c, _, _)| c.value == form.method.trim())
        .ok_or_else(|| AppError::validation("payment_method", Problem::NotListed))?;
    let amount_refused = |r| AppError::validation("amount", Problem::InvoicePayment(r));
    let mut amount = payment_amount(&form.amount, owed).map_err(amount_refused)?;
    if kind == PaymentKind::CreditMemo {
        let left = credit_available(&mut tx, &invoices[0]).await?;
        if left.minor() < amount.minor() {
            amount = left;
        }
    }
    let open: Vec<Money> = invoices.iter().map(InvoiceRecord::open_amount).collect();
    let parts = spread_payment(amount, &open).map_err(|_| AppError::Internal)?;
    let reached = &invoices[..parts.len()];
    let paid = judge_invoice_payment(&facts(reached), kind, rates).map_err(|r| match r {
        InvoicePaymentRefusal::Method(m) => AppError::validation("payment_method", Problem::PaymentRefused(m)),
        other => refused(other),
    })?;
    debug_assert!(paid.minor() >= amount.minor());
    let ids: Vec<_> = reached.iter().map(|i| i.id).collect();
    if !tx.claim_invoices(&ids).await? {
        // Another payment claimed one of them meanwhile: say what stands now.
        drop(tx);
        return Err(stale(store, actor, numbers, rates).await?);
    }
    let payment = NewInvoicePayment {
        org_id: actor.org_id,
        payment_method_id: method_id,
        kind,
        amount,
        idempotency_key: key.to_string(),
        created_by: actor.user_id,
        allocations: reached.iter().map(|i| i.id).zip(parts.iter().copied()).collect(),
    };
    let id = match tx.insert_invoice_payment(&payment, now).await {
        Ok(id) => id,
        // The same form's payment was written first (PostgreSQL): `pay` answers with it.
        Err(e) if e.is_unique_violation() => return Err(AppError::Conflict(Problem::ReviewStale)),
        Err(e) => return Err(e.into()),
    };
    let audit: Vec<AuditEntry> = reached
        .iter()
        .zip(&parts)
        .map(|(i, part)| AuditEntry {
            org_id: actor.org_id,
            actor: Some(actor.user_id),
            action: AuditAction::InvoicePaymentMade,
            object: AuditObject::Invoice(i.id),
            detail: format!("{}: {part} by {} (payment {id})", i.number, kind.label()),
            at: now,
        })
        .collect();
    tx.insert_audit(&audit).await?;
    if kind == PaymentKind::CreditMemo {
        // Credit is the portal's own: drawn and settled in this transaction, never charged.
        let memos = tx.credit_left(invoices[0].customer_account_id, amount.currency()).await?;
        let left: Vec<Money> = memos.iter().map(|m| m.remaining).collect();
        let draws = draw_credit(amount, &left).map_err(|_| AppError::Internal)?;
        let credit_changed = || AppError::Conflict(Problem::InvoicePayment(InvoicePaymentRefusal::CreditChanged));
        if Money::sum(amount.currency(), draws.iter().copied()).ok() != Some(amount) {
            // Less is left than was read (PostgreSQL: another payment drew on it meanwhile).
            return Err(credit_changed());
        }
        for (memo, part) in memos.iter().zip(draws) {
            if !tx.draw_credit(memo.id, id, part).await? {
                // Drawn on by another payment since it was read (PostgreSQL): nothing is kept.
                drop(tx);
                return Err(credit_changed());
            }
        }
        crate::server::services::engine::credit_settled(&mut tx, id, now).await?;
        tx.commit().await?;
        return Ok(id);
    }
    tx.commit().await?;
    settle(store, gateway, id, now, base_url).await?;
    Ok(id)
}

/// Why a payment could not claim its invoices: what stands now.
async fn stale(store: &Store, actor: &Actor, numbers: &[String], rates: &UsdRates) -> Result<AppError, AppError> {
    let mut tx = store.begin_read().await?;
    let now_standing = load(&mut tx, actor, numbers).await?;
    Ok(match judge_invoice_payment(&facts(&now_standing), PaymentKind::BankTransfer, rates) {
        Err(r) => AppError::Conflict(Problem::InvoicePayment(r)),
        Ok(_) => AppError::Conflict(Problem::ReviewStale),
    })
}

/// One payment of invoices of the organisation (a payer's only if it pays invoices naming
/// them): what it paid and where it stands.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn payment(store: &Store, actor: &Actor, id: PaymentId) -> Result<InvoicePaymentView, AppError> {
    authorize(actor, Action::ViewInvoices, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let p = read_payment(&mut tx, actor, id).await?.ok_or(AppError::NotFound)?;
    let numbers: Vec<String> = p.allocations.iter().map(|(n, _)| n.clone()).collect();
    let invoices = load(&mut tx, actor, &numbers).await?;
    Ok(payment_view(p, invoices[0].time_zone))
}

/// A stored invoice as its PDF prints it.
pub(crate) async fn print_of(tx: &mut Tx, i: &InvoiceRecord) -> Result<InvoicePrint, StoreError> {
    let tz = i.time_zone;
    // The details of the day it was issued: a later change applies to later invoices (R-EXT-4).
    let customer = tx.customer_details_at(i.customer_account_id, i.issued_at).await?.unwrap_or_default();
    let customer_address = crate::domain::customer::one_line(&customer);
    let customer_name = customer.company_name;
    let lines = tx
        .invoice_lines(i.id)
        .await?
        .into_iter()
        .map(|l| PrintLine {
            product_name: l.product_name,
            subscription_id: l.subscription_id,
            seats: l.seats,
            term: l.term,
            period: Some((local_date(l.period_start, tz), local_date(expiry_instant(l.period_end), tz))),
            net: l.amount,
            promotion: None,
        })
        .collect();
    Ok(InvoicePrint {
        number: i.number.clone(),
        issued_on: local_date(i.issued_at, tz),
        due_on: local_date(expiry_instant(i.due_at), tz),
        customer_name,
        customer_address,
        csn: i.csn.clone(),
        po_number: i.po_number.clone(),
        notes: i.notes.clone(),
        payers: tx.invoice_payers(i.id).await?,
        lines,
        subtotal: i.subtotal,
        tax: i.tax,
        total: i.total,
        paid: i.paid,
        open: i.open_amount(),
        replaces: i.replaces.clone(),
    })
}

/// An invoice of the user's as PDF, in `lang` (the reader's).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn pdf_of(
    store: &Store,
    actor: &Actor,
    number: &str,
    lang: crate::domain::locale::Locale,
    base_url: &str,
) -> Result<Attachment, AppError> {
    authorize(actor, Action::ViewInvoices, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let payer = payer_scope(&mut tx, actor).await?;
    let i = tx.invoice_by_number(actor.org_id, number.trim(), payer.as_deref()).await?.ok_or(AppError::NotFound)?;
    let print = print_of(&mut tx, &i).await?;
    Ok(invoice_pdf(lang, &print, base_url))
}

/// The payers `current` becomes once `added` join and `removed` leave (R-INV-4): each an
/// e-mail address, lower-cased and counted once, at most 10; all or nothing.
fn changed_payers(current: &[String], added: &[String], removed: &[String]) -> Result<Vec<String>, AppError> {
    use crate::domain::invoice::{add_payers, remove_payers};
    add_payers(&remove_payers(current, removed), added).map_err(|p| AppError::validation("add", Problem::Payers(p)))
}

/// After payers changed from `before` to `payers`: each new address without an account is
/// invited to open one (R-ROLE-6: they see and pay the invoices naming them), and the change
/// is audited on `object` (`what` names it in the detail).
#[allow(clippy::too_many_arguments)]
async fn payers_changed(
    tx: &mut Tx,
    actor: &Actor,
    object: AuditObject,
    what: &str,
    before: &[String],
    payers: &[String],
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<(), AppError> {
    for address in payers.iter().filter(|p| !before.contains(p)) {
        super::invitations::invite(tx, actor.org_id, actor.user_id, address, Role::Payer, now, base_url).await?;
    }
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PayersChanged,
        object,
        detail: format!("{what}{} -> {}", before.join(", "), payers.join(", ")),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    Ok(())
}

/// Adds the addresses typed in `add` to an invoice's payers and takes `remove` off (R-INV-4,
/// R-ROLE-6): each an e-mail address, at most 10, all or nothing. The subscriptions the invoice
/// bills get the same change, so their next invoices go to the same people. Buyers only;
/// another organisation's invoice is not found. Returns the payers it has now.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn manage_payers(
    store: &Store,
    actor: &Actor,
    number: &str,
    add: &str,
    remove: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Vec<String>, AppError> {
    use crate::domain::invoice::split_addresses;
    authorize(actor, Action::ManagePayers, actor.org_id)?;
    let (added, removed) = (split_addresses(add), split_addresses(remove));
    let mut tx = store.begin_write().await?;
    let i = tx.invoice_by_number(actor.org_id, number.trim(), None).await?.ok_or(AppError::NotFound)?;
    if i.status == InvoiceStatus::Voided {
        return Err(AppError::Conflict(Problem::InvoiceVoided));
    }
    let before = tx.invoice_payers(i.id).await?;
    let payers = changed_payers(&before, &added, &removed)?;
    let mut subs = Vec::new();
    for sub in tx.subscriptions_of_invoice(i.id).await? {
        let current: Vec<String> = tx.subscription_payers(sub).await?.into_iter().map(|r| r.address).collect();
        subs.push((sub, changed_payers(&current, &added, &removed)?));
    }
    if payers == before {
        return Ok(payers);
    }
    tx.replace_invoice_payers(i.id, &payers).await?;
    for (sub, list) in &subs {
        tx.replace_subscription_payers(*sub, list).await?;
    }
    let what = format!("{}: ", i.number);
    payers_changed(&mut tx, actor, AuditObject::Invoice(i.id), &what, &before, &payers, now, base_url).await?;
    tx.commit().await?;
    Ok(payers)
}

/// Adds the addresses typed in `add` to a subscription's payers and takes `remove` off, from
/// its page (R-INV-4: "also from a subscription's page"; R-ROLE-6): each an e-mail address, at
/// most 10, all or nothing. They receive the invoices issued for it from then on; invoices
/// already issued keep theirs (changed on each invoice's page). A new address without an
/// account is invited. Buyers only; another organisation's subscription is not found. Returns
/// the payers it has now.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn manage_subscription_payers(
    store: &Store,
    actor: &Actor,
    id: crate::domain::ids::SubscriptionId,
    add: &str,
    remove: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Vec<String>, AppError> {
    use crate::domain::invoice::split_addresses;
    authorize(actor, Action::ManagePayers, actor.org_id)?;
    let (added, removed) = (split_addresses(add), split_addresses(remove));
    let mut tx = store.begin_write().await?;
    tx.subscriptions_in_org(actor.org_id, &[id], true).await?.into_iter().next().ok_or(AppError::NotFound)?;
    let before: Vec<String> = tx.subscription_payers(id).await?.into_iter().map(|r| r.address).collect();
    let payers = changed_payers(&before, &added, &removed)?;
    if payers == before {
        return Ok(payers);
    }
    tx.replace_subscription_payers(id, &payers).await?;
    payers_changed(&mut tx, actor, AuditObject::Subscription(id), "", &before, &payers, now, base_url).await?;
    tx.commit().await?;
    Ok(payers)
}
