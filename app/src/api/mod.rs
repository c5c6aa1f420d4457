//! The server-function layer every page uses. Each function is a public HTTP endpoint
//! (`/api/<name>`): it authenticates, parses its input into domain types, calls one service
//! function (which authorizes), and answers with a DTO or an [`AppError`]. The router's
//! `status` middleware gives each error its HTTP status (422, 401, 403, 404, ...).
//!
//! A server function's arguments are the fields of the form that posts to it, so a long form
//! has a long argument list (the browser build's generated client function has them too).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::contract::dto::*;
use crate::contract::error::AppError;
#[cfg(feature = "ssr")]
use crate::contract::links;
#[cfg(feature = "ssr")]
use crate::contract::problem::Problem;
use crate::domain::ids::SubscriptionId;

#[cfg(feature = "ssr")]
use crate::server::context::{app_state, require_actor};

/// A new password typed twice (R-AUTH-1), or the error tied to its field.
#[cfg(feature = "ssr")]
fn new_password(password: String, confirm: &str) -> Result<crate::domain::password::NewPassword, AppError> {
    if password != confirm {
        return Err(AppError::validation("confirm", Problem::PasswordsDiffer));
    }
    crate::domain::password::NewPassword::parse(password).map_err(|e| AppError::validation("password", e))
}

/// An e-mail address as typed into a form, or the error tied to its field.
#[cfg(feature = "ssr")]
fn parse_email(text: &str) -> Result<crate::domain::email::EmailAddress, AppError> {
    crate::domain::email::EmailAddress::parse(text).map_err(|e| AppError::validation("email", e))
}

/// Signs in and sends the browser on (to `next`, a path on this site, or the user's start
/// page), which it also answers with: the page loads that address afresh, in the user's language.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<String, AppError> {
    use crate::server::{auth, context, services};
    let email = parse_email(&email)?;
    let state = app_state()?;
    let previous = context::session_token();
    let address = context::client_address();
    let signed_in =
        auth::sign_in(&state.store, &email, password, &address, previous.as_deref(), chrono::Utc::now()).await?;
    context::set_session_cookie(&signed_in.token, state.config.secure_cookies());
    let actor = auth::load_actor(&state.store, signed_in.user_id, signed_in.org_id).await?;
    let me = services::account::me(&state.store, &actor).await?;
    let target = links::safe_next(next.as_deref())
        .unwrap_or_else(|| links::home(me.can_view_billing, me.can_view_subscriptions, me.can_view_invoices).into());
    context::redirect_plain_form(&target);
    Ok(target)
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{auth, context};
    let state = app_state()?;
    if let Some(token) = context::session_token() {
        let mut tx = state.store.begin_write().await?;
        tx.delete_session(&auth::hash_token(&token)).await?;
        tx.commit().await?;
    }
    context::clear_session_cookie(state.config.secure_cookies());
    leptos_axum::redirect(links::SIGN_IN);
    Ok(())
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let Some(actor) = crate::server::context::current_actor().await? else { return Ok(None) };
    let state = app_state()?;
    Ok(Some(crate::server::services::account::me(&state.store, &actor).await?))
}

#[server(prefix = "/api", endpoint = "list_subscriptions")]
pub async fn list_subscriptions(#[server(default)] query: SubscriptionQuery) -> Result<SubscriptionPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::subscriptions::list(&state.store, &actor, &query).await
}

#[server(prefix = "/api", endpoint = "subscription")]
pub async fn subscription(id: SubscriptionId) -> Result<SubscriptionDetail, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let rates = &state.config.usd_rates;
    crate::server::services::subscriptions::detail(&state.store, &actor, id, rates, state.clock.now()).await
}

/// Changes the seats (fewer) or the term of a subscription's next renewal (R-SUB-3); the
/// current seats and term withdraw what was pending. Back to the subscription's page.
#[server(prefix = "/api", endpoint = "change_next_term")]
pub async fn change_next_term(id: SubscriptionId, seats: String, term: String) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    // Not a whole number (empty, "abc", "2.5"): the same refusal as zero seats.
    let seats: i64 = seats.trim().parse().unwrap_or(0);
    crate::server::services::next_term::change(&state.store, &actor, id, seats, &term, state.clock.now()).await?;
    leptos_axum::redirect(&links::subscription_next_term(id, false));
    Ok(())
}

/// The review of seats added now to a subscription: prorated to its renewal date (R-PRICE-3).
/// `seats` is what the buyer typed; anything but a whole number of at least 1 is refused.
#[server(prefix = "/api", endpoint = "review_add_seats")]
pub async fn review_add_seats(
    id: SubscriptionId,
    #[server(default)] seats: String,
) -> Result<AddSeatsReview, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let seats: i64 = seats.trim().parse().unwrap_or(0);
    let (now, rates) = (state.clock.now(), &state.config.usd_rates);
    crate::server::services::checkout::add_seats_review(&state.store, &actor, id, seats, rates, now).await
}

/// Places the order for seats added now, charged once per checkout key; then the order's page.
#[server(prefix = "/api", endpoint = "place_add_seats")]
pub async fn place_add_seats(
    id: SubscriptionId,
    seats: String,
    fingerprint: String,
    #[server(default)] payment_method: String,
    #[server(default)] po_number: String,
    checkout_key: String,
) -> Result<String, AppError> {
    use crate::domain::ids::{IdempotencyKey, PaymentMethodId};
    use crate::server::services::checkout::{AddSeatsForm, place_add_seats};
    let actor = require_actor().await?;
    let form = AddSeatsForm {
        id,
        seats: seats.trim().parse().unwrap_or(0),
        fingerprint: fingerprint.trim().to_string(),
        payment_method: payment_method
            .trim()
            .parse::<i64>()
            .map(PaymentMethodId)
            .map_err(|_| AppError::validation("payment_method", Problem::NotListed))?,
        po_number,
        key: IdempotencyKey::parse(&checkout_key).map_err(AppError::form)?,
    };
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let placed = place_add_seats(&state.store, state.engine.gateway.as_ref(), &actor, &form, rates, now, base).await?;
    leptos_axum::redirect(&placed.page());
    Ok(placed.number().to_string())
}

