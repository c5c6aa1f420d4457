//! The Quotes pages as a buyer reads them through the services, on the demo's partner quotes
//! (Northlight Partners for Aurora's Finnish customer number): each story once on SQLite and
//! once on PostgreSQL.

use app::contract::dto::{QuoteAcceptance, QuoteCheckout, QuoteDetail};
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::ids::IdempotencyKey;
use app::domain::money::{Money, UsdRates};
use app::domain::payment::DeclineReason;
use app::domain::quote::{AcceptRefusal, QuoteOrigin, QuoteStatus};
use app::server::gateway::{
    BoxFuture, CardToTokenise, ChargeOutcome, ChargeRequest, PaymentGateway, SimulatedGateway, TokeniseError,
};
use app::server::services::checkout::{self, QuoteForm};
use app::server::services::quotes;
use app::server::store::Store;
use app::server::testing::{demo_actor, scalar, table_counts};
use chrono::{DateTime, Duration, Utc};

mod common;
use common::{BASE_URL, now};

fn rates() -> UsdRates {
    UsdRates::default()
}

fn number(n: u32) -> String {
    format!("Q-{}-{n:04}", now().format("%Y"))
}

async fn read(store: &Store, buyer: &Actor, n: u32) -> QuoteDetail {
    quotes::quote(store, buyer, &number(n), &rates(), now()).await.unwrap()
}

/// The accept form as the quote's page shows it, with the first method that can pay it.
fn form(n: u32, c: &QuoteCheckout) -> QuoteForm {
    QuoteForm {
        number: number(n),
        payment_method: c.methods.iter().find(|m| m.refused.is_none()).expect("a method that can pay").id,
        po_number: "PO-Q-1".into(),
        key: IdempotencyKey::parse(&c.checkout_key).unwrap(),
    }
}

fn open(q: &QuoteDetail) -> &QuoteCheckout {
    match &q.acceptance {
        QuoteAcceptance::Open(c) => c,
        other => panic!("not open: {other:?}"),
    }
}

async fn accept(store: &Store, buyer: &Actor, form: &QuoteForm) -> Result<String, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    checkout::place_quote(store, &gateway, buyer, form, &rates(), now(), BASE_URL).await.map(common::order)
}

async fn term_end(store: &Store, id: app::domain::ids::SubscriptionId) -> DateTime<Utc> {
    store.begin_read().await.unwrap().subscription(id).await.unwrap().unwrap().term_end
}

both!(the_quotes_page_lists_active_quotes_first_with_expiry_total_and_source, |store: Store| async move {
    // R-QUOTE-7: the Quotes page lists the active quotes (first), each with its number, its
    // expiry date and its total including discounts; R-QUOTE-1: the partner's quotes are
    // marked as the partner's.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let page = quotes::quotes(&store, &buyer, now()).await.unwrap();
    let year = now().format("%Y");
    let rows: Vec<(String, QuoteStatus)> = page.rows.iter().map(|q| (q.number.clone(), q.status)).collect();
    assert_eq!(
        rows,
        [
            (format!("Q-{year}-0002"), QuoteStatus::Active),
            // Then the others, newest first: the replaced one (12 days old), the expired one (40).
            (format!("Q-{year}-0001"), QuoteStatus::Replaced),
            (format!("Q-{year}-0003"), QuoteStatus::Expired),
        ]
    );
    let active = &page.rows[0];
    assert_eq!(active.origin, QuoteOrigin::Partner);
    assert_eq!(active.partner_name.as_deref(), Some("Northlight Partners Oy"));
    assert_eq!(active.csn, "5150001001");
    // Created two days ago, accepted until 28 days from today (its last day is the day before
    // the expiry instant, which is the start of that day in Helsinki).
    let today = now().with_timezone(&chrono_tz::Europe::Helsinki).date_naive();
    assert_eq!(active.created_on, today - Duration::days(2));
    assert_eq!(active.expires_on, today + Duration::days(27));
    // The expired quote is Expired although it is stored as sent: its expiry instant passed.
    assert_eq!(page.rows[2].expires_on, today - Duration::days(6));
});

