//! Renewing in the cart: bulk renew's groups (R-BULK-2, R-BULK-3), the cart kept per user on
//! the server, its review priced as it will be charged (R-PRICE-5, R-CUST-3, R-PAY-8), and
//! placing an order (R-EXT-2), charged once per checkout key.
//!
//! Placing an order takes three steps so that no gateway call runs inside a transaction:
//! 1. one transaction checks the review is still true, writes the order ("charging"), holds its
//!    subscriptions for it (`pending_order_id`: nothing else renews them meanwhile) and writes a
//!    pending payment with the key `checkout:{checkout key}`;
//! 2. the payment is settled through the gateway with that key (the engine's `settle`, which
//!    any process may run: the gateway charges a key once);
//! 3. the settlement's transaction completes the order ([`after_charge`]): paid or accepted,
//!    the new terms start and the buyers get one confirmation; declined, the order is withdrawn
//!    and the cart is as it was. A process that stops between 1 and 3 leaves a pending
//!    payment, which the engine's next pass settles the same way.
//!
//! Pay by invoice needs no gateway: the order is placed and invoiced Net 30 in step 1 (R-REN-5).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::contract::dto::*;
use crate::contract::error::AppError;
use crate::contract::problem::{Problem, RenewRefused};
use crate::domain::approval::{DecisionRefusal, needs_approval};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::checkout::{CartFacts, MAX_CART, OrderGroup, OrderPrice, RenewBlock, group_by, judge_cart_renewal};
use crate::domain::eligibility::{PaymentRefusal, method_allowed};
use crate::domain::ids::{CustomerAccountId, IdempotencyKey, OrderId, PaymentMethodId, QuoteId, SubscriptionId};
use crate::domain::invoice::parse_po_number;
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::money::{Money, UsdRates};
use crate::domain::next_term::{AddSeatsRefusal, judge_add_seats};
use crate::domain::payment::{DeclineReason, PaymentKind};
use crate::domain::pricing::{
    Charge, ExtensionRequest, Instalment, LinePrice, Purchase, Span, added_seats_charges, best_promotion,
    judge_extension, price_line,
};
use crate::domain::quote::{AcceptRefusal, QuoteKind, judge_acceptance, status_at};
use crate::domain::renewal::{invoice_due_date, overdue_from};
use crate::domain::selection::BulkSelection;
use crate::domain::status::Status;
use crate::domain::tax::rate_for;
use crate::domain::term::Term;
use crate::domain::time::{expiry_instant, local_date, start_of_day};
use crate::server::gateway::PaymentGateway;
use crate::server::mail::{self, ItemLine};
use crate::server::services::approvals::{Gate, Grant, HeldForm};
use crate::server::services::buyer_contacts;
use crate::server::services::engine::pricing::{Book, RenewalLine, renewal_line};
use crate::server::services::engine::{Issue, issue_invoice, settle};
use crate::server::store::records::*;
use crate::server::store::{Store, StoreResult, Tx};

/// A checkout form's PO number as R-INV-5 allows it; refused with why, and nothing is placed.
fn checked_po(text: &str) -> Result<(), AppError> {
    parse_po_number(text).map(|_| ()).map_err(|p| AppError::validation("po_number", Problem::PoNumber(p)))
}

/// Orders per page of the Orders list.
pub const ORDERS_PER_PAGE: i64 = 25;

/// What submitting a checkout form did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// The order's number: placed, or waiting for the payment provider's answer.
    Order(String),
    /// Its total is above the organisation's approval threshold: nothing was ordered or
    /// charged; the order waits, as this request, for another buyer's approval.
    HeldForApproval(String),
}

impl Placed {
    /// The order's or the request's number.
    pub fn number(&self) -> &str {
        match self {
            Placed::Order(n) | Placed::HeldForApproval(n) => n,
        }
    }

    /// The page that shows what was done.
    pub fn page(&self) -> String {
        match self {
            Placed::Order(number) => crate::contract::links::order_placed(number),
            Placed::HeldForApproval(number) => crate::contract::links::approval_requested(number),
        }
    }
}

pub(crate) fn cart_facts(s: &Subscription) -> CartFacts {
    CartFacts {
        status: s.status,
        term_end: s.term_end,
        term: s.term_at_renewal.unwrap_or(s.term),
        time_zone: s.time_zone,
        unpaid: s.unpaid_since.is_some(),
        payment: s.payment_kind,
        in_order: s.pending_order_id.is_some(),
    }
}

pub(crate) fn refused(s: &Subscription, reason: RenewBlock) -> RenewRefused {
    RenewRefused { id: s.id, product_name: s.product_name.clone(), reason }
}

/// What one order may hold (R-BULK-3, R-SUB-6); `None` without a payment method.
fn group_of(s: &Subscription) -> Option<OrderGroup> {
    Some(OrderGroup {
        csn: s.csn.clone(),
        currency: s.currency,
        payment_method_id: s.payment_method_id?.get(),
        licence_type: s.licence_type.clone(),
        term: s.term_at_renewal.unwrap_or(s.term),
    })
}

fn method_view(s: &Subscription) -> PaymentMethodView {
    PaymentMethodView {
        kind: s.payment_kind.unwrap_or(PaymentKind::Card),
        detail: s.payment_label.clone().unwrap_or_default(),
    }
}

/// The selected subscriptions of the actor's organisation, in the order selected; an id that
/// is unknown or of another organisation is not found, and nothing is said about which.
pub(crate) async fn load(
    tx: &mut Tx,
    actor: &Actor,
    ids: &[SubscriptionId],
    lock: bool,
) -> Result<Vec<Subscription>, AppError> {
    let mut subs = tx.subscriptions_in_org(actor.org_id, ids, lock).await?;
    if subs.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    subs.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
    Ok(subs)
}

