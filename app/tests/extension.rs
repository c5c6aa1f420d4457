//! Extending a subscription to end with another (co-term alignment, R-PRICE-2, R-PRICE-4)
//! through the checkout, as a buyer does it through the services: each story once on SQLite and
//! once on PostgreSQL, on the demo data (Cirrus Studios, Germany, EUR, 19 % VAT).

use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::ids::{IdempotencyKey, SubscriptionId};
use app::domain::money::{Currency, Money, UsdRates};
use app::domain::pricing::ExtensionRefusal;
use app::domain::time::local_date;
use app::server::gateway::SimulatedGateway;
use app::server::services::checkout::{self, ExtensionForm};
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

/// A Cirrus Studios subscription of a product: the one renewing first, or last.
async fn cirrus(store: &Store, product: &str, last: bool) -> SubscriptionId {
    let order = if last { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT s.id FROM subscriptions s JOIN products p ON p.id = s.product_id \
         JOIN organisations o ON o.id = s.org_id \
         WHERE o.name = 'Cirrus Studios' AND p.code = '{product}' ORDER BY s.term_end_at {order}, s.id LIMIT 1"
    );
    SubscriptionId(scalar(store, &sql).await)
}

both!(a_subscription_is_extended_to_renew_with_another_and_pays_for_the_days_between, |store: Store| async move {
    // R-PRICE-1, R-PRICE-2, R-PRICE-4, R-CUST-3: Meshworks Render, 1 seat at 501.40 EUR a year,
    // renews in 10 days; aligned with the Meshworks renewing in 69 days: 59 days, 501.40 x 59
    // / 365 = 81.0482, rounded once: 81.05; VAT 19 % = 15.3995: 15.40; total 96.45, charged
    // once by direct debit. Then it renews on the other's date.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let id = cirrus(&store, "MESHWORKS", false).await;
    let target = cirrus(&store, "MESHWORKS", true).await;
    let rates = UsdRates::default();
    let detail = app::server::services::subscriptions::detail(&store, &buyer, id, &rates, now()).await.unwrap();
    let s = sub(&store, id).await;
    assert!(!detail.align_targets.is_empty());
    assert!(detail.align_targets.iter().all(|t| t.renewal > s.renewal_day()));
    assert!(detail.align_targets.windows(2).all(|w| w[0].renewal <= w[1].renewal), "soonest first");

    let r = checkout::extension_review(&store, &buyer, id, target, &rates, now()).await.unwrap();
    assert_eq!((r.whole_terms, r.days), (0, 59));
    assert_eq!(r.unit_price, eur(501_40));
    assert_eq!((r.subtotal, r.tax, r.total), (eur(81_05), eur(15_40), eur(96_45)));
    let t = sub(&store, target).await;
    assert_eq!(r.new_renewal, local_date(t.term_end, t.time_zone));

    let form = ExtensionForm {
        id,
        target,
        fingerprint: r.fingerprint.clone(),
        payment_method: r.default_method,
        po_number: String::new(),
        key: IdempotencyKey::parse(&r.checkout_key).unwrap(),
    };
    let gateway = SimulatedGateway::new(store.clone());
    let number = common::order(
        checkout::place_extension(&store, &gateway, &buyer, &form, &rates, now(), BASE_URL).await.unwrap(),
    );
    let again = common::order(
        checkout::place_extension(&store, &gateway, &buyer, &form, &rates, now(), BASE_URL).await.unwrap(),
    );
    assert_eq!(again, number, "a replay answers with the same order");
    let after = sub(&store, id).await;
    assert_eq!((after.term_end, after.term_start, after.seats), (t.term_end, s.term_start, 1));
    assert_eq!(after.pending_order_id, None);
    let charged = "SELECT amount_minor FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'";
    assert_eq!(scalar(&store, charged).await, 96_45);
    let kind = format!("SELECT COUNT(*) FROM order_lines WHERE kind = 'extension' AND subscription_id = {id}");
    assert_eq!(scalar(&store, &kind).await, 1);
    let order_kind = format!("SELECT COUNT(*) FROM orders WHERE kind = 'coterm' AND number = '{number}'");
    assert_eq!(scalar(&store, &order_kind).await, 1);
});

