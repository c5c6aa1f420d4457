//! Renewing in the cart and checking out, as a buyer does it through the services: each story
//! once on SQLite and once on PostgreSQL, on the demo data (Cirrus Studios' renewals).

use app::contract::dto::CartView;
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::checkout::RenewBlock;
use app::domain::eligibility::PaymentRefusal;
use app::domain::ids::{IdempotencyKey, PaymentMethodId, SubscriptionId};
use app::domain::invoice::PoNumberProblem;
use app::domain::money::UsdRates;
use app::domain::payment::{DeclineReason, PaymentKind};
use app::domain::selection::BulkSelection;
use app::domain::status::Status;
use app::server::gateway::{
    BoxFuture, CardToTokenise, ChargeOutcome, ChargeRequest, PaymentGateway, SimulatedGateway, TokeniseError,
};
use app::server::services::checkout::{self, OrderForm};
use app::server::store::Store;
use app::server::testing::{demo_actor, engine, execute, scalar, table_counts};
use chrono::{DateTime, Utc};

mod common;
use common::{BASE_URL, now};

const CIRRUS: &str = "(SELECT id FROM organisations WHERE name = 'Cirrus Studios')";

/// Cirrus subscriptions paid with the method labelled `label`, soonest renewal first.
async fn cirrus(store: &Store, kind: &str, label: &str) -> Vec<SubscriptionId> {
    let sql = format!(
        "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
         WHERE s.org_id = {CIRRUS} AND pm.kind = '{kind}' AND pm.label = '{label}' ORDER BY s.term_end_at, s.id"
    );
    let ids = match store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_all(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_all(p).await.unwrap(),
    };
    ids.into_iter().map(SubscriptionId).collect()
}

async fn method(store: &Store, label: &str) -> PaymentMethodId {
    PaymentMethodId(
        scalar(store, &format!("SELECT id FROM payment_methods WHERE org_id = {CIRRUS} AND label = '{label}'")).await,
    )
}

fn selection(ids: &[SubscriptionId]) -> BulkSelection {
    BulkSelection::from_ids(ids.to_vec()).unwrap()
}

async fn review(store: &Store, buyer: &Actor) -> CartView {
    checkout::cart(store, buyer, &UsdRates::default(), now()).await.unwrap()
}

fn form(view: &CartView, order: usize, method: PaymentMethodId) -> OrderForm {
    let o = &view.orders[order];
    OrderForm {
        selection: BulkSelection::parse(&o.ids).unwrap(),
        fingerprint: o.fingerprint.clone(),
        payment_method: method,
        po_number: "PO-77".into(),
        key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
    }
}

async fn place(store: &Store, buyer: &Actor, form: &OrderForm) -> Result<String, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    checkout::place_order(store, &gateway, buyer, form, &UsdRates::default(), now(), BASE_URL).await.map(common::order)
}

async fn term_end(store: &Store, id: SubscriptionId) -> (i64, Status) {
    let mut tx = store.begin_read().await.unwrap();
    let s = tx.subscription(id).await.unwrap().unwrap();
    (s.term_end.timestamp(), s.status)
}

async fn count(store: &Store, sql: &str) -> i64 {
    scalar(store, &sql.replace("{CIRRUS}", CIRRUS)).await
}

