//! Changing the seats or term of the next renewal (R-SUB-3, R-PRICE-3), as a buyer does it
//! through the services, and the renewals that apply the change: each story once on SQLite and
//! once on PostgreSQL, on the demo data.

use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::eligibility::PaymentRefusal;
use app::domain::ids::{IdempotencyKey, PaymentMethodId, SubscriptionId};
use app::domain::money::{Currency, Money, UsdRates};
use app::domain::next_term::{NextTermChange, NextTermRefusal};
use app::domain::payment::PaymentKind;
use app::domain::selection::BulkSelection;
use app::domain::status::Status;
use app::domain::term::Term;
use app::server::gateway::{
    BoxFuture, CardToTokenise, ChargeOutcome, ChargeRequest, PaymentGateway, SimulatedGateway, TokeniseError,
};
use app::server::services::checkout::{self, OrderForm};
use app::server::services::next_term;
use app::server::store::Store;
use app::server::store::records::Subscription;
use app::server::testing::{demo_actor, engine, scalar};
use chrono::{DateTime, Duration, Utc};

mod common;
use common::{BASE_URL, now};

async fn sub(store: &Store, id: SubscriptionId) -> Subscription {
    let mut tx = store.begin_read().await.unwrap();
    tx.subscription(id).await.unwrap().unwrap()
}

/// Cirrus Studios' two Fluxion subscriptions: 10 annual seats each on card 4242, renewing in
/// 20 and 21 days (4,149.20 EUR a seat: 41,492.00 EUR, over the card limit of R-PAY-2).
async fn fluxion(store: &Store) -> (SubscriptionId, SubscriptionId) {
    let sql = "SELECT s.id FROM subscriptions s JOIN products p ON p.id = s.product_id \
               JOIN organisations o ON o.id = s.org_id \
               WHERE o.name = 'Cirrus Studios' AND p.code = 'FLUXION-SIM' ORDER BY s.term_end_at, s.id";
    let first = scalar(store, &format!("{sql} LIMIT 1")).await;
    let second = scalar(store, &format!("{sql} LIMIT 1 OFFSET 1")).await;
    (SubscriptionId(first), SubscriptionId(second))
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Eur)
}

