//! Billing and orders > Payment methods (R-PAY-5, R-PAY-6, R-BULK-5, R-EXT-3, R-EXT-5): the
//! methods on file per customer number with the subscriptions paying with them; cards added
//! (tokenised by the gateway: the number goes there and is never kept or shown again) and
//! edited (billing name, address and expiry only; the customer details stay as they are);
//! methods removed once no automatic renewal relies on them; and the method of one
//! subscription or of up to 100 at once changed, all or nothing. Buyers only.

use chrono::{DateTime, Utc};

use crate::contract::dto::*;
use crate::contract::error::AppError;
use crate::contract::problem::{InUse, MethodRefused, Problem};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::card::{self, CardBrand, CardProblem, Expiry};
use crate::domain::eligibility::{PaymentRefusal, method_allowed};
use crate::domain::ids::{PaymentMethodId, SubscriptionId};
use crate::domain::money::UsdRates;
use crate::domain::payment::{MethodChangeFacts, PaymentKind, judge_method_change};
use crate::domain::renewal::renewal_window;
use crate::domain::selection::BulkSelection;
use crate::domain::time::local_date;
use crate::server::gateway::{CardToTokenise, PaymentGateway, TokeniseError};
use crate::server::services::engine::pricing::{Book, renewal_totals};
use crate::server::store::records::{
    AuditAction, AuditEntry, AuditObject, CardOnFile, MethodOnFile, MethodUse, NewCard, Subscription,
};
use crate::server::store::{Store, Tx};

/// The most subscriptions the page lists under one method; the rest are counted.
pub const LISTED_PER_METHOD: usize = 50;

fn user_view(u: &MethodUse) -> MethodUserView {
    MethodUserView { id: u.id, product_name: u.product_name.clone(), auto_renew: u.auto_renew, status: u.status }
}

fn card_view(c: &CardOnFile, now: DateTime<Utc>) -> CardView {
    let expiry = Expiry { month: c.exp_month, year: c.exp_year };
    CardView {
        brand: c.brand.clone(),
        last4: c.last4.clone(),
        exp_month: c.exp_month,
        exp_year: c.exp_year,
        expired: !expiry.valid_on(now.date_naive()),
    }
}

fn method_view(m: &MethodOnFile) -> PaymentMethodView {
    PaymentMethodView { kind: m.kind, detail: m.label.clone() }
}

/// Whether a method can still be charged: a card whose expiry has passed cannot. Months are
/// read in UTC: a card expiring this month stays valid through its last UTC day.
fn chargeable(m: &MethodOnFile, now: DateTime<Utc>) -> bool {
    m.card.as_ref().is_none_or(|c| Expiry { month: c.exp_month, year: c.exp_year }.valid_on(now.date_naive()))
}

/// The payment methods page: every customer number of the organisation that has methods or
/// subscriptions, its methods with the subscriptions paying with them, and the subscriptions
/// left without one.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn page(store: &Store, actor: &Actor, now: DateTime<Utc>) -> Result<PaymentMethodsPage, AppError> {
    authorize(actor, Action::ManagePaymentMethods, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let methods = tx.methods_of_org(actor.org_id).await?;
    let uses = tx.method_uses(actor.org_id).await?;
    let accounts = tx.customer_accounts_of_org(actor.org_id).await?;
    let customers = accounts
        .into_iter()
        .filter_map(|(account, csn, company_name)| {
            let methods: Vec<MethodOnFileView> = methods
                .iter()
                .filter(|m| m.customer_account_id == account)
                .map(|m| {
                    let users: Vec<&MethodUse> = uses.iter().filter(|u| u.payment_method_id == Some(m.id)).collect();
                    MethodOnFileView {
                        id: m.id,
                        method: method_view(m),
                        card: m.card.as_ref().map(|c| card_view(c, now)),
                        billing_name: m.billing_name.clone(),
                        billing_address: m.billing_address.clone(),
                        subscriptions: users.iter().take(LISTED_PER_METHOD).map(|u| user_view(u)).collect(),
                        subscription_count: users.len(),
                        auto_renewing: users.iter().filter(|u| u.auto_renew).count(),
                    }
                })
                .collect();
            let without_method: Vec<MethodUserView> = uses
                .iter()
                .filter(|u| u.customer_account_id == account && u.payment_method_id.is_none())
                .map(user_view)
                .collect();
            (!methods.is_empty() || !without_method.is_empty()).then_some(CustomerMethods {
                csn,
                company_name,
                methods,
                without_method,
            })
        })
        .collect();
    Ok(PaymentMethodsPage { customers, listed_per_method: LISTED_PER_METHOD })
}