#[cfg(feature = "ssr")]
fn target_id(target: &str) -> Result<SubscriptionId, AppError> {
    target.trim().parse().map_err(|_| AppError::validation("target", Problem::NotListed))
}

/// The review of extending a subscription to end with `target` (co-term alignment, R-PRICE-2).
#[server(prefix = "/api", endpoint = "review_extension")]
pub async fn review_extension(
    id: SubscriptionId,
    #[server(default)] target: String,
) -> Result<ExtensionReview, AppError> {
    let actor = require_actor().await?;
    let target = target_id(&target)?;
    let state = app_state()?;
    let (now, rates) = (state.clock.now(), &state.config.usd_rates);
    crate::server::services::checkout::extension_review(&state.store, &actor, id, target, rates, now).await
}

/// Places the extension order, charged once per checkout key; then the order's page.
#[server(prefix = "/api", endpoint = "place_extension")]
pub async fn place_extension(
    id: SubscriptionId,
    target: String,
    fingerprint: String,
    #[server(default)] payment_method: String,
    #[server(default)] po_number: String,
    checkout_key: String,
) -> Result<String, AppError> {
    use crate::domain::ids::{IdempotencyKey, PaymentMethodId};
    use crate::server::services::checkout::{ExtensionForm, place_extension};
    let actor = require_actor().await?;
    let form = ExtensionForm {
        id,
        target: target_id(&target)?,
        fingerprint: fingerprint.trim().to_string(),
        payment_method: payment_method
            .trim()
            .parse::<i64>()
            .map(PaymentMethodId)
            .map_err(|_| AppError::validation("payment_method", Problem::NotListed))?,
        po_number,
        key: IdempotencyKey::parse(&checkout_key).map_err(AppError::form)?,
    };
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let placed = place_extension(&state.store, state.engine.gateway.as_ref(), &actor, &form, rates, now, base).await?;
    leptos_axum::redirect(&placed.page());
    Ok(placed.number().to_string())
}

/// Withdraws the pending change of a subscription's next renewal.
#[server(prefix = "/api", endpoint = "withdraw_next_term")]
pub async fn withdraw_next_term(id: SubscriptionId) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::next_term::withdraw(&state.store, &actor, id, state.clock.now()).await?;
    leptos_axum::redirect(&links::subscription_next_term(id, true));
    Ok(())
}

/// The review step of Manage auto-renew: `ids` is a comma-separated list of up to 100 ids.
#[server(prefix = "/api", endpoint = "preview_auto_renew")]
pub async fn preview_auto_renew(ids: String, on: bool) -> Result<AutoRenewPreview, AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
    let state = app_state()?;
    crate::server::services::auto_renew::preview(&state.store, &actor, &selection, on, state.clock.now()).await
}

/// Confirms a change of auto-renew for the listed subscriptions, then sends the browser to
/// `return_to` (a path on this site) with a notice of what changed.
#[server(prefix = "/api", endpoint = "change_auto_renew")]
pub async fn change_auto_renew(
    ids: String,
    on: bool,
    idempotency_key: String,
    return_to: Option<String>,
) -> Result<AutoRenewOutcome, AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
    let key = crate::domain::ids::IdempotencyKey::parse(&idempotency_key).map_err(AppError::form)?;
    let state = app_state()?;
    let now = state.clock.now();
    let base_url = &state.config.public_url;
    let outcome =
        crate::server::services::auto_renew::change(&state.store, &actor, &selection, on, &key, now, base_url).await?;
    if !outcome.renewed_now.is_empty() {
        // Late renewals (R-SUB-4) are due now: renew and charge them before the page shows them.
        // A failure here is retried by the engine's next pass; the change itself is committed.
        if let Err(e) = state.engine.run_pass(now).await {
            tracing::warn!(error = %e, "renewing after auto-renew was turned on failed; the next pass retries");
        }
    }
    let back = links::safe_next(return_to.as_deref()).unwrap_or_else(|| links::SUBSCRIPTIONS.into());
    leptos_axum::redirect(&links::after_auto_renew(&back, on, outcome.changed.len()));
    Ok(outcome)
}

/// Bulk renew's first step: the selected subscriptions (`ids`, up to 100) grouped for a common
/// renewal, and those left out with the reason (R-BULK-2, R-BULK-3).
#[server(prefix = "/api", endpoint = "renew_groups")]
pub async fn renew_groups(ids: String) -> Result<RenewOptions, AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
    let state = app_state()?;
    crate::server::services::checkout::renew_options(&state.store, &actor, &selection, state.clock.now()).await
}

/// Adds renewals of one group to the cart, then shows the cart.
#[server(prefix = "/api", endpoint = "add_to_cart")]
pub async fn add_to_cart(#[server(default)] ids: Vec<String>) -> Result<usize, AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids.join(","))?;
    let state = app_state()?;
    let n = crate::server::services::checkout::add_to_cart(&state.store, &actor, &selection, state.clock.now()).await?;
    leptos_axum::redirect(links::CART);
    Ok(n)
}

/// Takes renewals out of the cart, then shows the cart.
#[server(prefix = "/api", endpoint = "remove_from_cart")]
pub async fn remove_from_cart(ids: String) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
    let state = app_state()?;
    crate::server::services::checkout::remove_from_cart(&state.store, &actor, &selection).await?;
    leptos_axum::redirect(links::CART);
    Ok(())
}