both!(a_bulk_renewal_of_100_is_one_order_one_charge_and_one_confirmation, |store: Store| async move {
    // R-BULK-2, R-BULK-3, R-EXT-2, R-MAIL-2, R-REN-2: the buyer selects 101 of the direct-debit
    // group plus subscriptions of other groups; renew groups them by customer number, currency
    // and payment method; 100 of the group go in the cart (the 101st would make 101), and one
    // order renews all 100 in one transaction: one charge, one confirmation with the order
    // number, and each new term starts where the old one ended.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let group = cirrus(&store, "direct_debit", "•••• 3000").await;
    let card = cirrus(&store, "card", "Visa •••• 4242").await;
    assert_eq!(group.len(), 110);
    let mut picked: Vec<SubscriptionId> = group[..98].to_vec();
    picked.extend(&card[..2]);
    let options = checkout::renew_options(&store, &buyer, &selection(&picked), now()).await.unwrap();
    let sizes: Vec<usize> = options.groups.iter().map(|g| g.items.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 100);
    assert!(sizes.contains(&98), "{sizes:?}");
    let hundred = &group[..100];
    assert_eq!(checkout::add_to_cart(&store, &buyer, &selection(hundred), now()).await.unwrap(), 100);
    // The cart holds at most 100 renewals: the 101st is refused and nothing changes.
    let err = checkout::add_to_cart(&store, &buyer, &selection(&group[100..101]), now()).await.unwrap_err();
    assert_eq!(err, AppError::validation("ids", Problem::CartFull { max: 100, in_cart: 100 }));
    // Mixing groups in one add is refused too (R-BULK-3).
    let mixed = [group[105], card[0]];
    let err = checkout::add_to_cart(&store, &buyer, &selection(&mixed), now()).await.unwrap_err();
    assert_eq!(err, AppError::validation("ids", Problem::MixedGroups));

    let view = review(&store, &buyer).await;
    assert_eq!(view.orders.len(), 1);
    assert_eq!(view.orders[0].lines.len(), 100);
    let before: Vec<(i64, Status)> = {
        let mut v = Vec::new();
        for id in hundred {
            v.push(term_end(&store, *id).await);
        }
        v
    };
    let number = place(&store, &buyer, &form(&view, 0, method(&store, "•••• 3000").await)).await.unwrap();
    assert!(number.starts_with("ORD-"), "{number}");
    for (id, (old_end, _)) in hundred.iter().zip(&before) {
        let (end, status) = term_end(&store, *id).await;
        assert_eq!(status, Status::Active);
        // One year on from the old end: the renewal date does not move.
        let days = (end - old_end) / 86_400;
        assert!((365..=366).contains(&days), "{id}: {days} days");
    }
    assert_eq!(count(&store, "SELECT COUNT(*) FROM orders WHERE org_id = {CIRRUS}").await, 1);
    let order = format!("(SELECT id FROM orders WHERE number = '{number}')");
    assert_eq!(count(&store, &format!("SELECT COUNT(*) FROM order_lines WHERE order_id = {order}")).await, 100);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'").await, 1);
    let mails =
        format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'order_confirmation' AND subject LIKE '%{number}%'");
    assert_eq!(count(&store, &mails).await, 1, "one buyer, one confirmation");
    assert!(review(&store, &buyer).await.orders.is_empty(), "the renewed lines left the cart");
    // The charged amount is the reviewed total.
    let charged = format!("SELECT amount_minor FROM payments WHERE order_id = {order}");
    assert_eq!(count(&store, &charged).await, view.orders[0].total.minor());
});

both!(a_double_submit_and_a_replay_place_one_order_and_charge_once, |store: Store| async move {
    // R-PAY-7: the same form sent twice at once, then once more later: one order, one charge.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let ids = cirrus(&store, "direct_debit", "•••• 3000").await[..5].to_vec();
    checkout::add_to_cart(&store, &buyer, &selection(&ids), now()).await.unwrap();
    let view = review(&store, &buyer).await;
    let debit = method(&store, "•••• 3000").await;
    let (f1, f2) = (form(&view, 0, debit), form(&view, 0, debit));
    let (a, b) = tokio::join!(place(&store, &buyer, &f1), place(&store, &buyer, &f2));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_eq!(place(&store, &buyer, &form(&view, 0, debit)).await.unwrap(), a);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM orders WHERE org_id = {CIRRUS}").await, 1);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'").await, 1);
    // A second tab with its own key finds the subscriptions renewed: nothing more is ordered.
    let mut other = form(&view, 0, debit);
    other.key = IdempotencyKey::new();
    assert!(place(&store, &buyer, &other).await.is_err());
    assert_eq!(count(&store, "SELECT COUNT(*) FROM orders WHERE org_id = {CIRRUS}").await, 1);
});