/// A card as typed into the add form. Its `Debug` leaves the number out.
#[derive(Clone, Default)]
pub struct CardForm {
    pub csn: String,
    pub holder: String,
    pub number: String,
    pub exp_month: String,
    pub exp_year: String,
    pub billing_address: String,
}

impl std::fmt::Debug for CardForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardForm").field("csn", &self.csn).field("number", &"(not shown)").finish_non_exhaustive()
    }
}

fn card_problem(field: &'static str) -> impl Fn(CardProblem) -> AppError {
    move |p| AppError::validation(field, Problem::Card(p))
}

/// Puts a card on file for a customer number (R-PAY-5): the number is checked (digits, Luhn),
/// handed to the gateway once and never kept; the brand, last four digits, expiry, holder and
/// billing address are. A card already on file for that customer number (same brand, last
/// four and expiry) is not added twice: a second click answers with the first.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn add_card(
    store: &Store,
    gateway: &dyn PaymentGateway,
    actor: &Actor,
    form: &CardForm,
    now: DateTime<Utc>,
) -> Result<PaymentMethodId, AppError> {
    authorize(actor, Action::ManagePaymentMethods, actor.org_id)?;
    let holder = card::parse_holder(&form.holder).map_err(card_problem("holder"))?;
    let number = card::parse_number(&form.number).map_err(card_problem("number"))?;
    let expiry =
        card::parse_expiry(&form.exp_month, &form.exp_year, now.date_naive()).map_err(card_problem("expiry"))?;
    let address = card::parse_billing_address(&form.billing_address).map_err(card_problem("billing_address"))?;
    let on_file = |m: &MethodOnFile| {
        m.card.as_ref().is_some_and(|c| {
            CardBrand::parse(&c.brand) == number.brand()
                && c.last4 == number.last4()
                && (c.exp_month, c.exp_year) == (expiry.month, expiry.year)
        })
    };
    // Checked before the gateway is asked (a double click stores nothing there twice), and
    // again under the write lock.
    let account = {
        let mut tx = store.begin_read().await?;
        let (account, _) =
            tx.customer_account_by_csn(actor.org_id, form.csn.trim()).await?.ok_or(AppError::NotFound)?;
        let existing = tx.methods_of_org(actor.org_id).await?;
        if let Some(m) = existing.iter().find(|m| m.customer_account_id == account && on_file(m)) {
            return Ok(m.id);
        }
        account
    };
    let request = CardToTokenise { number: number.clone(), expiry, holder: holder.clone() };
    let token = gateway.tokenise_card(request).await.map_err(|e| match e {
        TokeniseError::Refused => AppError::validation("number", Problem::CardRefused),
        TokeniseError::Unavailable => AppError::validation("number", Problem::ProviderUnavailable),
    })?;
    let mut tx = store.begin_write().await?;
    // Two clicks at once on PostgreSQL: the second waits here and finds the first's card.
    tx.serialize_on(&format!("card:{}", account.get())).await?;
    let existing = tx.methods_of_org(actor.org_id).await?;
    if let Some(m) = existing.iter().find(|m| m.customer_account_id == account && on_file(m)) {
        return Ok(m.id);
    }
    let label = card::label(number.brand(), &number.last4());
    let new = NewCard {
        org_id: actor.org_id,
        customer_account_id: account,
        token: &token,
        label: &label,
        card: CardOnFile {
            brand: number.brand().name().to_string(),
            last4: number.last4(),
            exp_month: expiry.month,
            exp_year: expiry.year,
        },
        billing_name: &holder,
        billing_address: &address,
        at: now,
    };
    let id = tx.insert_card(&new).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PaymentMethodAdded,
        object: AuditObject::PaymentMethod(id),
        detail: format!("{label}, expires {:02}/{}, for {}", expiry.month, expiry.year, form.csn.trim()),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(id)
}

/// A method of the organisation on file, locked for a change; another organisation's, an
/// unknown or a removed one is not found.
async fn method(tx: &mut Tx, actor: &Actor, id: PaymentMethodId) -> Result<MethodOnFile, AppError> {
    tx.method_in_org(actor.org_id, id, true).await?.ok_or(AppError::NotFound)
}

/// A card's edit form as typed.
#[derive(Debug, Clone, Default)]
pub struct CardEdit {
    pub holder: String,
    pub billing_address: String,
    pub exp_month: String,
    pub exp_year: String,
}