/// The cart, reviewed: its orders priced as they will be charged.
#[server(prefix = "/api", endpoint = "cart")]
pub async fn cart() -> Result<CartView, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::checkout::cart(&state.store, &actor, &state.config.usd_rates, state.clock.now()).await
}

/// Places one order of the cart and pays it, then shows the order. `fingerprint` is what the
/// review showed (R-PRICE-5); `checkout_key` makes a double submit place one order.
#[server(prefix = "/api", endpoint = "place_order")]
pub async fn place_order(
    ids: String,
    fingerprint: String,
    #[server(default)] payment_method: String,
    #[server(default)] po_number: String,
    checkout_key: String,
) -> Result<String, AppError> {
    use crate::domain::ids::{IdempotencyKey, PaymentMethodId};
    use crate::server::services::checkout::{OrderForm, place_order};
    let actor = require_actor().await?;
    let form = OrderForm {
        selection: crate::domain::selection::BulkSelection::parse(&ids)?,
        fingerprint: fingerprint.trim().to_string(),
        payment_method: payment_method
            .trim()
            .parse::<i64>()
            .map(PaymentMethodId)
            .map_err(|_| AppError::validation("payment_method", Problem::NotListed))?,
        po_number,
        key: IdempotencyKey::parse(&checkout_key).map_err(AppError::form)?,
    };
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let placed = place_order(&state.store, state.engine.gateway.as_ref(), &actor, &form, rates, now, base).await?;
    leptos_axum::redirect(&placed.page());
    Ok(placed.number().to_string())
}

/// The organisation's orders, newest first.
#[server(prefix = "/api", endpoint = "orders")]
pub async fn orders(#[server(default)] page: Option<i64>) -> Result<OrdersPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::checkout::orders(&state.store, &actor, page.unwrap_or(1)).await
}

/// One order by its number.
#[server(prefix = "/api", endpoint = "order")]
pub async fn order(number: String) -> Result<OrderDetail, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::checkout::order(&state.store, &actor, &number, state.clock.now()).await
}

/// What a refund of one subscription's line of an order would give back and do (R-PAY-9).
#[server(prefix = "/api", endpoint = "review_refund")]
pub async fn review_refund(order: String, subscription: SubscriptionId) -> Result<RefundReview, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::refunds::review(&state.store, &actor, &order, subscription, state.clock.now()).await
}

/// Refunds one subscription's line of an order as a credit memo (R-PAY-9), then shows the
/// order with the memo named. A second click answers with the same memo.
#[server(prefix = "/api", endpoint = "request_refund")]
pub async fn request_refund(order: String, subscription: SubscriptionId) -> Result<String, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let memo =
        crate::server::services::refunds::refund(&state.store, &actor, &order, subscription, state.clock.now()).await?;
    leptos_axum::redirect(&links::order_refunded(&order, &memo));
    Ok(memo)
}

/// The organisation's quotes, active ones first (R-QUOTE-7).
#[server(prefix = "/api", endpoint = "quotes")]
pub async fn quotes() -> Result<QuotesPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::quotes::quotes(&state.store, &actor, state.clock.now()).await
}

/// One quote by its number, and whether and how it can be accepted now.
#[server(prefix = "/api", endpoint = "quote")]
pub async fn quote(number: String) -> Result<QuoteDetail, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let (now, rates) = (state.clock.now(), &state.config.usd_rates);
    crate::server::services::quotes::quote(&state.store, &actor, &number, rates, now).await
}

/// Accepts and buys a quote at its prices (R-QUOTE-7), then shows the order; `checkout_key`
/// makes a double submit place one order.
#[server(prefix = "/api", endpoint = "accept_quote")]
pub async fn accept_quote(
    number: String,
    #[server(default)] payment_method: String,
    #[server(default)] po_number: String,
    checkout_key: String,
) -> Result<String, AppError> {
    use crate::domain::ids::{IdempotencyKey, PaymentMethodId};
    use crate::server::services::checkout::{QuoteForm, place_quote};
    let actor = require_actor().await?;
    let form = QuoteForm {
        number,
        payment_method: payment_method
            .trim()
            .parse::<i64>()
            .map(PaymentMethodId)
            .map_err(|_| AppError::validation("payment_method", Problem::NotListed))?,
        po_number,
        key: IdempotencyKey::parse(&checkout_key).map_err(AppError::form)?,
    };
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let placed = place_quote(&state.store, state.engine.gateway.as_ref(), &actor, &form, rates, now, base).await?;
    leptos_axum::redirect(&placed.page());
    Ok(placed.number().to_string())
}

/// Invoices and credit memos (R-INV-1): filtered, soonest due first, with balances.
#[server(prefix = "/api", endpoint = "invoices")]
pub async fn invoices(#[server(default)] query: InvoiceQuery) -> Result<InvoicesPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::invoices::invoices(&state.store, &actor, &query, state.clock.now()).await
}

/// One invoice by its number.
#[server(prefix = "/api", endpoint = "invoice")]
pub async fn invoice(number: String) -> Result<InvoiceDetail, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::invoices::invoice(&state.store, &actor, &number, state.clock.now()).await
}

/// The review before paying invoices together (`numbers` comma-separated, or `all` as
/// "CSN:CUR" for every open invoice of a customer number in a currency; R-INV-2).
#[server(prefix = "/api", endpoint = "review_invoice_payment")]
pub async fn review_invoice_payment(
    #[server(default)] numbers: String,
    #[server(default)] all: String,
) -> Result<InvoicePayReview, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let (now, rates) = (state.clock.now(), &state.config.usd_rates);
    crate::server::services::invoices::review_payment(&state.store, &actor, &numbers, &all, rates, now).await
}

