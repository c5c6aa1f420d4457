//! Adding seats now (R-SUB-3, R-PRICE-1, R-PRICE-3) through the checkout, as a buyer does it
//! through the services: each story once on SQLite and once on PostgreSQL, on the demo data
//! (Cirrus Studios, Germany, EUR, 19 % VAT).

use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::ids::{IdempotencyKey, PaymentMethodId, SubscriptionId};
use app::domain::money::{Currency, Money, UsdRates};
use app::domain::next_term::AddSeatsRefusal;
use app::domain::payment::DeclineReason;
use app::domain::status::Status;
use app::server::gateway::SimulatedGateway;
use app::server::services::checkout::{self, AddSeatsForm};
use app::server::store::Store;
use app::server::store::records::Subscription;
use app::server::testing::{demo_actor, scalar};

mod common;
use common::{BASE_URL, now};

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Eur)
}

async fn sub(store: &Store, id: SubscriptionId) -> Subscription {
    let mut tx = store.begin_read().await.unwrap();
    tx.subscription(id).await.unwrap().unwrap()
}

/// The first Cirrus Studios subscription of a product (soonest end first).
async fn cirrus(store: &Store, product: &str) -> SubscriptionId {
    let sql = format!(
        "SELECT s.id FROM subscriptions s JOIN products p ON p.id = s.product_id \
         JOIN organisations o ON o.id = s.org_id \
         WHERE o.name = 'Cirrus Studios' AND p.code = '{product}' ORDER BY s.term_end_at, s.id LIMIT 1"
    );
    SubscriptionId(scalar(store, &sql).await)
}

fn form(r: &app::contract::dto::AddSeatsReview, method: PaymentMethodId) -> AddSeatsForm {
    AddSeatsForm {
        id: r.id,
        seats: i64::from(r.added),
        fingerprint: r.fingerprint.clone(),
        payment_method: method,
        po_number: "PO-SEATS".into(),
        key: IdempotencyKey::parse(&r.checkout_key).unwrap(),
    }
}

async fn place(store: &Store, buyer: &Actor, f: &AddSeatsForm) -> Result<String, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    checkout::place_add_seats(store, &gateway, buyer, f, &UsdRates::default(), now(), BASE_URL).await.map(common::order)
}

both!(seats_added_now_are_prorated_to_the_renewal_date_charged_once_and_added, |store: Store| async move {
    // R-SUB-3, R-PRICE-1, R-PRICE-3, R-CUST-3, R-EXT-2: Fluxion Simulate, 10 seats at 4,149.20
    // EUR a year, renews in 20 days. 2 seats added today are co-termed: 2 x 4,149.20 x 20/365
    // = 454.7068, rounded once: 454.71 EUR; German VAT 19 % = 86.3949: 86.39; total 541.10.
    // Placed with the card, it is charged once (a replay of the form answers with the same
    // order), the subscription has 12 seats and its renewal date has not moved.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "FLUXION-SIM").await;
    let before = sub(&store, id).await;
    let r = checkout::add_seats_review(&store, &buyer, id, 2, &UsdRates::default(), now()).await.unwrap();
    assert_eq!((r.seats_now, r.added), (10, 2));
    assert_eq!(r.unit_price, eur(4_149_20));
    assert_eq!((r.list, r.subtotal, r.tax, r.total), (eur(454_71), eur(454_71), eur(86_39), eur(541_10)));
    assert_eq!(r.last_day, app::domain::time::local_date(before.term_end, before.time_zone).pred_opt().unwrap());
    assert_eq!(r.schedule.len(), 1);
    let card = r.methods.iter().find(|m| m.method.detail == "Visa •••• 4242").unwrap();
    assert!(card.refused.is_none());

    let f = form(&r, card.id);
    let number = place(&store, &buyer, &f).await.unwrap();
    assert_eq!(place(&store, &buyer, &f).await.unwrap(), number, "a replay answers with the same order");
    let after = sub(&store, id).await;
    assert_eq!((after.seats, after.term_end, after.status), (12, before.term_end, Status::Active));
    assert_eq!(after.pending_order_id, None);
    let charged = "SELECT amount_minor FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'";
    assert_eq!(scalar(&store, charged).await, 541_10);
    let kind = format!("SELECT COUNT(*) FROM order_lines WHERE kind = 'add_seats' AND subscription_id = {id}");
    assert_eq!(scalar(&store, &kind).await, 1);
    let order_kind = format!("SELECT COUNT(*) FROM orders WHERE kind = 'add_seats' AND number = '{number}'");
    assert_eq!(scalar(&store, &order_kind).await, 1);
    let order = checkout::order(&store, &buyer, &number, now()).await.unwrap();
    assert_eq!(order.summary.total, eur(541_10));
    assert_eq!(order.lines[0].seats, 2);
    // One confirmation with the order number to the buyer (R-MAIL-2).
    let mails = format!("SELECT COUNT(*) FROM mail_outbox WHERE subject LIKE '%{number}%'");
    assert_eq!(scalar(&store, &mails).await, 1);
});