/// Changes a card's billing name, address and expiry (R-PAY-5). The number cannot be changed
/// (a new card is a new method), and the customer details used for tax and printed on
/// invoices stay as they are (R-EXT-5).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn edit_card(
    store: &Store,
    actor: &Actor,
    id: PaymentMethodId,
    edit: &CardEdit,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    authorize(actor, Action::ManagePaymentMethods, actor.org_id)?;
    let holder = card::parse_holder(&edit.holder).map_err(card_problem("holder"))?;
    let expiry =
        card::parse_expiry(&edit.exp_month, &edit.exp_year, now.date_naive()).map_err(card_problem("expiry"))?;
    let address = card::parse_billing_address(&edit.billing_address).map_err(card_problem("billing_address"))?;
    let mut tx = store.begin_write().await?;
    let m = method(&mut tx, actor, id).await?;
    let Some(card) = m.card.as_ref() else {
        // Only cards carry a billing address and an expiry here; the page edits nothing else.
        return Err(AppError::validation("holder", Problem::NotListed));
    };
    if m.billing_name == holder
        && m.billing_address == address
        && (card.exp_month, card.exp_year) == (expiry.month, expiry.year)
    {
        return Ok(());
    }
    tx.update_card(id, &holder, &address, expiry.month, expiry.year).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PaymentMethodEdited,
        object: AuditObject::PaymentMethod(id),
        detail: format!(
            "{}: expiry {:02}/{} -> {:02}/{}; billing name or address {}",
            m.label,
            card.exp_month,
            card.exp_year,
            expiry.month,
            expiry.year,
            if m.billing_name == holder && m.billing_address == address { "unchanged" } else { "changed" }
        ),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a payment method (R-PAY-6): only once no subscription that renews automatically
/// pays with it; otherwise nothing changes and those subscriptions are named. Subscriptions
/// without auto-renew that named it are left without a method: they renew with one chosen then.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn remove(store: &Store, actor: &Actor, id: PaymentMethodId, now: DateTime<Utc>) -> Result<(), AppError> {
    authorize(actor, Action::ManagePaymentMethods, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let m = method(&mut tx, actor, id).await?;
    let users = tx.subscriptions_using(id).await?;
    let blocking: Vec<InUse> = users
        .iter()
        .filter(|u| u.auto_renew)
        .map(|u| InUse { id: u.id, product_name: u.product_name.clone() })
        .collect();
    if !blocking.is_empty() {
        return Err(AppError::validation("method", Problem::MethodInUse { subscriptions: blocking }));
    }
    tx.remove_method(id, now).await?;
    let mut entries = vec![AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PaymentMethodRemoved,
        object: AuditObject::PaymentMethod(id),
        detail: format!("{} {} of {}", m.kind.code(), m.label, m.csn),
        at: now,
    }];
    entries.extend(users.iter().map(|u| AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::PaymentMethodSwitched,
        object: AuditObject::Subscription(u.id),
        detail: format!("{} {} -> none (removed)", m.kind.code(), m.label),
        at: now,
    }));
    tx.insert_audit(&entries).await?;
    tx.commit().await?;
    Ok(())
}

/// The selected subscriptions, all of one customer number; an unknown or another
/// organisation's id is not found.
async fn selected(
    tx: &mut Tx,
    actor: &Actor,
    selection: &BulkSelection,
    lock: bool,
) -> Result<Vec<Subscription>, AppError> {
    let subs = super::checkout::load(tx, actor, selection.ids(), lock).await?;
    if subs.iter().any(|s| s.customer_account_id != subs[0].customer_account_id) {
        return Err(AppError::validation("ids", Problem::MixedCustomers));
    }
    Ok(subs)
}

/// Whether a method of `kind` can pay the subscription's next renewal (R-PAY-2: not card or
/// PayPal over 25,000 USD before tax); a renewal that cannot be priced is judged at renewal.
fn pays_renewal(book: &Book, s: &Subscription, kind: PaymentKind) -> Result<(), PaymentRefusal> {
    match renewal_totals(book, s) {
        Ok((_, totals)) => method_allowed(kind, totals.subtotal, &book.rates),
        Err(_) => Ok(()),
    }
}