/// Bulk renew's first step: the selection grouped for a common renewal (R-BULK-3), each
/// subscription that cannot be renewed now left out with its reason.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, count = selection.len()))]
pub async fn renew_options(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    now: DateTime<Utc>,
) -> Result<RenewOptions, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let subs = load(&mut tx, actor, selection.ids(), false).await?;
    let in_cart = tx.cart_ids(actor.user_id, actor.org_id).await?;
    drop(tx);
    let mut left_out = Vec::new();
    let mut keyed = Vec::new();
    for s in &subs {
        match judge_cart_renewal(&cart_facts(s), now) {
            Err(reason) => left_out.push(refused(s, reason)),
            Ok(_) => {
                let key = group_of(s).expect("a renewable subscription has a payment method");
                keyed.push(((key.csn.clone(), key.currency, key.payment_method_id), s));
            }
        }
    }
    let groups = group_by(&keyed)
        .into_iter()
        .map(|((csn, currency, _), items)| RenewGroup {
            csn,
            company_name: items[0].company_name.clone(),
            currency,
            payment_method: method_view(items[0]),
            items: items
                .iter()
                .map(|s| {
                    let term = s.term_at_renewal.unwrap_or(s.term);
                    let day = s.renewal_day();
                    RenewItem {
                        id: s.id,
                        product_name: s.product_name.clone(),
                        seats: s.seats_at_renewal.unwrap_or(s.seats),
                        term,
                        status: s.status,
                        renewal_date: day,
                        new_last_day: last_day(crate::domain::time::term_end(day, term, s.time_zone), s),
                        in_cart: in_cart.contains(&s.id),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(RenewOptions { groups, left_out, in_cart: in_cart.len() })
}

/// The last local day of a term ending at `end`.
pub(crate) fn last_day(end: DateTime<Utc>, s: &Subscription) -> chrono::NaiveDate {
    local_date(expiry_instant(end), s.time_zone)
}

/// Puts renewals in the actor's cart: all of one group (R-BULK-3), each renewable now, the
/// cart at most 100 (R-BULK-2). All or nothing.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, count = selection.len()))]
pub async fn add_to_cart(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let subs = load(&mut tx, actor, selection.ids(), false).await?;
    let blocked: Vec<RenewRefused> =
        subs.iter().filter_map(|s| judge_cart_renewal(&cart_facts(s), now).err().map(|r| refused(s, r))).collect();
    if !blocked.is_empty() {
        return Err(AppError::validation("ids", Problem::RenewRefused { refused: blocked }));
    }
    let first = group_of(&subs[0]);
    let same = |s: &Subscription| {
        let (a, b) = (group_of(s), first.as_ref());
        a.as_ref().map(|g| (&g.csn, g.currency, g.payment_method_id))
            == b.map(|g| (&g.csn, g.currency, g.payment_method_id))
    };
    if !subs.iter().all(same) {
        return Err(AppError::validation("ids", Problem::MixedGroups));
    }
    let mut cart = tx.cart_ids(actor.user_id, actor.org_id).await?;
    let new: Vec<SubscriptionId> = selection.ids().iter().copied().filter(|id| !cart.contains(id)).collect();
    if cart.len() + new.len() > MAX_CART {
        return Err(AppError::validation("ids", Problem::CartFull { max: MAX_CART, in_cart: cart.len() }));
    }
    tx.add_to_cart(actor.user_id, actor.org_id, &new, now).await?;
    tx.commit().await?;
    cart.extend(new);
    Ok(cart.len())
}

/// Takes renewals out of the actor's cart.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn remove_from_cart(store: &Store, actor: &Actor, selection: &BulkSelection) -> Result<(), AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    tx.remove_from_carts(Some(actor.user_id), actor.org_id, selection.ids()).await?;
    tx.commit().await?;
    Ok(())
}

/// One order of the cart (or one quote), priced.
pub(crate) struct Priced<'a> {
    pub(crate) group: OrderGroup,
    pub(crate) subs: Vec<&'a Subscription>,
    pub(crate) lines: Vec<RenewalLine>,
    pub(crate) price: OrderPrice,
}

/// Prices the subscriptions of one group as one order made `now`: each line with the price
/// list and promotion of the transaction day in the subscription's time zone (R-PRICE-5), the
/// tax of the customer's address (R-CUST-3), instalments from that day (R-PAY-8).
fn price_group<'a>(
    book: &Book,
    group: OrderGroup,
    subs: Vec<&'a Subscription>,
    now: DateTime<Utc>,
) -> Result<Priced<'a>, Vec<RenewRefused>> {
    let mut lines = Vec::with_capacity(subs.len());
    let mut bad = Vec::new();
    for s in &subs {
        match renewal_line(book, s, local_date(now, s.time_zone)) {
            Ok(l) => lines.push(l),
            Err(_) => bad.push(refused(s, RenewBlock::NoPrice)),
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    price_lines(group, subs, lines, now)
}

/// Prices renewal lines already chosen and priced one by one as one order made `now`: the tax
/// of the first customer address (one customer number per order), computed once on the
/// subtotal (R-CUST-3), and the instalments from that day (R-PAY-8).
pub(crate) fn price_lines<'a>(
    group: OrderGroup,
    subs: Vec<&'a Subscription>,
    lines: Vec<RenewalLine>,
    now: DateTime<Utc>,
) -> Result<Priced<'a>, Vec<RenewRefused>> {
    let first = subs[0];
    let rate = rate_for(&first.tax_address).map_err(|_| vec![refused(first, RenewBlock::NoPrice)])?;
    let nets: Vec<LinePrice> = lines.iter().map(|l| l.line).collect();
    let day = local_date(now, first.time_zone);
    let price = crate::domain::checkout::price_order(group.currency, &nets, rate, group.term, day)
        .map_err(|_| vec![refused(first, RenewBlock::NoPrice)])?;
    Ok(Priced { group, subs, lines, price })
}

/// What the review showed, in a few bytes: each line's subscription, seats, term, period and
/// amounts, the totals and the schedule. Placing an order recomputes it and compares (R-PRICE-5).
pub(crate) fn fingerprint(p: &Priced<'_>) -> String {
    let mut text = String::new();
    for (s, l) in p.subs.iter().zip(&p.lines) {
        text.push_str(&format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}\n",
            s.id,
            l.seats,
            l.term.code(),
            s.term_end.timestamp(),
            l.new_end.timestamp(),
            l.unit,
            l.line.list,
            l.line.discount,
            l.line.net
        ));
    }
    let t = &p.price.totals;
    text.push_str(&format!("{}|{}|{}|{}", t.subtotal, t.tax, t.total, t.rate.percent));
    for i in &p.price.schedule {
        text.push_str(&format!("|{}:{}", i.due, i.total));
    }
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The cart's subscriptions split into what can be ordered now (grouped into orders) and what
/// cannot.
fn split_cart<'a>(book: &Book, subs: &'a [Subscription], now: DateTime<Utc>) -> (Vec<Priced<'a>>, Vec<RenewRefused>) {
    let mut blocked = Vec::new();
    let mut keyed = Vec::new();
    for s in subs {
        match judge_cart_renewal(&cart_facts(s), now) {
            Err(reason) => blocked.push(refused(s, reason)),
            Ok(_) => keyed.push((group_of(s).expect("a renewable subscription has a payment method"), s)),
        }
    }
    let mut orders = Vec::new();
    for (group, members) in group_by(&keyed) {
        match price_group(book, group, members, now) {
            Ok(p) => orders.push(p),
            Err(bad) => blocked.extend(bad),
        }
    }
    (orders, blocked)
}

/// The methods on file for the order's customer number and whether each can pay it: pay by
/// invoice only for an approved invoice account (R-PAY-3), card and PayPal not over
/// 25,000 USD before tax (R-PAY-2).
async fn method_choices(
    tx: &mut Tx,
    account: CustomerAccountId,
    subtotal: Money,
    rates: &UsdRates,
) -> StoreResult<Vec<(PaymentMethodRecord, Option<PaymentRefusal>)>> {
    let invoice_ok = tx.pays_by_invoice(account).await?;
    let methods = tx.payment_methods_of(account).await?;
    Ok(methods
        .into_iter()
        .map(|m| {
            let refusal = if m.kind == PaymentKind::Invoice && !invoice_ok {
                Some(PaymentRefusal::InvoiceNotAvailable)
            } else {
                method_allowed(m.kind, subtotal, rates).err()
            };
            (m, refusal)
        })
        .collect())
}

/// The payment choices as a form shows them.
fn choice_views(choices: Vec<(PaymentMethodRecord, Option<PaymentRefusal>)>) -> Vec<MethodChoice> {
    choices
        .into_iter()
        .map(|(m, refused)| MethodChoice {
            id: m.id,
            method: PaymentMethodView { kind: m.kind, detail: m.label },
            refused,
        })
        .collect()
}

/// The cart, reviewed: each order with its lines, totals, schedule and payment choices.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn cart(store: &Store, actor: &Actor, rates: &UsdRates, now: DateTime<Utc>) -> Result<CartView, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let ids = tx.cart_ids(actor.user_id, actor.org_id).await?;
    let mut subs = tx.subscriptions_in_org(actor.org_id, &ids, false).await?;
    subs.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
    let book = Book::load(&mut tx, rates).await?;
    let (priced, blocked) = split_cart(&book, &subs, now);
    let mut orders = Vec::with_capacity(priced.len());
    for p in &priced {
        let choices = method_choices(&mut tx, p.subs[0].customer_account_id, p.price.totals.subtotal, rates).await?;
        orders.push(cart_order(p, choices));
    }
    Ok(CartView { orders, blocked })
}