both!(a_declined_card_adds_no_seats_and_leaves_no_order, |store: Store| async move {
    // R-SUB-3: Pixelforge 3D pays with the card the simulated provider declines.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "PIXELFORGE-3D").await;
    let r = checkout::add_seats_review(&store, &buyer, id, 1, &UsdRates::default(), now()).await.unwrap();
    let err = place(&store, &buyer, &form(&r, r.default_method)).await.unwrap_err();
    assert_eq!(err, AppError::validation("payment_method", Problem::PaymentDeclined(DeclineReason::Declined)));
    let s = sub(&store, id).await;
    assert_eq!((s.seats, s.pending_order_id), (1, None));
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM order_lines WHERE kind = 'add_seats'").await, 0);
});

both!(seats_cannot_be_added_wrongly_and_a_refusal_changes_nothing, |store: Store| async move {
    // R-SUB-3, R-LIFE-6, R-REN-1, R-PRICE-5: an expired subscription takes no seats (renew it
    // first); zero seats is refused; an admin who is not a buyer gets 403 and another
    // organisation's buyer 404; a form claiming another review (3 seats with the review of 2)
    // is stale.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let rates = UsdRates::default();
    let expired = cirrus(&store, "VECTORA-CAD").await;
    assert_eq!(
        checkout::add_seats_review(&store, &buyer, expired, 1, &rates, now()).await.unwrap_err(),
        AppError::validation("seats", Problem::AddSeatsRefused(AddSeatsRefusal::NotActive(Status::Expired)))
    );
    let id = cirrus(&store, "FLUXION-SIM").await;
    assert_eq!(
        checkout::add_seats_review(&store, &buyer, id, 0, &rates, now()).await.unwrap_err(),
        AppError::validation("seats", Problem::AddSeatsRefused(AddSeatsRefusal::NoSeats))
    );
    let admin = demo_actor(&store, "admin@cirrus.example").await;
    assert_eq!(
        checkout::add_seats_review(&store, &admin, id, 1, &rates, now()).await.unwrap_err(),
        AppError::Forbidden
    );
    let other = demo_actor(&store, "buyer@aurora.example").await;
    assert_eq!(checkout::add_seats_review(&store, &other, id, 1, &rates, now()).await.unwrap_err(), AppError::NotFound);
    let r = checkout::add_seats_review(&store, &buyer, id, 2, &rates, now()).await.unwrap();
    let mut tampered = form(&r, r.default_method);
    tampered.seats = 3;
    assert_eq!(place(&store, &buyer, &tampered).await.unwrap_err(), AppError::Conflict(Problem::ReviewStale));
    let mut forged = form(&r, r.default_method);
    forged.key = IdempotencyKey::new();
    assert_eq!(place(&store, &admin, &forged).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(sub(&store, id).await.seats, 10);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE checkout_key IS NOT NULL").await, 0);
});