both!(a_quote_shows_its_lines_promotion_tax_total_customer_and_recipients, |store: Store| async move {
    // R-QUOTE-5: the partner's discount is shown on the quote with the line it applies to;
    // R-QUOTE-8: the customer as printed on the quote.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let number = format!("Q-{}-0002", now().format("%Y"));
    let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
    assert_eq!(q.lines.len(), 3);
    assert_eq!(q.lines[0].promotion.as_deref(), Some("Northlight partner renewal offer: 10 %"));
    assert!(!q.lines[0].discount.is_zero());
    assert!(q.lines[1..].iter().all(|l| l.discount.is_zero() && l.promotion.is_none()));
    // Every figure adds up exactly: lines to the subtotal, the discounts, and with the Finnish
    // VAT (25.5 %) to the total.
    let currency = q.subtotal.currency();
    let nets = Money::sum(currency, q.lines.iter().map(|l| l.net)).unwrap();
    assert_eq!(nets, q.subtotal);
    assert_eq!(Money::sum(currency, q.lines.iter().map(|l| l.discount)).unwrap(), q.discount);
    for l in &q.lines {
        let list = Money::from_minor(l.unit_price.minor() * l.seats, currency);
        assert_eq!(list.checked_sub(l.discount).unwrap(), l.net);
        // Each line renews its subscription for one term from its renewal date.
        assert!(l.subscription_id.is_some());
        assert!(l.period_start.unwrap() < l.period_last_day.unwrap());
    }
    assert_eq!(q.list.checked_sub(q.discount).unwrap(), q.subtotal);
    let vat = Money::from_decimal(q.subtotal.to_decimal() * rust_decimal::Decimal::new(255, 3), currency).unwrap();
    assert_eq!(q.tax, vat);
    assert_eq!(q.subtotal.checked_add(q.tax).unwrap(), q.summary.total);
    assert_eq!(q.customer_name, "Aurora Design Oy");
    assert_eq!(q.customer_address, "Mannerheimintie 12, 00100 Helsinki, FI");
    assert_eq!(q.partner_csn.as_deref(), Some("5100900017"));
    assert_eq!(q.recipients, ["buyer2@aurora.example", "buyer@aurora.example", "procurement@aurora-design.example"]);
    assert_eq!(q.order_number, None);
});

both!(an_active_quote_whose_subscription_renewed_since_is_listed_as_outdated, |store: Store| async move {
    // R-QUOTE-7: the list says an active quote can no longer be bought once a subscription on
    // it renewed another way (its prices describe a term that is gone), as its page does.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let before = row_of(quotes::quotes(&store, &buyer, now()).await.unwrap(), &number(2));
    assert_eq!((before.status, before.outdated), (QuoteStatus::Active, false));
    let renewed = format!(
        "UPDATE subscriptions SET term_end_at = term_end_at + 31536000 WHERE id = (SELECT subscription_id \
         FROM quote_lines WHERE quote_id = (SELECT id FROM quotes WHERE number = '{}') ORDER BY id LIMIT 1)",
        number(2)
    );
    app::server::testing::execute(&store, &renewed).await;
    let after = row_of(quotes::quotes(&store, &buyer, now()).await.unwrap(), &number(2));
    assert_eq!((after.status, after.outdated), (QuoteStatus::Active, true));
    assert_eq!(read(&store, &buyer, 2).await.acceptance, QuoteAcceptance::Refused(AcceptRefusal::Outdated));
    // Quotes that are no longer active are never called outdated.
    let replaced = row_of(quotes::quotes(&store, &buyer, now()).await.unwrap(), &number(1));
    assert!(!replaced.outdated);
});

fn row_of(page: app::contract::dto::QuotesPage, n: &str) -> app::contract::dto::QuoteSummary {
    page.rows.into_iter().find(|r| r.number == n).unwrap()
}