/// Pays the invoices together by the chosen method, then shows the payment; `pay_key` makes a
/// double submit pay once.
#[server(prefix = "/api", endpoint = "pay_invoices")]
pub async fn pay_invoices(
    numbers: String,
    #[server(default)] payment_method: String,
    #[server(default)] amount: String,
    pay_key: String,
) -> Result<i64, AppError> {
    use crate::server::services::invoices::{PayForm, pay};
    let actor = require_actor().await?;
    let form = PayForm {
        numbers,
        method: payment_method,
        amount,
        key: crate::domain::ids::IdempotencyKey::parse(&pay_key).map_err(AppError::form)?,
    };
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let id = pay(&state.store, state.engine.gateway.as_ref(), &actor, &form, rates, now, base).await?;
    leptos_axum::redirect(&links::invoice_payment(id));
    Ok(id.get())
}

/// Adds the addresses in `add` to the payers of an invoice (`number`) or, from a
/// subscription's page, of a subscription (`subscription`: its invoices from then on), and takes
/// `remove` off (R-INV-4), then shows the page again.
#[server(prefix = "/api", endpoint = "manage_payers")]
pub async fn manage_payers(
    #[server(default)] number: String,
    #[server(default)] subscription: Option<SubscriptionId>,
    #[server(default)] add: String,
    #[server(default)] remove: String,
) -> Result<usize, AppError> {
    use crate::server::services::invoices as service;
    let actor = require_actor().await?;
    let state = app_state()?;
    let (now, base) = (state.clock.now(), &state.config.public_url);
    let store = &state.store;
    let (payers, back) = match subscription {
        Some(id) => (
            service::manage_subscription_payers(store, &actor, id, &add, &remove, now, base).await?,
            links::subscription_payers_saved(id, now),
        ),
        None => {
            let payers = service::manage_payers(store, &actor, &number, &add, &remove, now, base).await?;
            let back = links::invoice_payers_saved(&number, payers.len());
            (payers, back)
        }
    };
    leptos_axum::redirect(&back);
    Ok(payers.len())
}

/// One payment of invoices: what it paid and where it stands (R-PAY-7).
#[server(prefix = "/api", endpoint = "invoice_payment")]
pub async fn invoice_payment(id: crate::domain::ids::PaymentId) -> Result<InvoicePaymentView, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::invoices::payment(&state.store, &actor, id).await
}

/// The Approvals page: the organisation's approval threshold and its orders held for approval.
#[server(prefix = "/api", endpoint = "approvals")]
pub async fn approvals() -> Result<ApprovalsPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::approvals::approvals(&state.store, &actor).await
}

/// One order held for approval by its number.
#[server(prefix = "/api", endpoint = "approval")]
pub async fn approval(number: String) -> Result<ApprovalDetail, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::approvals::approval(&state.store, &actor, &number).await
}

/// Sets the organisation's approval threshold, then the Approvals page again.
#[server(prefix = "/api", endpoint = "set_approval_threshold")]
pub async fn set_approval_threshold(
    #[server(default)] currency: String,
    #[server(default)] amount: String,
) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::approvals::set_threshold(&state.store, &actor, &currency, &amount, state.clock.now())
        .await?;
    leptos_axum::redirect(&format!("{}?saved=1", links::APPROVALS));
    Ok(())
}

/// Removes the organisation's approval threshold, then the Approvals page again.
#[server(prefix = "/api", endpoint = "remove_approval_threshold")]
pub async fn remove_approval_threshold() -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::approvals::remove_threshold(&state.store, &actor, state.clock.now()).await?;
    leptos_axum::redirect(&format!("{}?removed=1", links::APPROVALS));
    Ok(())
}

/// Another buyer approves an order held for approval: it is placed, then its order's page.
#[server(prefix = "/api", endpoint = "approve_order")]
pub async fn approve_order(number: String) -> Result<String, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let placed = crate::server::services::approvals::approve(
        &state.store,
        state.engine.gateway.as_ref(),
        &actor,
        &number,
        rates,
        now,
        base,
    )
    .await?;
    leptos_axum::redirect(&placed.page());
    Ok(placed.number().to_string())
}

/// Another buyer rejects an order held for approval, with an optional note.
#[server(prefix = "/api", endpoint = "reject_order")]
pub async fn reject_order(number: String, #[server(default)] note: String) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let (now, base) = (state.clock.now(), &state.config.public_url);
    crate::server::services::approvals::reject(&state.store, &actor, &number, &note, now, base).await?;
    leptos_axum::redirect(&format!("{}?rejected=1", links::approval(number.trim())));
    Ok(())
}

/// The buyer who asked withdraws their order held for approval.
#[server(prefix = "/api", endpoint = "withdraw_order_request")]
pub async fn withdraw_order_request(number: String) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::approvals::withdraw(&state.store, &actor, &number, state.clock.now()).await?;
    leptos_axum::redirect(&format!("{}?withdrawn=1", links::approval(number.trim())));
    Ok(())
}

/// Reads the term a form chose: none (as the subscriptions renew now) or one of the terms.
#[cfg(feature = "ssr")]
fn parse_term(text: &str) -> Result<Option<crate::domain::term::Term>, AppError> {
    match text.trim() {
        "" => Ok(None),
        code => crate::domain::term::Term::parse(code)
            .map(Some)
            .ok_or_else(|| AppError::validation("term", Problem::NotListed)),
    }
}

#[cfg(feature = "ssr")]
fn quote_request(
    ids: &str,
    term: &str,
    seats: &str,
    align: &str,
) -> Result<crate::server::services::new_quote::QuoteRequest, AppError> {
    use crate::server::services::new_quote::QuoteRequest;
    let align = match align.trim() {
        "" => None,
        id => Some(id.parse::<SubscriptionId>().map_err(|_| AppError::validation("align", Problem::MalformedForm))?),
    };
    Ok(QuoteRequest {
        selection: crate::domain::selection::BulkSelection::parse(ids)?,
        term: parse_term(term)?,
        seats: QuoteRequest::parse_seats(seats)?,
        align,
    })
}