both!(two_tabs_checking_out_the_same_cart_at_once_place_one_order_and_one_charge, |store: Store| async move {
    // R-EXT-2: two tabs, each with its own checkout key, submit the same cart at the same
    // moment: one order renews the subscriptions and is charged once; the other tab is told to
    // review again (its subscriptions are held or renewed) and charges nothing.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let ids = cirrus(&store, "direct_debit", "•••• 3000").await[..5].to_vec();
    checkout::add_to_cart(&store, &buyer, &selection(&ids), now()).await.unwrap();
    let debit = method(&store, "•••• 3000").await;
    let (tab1, tab2) = (review(&store, &buyer).await, review(&store, &buyer).await);
    let (f1, f2) = (form(&tab1, 0, debit), form(&tab2, 0, debit));
    assert_ne!(f1.key.as_str(), f2.key.as_str());
    let (a, b) = tokio::join!(place(&store, &buyer, &f1), place(&store, &buyer, &f2));
    let (won, lost) = match (a, b) {
        (Ok(n), Err(e)) | (Err(e), Ok(n)) => (n, e),
        other => panic!("exactly one tab places the order: {other:?}"),
    };
    assert!(won.starts_with("ORD-"));
    assert!(
        matches!(&lost, AppError::Conflict(Problem::ReviewStale) | AppError::Validation { .. }),
        "the other tab is told why: {lost:?}"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM orders WHERE org_id = {CIRRUS}").await, 1);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'").await, 1);
    let lines = "SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.org_id = {CIRRUS}";
    assert_eq!(count(&store, lines).await, 5);
});

both!(a_declined_card_leaves_no_order_and_the_cart_as_it_was, |store: Store| async move {
    // The provider declines the card: no order, nothing renewed, the cart unchanged, and the
    // buyer is told why.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "card", "Visa •••• 0002").await[0];
    checkout::add_to_cart(&store, &buyer, &selection(&[id]), now()).await.unwrap();
    let before = term_end(&store, id).await;
    let view = review(&store, &buyer).await;
    let err = place(&store, &buyer, &form(&view, 0, method(&store, "Visa •••• 0002").await)).await.unwrap_err();
    assert_eq!(err, AppError::validation("payment_method", Problem::PaymentDeclined(DeclineReason::Declined)));
    assert_eq!(count(&store, "SELECT COUNT(*) FROM orders WHERE org_id = {CIRRUS}").await, 0);
    let lines = format!("SELECT COUNT(*) FROM order_lines WHERE subscription_id = {id}");
    assert_eq!(count(&store, &lines).await, 0);
    assert_eq!(term_end(&store, id).await, before);
    let held = format!("SELECT COUNT(*) FROM subscriptions WHERE id = {id} AND pending_order_id IS NULL");
    assert_eq!(count(&store, &held).await, 1);
    assert_eq!(review(&store, &buyer).await.orders[0].lines.len(), 1, "still in the cart");
    // The same form again gives the same answer and charges nothing more.
    let again = place(&store, &buyer, &form(&view, 0, method(&store, "Visa •••• 0002").await)).await.unwrap_err();
    assert_eq!(again, err);
    // Another card pays it.
    let fresh = review(&store, &buyer).await;
    place(&store, &buyer, &form(&fresh, 0, method(&store, "Visa •••• 4242").await)).await.unwrap();
    assert_eq!(term_end(&store, id).await.1, Status::Active);
    assert!(term_end(&store, id).await.0 > before.0);
});

/// A provider whose answers are lost: it never charges and never answers (a process that
/// stopped between writing the order and hearing back).
struct Lost;