both!(an_active_quote_expires_at_the_end_of_its_last_day, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let number = format!("Q-{}-0002", now().format("%Y"));
    let q = quotes::quote(&store, &buyer, &number, &rates(), now()).await.unwrap();
    let last_day = q.summary.expires_on;
    let helsinki = chrono_tz::Europe::Helsinki;
    let at = |day: chrono::NaiveDate, h: u32| {
        day.and_hms_opt(h, 0, 0).unwrap().and_local_timezone(helsinki).unwrap().with_timezone(&chrono::Utc)
    };
    let on_last_day = quotes::quote(&store, &buyer, &number, &rates(), at(last_day, 23)).await.unwrap();
    assert_eq!(on_last_day.summary.status, QuoteStatus::Active);
    let next_day = quotes::quote(&store, &buyer, &number, &rates(), at(last_day.succ_opt().unwrap(), 0)).await.unwrap();
    assert_eq!(next_day.summary.status, QuoteStatus::Expired);
});

both!(only_buyers_see_quotes_and_other_organisations_quotes_are_not_found, |store: Store| async move {
    // Quotes are prices and billing: buyers only (R-REN-1, R-ROLE-5).
    let number = format!("Q-{}-0002", now().format("%Y"));
    for email in ["admin@aurora.example", "payer1@aurora.example"] {
        let who = demo_actor(&store, email).await;
        assert_eq!(quotes::quotes(&store, &who, now()).await.unwrap_err(), AppError::Forbidden, "{email}");
        assert_eq!(
            quotes::quote(&store, &who, &number, &rates(), now()).await.unwrap_err(),
            AppError::Forbidden,
            "{email}"
        );
    }
    let stranger = demo_actor(&store, "buyer@borealis.example").await;
    assert!(quotes::quotes(&store, &stranger, now()).await.unwrap().rows.is_empty());
    assert_eq!(quotes::quote(&store, &stranger, &number, &rates(), now()).await.unwrap_err(), AppError::NotFound);
});

both!(accepting_the_active_quote_buys_it_at_its_prices_in_one_order, |store: Store| async move {
    // R-QUOTE-7: accepted from the quote's page, bought through checkout at the quote's exact
    // prices; its subscriptions renew for the periods quoted (R-REN-2: the renewal date does
    // not move), and the quote is accepted with its order.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let q = read(&store, &buyer, 2).await;
    let f = form(2, open(&q));
    let ends: Vec<_> = q.lines.iter().map(|l| (l.subscription_id.unwrap(), l.period_last_day.unwrap())).collect();
    let order = accept(&store, &buyer, &f).await.unwrap();
    assert_eq!(accept(&store, &buyer, &f).await.unwrap(), order, "a replay answers with the same order");
    let placed = checkout::order(&store, &buyer, &order, now()).await.unwrap();
    assert_eq!(placed.summary.total, q.summary.total);
    assert_eq!(placed.subtotal, q.subtotal);
    assert_eq!(placed.tax, q.tax);
    assert_eq!(placed.po_number, "PO-Q-1");
    for (id, last_day) in ends {
        let end = term_end(&store, id).await.with_timezone(&chrono_tz::Europe::Helsinki);
        assert_eq!((end - Duration::seconds(1)).date_naive(), last_day, "subscription {id}");
    }
    let after = read(&store, &buyer, 2).await;
    assert_eq!(after.summary.status, QuoteStatus::Accepted);
    assert_eq!(after.order_number, Some(order.clone()));
    assert_eq!(after.acceptance, QuoteAcceptance::Refused(AcceptRefusal::AlreadyAccepted));
    let orders = format!("SELECT COUNT(*) FROM orders WHERE quote_id IS NOT NULL AND number = '{order}'");
    assert_eq!(scalar(&store, &orders).await, 1);
});

both!(an_expired_accepted_or_replaced_quote_is_refused_and_nothing_changes, |store: Store| async move {
    // R-QUOTE-7: only active quotes are accepted; each refusal says why and changes nothing.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let active = read(&store, &buyer, 2).await;
    let c = open(&active).clone();
    for (n, why) in [(1, AcceptRefusal::Replaced), (3, AcceptRefusal::Expired)] {
        let q = read(&store, &buyer, n).await;
        assert_eq!(q.acceptance, QuoteAcceptance::Refused(why));
        let before = table_counts(&store).await;
        let err = accept(&store, &buyer, &form(n, &c)).await.unwrap_err();
        assert_eq!(err, AppError::Conflict(Problem::QuoteRefused(why)), "quote {n}");
        assert_eq!(table_counts(&store).await, before, "quote {n}: nothing changed");
    }
    // Accepted once, a second accept (another tab: another key) is refused.
    accept(&store, &buyer, &form(2, &c)).await.unwrap();
    let other_tab = QuoteForm { key: IdempotencyKey::new(), ..form(2, &c) };
    let err = accept(&store, &buyer, &other_tab).await.unwrap_err();
    assert_eq!(err, AppError::Conflict(Problem::QuoteRefused(AcceptRefusal::AlreadyAccepted)));
    // Admins and payers never accept (R-REN-1, R-ROLE-5).
    for email in ["admin@aurora.example", "payer1@aurora.example"] {
        let who = demo_actor(&store, email).await;
        assert_eq!(accept(&store, &who, &form(2, &c)).await.unwrap_err(), AppError::Forbidden, "{email}");
    }
});