/// The review of a new quote (R-QUOTE-2, R-BULK-4): `ids` as "1,2,3", `term` a term code or
/// empty, `seats` as "id:seats,..." or empty; with `align` (a subscription id), a co-term of
/// the one subscription in `ids` to end with it.
#[server(prefix = "/api", endpoint = "review_quote")]
pub async fn review_quote(
    ids: String,
    #[server(default)] term: String,
    #[server(default)] seats: String,
    #[server(default)] align: String,
) -> Result<QuoteDraft, AppError> {
    let actor = require_actor().await?;
    let request = quote_request(&ids, &term, &seats, &align)?;
    let state = app_state()?;
    let (now, rates) = (state.clock.now(), &state.config.usd_rates);
    crate::server::services::new_quote::draft(&state.store, &actor, &request, rates, now).await
}

/// Sends a quote as reviewed, then shows it. `check_nonce` is the human check's key
/// and the form's one-time key: a double submit sends one quote.
#[server(prefix = "/api", endpoint = "send_quote")]
pub async fn send_quote(
    ids: String,
    #[server(default)] term: String,
    #[server(default)] seats: String,
    #[server(default)] align: String,
    fingerprint: String,
    #[server(default)] members: Vec<String>,
    #[server(default)] extra: String,
    #[server(default)] customer_name: String,
    #[server(default)] customer_address: String,
    #[server(default)] consent: Option<String>,
    check_nonce: String,
    #[server(default)] check_answer: String,
) -> Result<String, AppError> {
    use crate::server::services::new_quote::{SendForm, send, split_addresses};
    let actor = require_actor().await?;
    let form = SendForm {
        request: quote_request(&ids, &term, &seats, &align)?,
        fingerprint,
        members,
        extra: split_addresses(&extra),
        customer_name,
        customer_address,
        consent: consent.is_some(),
        check_nonce: crate::domain::ids::IdempotencyKey::parse(&check_nonce)
            .map_err(AppError::form)?
            .as_str()
            .to_string(),
        check_answer,
    };
    let state = app_state()?;
    let (now, rates, base) = (state.clock.now(), &state.config.usd_rates, &state.config.public_url);
    let number = send(&state.store, &actor, &form, rates, now, base).await?;
    leptos_axum::redirect(&links::quote_sent(&number));
    Ok(number)
}

/// "Forgot password": queues a reset link, mailed in the language of the page it was asked from
/// if the account exists; the same answer, after the same work, either way.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::server::{auth, context};
    let email = parse_email(&email)?;
    let state = app_state()?;
    let now = chrono::Utc::now();
    auth::request_password_reset(&state.store, &email, context::request_locale(), now).await?;
    leptos_axum::redirect(&links::forgot_password_sent());
    Ok(())
}

/// Chooses a new password with the token from the reset mail; then the user signs in again.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let password = new_password(password, &confirm)?;
    let state = app_state()?;
    crate::server::auth::reset_password(&state.store, &token, password, chrono::Utc::now()).await?;
    leptos_axum::redirect(&links::sign_in_after_reset());
    Ok(())
}

/// The language switcher (a plain form, also without JavaScript): remembers `locale` for this
/// browser and, for a signed-in user, as their choice; then back to `back` (a path on this site).
#[server(prefix = "/api", endpoint = "set_language")]
pub async fn set_language(locale: String, back: Option<String>) -> Result<(), AppError> {
    use crate::domain::locale::Locale;
    use crate::server::context;
    let locale = Locale::ALL
        .into_iter()
        .find(|l| l.code() == locale.trim())
        .ok_or_else(|| AppError::validation("locale", Problem::NotListed))?;
    let state = app_state()?;
    context::set_language_cookie(locale, state.config.secure_cookies());
    if let Some(actor) = context::current_actor().await? {
        crate::server::services::account::set_language(&state.store, &actor, locale).await?;
    }
    leptos_axum::redirect(&links::safe_next(back.as_deref()).unwrap_or_else(|| "/".into()));
    Ok(())
}

/// What this deployment offers beyond the billing pages (for the navigation).
#[server(prefix = "/api", endpoint = "site_features")]
pub async fn site_features() -> Result<SiteInfo, AppError> {
    let state = app_state()?;
    Ok(SiteInfo { mailbox: state.config.mailbox_enabled(), demo_clock: state.config.demo_clock })
}

/// The demo Mailbox: the newest 100 mails written by the file transport (those whose recipient,
/// subject or text contain `q`, when given). Open to anyone when
/// configured (a password-reset link must be readable before signing in); not found otherwise.
#[server(prefix = "/api", endpoint = "mailbox")]
pub async fn mailbox(#[server(default)] q: String) -> Result<Vec<MailboxEntry>, AppError> {
    use crate::server::internal;
    let state = app_state()?;
    if !state.config.mailbox_enabled() {
        return Err(AppError::NotFound);
    }
    let dir = state.config.mailbox_dir();
    tokio::task::spawn_blocking(move || crate::server::mailbox::read(&dir, 100, q.trim()))
        .await
        .map_err(internal("reading the mailbox"))?
        .map_err(internal("reading the mailbox"))
}

/// The demo clock: what time the portal's business clock reads. Only when the configuration
/// enables it; signed-in users only.
#[server(prefix = "/api", endpoint = "demo_clock")]
pub async fn demo_clock() -> Result<DemoClockView, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::demo_clock::read(&state, &actor).await
}