impl PaymentGateway for Lost {
    fn tokenise_card(&self, _: CardToTokenise) -> BoxFuture<'_, Result<String, TokeniseError>> {
        Box::pin(async { Err(TokeniseError::Unavailable) })
    }
    fn charge(&self, _: ChargeRequest) -> BoxFuture<'_, ChargeOutcome> {
        Box::pin(async { ChargeOutcome::Unknown })
    }
    fn lookup(&self, _: String, _: DateTime<Utc>) -> BoxFuture<'_, Option<ChargeOutcome>> {
        Box::pin(async { Some(ChargeOutcome::Unknown) })
    }
}

both!(an_order_whose_charge_was_interrupted_is_settled_by_the_engine_once, |store: Store| async move {
    // The order is written, then the answer is lost: the order waits ("charging"), is not in
    // the Orders list, holds its subscriptions so nothing else renews them, and the engine's
    // next pass charges it once and places it.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let ids = cirrus(&store, "direct_debit", "•••• 3000").await[..3].to_vec();
    checkout::add_to_cart(&store, &buyer, &selection(&ids), now()).await.unwrap();
    let view = review(&store, &buyer).await;
    let f = form(&view, 0, method(&store, "•••• 3000").await);
    let number = checkout::place_order(&store, &Lost, &buyer, &f, &UsdRates::default(), now(), BASE_URL)
        .await
        .map(common::order)
        .unwrap();
    let detail = checkout::order(&store, &buyer, &number, now()).await.unwrap();
    assert_eq!(detail.summary.payment, app::contract::dto::PaymentState::Confirming);
    assert_eq!(checkout::orders(&store, &buyer, 1).await.unwrap().total, 0);
    assert_eq!(review(&store, &buyer).await.blocked[0].reason, RenewBlock::InOrder);
    // Held, they wait for the order: even a year on, the lifecycle does not expire or cancel them.
    let waiting = store.begin_read().await.unwrap().lifecycle_started(now() + chrono::Days::new(400)).await.unwrap();
    assert!(waiting.iter().all(|s| !ids.contains(&s.id)), "a held subscription left to the lifecycle");
    engine(&store, BASE_URL).run_pass(now()).await.unwrap();
    engine(&store, BASE_URL).run_pass(now()).await.unwrap();
    let detail = checkout::order(&store, &buyer, &number, now()).await.unwrap();
    assert_eq!(detail.summary.payment, app::contract::dto::PaymentState::Paid);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'").await, 1);
    for id in &ids {
        assert_eq!(term_end(&store, *id).await.1, Status::Active);
    }
    assert_eq!(checkout::orders(&store, &buyer, 1).await.unwrap().total, 1);
});