/// Why each subscription cannot switch to `m` (R-PAY-2, R-PAY-4, R-EXT-3), empty when all can.
fn refusals(
    subs: &[Subscription],
    m: &MethodOnFile,
    invoice_account: bool,
    book: &Book,
    now: DateTime<Utc>,
) -> Vec<MethodRefused> {
    subs.iter()
        .filter_map(|s| {
            let window = renewal_window(s.term_end, s.term_at_renewal.unwrap_or(s.term), s.time_zone);
            let facts = MethodChangeFacts {
                status: s.status,
                auto_renew: s.auto_renew,
                same_customer: s.customer_account_id == m.customer_account_id,
                renewal_opens: window.opens,
                today: local_date(now, s.time_zone),
            };
            let renewal = pays_renewal(book, s, m.kind);
            judge_method_change(&facts, m.kind, invoice_account, chargeable(m, now), renewal)
                .err()
                .map(|reason| MethodRefused { id: s.id, product_name: s.product_name.clone(), reason })
        })
        .collect()
}

/// Whether the customer number already pays a subscription by invoice: an approved invoice
/// account (R-PAY-3, R-PAY-4). One of the selected ones paying by invoice counts for the others,
/// and switching it to what it pays with already changes nothing.
async fn invoice_account(tx: &mut Tx, subs: &[Subscription]) -> Result<bool, AppError> {
    Ok(tx.pays_by_invoice(subs[0].customer_account_id).await?)
}

/// The review of a change of payment method: the selected subscriptions, their methods now,
/// and each method of their customer number with the subscriptions that could not switch to it.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, count = selection.len()))]
pub async fn change_preview(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<MethodChangePage, AppError> {
    authorize(actor, Action::ManagePaymentMethods, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let subs = selected(&mut tx, actor, selection, false).await?;
    let invoice_ok = invoice_account(&mut tx, &subs).await?;
    let book = Book::load(&mut tx, rates).await?;
    let methods: Vec<MethodOnFile> = tx
        .methods_of_org(actor.org_id)
        .await?
        .into_iter()
        .filter(|m| m.customer_account_id == subs[0].customer_account_id)
        .collect();
    let items = subs
        .iter()
        .map(|s| MethodChangeItem {
            subscription: MethodUserView {
                id: s.id,
                product_name: s.product_name.clone(),
                auto_renew: s.auto_renew,
                status: s.status,
            },
            current: s
                .payment_kind
                .map(|kind| PaymentMethodView { kind, detail: s.payment_label.clone().unwrap_or_default() }),
            current_id: s.payment_kind.and(s.payment_method_id),
        })
        .collect();
    let choices = methods
        .iter()
        .map(|m| MethodChangeChoice {
            id: m.id,
            method: method_view(m),
            refused: refusals(&subs, m, invoice_ok, &book, now),
        })
        .collect();
    Ok(MethodChangePage { csn: subs[0].csn.clone(), company_name: subs[0].company_name.clone(), items, choices })
}

/// Gives the selected subscriptions (up to 100, one customer number) the method `method`, all
/// or nothing (R-PAY-5, R-BULK-5): if any cannot pay with it, nothing changes and each such
/// one is named with its reason. Answers how many changed (those already paying with it do not).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, count = selection.len()))]
pub async fn change(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    method_id: PaymentMethodId,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    authorize(actor, Action::ManagePaymentMethods, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let m = method(&mut tx, actor, method_id).await?;
    let subs = selected(&mut tx, actor, selection, true).await?;
    let invoice_ok = invoice_account(&mut tx, &subs).await?;
    let book = Book::load(&mut tx, rates).await?;
    let refused = refusals(&subs, &m, invoice_ok, &book, now);
    if !refused.is_empty() {
        return Err(AppError::validation("method", Problem::MethodChangeRefused { refused }));
    }
    let changing: Vec<&Subscription> =
        subs.iter().filter(|s| !(s.payment_method_id == Some(m.id) && s.payment_kind.is_some())).collect();
    let ids: Vec<SubscriptionId> = changing.iter().map(|s| s.id).collect();
    tx.set_payment_method(actor.org_id, &ids, m.id, now).await?;
    let entries: Vec<AuditEntry> = changing
        .iter()
        .map(|s| AuditEntry {
            org_id: actor.org_id,
            actor: Some(actor.user_id),
            action: AuditAction::PaymentMethodSwitched,
            object: AuditObject::Subscription(s.id),
            detail: format!(
                "{} {} -> {} {}",
                s.payment_kind.map_or("none", PaymentKind::code),
                s.payment_label.as_deref().unwrap_or(""),
                m.kind.code(),
                m.label
            ),
            at: now,
        })
        .collect();
    tx.insert_audit(&entries).await?;
    tx.commit().await?;
    Ok(ids.len())
}