/// Moves the demo clock forward by `step` ("30d", "12h") and runs the engine's jobs at the new
/// time, then shows the clock page with what happened. Only the demo's operators
/// (`PORTAL_DEMO_CLOCK_OPERATORS`).
#[server(prefix = "/api", endpoint = "advance_demo_clock")]
pub async fn advance_demo_clock(step: String) -> Result<ClockMove, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let moved = crate::server::services::demo_clock::advance(&state, &actor, &step).await?;
    leptos_axum::redirect(&links::demo_clock_moved(step.trim(), &moved.to_param()));
    Ok(moved)
}

/// A subscription's invoice details as the buyer edits them (R-INV-5).
#[server(prefix = "/api", endpoint = "invoice_details")]
pub async fn invoice_details(id: SubscriptionId) -> Result<InvoiceDetailsPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::invoice_details::page(&state.store, &actor, id, state.clock.now()).await
}

/// Saves a subscription's PO number and notes for the invoices issued from now on (R-INV-5),
/// then shows its invoice details again.
#[server(prefix = "/api", endpoint = "save_invoice_details")]
pub async fn save_invoice_details(
    id: SubscriptionId,
    #[server(default)] po_number: String,
    #[server(default)] notes: String,
) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let now = state.clock.now();
    crate::server::services::invoice_details::save(&state.store, &actor, id, &po_number, &notes, now).await?;
    leptos_axum::redirect(&links::invoice_details_notice(id, "saved"));
    Ok(())
}

/// A PO document upload as read from its multipart form.
#[cfg(feature = "ssr")]
#[derive(Default)]
struct Upload {
    id: Option<SubscriptionId>,
    file_name: String,
    bytes: Vec<u8>,
    /// Passed 10 MB: the rest was drained, not kept.
    too_large: bool,
}

#[cfg(feature = "ssr")]
async fn read_upload(mut form: multer::Multipart<'static>) -> Result<Upload, AppError> {
    use crate::domain::invoice::MAX_DOCUMENT_BYTES;
    let malformed = |field: &str| AppError::validation(field, Problem::MalformedForm);
    let mut upload = Upload::default();
    while let Some(mut field) = form.next_field().await.map_err(|_| malformed("document"))? {
        match field.name() {
            Some("id") => {
                let text = field.text().await.map_err(|_| malformed("id"))?;
                upload.id = Some(text.trim().parse().map_err(|_| malformed("id"))?);
            }
            Some("document") => {
                upload.file_name = field.file_name().unwrap_or_default().to_string();
                while let Some(chunk) = field.chunk().await.map_err(|_| malformed("document"))? {
                    if upload.bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                        upload.too_large = true;
                    } else if !upload.too_large {
                        upload.bytes.extend_from_slice(&chunk);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// Attaches a PO document to a subscription's invoice details (R-INV-5): a multipart form with
/// the subscription's `id` and the file as `document`. The file is read in pieces and refused
/// once it passes 10 MB (what follows is drained, not kept).
#[server(prefix = "/api", endpoint = "upload_po_document", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn upload_po_document(data: leptos::server_fn::codec::MultipartData) -> Result<i64, AppError> {
    use crate::domain::invoice::{DocumentProblem, MAX_DOCUMENT_BYTES};
    let actor = require_actor().await?;
    let state = app_state()?;
    let upload = read_upload(data.into_inner().ok_or(AppError::Internal)?).await?;
    let id = upload.id.ok_or_else(|| AppError::validation("id", Problem::MalformedForm))?;
    if upload.too_large {
        let problem = Problem::Document(DocumentProblem::TooLarge { max_bytes: MAX_DOCUMENT_BYTES });
        return Err(AppError::validation("document", problem));
    }
    let dir = crate::server::files::documents_dir(&state.config.data_dir);
    let now = state.clock.now();
    let (name, bytes) = (&upload.file_name, &upload.bytes);
    let doc = crate::server::services::invoice_details::add_document(&state.store, &actor, &dir, id, name, bytes, now)
        .await?;
    leptos_axum::redirect(&links::invoice_details_notice(id, "attached"));
    Ok(doc.id)
}

/// Takes a PO document off a subscription's invoice details.
#[server(prefix = "/api", endpoint = "remove_po_document")]
pub async fn remove_po_document(id: SubscriptionId, document: i64) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let dir = crate::server::files::documents_dir(&state.config.data_dir);
    let now = state.clock.now();
    crate::server::services::invoice_details::remove_document(&state.store, &actor, &dir, id, document, now).await?;
    leptos_axum::redirect(&links::invoice_details_notice(id, "removed"));
    Ok(())
}

/// Reissues an open invoice with the PO number and notes given (R-EXT-4): the old one is
/// voided and linked to the new one, which is mailed to its payers; then the new one's page.
#[server(prefix = "/api", endpoint = "reissue_invoice")]
pub async fn reissue_invoice(
    number: String,
    #[server(default)] po_number: String,
    #[server(default)] notes: String,
) -> Result<String, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let now = state.clock.now();
    let base = &state.config.public_url;
    let new = crate::server::services::invoices::reissue(&state.store, &actor, &number, &po_number, &notes, now, base)
        .await?;
    leptos_axum::redirect(&links::invoice_reissued(&new));
    Ok(new)
}

/// A payment method's id as a form sends it, or the error tied to its field.
#[cfg(feature = "ssr")]
fn parse_method_id(field: &str, text: &str) -> Result<crate::domain::ids::PaymentMethodId, AppError> {
    text.trim()
        .parse::<i64>()
        .map(crate::domain::ids::PaymentMethodId)
        .map_err(|_| AppError::validation(field, Problem::NotListed))
}

/// Billing and orders > Payment methods (R-PAY-5): each customer number's methods on file and
/// the subscriptions paying with them.
#[server(prefix = "/api", endpoint = "payment_methods")]
pub async fn payment_methods() -> Result<PaymentMethodsPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::payment_methods::page(&state.store, &actor, state.clock.now()).await
}

/// Puts a card on file for a customer number (R-PAY-5): the number goes to the payment
/// provider and is never kept or shown again; then the payment methods page.
#[server(prefix = "/api", endpoint = "add_card")]
pub async fn add_card(
    csn: String,
    #[server(default)] holder: String,
    #[server(default)] number: String,
    #[server(default)] exp_month: String,
    #[server(default)] exp_year: String,
    #[server(default)] billing_address: String,
) -> Result<crate::domain::ids::PaymentMethodId, AppError> {
    use crate::server::services::payment_methods::{CardForm, add_card};
    let actor = require_actor().await?;
    let state = app_state()?;
    let form = CardForm { csn, holder, number, exp_month, exp_year, billing_address };
    let now = state.clock.now();
    let id = add_card(&state.store, state.engine.gateway.as_ref(), &actor, &form, now).await?;
    leptos_axum::redirect(&links::payment_methods_notice("added", now));
    Ok(id)
}

/// Changes a card's billing name, address and expiry (R-PAY-5; the customer details stay as
/// they are, R-EXT-5); then the payment methods page.
#[server(prefix = "/api", endpoint = "edit_card")]
pub async fn edit_card(
    id: String,
    #[server(default)] holder: String,
    #[server(default)] billing_address: String,
    #[server(default)] exp_month: String,
    #[server(default)] exp_year: String,
) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let id = parse_method_id("id", &id)?;
    let edit = crate::server::services::payment_methods::CardEdit { holder, billing_address, exp_month, exp_year };
    let now = state.clock.now();
    crate::server::services::payment_methods::edit_card(&state.store, &actor, id, &edit, now).await?;
    leptos_axum::redirect(&links::payment_methods_notice("edited", now));
    Ok(())
}