both!(fewer_seats_at_the_next_renewal_are_what_the_cart_prices_and_the_order_renews, |store: Store| async move {
    // R-SUB-3, R-PRICE-3, R-PAY-2, R-PRICE-5: the buyer reduces 10 seats to 4 for the next
    // renewal. The cart then prices 4 x 4,149.20 = 16,596.80 EUR, so the card (refused for
    // 41,492.00 EUR) can pay; a review made before the change is stale; the order renews 4
    // seats and the pending change is consumed.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let (id, _) = fluxion(&store).await;
    checkout::add_to_cart(&store, &buyer, &BulkSelection::from_ids(vec![id]).unwrap(), now()).await.unwrap();
    let before = checkout::cart(&store, &buyer, &UsdRates::default(), now()).await.unwrap();
    let o = &before.orders[0];
    assert_eq!(o.subtotal, eur(41_492_00));
    let card =
        o.methods.iter().find(|m| m.method.kind == PaymentKind::Card && m.method.detail.ends_with("4242")).unwrap();
    assert!(matches!(card.refused, Some(PaymentRefusal::OverOnlineLimit(PaymentKind::Card))), "{:?}", card.refused);
    let card_id: PaymentMethodId = card.id;

    let page = |store: Store, buyer| async move {
        let d = app::server::services::subscriptions::detail(&store, &buyer, id, &UsdRates::default(), now()).await;
        d.unwrap().billing.unwrap().renewal_price.unwrap()
    };
    let shown = page(store.clone(), buyer.clone()).await;
    assert_eq!((shown.seats, shown.subtotal), (10, eur(41_492_00)));
    assert_eq!(shown.method_refused, Some(PaymentRefusal::OverOnlineLimit(PaymentKind::Card)));

    let change = next_term::change(&store, &buyer, id, 4, "annual", now()).await.unwrap();
    let shown = page(store.clone(), buyer.clone()).await;
    assert_eq!((shown.seats, shown.subtotal, shown.method_refused), (4, eur(16_596_80), None));
    assert_eq!(change, NextTermChange { seats: Some(4), term: None });
    let s = sub(&store, id).await;
    assert_eq!((s.seats, s.seats_at_renewal, s.term_at_renewal), (10, Some(4), None));

    // The review shown before the change no longer holds (R-PRICE-5): it is shown again.
    let stale = OrderForm {
        selection: BulkSelection::parse(&o.ids).unwrap(),
        fingerprint: o.fingerprint.clone(),
        payment_method: card_id,
        po_number: String::new(),
        key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
    };
    let gateway = SimulatedGateway::new(store.clone());
    let err = checkout::place_order(&store, &gateway, &buyer, &stale, &UsdRates::default(), now(), BASE_URL)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Conflict(Problem::ReviewStale));

    let after = checkout::cart(&store, &buyer, &UsdRates::default(), now()).await.unwrap();
    let o = &after.orders[0];
    assert_eq!(o.lines[0].seats, 4);
    assert_eq!(o.subtotal, eur(16_596_80));
    assert!(o.methods.iter().find(|m| m.id == card_id).unwrap().refused.is_none());
    let form = OrderForm {
        selection: BulkSelection::parse(&o.ids).unwrap(),
        fingerprint: o.fingerprint.clone(),
        payment_method: card_id,
        po_number: String::new(),
        key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
    };
    checkout::place_order(&store, &gateway, &buyer, &form, &UsdRates::default(), now(), BASE_URL).await.unwrap();
    let s = sub(&store, id).await;
    assert_eq!((s.seats, s.seats_at_renewal, s.term, s.status), (4, None, Term::Annual, Status::Active));
});

both!(a_term_change_is_applied_by_the_automatic_renewal_on_the_renewal_date, |store: Store| async move {
    // R-SUB-3, R-REN-3, R-PAY-8: an Aurora subscription renewing automatically is switched to
    // a three-year term with one seat fewer; on the renewal date the engine renews it with
    // those seats for three years (its end moves 36 months), and the change is consumed.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let id = SubscriptionId(
        scalar(
            &store,
            "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
             WHERE s.org_id = 1 AND s.auto_renew = true AND s.status = 'active' AND s.term = 'annual' \
             AND s.seats > 1 AND pm.kind = 'card' ORDER BY s.term_end_at, s.id LIMIT 1",
        )
        .await,
    );
    let s = sub(&store, id).await;
    let seats = s.seats;
    next_term::change(&store, &buyer, id, seats - 1, "three_year", now()).await.unwrap();
    let renewal = s.term_end;
    engine(&store, BASE_URL).run_pass(renewal + Duration::minutes(1)).await.unwrap();
    let r = sub(&store, id).await;
    assert_eq!(r.term_start, renewal);
    assert_eq!((r.seats, r.term, r.seats_at_renewal, r.term_at_renewal), (seats - 1, Term::ThreeYear, None, None));
    let months = app::domain::time::local_date(r.term_end, r.time_zone)
        - app::domain::time::local_date(renewal, r.time_zone).checked_add_months(chrono::Months::new(36)).unwrap();
    assert_eq!(months.num_days(), 0);
});