fn cart_order(p: &Priced<'_>, choices: Vec<(PaymentMethodRecord, Option<PaymentRefusal>)>) -> CartOrder {
    let t = &p.price.totals;
    let first = p.subs[0];
    CartOrder {
        csn: p.group.csn.clone(),
        company_name: first.company_name.clone(),
        currency: p.group.currency,
        term: p.group.term,
        licence_type: p.group.licence_type.clone(),
        ids: crate::domain::selection::join_ids(&p.subs.iter().map(|s| s.id).collect::<Vec<_>>()),
        lines: p
            .subs
            .iter()
            .zip(&p.lines)
            .map(|(s, l)| CartLine {
                id: s.id,
                product_name: s.product_name.clone(),
                seats: i64::from(l.seats),
                term: l.term,
                status: s.status,
                period_start: l.renewal_day,
                period_last_day: last_day(l.new_end, s),
                unit_price: l.unit,
                list: l.line.list,
                discount: l.line.discount,
                promotion: l.promotion.clone(),
                net: l.line.net,
            })
            .collect(),
        list: t.list,
        discount: t.discount,
        subtotal: t.subtotal,
        tax_percent: t.rate.percent.normalize().to_string(),
        tax_exempt: first.tax_address.tax_exempt,
        tax: t.tax,
        total: t.total,
        schedule: p.price.schedule.iter().map(|i| (i.due, i.total)).collect(),
        methods: choice_views(choices),
        default_method: PaymentMethodId(p.group.payment_method_id),
        fingerprint: fingerprint(p),
        checkout_key: IdempotencyKey::new().as_str().to_string(),
    }
}

/// The order form as it arrives.
pub struct OrderForm {
    pub selection: BulkSelection,
    pub fingerprint: String,
    pub payment_method: PaymentMethodId,
    pub po_number: String,
    pub key: IdempotencyKey,
}

/// Places one order of the cart (one group) and charges it once per checkout key. Answers with
/// the order number: placed, or waiting for the provider's answer. A declined charge leaves no
/// order and the cart as it was, and says why.
/// Above the organisation's approval threshold, nothing is ordered: the order is held for
/// another buyer ([`Placed::HeldForApproval`]).
pub async fn place_order(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &OrderForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    place_order_as(store, gateway, actor, form, rates, now, base_url, None).await
}

/// [`place_order`], or with `grant` the order another buyer approved, placed for `actor` (the
/// buyer who asked).
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, count = form.selection.len()))]
pub(crate) async fn place_order_as(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &OrderForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
    grant: Option<Grant>,
) -> Result<Placed, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    checked_po(&form.po_number)?;
    let key = form.key.as_str();
    if let Some(done) = replay(store, actor, key, grant.is_none()).await? {
        return done;
    }
    let mut tx = store.begin_write().await?;
    let ids = form.selection.ids();
    let subs = load(&mut tx, actor, ids, true).await?;
    // A concurrent submit of the same form waited for the locks above: it answers with the
    // first one's order instead of finding its subscriptions taken.
    if tx.order_by_checkout_key(actor.org_id, key).await?.is_some() {
        drop(tx);
        return replay(store, actor, key, grant.is_none()).await?.ok_or(AppError::Internal)?;
    }
    let cart = tx.cart_ids(actor.user_id, actor.org_id).await?;
    if ids.iter().any(|id| !cart.contains(id)) {
        return Err(AppError::Conflict(Problem::ReviewStale));
    }
    let blocked: Vec<RenewRefused> =
        subs.iter().filter_map(|s| judge_cart_renewal(&cart_facts(s), now).err().map(|r| refused(s, r))).collect();
    if !blocked.is_empty() {
        return Err(AppError::validation("ids", Problem::RenewRefused { refused: blocked }));
    }
    let book = Book::load(&mut tx, rates).await?;
    let (mut priced, blocked) = split_cart(&book, &subs, now);
    if !blocked.is_empty() {
        return Err(AppError::validation("ids", Problem::RenewRefused { refused: blocked }));
    }
    // The form is one order of the review: one group, priced as it was shown.
    if priced.len() != 1 || fingerprint(&priced[0]) != form.fingerprint {
        return Err(AppError::Conflict(Problem::ReviewStale));
    }
    let p = priced.remove(0);
    let choices = method_choices(&mut tx, p.subs[0].customer_account_id, p.price.totals.subtotal, rates).await?;
    let (method, refusal) = choices
        .into_iter()
        .find(|(m, _)| m.id == form.payment_method)
        .ok_or_else(|| AppError::validation("payment_method", Problem::NotListed))?;
    if let Some(why) = refusal {
        return Err(AppError::validation("payment_method", Problem::PaymentRefused(why)));
    }
    let lines = p
        .subs
        .iter()
        .zip(&p.lines)
        .zip(&p.price.lines)
        .map(|((s, l), priced)| LineToPlace {
            sub: s,
            kind: LineKind::Renewal,
            seats: l.seats,
            term: l.term,
            period_start: s.term_end,
            period_end: l.new_end,
            price: l.line,
            tax: priced.tax,
            schedule: priced.schedule.clone(),
        })
        .collect();
    write_and_charge(
        store,
        gateway,
        tx,
        actor,
        &form.key,
        &form.po_number,
        &method,
        &p.price,
        lines,
        None,
        Gate::new(grant, HeldForm::of_order(form), rates),
        now,
        base_url,
    )
    .await
}

/// One line of an order about to be written.
struct LineToPlace<'a> {
    sub: &'a Subscription,
    kind: LineKind,
    seats: u32,
    term: Term,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
    price: LinePrice,
    /// The line's share of the order's tax.
    tax: Money,
    /// When the line is paid: the first part at checkout, the rest scheduled (R-PAY-8).
    schedule: Vec<Instalment>,
}