/// Removes a payment method once no automatic renewal relies on it (R-PAY-6); then the
/// payment methods page.
#[server(prefix = "/api", endpoint = "remove_payment_method")]
pub async fn remove_payment_method(id: String) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let id = parse_method_id("method", &id)?;
    let now = state.clock.now();
    crate::server::services::payment_methods::remove(&state.store, &actor, id, now).await?;
    leptos_axum::redirect(&links::payment_methods_notice("removed", now));
    Ok(())
}

/// The review of a change of payment method for the listed subscriptions ("1,2,3").
#[server(prefix = "/api", endpoint = "preview_method_change")]
pub async fn preview_method_change(ids: String) -> Result<MethodChangePage, AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
    let state = app_state()?;
    let (rates, now) = (&state.config.usd_rates, state.clock.now());
    crate::server::services::payment_methods::change_preview(&state.store, &actor, &selection, rates, now).await
}

/// Gives the listed subscriptions (up to 100, one customer number) another payment method,
/// all or nothing (R-PAY-5, R-BULK-5); then the payment methods page.
#[server(prefix = "/api", endpoint = "change_payment_method")]
pub async fn change_payment_method(ids: String, #[server(default)] method: String) -> Result<usize, AppError> {
    let actor = require_actor().await?;
    let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
    let method = parse_method_id("method", &method)?;
    let state = app_state()?;
    let now = state.clock.now();
    let rates = &state.config.usd_rates;
    let changed =
        crate::server::services::payment_methods::change(&state.store, &actor, &selection, method, rates, now).await?;
    leptos_axum::redirect(&links::payment_methods_notice("switched", now));
    Ok(changed)
}

/// What an invitation link opens (the organisation, the address, the role), before it is
/// accepted. Public: the link is the credential.
#[server(prefix = "/api", endpoint = "invitation")]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    let state = app_state()?;
    crate::server::services::invitations::invitation(&state.store, &token, state.clock.now()).await
}

/// Accepts an invitation with a name and a password (R-AUTH-1): the account opens with the
/// invitation's role; then sign-in, the address filled in.
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    #[server(default)] name: String,
    #[server(default)] password: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    let password = new_password(password, &confirm)?;
    let state = app_state()?;
    let email = crate::server::services::invitations::accept(
        &state.store,
        &token,
        &name,
        password,
        &state.config.public_url,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect(&links::sign_in_after_joining(email.as_str()));
    Ok(())
}

/// The organisation's customer numbers with their details (R-CUST-1): buyers.
#[server(prefix = "/api", endpoint = "customer_details")]
pub async fn customer_details() -> Result<CustomerDetailsPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::customer_details::page(&state.store, &actor).await
}

/// Saves a customer number's company name and address (R-CUST-1, R-EXT-6), with the
/// confirmation that ownership was not transferred; every buyer is mailed (R-MAIL-5). Then the
/// page again, saying whether anything changed.
#[server(prefix = "/api", endpoint = "save_customer_details")]
pub async fn save_customer_details(
    csn: String,
    #[server(default)] company_name: String,
    #[server(default)] address_line1: String,
    #[server(default)] address_line2: String,
    #[server(default)] postal_code: String,
    #[server(default)] city: String,
    #[server(default)] region: String,
    #[server(default)] country: String,
    #[server(default)] ownership: Option<String>,
) -> Result<bool, AppError> {
    use crate::domain::customer::CustomerDetails;
    let actor = require_actor().await?;
    let state = app_state()?;
    let form = CustomerDetails { company_name, address_line1, address_line2, postal_code, city, region, country };
    let confirmed = ownership.is_some();
    let base = &state.config.public_url;
    let changed = crate::server::services::customer_details::save(
        &state.store,
        &actor,
        &csn,
        &form,
        confirmed,
        base,
        state.clock.now(),
    )
    .await?;
    leptos_axum::redirect(&links::customer_details_notice(if changed { "saved" } else { "unchanged" }, csn.trim()));
    Ok(changed)
}

/// Changes the signed-in user's display name (profile).
#[server(prefix = "/api", endpoint = "update_profile")]
pub async fn update_profile(#[server(default)] name: String) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::account::rename(&state.store, &actor, &name, state.clock.now()).await?;
    leptos_axum::redirect(&links::account_notice("profile-saved"));
    Ok(())
}