both!(a_change_is_withdrawn_and_bad_changes_are_refused_without_changing_anything, |store: Store| async move {
    // R-SUB-3, R-PRICE-3, R-REN-1, R-ROLE-5: seats only go down at renewal (11 of 10 refused),
    // never to 0 or below, only to a term the product is sold with; the current seats and term
    // withdraw the change; an admin who is not a buyer is refused; another organisation's
    // subscription is not found. None of the refusals changes anything.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let (id, _) = fluxion(&store).await;
    let refused = |why| AppError::validation("seats", Problem::NextTermRefused(why));
    assert_eq!(
        next_term::change(&store, &buyer, id, 11, "annual", now()).await.unwrap_err(),
        refused(NextTermRefusal::MoreSeats { current: 10 })
    );
    assert_eq!(
        next_term::change(&store, &buyer, id, 0, "annual", now()).await.unwrap_err(),
        refused(NextTermRefusal::NoSeats)
    );
    assert_eq!(
        next_term::change(&store, &buyer, id, -2, "annual", now()).await.unwrap_err(),
        refused(NextTermRefusal::NoSeats)
    );
    assert_eq!(
        next_term::change(&store, &buyer, id, 5, "weekly", now()).await.unwrap_err(),
        AppError::validation("term", Problem::NotListed)
    );
    assert_eq!(
        next_term::withdraw(&store, &buyer, id, now()).await.unwrap_err(),
        refused(NextTermRefusal::NothingPending)
    );
    let admin = demo_actor(&store, "admin@cirrus.example").await;
    assert_eq!(next_term::change(&store, &admin, id, 5, "annual", now()).await.unwrap_err(), AppError::Forbidden);
    let other = demo_actor(&store, "buyer@aurora.example").await;
    assert_eq!(next_term::change(&store, &other, id, 5, "annual", now()).await.unwrap_err(), AppError::NotFound);
    let s = sub(&store, id).await;
    assert_eq!((s.seats_at_renewal, s.term_at_renewal), (None, None));
    let audit = "SELECT COUNT(*) FROM audit_log WHERE action = 'next_term.changed'";
    assert_eq!(scalar(&store, audit).await, 0);

    next_term::change(&store, &buyer, id, 6, "three_year", now()).await.unwrap();
    let s = sub(&store, id).await;
    assert_eq!((s.seats_at_renewal, s.term_at_renewal), (Some(6), Some(Term::ThreeYear)));
    next_term::withdraw(&store, &buyer, id, now()).await.unwrap();
    let s = sub(&store, id).await;
    assert_eq!((s.seats_at_renewal, s.term_at_renewal), (None, None));
    // The current seats and term are no change: asking for them also clears a pending one.
    next_term::change(&store, &buyer, id, 3, "annual", now()).await.unwrap();
    next_term::change(&store, &buyer, id, 10, "annual", now()).await.unwrap();
    assert_eq!(sub(&store, id).await.seats_at_renewal, None);
    assert_eq!(scalar(&store, audit).await, 4);
});

/// A provider whose answers are lost: the order stays "charging" and holds its subscription.
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

both!(a_change_is_refused_while_an_order_renewing_it_is_being_paid, |store: Store| async move {
    // R-SUB-3, R-PRICE-5: once an order holds the subscription, its seats and term are final
    // until the provider answers.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = SubscriptionId(
        scalar(
            &store,
            "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
             JOIN organisations o ON o.id = s.org_id WHERE o.name = 'Cirrus Studios' \
             AND pm.kind = 'direct_debit' ORDER BY s.term_end_at, s.id LIMIT 1",
        )
        .await,
    );
    checkout::add_to_cart(&store, &buyer, &BulkSelection::from_ids(vec![id]).unwrap(), now()).await.unwrap();
    let view = checkout::cart(&store, &buyer, &UsdRates::default(), now()).await.unwrap();
    let o = &view.orders[0];
    let form = OrderForm {
        selection: BulkSelection::parse(&o.ids).unwrap(),
        fingerprint: o.fingerprint.clone(),
        payment_method: o.default_method,
        po_number: String::new(),
        key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
    };
    checkout::place_order(&store, &Lost, &buyer, &form, &UsdRates::default(), now(), BASE_URL).await.unwrap();
    assert_eq!(
        next_term::change(&store, &buyer, id, 1, "three_year", now()).await.unwrap_err(),
        AppError::validation("seats", Problem::NextTermRefused(NextTermRefusal::InOrder))
    );
    assert_eq!(sub(&store, id).await.term_at_renewal, None);
});