/// Writes a checked order in `tx` (the caller has locked and checked its subscriptions and the
/// review) and pays it: by invoice, placed and invoiced Net 30 at once (R-REN-5); otherwise
/// written as charging with a pending payment keyed by the checkout key, committed, and charged
/// once through the gateway. Answers with the order number or the decline.
///
/// Every checkout passes the approval gate here, in the transaction that checked it: asking
/// ([`Gate::Ask`]), an order above the organisation's threshold is held as a request instead
/// (nothing ordered, charged or accepted); approved ([`Gate::Approved`]), the request is marked
/// approved in the transaction that writes its order, so it is placed once.
#[allow(clippy::too_many_arguments)]
async fn write_and_charge(
    store: &Store,
    gateway: &dyn PaymentGateway,
    mut tx: Tx,
    actor: &Actor,
    key: &IdempotencyKey,
    po_number: &str,
    method: &PaymentMethodRecord,
    price: &OrderPrice,
    lines: Vec<LineToPlace<'_>>,
    quote: Option<QuoteId>,
    gate: Gate<'_>,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    let key = key.as_str();
    let by_invoice = method.kind == PaymentKind::Invoice;
    let t = price.totals;
    let first = lines[0].sub;
    let asking = matches!(gate, Gate::Ask { .. });
    match gate {
        Gate::Ask { form, rates } => {
            let threshold = tx.approval_threshold(actor.org_id).await?.map(|t| t.amount);
            if needs_approval(threshold, t.total, rates) {
                let held = super::approvals::Held {
                    key,
                    form,
                    po_number: po_number.trim(),
                    method,
                    price,
                    quote,
                    threshold: threshold.expect("needs_approval needs a threshold"),
                    lines: lines
                        .iter()
                        .map(|l| NewApprovalLine {
                            subscription_id: l.sub.id,
                            product_name: l.sub.product_name.clone(),
                            seats: i64::from(l.seats),
                            term: l.term,
                            period_start: l.period_start,
                            period_end: l.period_end,
                            amount: l.price.net,
                        })
                        .collect(),
                };
                return super::approvals::hold(store, tx, actor, held, now, base_url).await;
            }
        }
        Gate::Approved(grant) => {
            // Placed as it was approved, or not at all.
            if grant.total != t.total {
                return Err(AppError::Conflict(Problem::ReviewStale));
            }
            if !super::approvals::record_approval(&mut tx, actor, &grant, now, base_url).await? {
                // Decided meanwhile: by a concurrent approval of the same request (its order
                // answers), or otherwise.
                drop(tx);
                return match replay(store, actor, key, false).await? {
                    Some(answer) => answer,
                    None => Err(AppError::Conflict(Problem::ApprovalRefused(DecisionRefusal::NotPending(
                        super::approvals::status_now(store, actor, &grant.number).await?,
                    )))),
                };
            }
        }
    }
    // The quote is accepted in the transaction that writes its order (never when it is held).
    if let Some(q) = quote
        && !tx.accept_quote(q, now).await?
    {
        return Err(AppError::Conflict(Problem::QuoteRefused(AcceptRefusal::AlreadyAccepted)));
    }
    let new_order = NewCheckoutOrder {
        org_id: actor.org_id,
        kind: lines[0].kind,
        quote_id: quote,
        customer_account_id: first.customer_account_id,
        subtotal: t.subtotal,
        tax: t.tax,
        total: t.total,
        payment_method_id: method.id,
        created_by: actor.user_id,
        checkout_key: key,
        po_number: po_number.trim(),
        status: OrderStatus::Charging,
        created_at: now,
    };
    let (order, number) = match tx.insert_checkout_order(&new_order).await {
        Ok(o) => o,
        Err(e) if e.is_unique_violation() => {
            // The same form, submitted twice at once: the first one's order answers.
            drop(tx);
            return replay(store, actor, key, asking).await?.unwrap_or(Err(AppError::Conflict(Problem::ReviewStale)));
        }
        Err(e) => return Err(e.into()),
    };
    let held: Vec<(SubscriptionId, DateTime<Utc>)> = lines.iter().map(|l| (l.sub.id, l.sub.term_end)).collect();
    if !tx.hold_for_order(&held, order, now).await? {
        return Err(AppError::Conflict(Problem::ReviewStale));
    }
    let rows: Vec<NewOrderLine> = lines
        .iter()
        .map(|l| NewOrderLine {
            kind: l.kind,
            order_id: order,
            subscription_id: l.sub.id,
            product_id: l.sub.product_id,
            product_name: l.sub.product_name.clone(),
            seats: i64::from(l.seats),
            term: l.term,
            period_start: l.period_start,
            period_end: l.period_end,
            list: l.price.list,
            discount: l.price.discount,
            amount: l.price.net,
            tax: l.tax,
        })
        .collect();
    tx.insert_order_lines(&rows).await?;
    let mut audit = Vec::with_capacity(lines.len());
    for l in &lines {
        let s = l.sub;
        // Later instalments wait in the schedule (R-PAY-8), each subscription's own.
        for part in l.schedule.iter().skip(1) {
            tx.insert_scheduled_charge(&NewScheduledCharge {
                org_id: actor.org_id,
                subscription_id: s.id,
                order_id: order,
                due_on: part.due,
                due_at: start_of_day(part.due, s.time_zone),
                total: part.total,
                tax: part.tax,
            })
            .await?;
        }
        let what = match l.kind {
            LineKind::Renewal => "renews",
            LineKind::AddSeats => "adds",
            LineKind::Extension => "extends",
        };
        audit.push(AuditEntry {
            org_id: actor.org_id,
            actor: Some(actor.user_id),
            action: AuditAction::CheckoutOrdered,
            object: AuditObject::Subscription(s.id),
            detail: format!("{number} {what}: {} x {} {}, {}", l.seats, s.product_name, l.term.label(), l.price.net),
            at: now,
        });
    }
    tx.insert_audit(&audit).await?;
    if by_invoice {
        // Net 30 from today (R-REN-5): placed and invoiced at once.
        let issued = local_date(now, first.time_zone);
        let due_day = invoice_due_date(issued);
        let part = price.schedule[0];
        let invoice = format!("INV-{}", number.trim_start_matches("ORD-"));
        issue_invoice(&mut tx, first, &Issue { order, number: &invoice, part, due_day, only: None }, now, base_url)
            .await?;
        let owed_from = overdue_from(due_day, first.time_zone);
        complete(&mut tx, order, Some(owed_from), now, base_url).await?;
        tx.commit().await?;
        return Ok(Placed::Order(number));
    }
    let pending = NewPayment {
        org_id: actor.org_id,
        order_id: order,
        subscription_id: None,
        payment_method_id: Some(method.id),
        amount: price.due_now(),
        idempotency_key: format!("checkout:{key}"),
        due_at: now,
    };
    let payment = match tx.insert_pending_payment(&pending, now).await {
        Ok(p) => p,
        Err(e) if e.is_unique_violation() => {
            // The same attempt, submitted twice at once, met a decline first: that is the answer.
            drop(tx);
            return replay(store, actor, key, asking).await?.unwrap_or(Err(AppError::Conflict(Problem::ReviewStale)));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    settle(store, gateway, payment, now, base_url).await?;
    match replay(store, actor, key, false).await? {
        Some(answer) => answer,
        None => Err(AppError::Internal),
    }
}

/// Seats added now to one subscription, priced as checkout charges them.
struct PricedSeats {
    seats: u32,
    unit: Money,
    promotion: Option<String>,
    charges: Vec<(Charge, LinePrice)>,
    price: OrderPrice,
}

/// Prices `seats` seats added to `s` now (R-PRICE-1, R-PRICE-3): the price list and add-seats
/// promotion of today in the subscription's time zone, co-termed to its renewal date, taxed
/// from the customer's address (R-CUST-3).
fn price_seats(book: &Book, s: &Subscription, seats: u32, now: DateTime<Utc>) -> Result<PricedSeats, AddSeatsRefusal> {
    let today = local_date(now, s.time_zone);
    let unit = book.prices.price(s.product_id, s.term, s.currency, today).ok_or(AddSeatsRefusal::NoPrice)?;
    let promo = best_promotion(&book.promotions, s.product_id, s.term, Purchase::AddSeats, today);
    let start = local_date(s.term_start, s.time_zone);
    let charges = added_seats_charges(unit, s.term, seats, today, start, s.renewal_day(), promo)
        .map_err(|_| AddSeatsRefusal::NoPrice)?;
    if charges.is_empty() {
        return Err(AddSeatsRefusal::TermEnding);
    }
    let rate = rate_for(&s.tax_address).map_err(|_| AddSeatsRefusal::NoPrice)?;
    let price =
        crate::domain::checkout::price_change(s.currency, &charges, rate).map_err(|_| AddSeatsRefusal::NoPrice)?;
    Ok(PricedSeats { seats, unit, promotion: promo.map(|p| p.name.clone()), charges, price })
}

/// What the add-seats review showed (R-PRICE-5), compared again when the order is placed.
fn seats_fingerprint(s: &Subscription, p: &PricedSeats) -> String {
    let mut text =
        format!("{}|{}|{}|{}|{}|{}\n", s.id, s.seats, p.seats, s.term.code(), s.term_end.timestamp(), p.unit);
    for (charge, line) in &p.charges {
        text.push_str(&format!("{}|{}|{}|{}\n", charge.due, line.list, line.discount, line.net));
    }
    let t = &p.price.totals;
    text.push_str(&format!("{}|{}|{}|{}", t.subtotal, t.tax, t.total, t.rate.percent));
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn seats_refused(why: AddSeatsRefusal) -> AppError {
    AppError::validation("seats", Problem::AddSeatsRefused(why))
}

/// The review of seats added now: the prorated price to the renewal date, tax, total,
/// instalments and the payment methods that can pay it. Only buyers (R-REN-1).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %id))]
pub async fn add_seats_review(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    seats: i64,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<AddSeatsReview, AppError> {
    authorize(actor, Action::ChangeSubscription, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let s = load(&mut tx, actor, &[id], false).await?.remove(0);
    let n = judge_add_seats(&super::next_term::facts(&s), seats, now).map_err(seats_refused)?;
    let book = Book::load(&mut tx, rates).await?;
    let p = price_seats(&book, &s, n, now).map_err(seats_refused)?;
    let t = p.price.totals;
    let choices = method_choices(&mut tx, s.customer_account_id, t.subtotal, rates).await?;
    Ok(AddSeatsReview {
        id: s.id,
        product_name: s.product_name.clone(),
        csn: s.csn.clone(),
        company_name: s.company_name.clone(),
        seats_now: s.seats,
        added: n,
        term: s.term,
        from: local_date(now, s.time_zone),
        last_day: s.renewal_day().pred_opt().unwrap_or_else(|| s.renewal_day()),
        unit_price: p.unit,
        promotion: p.promotion.clone(),
        list: t.list,
        discount: t.discount,
        subtotal: t.subtotal,
        tax_percent: t.rate.percent.normalize().to_string(),
        tax_exempt: s.tax_address.tax_exempt,
        tax: t.tax,
        total: t.total,
        schedule: p.price.schedule.iter().map(|i| (i.due, i.total)).collect(),
        methods: choice_views(choices),
        default_method: s.payment_method_id.unwrap_or(PaymentMethodId(0)),
        fingerprint: seats_fingerprint(&s, &p),
        checkout_key: IdempotencyKey::new().as_str().to_string(),
    })
}

/// The add-seats order form as it arrives.
pub struct AddSeatsForm {
    pub id: SubscriptionId,
    pub seats: i64,
    pub fingerprint: String,
    pub payment_method: PaymentMethodId,
    pub po_number: String,
    pub key: IdempotencyKey,
}

/// Places the order for seats added now and charges it once per checkout key, like a renewal
/// order: the seats are added when the charge is paid or accepted; a decline leaves no order
/// and the subscription as it was.
/// Above the approval threshold, held for another buyer instead.
pub async fn place_add_seats(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &AddSeatsForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    place_add_seats_as(store, gateway, actor, form, rates, now, base_url, None).await
}

/// [`place_add_seats`], or with `grant` as another buyer approved it.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %form.id))]
pub(crate) async fn place_add_seats_as(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &AddSeatsForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
    grant: Option<Grant>,
) -> Result<Placed, AppError> {
    authorize(actor, Action::ChangeSubscription, actor.org_id)?;
    checked_po(&form.po_number)?;
    let key = form.key.as_str();
    if let Some(done) = replay(store, actor, key, grant.is_none()).await? {
        return done;
    }
    let mut tx = store.begin_write().await?;
    let s = load(&mut tx, actor, &[form.id], true).await?.remove(0);
    if tx.order_by_checkout_key(actor.org_id, key).await?.is_some() {
        drop(tx);
        return replay(store, actor, key, grant.is_none()).await?.ok_or(AppError::Internal)?;
    }
    let n = judge_add_seats(&super::next_term::facts(&s), form.seats, now).map_err(seats_refused)?;
    let book = Book::load(&mut tx, rates).await?;
    let p = price_seats(&book, &s, n, now).map_err(seats_refused)?;
    if seats_fingerprint(&s, &p) != form.fingerprint {
        return Err(AppError::Conflict(Problem::ReviewStale));
    }
    let choices = method_choices(&mut tx, s.customer_account_id, p.price.totals.subtotal, rates).await?;
    let (method, refusal) = choices
        .into_iter()
        .find(|(m, _)| m.id == form.payment_method)
        .ok_or_else(|| AppError::validation("payment_method", Problem::NotListed))?;
    if let Some(why) = refusal {
        return Err(AppError::validation("payment_method", Problem::PaymentRefused(why)));
    }
    let line = LineToPlace {
        sub: &s,
        kind: LineKind::AddSeats,
        seats: n,
        term: s.term,
        period_start: now,
        period_end: s.term_end,
        price: p.price.lines[0].price,
        tax: p.price.totals.tax,
        schedule: p.price.schedule.clone(),
    };
    write_and_charge(
        store,
        gateway,
        tx,
        actor,
        &form.key,
        &form.po_number,
        &method,
        &p.price,
        vec![line],
        None,
        Gate::new(grant, HeldForm::of_add_seats(form), rates),
        now,
        base_url,
    )
    .await
}

/// The most subscriptions offered to align with.
pub const MAX_ALIGN_TARGETS: i64 = 50;

/// An extension of `s` to end with `target`, priced as checkout charges it.
pub(crate) struct PricedExtension {
    pub(crate) span: Span,
    pub(crate) unit: Money,
    pub(crate) promotion: Option<String>,
    pub(crate) line: LinePrice,
    pub(crate) price: OrderPrice,
}

/// The facts R-PRICE-4 judges an extension of `s` to end at `target_end` on.
fn extension_request(s: &Subscription, target_end: DateTime<Utc>, now: DateTime<Utc>) -> ExtensionRequest {
    ExtensionRequest {
        term: s.term,
        canceled: s.status == Status::Canceled,
        // Eligible for renewal: Active (an ended term would be extended backwards), not unpaid,
        // not held by an order. The 90-day window is judged by `judge_extension` itself.
        renewable: s.status == Status::Active && s.unpaid_since.is_none() && s.pending_order_id.is_none(),
        today: local_date(now, s.time_zone),
        renewal: s.renewal_day(),
        target: local_date(target_end, s.time_zone),
    }
}

/// Prices extending `s` to end with `target` (R-PRICE-1, R-PRICE-2, R-PRICE-4): the days from
/// its renewal date to the target's, all seats, at today's price list and extension promotion,
/// taxed from the customer's address, charged at once.
pub(crate) fn price_extension(
    book: &Book,
    s: &Subscription,
    target: &Subscription,
    now: DateTime<Utc>,
) -> Result<PricedExtension, AppError> {
    let refused = |why| AppError::validation("target", Problem::ExtensionRefused(why));
    let span = judge_extension(&extension_request(s, target.term_end, now)).map_err(refused)?;
    let no_price = || AppError::validation("target", Problem::AddSeatsRefused(AddSeatsRefusal::NoPrice));
    let today = local_date(now, s.time_zone);
    let unit = book.prices.price(s.product_id, s.term, s.currency, today).ok_or_else(no_price)?;
    let promo = best_promotion(&book.promotions, s.product_id, s.term, Purchase::Extension, today);
    let seats = u32::try_from(s.seats).map_err(|_| no_price())?;
    let line = price_line(unit, s.term, seats, span, promo).map_err(|_| no_price())?;
    let price = extension_price(s, line, now).map_err(|_| no_price())?;
    Ok(PricedExtension { span, unit, promotion: promo.map(|p| p.name.clone()), line, price })
}

/// An extension of `s` priced `line` as one order: taxed from the customer's address, charged
/// at once on the transaction day (R-PRICE-2). The checkout's extension and a co-term quote's
/// acceptance both price it here, so they agree to the cent.
fn extension_price(s: &Subscription, line: LinePrice, now: DateTime<Utc>) -> Result<OrderPrice, ()> {
    let rate = rate_for(&s.tax_address).map_err(|_| ())?;
    let today = local_date(now, s.time_zone);
    crate::domain::checkout::price_change(s.currency, &[(Charge { due: today, amount: line.net }, line)], rate)
        .map_err(|_| ())
}

/// Whether `price` is what quote `q` says: the same subtotal, discount, tax and total.
fn as_quoted(price: &OrderPrice, q: &QuoteRecord) -> bool {
    let t = &price.totals;
    (t.subtotal, t.discount, t.tax, t.total) == (q.subtotal, q.discount, q.tax, q.total)
}

pub(crate) fn extension_fingerprint(s: &Subscription, target: &Subscription, p: &PricedExtension) -> String {
    let t = &p.price.totals;
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        s.id,
        s.seats,
        s.term.code(),
        s.term_end.timestamp(),
        target.id,
        target.term_end.timestamp(),
        p.unit,
        p.line.list,
        p.line.discount,
        p.line.net,
        t.tax,
        t.total,
        t.rate.percent
    );
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `s` and the subscription it is to align with, both of the actor's organisation; the target
/// must share its customer number and currency.
pub(crate) async fn load_pair(
    tx: &mut Tx,
    actor: &Actor,
    id: SubscriptionId,
    target: SubscriptionId,
    lock: bool,
) -> Result<(Subscription, Subscription), AppError> {
    let s = load(tx, actor, &[id], lock).await?.remove(0);
    let t = tx.subscriptions_in_org(actor.org_id, &[target], false).await?.pop();
    match t {
        Some(t) if t.id != s.id && t.customer_account_id == s.customer_account_id && t.currency == s.currency => {
            Ok((s, t))
        }
        _ => Err(AppError::validation("target", Problem::NotListed)),
    }
}

/// What `s` may align with now: Active subscriptions of its customer number and currency that
/// end after it and within the R-PRICE-4 limit, soonest first; empty outside the renewal period.
pub async fn align_targets(tx: &mut Tx, s: &Subscription, now: DateTime<Utc>) -> StoreResult<Vec<AlignTarget>> {
    let today = local_date(now, s.time_zone);
    if today < s.renewal_day() - chrono::Duration::days(crate::domain::renewal::EARLY_DAYS) {
        return Ok(Vec::new());
    }
    let limit = crate::domain::pricing::extension_limit(today, s.renewal_day());
    let until = start_of_day(limit, s.time_zone);
    let rows = tx.alignable(s.customer_account_id, s.currency, s.term_end, until, MAX_ALIGN_TARGETS).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, product_name, end)| {
            let end = DateTime::from_timestamp(end, 0)?;
            Some(AlignTarget { id, product_name, renewal: local_date(end, s.time_zone) })
        })
        .collect())
}

/// The review of extending a subscription to end with another (co-term alignment): the days
/// bought, their price, tax and total, and the payment methods that can pay it. Only buyers.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %id))]
pub async fn extension_review(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    target: SubscriptionId,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<ExtensionReview, AppError> {
    authorize(actor, Action::ChangeSubscription, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let (s, t) = load_pair(&mut tx, actor, id, target, false).await?;
    let book = Book::load(&mut tx, rates).await?;
    let p = price_extension(&book, &s, &t, now)?;
    let totals = p.price.totals;
    let choices = method_choices(&mut tx, s.customer_account_id, totals.subtotal, rates).await?;
    Ok(ExtensionReview {
        id: s.id,
        product_name: s.product_name.clone(),
        seats: s.seats,
        term: s.term,
        renewal: s.renewal_day(),
        new_renewal: local_date(t.term_end, s.time_zone),
        target: t.id,
        target_product: t.product_name.clone(),
        whole_terms: p.span.whole_terms,
        days: p.span.days,
        unit_price: p.unit,
        promotion: p.promotion.clone(),
        list: totals.list,
        discount: totals.discount,
        subtotal: totals.subtotal,
        tax_percent: totals.rate.percent.normalize().to_string(),
        tax_exempt: s.tax_address.tax_exempt,
        tax: totals.tax,
        total: totals.total,
        methods: choice_views(choices),
        default_method: s.payment_method_id.unwrap_or(PaymentMethodId(0)),
        fingerprint: extension_fingerprint(&s, &t, &p),
        checkout_key: IdempotencyKey::new().as_str().to_string(),
    })
}

/// The extension order form as it arrives.
pub struct ExtensionForm {
    pub id: SubscriptionId,
    pub target: SubscriptionId,
    pub fingerprint: String,
    pub payment_method: PaymentMethodId,
    pub po_number: String,
    pub key: IdempotencyKey,
}

/// Places the extension order, charged once per checkout key; once paid or accepted, the
/// subscription's term ends with the target's. A decline leaves no order and nothing changed.
/// Above the approval threshold, held for another buyer instead.
pub async fn place_extension(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &ExtensionForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    place_extension_as(store, gateway, actor, form, rates, now, base_url, None).await
}

/// [`place_extension`], or with `grant` as another buyer approved it.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %form.id))]
pub(crate) async fn place_extension_as(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &ExtensionForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
    grant: Option<Grant>,
) -> Result<Placed, AppError> {
    authorize(actor, Action::ChangeSubscription, actor.org_id)?;
    checked_po(&form.po_number)?;
    let key = form.key.as_str();
    if let Some(done) = replay(store, actor, key, grant.is_none()).await? {
        return done;
    }
    let mut tx = store.begin_write().await?;
    let (s, t) = load_pair(&mut tx, actor, form.id, form.target, true).await?;
    if tx.order_by_checkout_key(actor.org_id, key).await?.is_some() {
        drop(tx);
        return replay(store, actor, key, grant.is_none()).await?.ok_or(AppError::Internal)?;
    }
    let book = Book::load(&mut tx, rates).await?;
    let p = price_extension(&book, &s, &t, now)?;
    if extension_fingerprint(&s, &t, &p) != form.fingerprint {
        return Err(AppError::Conflict(Problem::ReviewStale));
    }
    let choices = method_choices(&mut tx, s.customer_account_id, p.price.totals.subtotal, rates).await?;
    let (method, refusal) = choices
        .into_iter()
        .find(|(m, _)| m.id == form.payment_method)
        .ok_or_else(|| AppError::validation("payment_method", Problem::NotListed))?;
    if let Some(why) = refusal {
        return Err(AppError::validation("payment_method", Problem::PaymentRefused(why)));
    }
    let line = LineToPlace {
        sub: &s,
        kind: LineKind::Extension,
        seats: u32::try_from(s.seats).unwrap_or(0),
        term: s.term,
        period_start: s.term_end,
        period_end: t.term_end,
        price: p.line,
        tax: p.price.totals.tax,
        schedule: p.price.schedule.clone(),
    };
    write_and_charge(
        store,
        gateway,
        tx,
        actor,
        &form.key,
        &form.po_number,
        &method,
        &p.price,
        vec![line],
        None,
        Gate::new(grant, HeldForm::of_extension(form), rates),
        now,
        base_url,
    )
    .await
}

/// The accept form of a quote as it arrives.
pub struct QuoteForm {
    pub number: String,
    pub payment_method: PaymentMethodId,
    pub po_number: String,
    pub key: IdempotencyKey,
}

/// A quote's lines as the order that buys them, at the quote's own prices: each line renews
/// its subscription for the period quoted, the tax computed as checkout computes it must be
/// the quote's, and nothing may have moved since the quote was made (the subscription renewed,
/// or the customer's tax changed). Otherwise the quote is outdated and a new one is needed.
fn quote_order<'a>(
    q: &QuoteRecord,
    lines: &[QuoteLineRecord],
    subs: &'a [Subscription],
    now: DateTime<Utc>,
) -> Result<(OrderPrice, Vec<LineToPlace<'a>>), AppError> {
    let outdated = || AppError::Conflict(Problem::QuoteRefused(AcceptRefusal::Outdated));
    let Some(first) = subs.first() else { return Err(outdated()) };
    if lines.len() != subs.len() {
        return Err(outdated());
    }
    if q.kind == QuoteKind::Coterm {
        return coterm_order(q, lines, subs, now);
    }
    // The quotes there are (partner and generated renewal quotes) have one term; a quote of
    // mixed terms could not be one order (R-SUB-6) and is never written.
    let term = lines[0].term;
    if lines.iter().any(|l| l.term != term) {
        tracing::error!(quote = %q.number, "a quote of mixed terms");
        return Err(AppError::Internal);
    }
    let mut nets = Vec::with_capacity(lines.len());
    for (l, s) in lines.iter().zip(subs) {
        let quoted_start = l.period_start.ok_or_else(outdated)?;
        if quoted_start != s.term_end || judge_cart_renewal(&cart_facts(s), now).is_err() {
            return Err(outdated());
        }
        let list = l.unit_price.times(l.seats).map_err(|_| outdated())?;
        nets.push(LinePrice { list, discount: l.discount, net: l.amount });
    }
    let rate = rate_for(&first.tax_address).map_err(|_| outdated())?;
    let day = local_date(now, first.time_zone);
    let price = crate::domain::checkout::price_order(q.currency, &nets, rate, term, day).map_err(|_| outdated())?;
    if !as_quoted(&price, q) {
        return Err(outdated());
    }
    let mut placed = Vec::with_capacity(lines.len());
    for ((l, s), priced) in lines.iter().zip(subs).zip(&price.lines) {
        placed.push(LineToPlace {
            sub: s,
            kind: LineKind::Renewal,
            seats: u32::try_from(l.seats).map_err(|_| outdated())?,
            term: l.term,
            period_start: s.term_end,
            period_end: l.period_end.ok_or_else(outdated)?,
            price: priced.price,
            tax: priced.tax,
            schedule: priced.schedule.clone(),
        });
    }
    Ok((price, placed))
}

/// A co-term quote's line as the extension order that buys it (R-PRICE-2, R-PRICE-4, R-QUOTE-3):
/// the subscription still ends where the quote extends it from, with the seats and term
/// quoted, and extending it to the quoted end is still allowed today; at the quote's price,
/// taxed as checkout taxes an extension, charged at once. Otherwise the quote is outdated.
fn coterm_order<'a>(
    q: &QuoteRecord,
    lines: &[QuoteLineRecord],
    subs: &'a [Subscription],
    now: DateTime<Utc>,
) -> Result<(OrderPrice, Vec<LineToPlace<'a>>), AppError> {
    let outdated = || AppError::Conflict(Problem::QuoteRefused(AcceptRefusal::Outdated));
    let ([l], [s]) = (lines, subs) else { return Err(outdated()) };
    let (Some(start), Some(end)) = (l.period_start, l.period_end) else { return Err(outdated()) };
    if start != s.term_end || l.seats != s.seats || l.term != s.term {
        return Err(outdated());
    }
    judge_extension(&extension_request(s, end, now)).map_err(|_| outdated())?;
    let line = LinePrice {
        list: l.amount.checked_add(l.discount).map_err(|_| outdated())?,
        discount: l.discount,
        net: l.amount,
    };
    let price = extension_price(s, line, now).map_err(|_| outdated())?;
    if s.currency != q.currency || !as_quoted(&price, q) {
        return Err(outdated());
    }
    let placed = LineToPlace {
        sub: s,
        kind: LineKind::Extension,
        seats: u32::try_from(s.seats).map_err(|_| outdated())?,
        term: s.term,
        period_start: s.term_end,
        period_end: end,
        price: line,
        tax: price.totals.tax,
        schedule: price.schedule.clone(),
    };
    Ok((price, vec![placed]))
}

/// How a quote can be accepted now: each method on file for its customer number and whether
/// it can pay the quote (R-PAY-2, R-PAY-3), what is charged now (the first instalment of a
/// three-year term, R-PAY-8) and a fresh checkout key; or why it cannot be.
pub(crate) async fn quote_checkout(
    tx: &mut Tx,
    actor: &Actor,
    q: &QuoteRecord,
    lines: &[QuoteLineRecord],
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<Result<QuoteCheckout, AcceptRefusal>, AppError> {
    if let Err(why) = judge_acceptance(status_at(q.status, q.expires_at, now)) {
        return Ok(Err(why));
    }
    let ids: Vec<SubscriptionId> = lines.iter().filter_map(|l| l.subscription_id).collect();
    let Ok(subs) = load(tx, actor, &ids, false).await else { return Ok(Err(AcceptRefusal::Outdated)) };
    let Ok((price, _)) = quote_order(q, lines, &subs, now) else { return Ok(Err(AcceptRefusal::Outdated)) };
    let choices = method_choices(tx, subs[0].customer_account_id, price.totals.subtotal, rates).await?;
    Ok(Ok(QuoteCheckout {
        methods: choice_views(choices),
        default_method: subs[0].payment_method_id.unwrap_or(PaymentMethodId(0)),
        checkout_key: IdempotencyKey::new().as_str().to_string(),
        due_now: price.due_now(),
    }))
}

/// Accepts and buys a quote (R-QUOTE-7): one order at the quote's exact prices, through the
/// checkout every purchase goes through, charged once per checkout key; the quote is accepted
/// in the same transaction as its order and is active again if the payment is declined.
/// Expired, accepted, replaced or outdated quotes are refused with their reason.
/// Above the approval threshold, held for another buyer instead.
pub async fn place_quote(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &QuoteForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<Placed, AppError> {
    place_quote_as(store, gateway, actor, form, rates, now, base_url, None).await
}

/// [`place_quote`], or with `grant` as another buyer approved it.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub(crate) async fn place_quote_as(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &QuoteForm,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
    grant: Option<Grant>,
) -> Result<Placed, AppError> {
    authorize(actor, Action::Renew, actor.org_id)?;
    checked_po(&form.po_number)?;
    let key = form.key.as_str();
    if let Some(done) = replay(store, actor, key, grant.is_none()).await? {
        return done;
    }
    let mut tx = store.begin_write().await?;
    let q = tx.quote_by_number(actor.org_id, form.number.trim()).await?.ok_or(AppError::NotFound)?;
    let lines = tx.quote_lines(q.id).await?;
    let ids: Vec<SubscriptionId> = lines.iter().filter_map(|l| l.subscription_id).collect();
    if ids.is_empty() || ids.len() != lines.len() {
        tracing::error!(quote = %q.number, "a quote without subscriptions to renew");
        return Err(AppError::Internal);
    }
    let subs = load(&mut tx, actor, &ids, true).await?;
    // A concurrent submit of the same form waited for the locks above: it answers with the
    // first one's order.
    if tx.order_by_checkout_key(actor.org_id, key).await?.is_some() {
        drop(tx);
        return replay(store, actor, key, grant.is_none()).await?.ok_or(AppError::Internal)?;
    }
    judge_acceptance(status_at(q.status, q.expires_at, now))
        .map_err(|why| AppError::Conflict(Problem::QuoteRefused(why)))?;
    let (price, placed) = quote_order(&q, &lines, &subs, now)?;
    let choices = method_choices(&mut tx, subs[0].customer_account_id, price.totals.subtotal, rates).await?;
    let (method, refusal) = choices
        .into_iter()
        .find(|(m, _)| m.id == form.payment_method)
        .ok_or_else(|| AppError::validation("payment_method", Problem::NotListed))?;
    if let Some(why) = refusal {
        return Err(AppError::validation("payment_method", Problem::PaymentRefused(why)));
    }
    write_and_charge(
        store,
        gateway,
        tx,
        actor,
        &form.key,
        &form.po_number,
        &method,
        &price,
        placed,
        Some(q.id),
        Gate::new(grant, HeldForm::of_quote(form), rates),
        now,
        base_url,
    )
    .await
}

/// What a checkout key already did: its order's number, or the decline that withdrew it, or
/// (`held`: when asking, not when placing what was approved) the request it was held as.
async fn replay(
    store: &Store,
    actor: &Actor,
    key: &str,
    held: bool,
) -> Result<Option<Result<Placed, AppError>>, AppError> {
    let mut tx = store.begin_read().await?;
    if let Some(o) = tx.order_by_checkout_key(actor.org_id, key).await? {
        return Ok(Some(Ok(Placed::Order(o.number))));
    }
    if held && let Some(a) = tx.approval_by_key(actor.org_id, key).await? {
        return Ok(Some(Ok(Placed::HeldForApproval(a.number))));
    }
    let failure = tx.checkout_failure(actor.org_id, &format!("checkout:{key}")).await?;
    Ok(failure.map(|reason| {
        Err(AppError::validation("payment_method", Problem::PaymentDeclined(DeclineReason::from_text(&reason))))
    }))
}

/// Called in the transaction that settles a checkout order's payment: paid or accepted
/// (`Pending`, a bank transfer), the order is completed; declined, it is withdrawn and its
/// subscriptions and the cart are as they were. An unknown answer leaves it charging until the
/// engine asks the gateway again.
pub(crate) async fn after_charge(
    tx: &mut Tx,
    order: OrderId,
    status: PaymentStatus,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<()> {
    match status {
        PaymentStatus::Succeeded | PaymentStatus::Pending => complete(tx, order, None, now, base_url).await,
        PaymentStatus::Failed => {
            let Some(o) = tx.order(order).await? else { return Ok(()) };
            let lines = tx.order_lines(order).await?;
            if o.status == OrderStatus::Placed {
                // An accepted bank transfer that failed later: the renewals are owed from the
                // order's date, and their lifecycle runs from there (R-LIFE-5).
                // Only renewals are owed that way; seats added or an extension already given
                // stay, and the failure is left for the invoices issue's collection (logged).
                for l in &lines {
                    match (l.kind, l.subscription_id) {
                        (LineKind::Renewal, Some(id)) => tx.set_unpaid_since(id, Some(due_at), now).await?,
                        (_, id) => tracing::warn!(order = %o.number, ?id, "a placed order's payment failed later"),
                    }
                }
                return Ok(());
            }
            if tx.withdraw_order(order).await? {
                let audit: Vec<AuditEntry> = lines
                    .iter()
                    .filter_map(|l| l.subscription_id)
                    .map(|id| AuditEntry {
                        org_id: o.org_id,
                        actor: None,
                        action: AuditAction::CheckoutDeclined,
                        object: AuditObject::Subscription(id),
                        detail: format!("{}: payment declined, order withdrawn", o.number),
                        at: now,
                    })
                    .collect();
                tx.insert_audit(&audit).await?;
            }
            Ok(())
        }
        PaymentStatus::Unknown => Ok(()),
    }
}

/// Places a charging order: each line's new term starts (the renewal date does not move,
/// R-REN-2; a late renewal reactivates, R-LIFE-3) with the order's payment method, the lines
/// leave every cart, and the buyers get one confirmation with the order number (R-EXT-2,
/// R-MAIL-1, R-MAIL-2). Runs once per order, whoever settles it.
async fn complete(
    tx: &mut Tx,
    order: OrderId,
    owed_from: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<()> {
    if !tx.mark_order_placed(order).await? {
        return Ok(());
    }
    let Some(o) = tx.order(order).await? else { return Ok(()) };
    let lines = tx.order_lines(order).await?;
    let method = o.payment_method_id.expect("a checkout order has a payment method");
    let mut renewals = Vec::with_capacity(lines.len());
    for l in &lines {
        let Some(id) = l.subscription_id else { continue };
        match l.kind {
            LineKind::AddSeats => {
                // Seats added now, co-termed: the term and renewal date stay (R-PRICE-3).
                tx.add_seats(id, order, l.seats, now).await?;
            }
            LineKind::Extension => {
                // The current term now ends with the subscription it was aligned with (R-PRICE-2).
                tx.extend_term(id, order, l.period_end, now).await?;
            }
            LineKind::Renewal => renewals.push(AppliedRenewal {
                id,
                order,
                term_start: l.period_start,
                term_end: l.period_end,
                seats: l.seats,
                term: l.term,
            }),
        }
    }
    let renewed = tx.apply_renewals(order, &renewals, method, owed_from, now).await?;
    tx.remove_from_carts(None, o.org_id, &renewed).await?;
    let items: Vec<ItemLine> = lines
        .iter()
        .map(|l| ItemLine { product_name: l.product_name.clone(), seats: l.seats, term: l.term, amount: l.amount })
        .collect();
    let contacts = buyer_contacts(tx, o.org_id).await?;
    for to in recipients(MailKind::OrderConfirmation, &contacts) {
        let mail =
            mail::order_confirmation(o.org_id, &to.address, to.lang, &o.number, &items, o.tax, o.total, base_url);
        tx.queue_mail(&mail, now).await?;
    }
    Ok(())
}

fn payment_state(o: &OrderRecord) -> PaymentState {
    if let Some(number) = &o.invoice_number {
        return PaymentState::Invoiced(number.clone());
    }
    match (o.status, o.payment_status) {
        (OrderStatus::Charging, _) => PaymentState::Confirming,
        (_, Some(PaymentStatus::Succeeded)) => PaymentState::Paid,
        (_, Some(PaymentStatus::Failed)) => PaymentState::Failed,
        _ => PaymentState::Pending,
    }
}

fn order_summary(o: &OrderRecord, tz: chrono_tz::Tz) -> OrderSummary {
    OrderSummary {
        number: o.number.clone(),
        placed_on: local_date(o.created_at, tz),
        csn: o.csn.clone(),
        lines: o.line_count,
        total: o.total,
        payment_method: o
            .payment_kind
            .map(|kind| PaymentMethodView { kind, detail: o.payment_label.clone().unwrap_or_default() }),
        payment: payment_state(o),
    }
}

/// The organisation's orders, newest first.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn orders(store: &Store, actor: &Actor, page: i64) -> Result<OrdersPage, AppError> {
    authorize(actor, Action::ViewOrders, actor.org_id)?;
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::validation("page", Problem::PageFromOne));
    }
    let mut tx = store.begin_read().await?;
    let (rows, total) = tx.orders_in_org(actor.org_id, ORDERS_PER_PAGE, (page - 1) * ORDERS_PER_PAGE).await?;
    let zones = order_zones(&mut tx, &rows).await?;
    Ok(OrdersPage {
        rows: rows.iter().zip(zones).map(|(o, tz)| order_summary(o, tz)).collect(),
        total,
        page,
        per_page: ORDERS_PER_PAGE,
    })
}

/// The time zone each order's dates are read in: its first subscription's purchase zone.
async fn order_zones(tx: &mut Tx, orders: &[OrderRecord]) -> StoreResult<Vec<chrono_tz::Tz>> {
    let mut out = Vec::with_capacity(orders.len());
    for o in orders {
        out.push(tx.order_time_zone(o.id).await?.unwrap_or(chrono_tz::UTC));
    }
    Ok(out)
}

/// One order of the organisation, by number, with what became of each line's subscription.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn order(store: &Store, actor: &Actor, number: &str, now: DateTime<Utc>) -> Result<OrderDetail, AppError> {
    authorize(actor, Action::ViewOrders, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    // Another organisation's order is not found, like one that does not exist.
    let o = tx.order_by_number(actor.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
    // What each line could be refunded now (R-PAY-9), or was.
    let facts = super::refunds::OrderFacts::load(&mut tx, o.clone()).await?;
    let lines = &facts.lines;
    let ids: Vec<SubscriptionId> = lines.iter().filter_map(|l| l.subscription_id).collect();
    let subs = tx.subscriptions_in_org(actor.org_id, &ids, false).await?;
    let tz = subs.first().map_or(chrono_tz::UTC, |s| s.time_zone);
    let company_name = subs.first().map(|s| s.company_name.clone()).unwrap_or_default();
    let views = lines
        .iter()
        .enumerate()
        .map(|(index, l)| {
            let sub = subs.iter().find(|s| Some(s.id) == l.subscription_id);
            let zone = sub.map_or(tz, |s| s.time_zone);
            OrderLineView {
                subscription_id: l.subscription_id,
                product_name: l.product_name.clone(),
                seats: l.seats,
                term: l.term,
                period_start: local_date(l.period_start, zone),
                period_last_day: local_date(expiry_instant(l.period_end), zone),
                list: l.list,
                discount: l.discount,
                net: l.amount,
                tax: l.tax,
                status_now: sub.map(|s| s.status),
                refund: sub.and_then(|s| facts.offer(index, s, now)),
                refunded: sub.and_then(|s| facts.refunded(s.id)),
            }
        })
        .collect();
    Ok(OrderDetail {
        summary: order_summary(&o, tz),
        company_name,
        po_number: o.po_number.clone(),
        lines: views,
        subtotal: o.subtotal,
        tax: o.tax,
    })
}