/// Changes the signed-in user's password (R-AUTH-1) after checking the current one; every other
/// session of the user ends, this one stays signed in.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    #[server(default)] current: String,
    #[server(default)] password: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    use crate::server::{auth, context};
    let actor = require_actor().await?;
    let password = new_password(password, &confirm)?;
    let state = app_state()?;
    let token = context::session_token().ok_or(AppError::Unauthorized)?;
    let address = context::client_address();
    auth::change_password(&state.store, &actor, &token, current, password, &address, state.clock.now()).await?;
    leptos_axum::redirect(&links::account_notice("password-changed"));
    Ok(())
}

/// User management: the organisation's users, roles and waiting invitations (admins, buyers).
#[server(prefix = "/api", endpoint = "users")]
pub async fn users() -> Result<UsersPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::users::page(&state.store, &actor, state.clock.now()).await
}

/// Invites an address as a user or a secondary admin (R-ROLE-4, R-MAIL-3); then User
/// management again, saying whether an invitation went out or one was waiting already.
#[server(prefix = "/api", endpoint = "invite_user")]
pub async fn invite_user(#[server(default)] email: String, #[server(default)] role: String) -> Result<bool, AppError> {
    use crate::domain::authz::Role;
    let actor = require_actor().await?;
    let email = parse_email(&email)?;
    let role = Role::parse(role.trim()).ok_or_else(|| AppError::validation("role", Problem::NotListed))?;
    let state = app_state()?;
    let now = state.clock.now();
    let sent =
        crate::server::services::users::invite(&state.store, &actor, &email, role, &state.config.public_url, now)
            .await?;
    leptos_axum::redirect(&links::users_notice(if sent { "invited" } else { "already-invited" }, now));
    Ok(sent)
}

/// Removes a user from the organisation (their sessions and seats end).
#[server(prefix = "/api", endpoint = "remove_user")]
pub async fn remove_user(user: crate::domain::ids::UserId) -> Result<(), AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let now = state.clock.now();
    crate::server::services::users::remove(&state.store, &actor, user, &state.config.public_url, now).await?;
    leptos_axum::redirect(&links::users_notice("removed", now));
    Ok(())
}

/// Makes a user a secondary admin (`admin` = "yes") or takes the role back (the primary admin).
#[server(prefix = "/api", endpoint = "set_secondary_admin")]
pub async fn set_secondary_admin(user: crate::domain::ids::UserId, admin: String) -> Result<bool, AppError> {
    let actor = require_actor().await?;
    let admin = match admin.trim() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::validation("admin", Problem::NotListed)),
    };
    let state = app_state()?;
    let now = state.clock.now();
    let base = &state.config.public_url;
    let changed =
        crate::server::services::users::set_secondary_admin(&state.store, &actor, user, admin, base, now).await?;
    leptos_axum::redirect(&links::users_notice(if admin { "admin-granted" } else { "admin-revoked" }, now));
    Ok(changed)
}

/// Hands the primary admin role to another user (R-ROLE-3): the primary admin or a buyer.
#[server(prefix = "/api", endpoint = "reassign_primary_admin")]
pub async fn reassign_primary_admin(user: crate::domain::ids::UserId) -> Result<bool, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let now = state.clock.now();
    let base = &state.config.public_url;
    let changed = crate::server::services::users::reassign_primary_admin(&state.store, &actor, user, base, now).await?;
    leptos_axum::redirect(&links::users_notice("primary-admin", now));
    Ok(changed)
}

/// The organisation's subscriptions with their seats and who holds them.
#[server(prefix = "/api", endpoint = "product_assignments")]
pub async fn product_assignments() -> Result<Vec<ProductSeatsView>, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::users::products(&state.store, &actor).await
}

/// One subscription's seats, who holds them, and who could get one.
#[server(prefix = "/api", endpoint = "product_assignment")]
pub async fn product_assignment(id: SubscriptionId) -> Result<ProductSeatsPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::users::product(&state.store, &actor, id).await
}

/// Assigns a seat of a subscription to a user (never more than its seats, R-ROLE-4, R-LIFE-6).
#[server(prefix = "/api", endpoint = "assign_seat")]
pub async fn assign_seat(id: SubscriptionId, user: crate::domain::ids::UserId) -> Result<bool, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let now = state.clock.now();
    let assigned = crate::server::services::users::assign_seat(&state.store, &actor, id, user, now).await?;
    leptos_axum::redirect(&links::product_assignment_notice(id, "assigned", now));
    Ok(assigned)
}

/// Frees a user's seat of a subscription.
#[server(prefix = "/api", endpoint = "free_seat")]
pub async fn free_seat(id: SubscriptionId, user: crate::domain::ids::UserId) -> Result<bool, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    let now = state.clock.now();
    let freed = crate::server::services::users::free_seat(&state.store, &actor, id, user, now).await?;
    leptos_axum::redirect(&links::product_assignment_notice(id, "freed", now));
    Ok(freed)
}

/// The Billing and orders overview (R-EXT-7): buyers' landing page.
#[server(prefix = "/api", endpoint = "overview")]
pub async fn overview() -> Result<OverviewPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::overview::page(&state.store, &actor, &state.config.usd_rates, state.clock.now()).await
}

/// The audit trail: one page of the organisation's recorded changes, newest first (buyers all
/// of them, admins user management).
#[server(prefix = "/api", endpoint = "audit_trail")]
pub async fn audit_trail(#[server(default)] query: AuditQuery) -> Result<AuditPage, AppError> {
    let actor = require_actor().await?;
    let state = app_state()?;
    crate::server::services::audit::page(&state.store, &actor, &query).await
}