both!(extensions_that_break_the_rules_are_refused_and_change_nothing, |store: Store| async move {
    // R-PRICE-2, R-PRICE-4, R-REN-1: no backdating (a target that ends sooner), only within the
    // 90 days before the renewal date, only an Active subscription eligible for renewal, only a
    // target of the same customer number and organisation; admins who are not buyers get 403.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let rates = UsdRates::default();
    let first = cirrus(&store, "MESHWORKS", false).await;
    let last = cirrus(&store, "MESHWORKS", true).await;
    let review = |id, target| {
        let (store, buyer, rates) = (store.clone(), buyer.clone(), rates.clone());
        async move { checkout::extension_review(&store, &buyer, id, target, &rates, now()).await.unwrap_err() }
    };
    let refused = |why| AppError::validation("target", Problem::ExtensionRefused(why));
    assert_eq!(review(last, first).await, refused(ExtensionRefusal::Backdating));
    // Structura BIM renews in 200 days: its renewal period opens 90 days before that.
    let structura = cirrus(&store, "STRUCTURA-BIM", false).await;
    let later = cirrus(&store, "STRUCTURA-BIM", true).await;
    let s = sub(&store, structura).await;
    let opens = s.renewal_day() - chrono::Duration::days(90);
    assert_eq!(review(structura, later).await, refused(ExtensionRefusal::OutsideRenewalPeriod(opens)));
    // Vectora CAD expired 10 days ago: extending it would buy days in the past.
    let expired = cirrus(&store, "VECTORA-CAD", false).await;
    assert_eq!(review(expired, last).await, refused(ExtensionRefusal::NotRenewable));
    // Another organisation's subscription is no target (nothing said about it).
    let aurora = SubscriptionId(scalar(&store, "SELECT MIN(id) FROM subscriptions WHERE org_id = 1").await);
    assert_eq!(review(first, aurora).await, AppError::validation("target", Problem::NotListed));
    assert_eq!(review(first, first).await, AppError::validation("target", Problem::NotListed));
    let admin = demo_actor(&store, "admin@cirrus.example").await;
    assert_eq!(
        checkout::extension_review(&store, &admin, first, last, &rates, now()).await.unwrap_err(),
        AppError::Forbidden
    );
    let before = sub(&store, first).await.term_end;
    // A form claiming a review for another target is stale.
    let r = checkout::extension_review(&store, &buyer, first, last, &rates, now()).await.unwrap();
    let second = SubscriptionId(
        scalar(
            &store,
            &format!(
                "SELECT s.id FROM subscriptions s WHERE s.customer_account_id = (SELECT customer_account_id FROM subscriptions WHERE id = {first}) \
                 AND s.product_id = (SELECT product_id FROM subscriptions WHERE id = {first}) AND s.term_end_at > {} \
                 AND s.id <> {last} ORDER BY s.term_end_at DESC LIMIT 1",
                before.timestamp()
            ),
        )
        .await,
    );
    let form = ExtensionForm {
        id: first,
        target: second,
        fingerprint: r.fingerprint.clone(),
        payment_method: r.default_method,
        po_number: String::new(),
        key: IdempotencyKey::parse(&r.checkout_key).unwrap(),
    };
    let gateway = SimulatedGateway::new(store.clone());
    let err = checkout::place_extension(&store, &gateway, &buyer, &form, &rates, now(), BASE_URL).await.unwrap_err();
    assert_eq!(err, AppError::Conflict(Problem::ReviewStale));
    assert_eq!(sub(&store, first).await.term_end, before);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE checkout_key IS NOT NULL").await, 0);
});