both!(card_and_paypal_are_refused_over_25000_usd_and_pay_by_invoice_is_offered, |store: Store| async move {
    // R-PAY-2, R-PAY-3, R-REN-5: two renewals of 10 seats of Fluxion Simulate come to far over
    // 25,000 USD before tax: card and PayPal cannot pay, and the refusal says why; the customer
    // already pays a subscription by invoice, so pay by invoice is offered and places the order
    // with a Net 30 invoice.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let ids = cirrus(&store, "card", "Visa •••• 4242").await;
    let ids: Vec<SubscriptionId> = {
        let mut v = Vec::new();
        for id in ids {
            if term_end(&store, id).await.1 == Status::Active {
                v.push(id);
            }
        }
        v
    };
    assert_eq!(ids.len(), 2);
    checkout::add_to_cart(&store, &buyer, &selection(&ids), now()).await.unwrap();
    let view = review(&store, &buyer).await;
    let o = &view.orders[0];
    for m in &o.methods {
        let want = match m.method.kind {
            PaymentKind::Card | PaymentKind::PayPal => Some(PaymentRefusal::OverOnlineLimit(m.method.kind)),
            _ => None,
        };
        assert_eq!(m.refused, want, "{:?}", m.method);
    }
    let tables = table_counts(&store).await;
    let err = place(&store, &buyer, &form(&view, 0, method(&store, "Visa •••• 4242").await)).await.unwrap_err();
    assert_eq!(
        err,
        AppError::validation(
            "payment_method",
            Problem::PaymentRefused(PaymentRefusal::OverOnlineLimit(PaymentKind::Card))
        )
    );
    assert_eq!(table_counts(&store).await, tables, "nothing changed");
    let invoice = PaymentMethodId(
        scalar(&store, &format!("SELECT id FROM payment_methods WHERE org_id = {CIRRUS} AND kind = 'invoice'")).await,
    );
    let number = place(&store, &buyer, &form(&view, 0, invoice)).await.unwrap();
    let detail = checkout::order(&store, &buyer, &number, now()).await.unwrap();
    assert!(matches!(detail.summary.payment, app::contract::dto::PaymentState::Invoiced(_)));
    assert_eq!(detail.po_number, "PO-77");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM gateway_charges").await, 0);
    let invoiced =
        format!("SELECT total_minor FROM invoices WHERE order_id = (SELECT id FROM orders WHERE number = '{number}')");
    assert_eq!(count(&store, &invoiced).await, o.total.minor());
    // The PO number typed at checkout is the invoice's, not the one stored on the subscription.
    let po = format!(
        "SELECT COUNT(*) FROM invoices WHERE po_number = 'PO-77' AND order_id = (SELECT id FROM orders WHERE number = '{number}')"
    );
    assert_eq!(count(&store, &po).await, 1);
});

both!(a_changed_price_after_review_is_shown_again_instead_of_charged, |store: Store| async move {
    // R-PRICE-5: the price list changes between review and order: nothing is charged and the
    // buyer reviews the new price; a tampered fingerprint is refused the same way.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let ids = cirrus(&store, "direct_debit", "•••• 3000").await[..2].to_vec();
    checkout::add_to_cart(&store, &buyer, &selection(&ids), now()).await.unwrap();
    let view = review(&store, &buyer).await;
    let debit = method(&store, "•••• 3000").await;
    let mut tampered = form(&view, 0, debit);
    tampered.fingerprint = "0".repeat(32);
    assert_eq!(place(&store, &buyer, &tampered).await.unwrap_err(), AppError::Conflict(Problem::ReviewStale));
    execute(
        &store,
        &format!(
            "INSERT INTO prices (product_id, term, currency, amount_minor, valid_from) \
             SELECT product_id, term, currency, amount_minor + 1000, {} FROM prices \
             WHERE product_id = (SELECT product_id FROM subscriptions WHERE id = {}) AND term = 'annual' AND currency = 'EUR'",
            now().timestamp() - 3600,
            ids[0]
        ),
    )
    .await;
    let tables = table_counts(&store).await;
    assert_eq!(
        place(&store, &buyer, &form(&view, 0, debit)).await.unwrap_err(),
        AppError::Conflict(Problem::ReviewStale)
    );
    assert_eq!(table_counts(&store).await, tables);
    let fresh = review(&store, &buyer).await;
    assert_eq!(fresh.orders[0].subtotal.minor(), view.orders[0].subtotal.minor() + 2 * 1000);
    place(&store, &buyer, &form(&fresh, 0, debit)).await.unwrap();
});

both!(an_expired_subscription_is_renewed_late_from_its_old_end_date_and_is_active_again, |store: Store| async move {
    // R-REN-2, R-LIFE-3: ten days after its renewal date an annual subscription is Expired; a
    // renewal in the cart reactivates it, and the new term starts on the old renewal date.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let mut expired = Vec::new();
    for id in cirrus(&store, "card", "Visa •••• 4242").await {
        if term_end(&store, id).await.1 == Status::Expired {
            expired.push(id);
        }
    }
    let id = expired[0];
    let (old_end, _) = term_end(&store, id).await;
    checkout::add_to_cart(&store, &buyer, &selection(&[id]), now()).await.unwrap();
    let view = review(&store, &buyer).await;
    place(&store, &buyer, &form(&view, 0, method(&store, "Visa •••• 4242").await)).await.unwrap();
    let (end, status) = term_end(&store, id).await;
    assert_eq!(status, Status::Active);
    assert!((365..=366).contains(&((end - old_end) / 86_400)));
});