both!(twenty_concurrent_replays_of_one_accept_place_one_order_and_one_charge, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let q = read(&store, &buyer, 2).await;
    let c = open(&q).clone();
    let mut replays = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, buyer, f) = (store.clone(), buyer.clone(), form(2, &c));
        replays.spawn(async move { accept(&store, &buyer, &f).await });
    }
    let mut numbers = std::collections::BTreeSet::new();
    while let Some(answer) = replays.join_next().await {
        numbers.insert(answer.unwrap().unwrap());
    }
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE quote_id IS NOT NULL").await, 1);
    // Charged once, or (paid by invoice) invoiced once and never charged.
    let by_invoice = c.methods.iter().find(|m| m.refused.is_none()).unwrap().method.kind
        == app::domain::payment::PaymentKind::Invoice;
    let charges = scalar(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'").await;
    let invoices = scalar(
        &store,
        "SELECT COUNT(*) FROM invoices WHERE order_id IN (SELECT id FROM orders WHERE quote_id IS NOT NULL)",
    )
    .await;
    assert_eq!((charges, invoices), if by_invoice { (0, 1) } else { (1, 0) });
});

/// A provider that declines every charge.
struct Declines;

impl PaymentGateway for Declines {
    fn tokenise_card(&self, _: CardToTokenise) -> BoxFuture<'_, Result<String, TokeniseError>> {
        Box::pin(async { Err(TokeniseError::Refused) })
    }
    fn charge(&self, _: ChargeRequest) -> BoxFuture<'_, ChargeOutcome> {
        Box::pin(async { ChargeOutcome::Declined { reason: DeclineReason::Declined.text().into() } })
    }
    fn lookup(&self, _: String, _: DateTime<Utc>) -> BoxFuture<'_, Option<ChargeOutcome>> {
        Box::pin(async { None })
    }
}

both!(a_declined_payment_leaves_the_quote_active_and_its_subscriptions_as_they_were, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let q = read(&store, &buyer, 2).await;
    let c = open(&q).clone();
    // A method the gateway charges (not pay by invoice, which needs no gateway).
    let method = c
        .methods
        .iter()
        .find(|m| m.refused.is_none() && m.method.kind != app::domain::payment::PaymentKind::Invoice)
        .expect("a method charged through the gateway");
    let f = QuoteForm { payment_method: method.id, ..form(2, &c) };
    let ids: Vec<_> = q.lines.iter().map(|l| l.subscription_id.unwrap()).collect();
    let mut before = Vec::new();
    for id in &ids {
        before.push(term_end(&store, *id).await);
    }
    let err = checkout::place_quote(&store, &Declines, &buyer, &f, &rates(), now(), BASE_URL).await.unwrap_err();
    assert_eq!(err, AppError::validation("payment_method", Problem::PaymentDeclined(DeclineReason::Declined)));
    let after = read(&store, &buyer, 2).await;
    assert_eq!(after.summary.status, QuoteStatus::Active);
    assert!(matches!(after.acceptance, QuoteAcceptance::Open(_)));
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE quote_id IS NOT NULL").await, 0);
    for (id, end) in ids.iter().zip(before) {
        assert_eq!(term_end(&store, *id).await, end);
    }
    // Accepted again from a fresh page (a new attempt), it is bought.
    let fresh = read(&store, &buyer, 2).await;
    accept(&store, &buyer, &form(2, open(&fresh))).await.unwrap();
});