both!(subscriptions_that_cannot_be_renewed_are_refused_with_their_reason, |store: Store| async move {
    // R-LIFE-4, R-REN-2, R-REN-1: canceled, too early, another organisation's, an admin.
    let aurora = demo_actor(&store, "buyer@aurora.example").await;
    let canceled = SubscriptionId(
        scalar(&store, "SELECT id FROM subscriptions WHERE org_id = 1 AND status = 'canceled' LIMIT 1").await,
    );
    let err = checkout::add_to_cart(&store, &aurora, &selection(&[canceled]), now()).await.unwrap_err();
    match err {
        AppError::Validation { problem: Problem::RenewRefused { refused }, .. } => {
            assert_eq!(refused[0].reason, RenewBlock::Canceled)
        }
        other => panic!("{other:?}"),
    }
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let later = cirrus(&store, "invoice", "").await[0];
    let err = checkout::add_to_cart(&store, &buyer, &selection(&[later]), now()).await.unwrap_err();
    assert!(matches!(
        err,
        AppError::Validation { problem: Problem::RenewRefused { ref refused }, .. } if matches!(refused[0].reason, RenewBlock::TooEarly(_))
    ));
    // Another organisation's subscription is not found, never "forbidden".
    let theirs = cirrus(&store, "direct_debit", "•••• 3000").await[0];
    let err = checkout::add_to_cart(&store, &aurora, &selection(&[theirs]), now()).await.unwrap_err();
    assert_eq!(err, AppError::NotFound);
    // An admin who is not a buyer may not renew (R-REN-1).
    let admin = demo_actor(&store, "admin@cirrus.example").await;
    assert_eq!(
        checkout::add_to_cart(&store, &admin, &selection(&[theirs]), now()).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(checkout::cart(&store, &admin, &UsdRates::default(), now()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(checkout::orders(&store, &admin, 1).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM cart_lines").await, 0);
});

both!(
    a_po_number_over_35_characters_or_with_a_line_break_is_refused_and_nothing_is_ordered,
    |store: Store| async move {
        // R-INV-5: the PO number printed on the order's invoice is one line of at most 35
        // characters; the checkout refuses others before anything is charged.
        let buyer = demo_actor(&store, "buyer@cirrus.example").await;
        let group = cirrus(&store, "direct_debit", "•••• 3000").await;
        checkout::add_to_cart(&store, &buyer, &selection(&group[..2]), now()).await.unwrap();
        let view = review(&store, &buyer).await;
        let debit = method(&store, "•••• 3000").await;
        let before = table_counts(&store).await;
        let mut long = form(&view, 0, debit);
        long.po_number = "P".repeat(36);
        assert_eq!(
            place(&store, &buyer, &long).await.unwrap_err(),
            AppError::validation("po_number", Problem::PoNumber(PoNumberProblem::TooLong { max: 35 }))
        );
        let mut broken = form(&view, 0, debit);
        broken.po_number = "PO-1\r\nBcc: x@example.com".into();
        assert_eq!(
            place(&store, &buyer, &broken).await.unwrap_err(),
            AppError::validation("po_number", Problem::PoNumber(PoNumberProblem::ControlCharacter))
        );
        assert_eq!(table_counts(&store).await, before, "nothing changed");
        // 35 characters are fine, and printed as typed.
        let mut fits = form(&view, 0, debit);
        fits.po_number = format!(" {} ", "P".repeat(35));
        let order = place(&store, &buyer, &fits).await.unwrap();
        let po =
            count(&store, &format!("SELECT CAST(LENGTH(po_number) AS BIGINT) FROM orders WHERE number = '{order}'"))
                .await;
        assert_eq!(po, 35);
    }
);
