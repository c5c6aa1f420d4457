//! Approval on the customer side (issue 12, beyond the product we mirror), through the services:
//! an order above the organisation's threshold is held for another buyer, who approves it (it is
//! placed once, whatever the concurrent clicks) or rejects it. Each story once on SQLite and once
//! on PostgreSQL, on the demo data: Cirrus Studios' renewals (with a second buyer added here) and
//! Aurora's partner quote.

use app::contract::dto::{CartView, QuoteAcceptance};
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::approval::{ApprovalStatus, DecisionRefusal, ThresholdProblem};
use app::domain::authz::Actor;
use app::domain::ids::{IdempotencyKey, PaymentMethodId, SubscriptionId};
use app::domain::mail_routing::MailKind;
use app::domain::money::UsdRates;
use app::domain::quote::QuoteStatus;
use app::domain::selection::BulkSelection;
use app::server::gateway::SimulatedGateway;
use app::server::services::approvals;
use app::server::services::checkout::{self, OrderForm, Placed, QuoteForm};
use app::server::services::quotes;
use app::server::store::Store;
use app::server::testing::{demo_actor, execute, scalar, table_counts};

mod common;
use common::{BASE_URL, now};

const CIRRUS: &str = "(SELECT id FROM organisations WHERE name = 'Cirrus Studios')";

fn rates() -> UsdRates {
    UsdRates::default()
}

/// Cirrus gets a second buyer, so that someone can approve.
async fn second_cirrus_buyer(store: &Store) -> Actor {
    execute(
        store,
        "INSERT INTO users (email, display_name, password_hash, created_at, password_changed_at) \
         VALUES ('buyer2@cirrus.example', 'Mia Braun', 'not-a-hash', 0, 0)",
    )
    .await;
    execute(
        store,
        &format!(
            "INSERT INTO memberships (user_id, org_id, role) \
             VALUES ((SELECT id FROM users WHERE email = 'buyer2@cirrus.example'), {CIRRUS}, 'buyer')"
        ),
    )
    .await;
    demo_actor(store, "buyer2@cirrus.example").await
}

/// Two of Cirrus' direct-debit renewals in the asker's cart, reviewed.
async fn cart_of_two(store: &Store, asker: &Actor) -> (Vec<SubscriptionId>, CartView) {
    let sql = format!(
        "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
         WHERE s.org_id = {CIRRUS} AND pm.kind = 'direct_debit' ORDER BY s.term_end_at, s.id LIMIT 2"
    );
    let ids: Vec<SubscriptionId> = match store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_all(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar::<_, i64>(&sql).fetch_all(p).await.unwrap(),
    }
    .into_iter()
    .map(SubscriptionId)
    .collect();
    let selection = BulkSelection::from_ids(ids.clone()).unwrap();
    checkout::add_to_cart(store, asker, &selection, now()).await.unwrap();
    let view = checkout::cart(store, asker, &rates(), now()).await.unwrap();
    assert_eq!(view.orders.len(), 1);
    (ids, view)
}

fn order_form(view: &CartView) -> OrderForm {
    let o = &view.orders[0];
    OrderForm {
        selection: BulkSelection::parse(&o.ids).unwrap(),
        fingerprint: o.fingerprint.clone(),
        payment_method: o.default_method,
        po_number: "PO-APPROVE-1".into(),
        key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
    }
}

async fn place(store: &Store, who: &Actor, f: &OrderForm) -> Result<Placed, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    checkout::place_order(store, &gateway, who, f, &rates(), now(), BASE_URL).await
}

async fn approve(store: &Store, who: &Actor, number: &str) -> Result<Placed, AppError> {
    let gateway = SimulatedGateway::new(store.clone());
    approvals::approve(store, &gateway, who, number, &rates(), now(), BASE_URL).await
}

fn held(p: Placed) -> String {
    match p {
        Placed::HeldForApproval(n) => n,
        other => panic!("expected a request, got {other:?}"),
    }
}

async fn mails(store: &Store, to: &str, kind: MailKind) -> Vec<String> {
    let mut tx = store.begin_read().await.unwrap();
    tx.outbox_for(to, kind).await.unwrap().into_iter().map(|m| format!("{}\n{}", m.subject, m.body_text)).collect()
}

async fn term_end(store: &Store, id: SubscriptionId) -> i64 {
    let mut tx = store.begin_read().await.unwrap();
    tx.subscription(id).await.unwrap().unwrap().term_end.timestamp()
}

async fn status(store: &Store, who: &Actor, number: &str) -> ApprovalStatus {
    approvals::approval(store, who, number).await.unwrap().summary.status
}

both!(a_threshold_needs_a_second_buyer_and_a_positive_amount, |store: Store| async move {
    // Cirrus has one buyer: nobody could approve, so no threshold is set; the refusals change
    // nothing.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let before = table_counts(&store).await;
    let err = approvals::set_threshold(&store, &buyer, "EUR", "1000", now()).await.unwrap_err();
    assert_eq!(err, AppError::validation("amount", Problem::Threshold(ThresholdProblem::NoOtherBuyer)));
    second_cirrus_buyer(&store).await;
    let before_more = table_counts(&store).await;
    assert_ne!(before, before_more);
    for (amount, why) in [("0", ThresholdProblem::NotPositive), ("lots", ThresholdProblem::NotAnAmount)] {
        let err = approvals::set_threshold(&store, &buyer, "EUR", amount, now()).await.unwrap_err();
        assert_eq!(err, AppError::validation("amount", Problem::Threshold(why)), "{amount}");
    }
    let err = approvals::set_threshold(&store, &buyer, "XYZ", "1000", now()).await.unwrap_err();
    assert_eq!(err, AppError::validation("currency", Problem::NotListed));
    assert_eq!(table_counts(&store).await, before_more, "nothing changed");
    // Admins never act on billing (R-ROLE-5).
    let admin = demo_actor(&store, "admin@cirrus.example").await;
    assert_eq!(approvals::set_threshold(&store, &admin, "EUR", "1000", now()).await.unwrap_err(), AppError::Forbidden);
    // Set, then audited on the organisation.
    approvals::set_threshold(&store, &buyer, "eur", "10,000.50", now()).await.unwrap();
    let page = approvals::approvals(&store, &buyer).await.unwrap();
    assert_eq!(page.threshold.unwrap().amount.minor(), 1_000_050);
    assert_eq!(page.buyers, 2);
    let audited = format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'approval.threshold' AND object_type = 'organisation' \
         AND object_id = {CIRRUS}"
    );
    assert_eq!(scalar(&store, &audited).await, 1);
    approvals::remove_threshold(&store, &buyer, now()).await.unwrap();
    assert!(approvals::approvals(&store, &buyer).await.unwrap().threshold.is_none());
    assert_eq!(scalar(&store, &audited).await, 2);
});

both!(an_order_above_the_threshold_waits_and_twenty_concurrent_approvals_place_it_once, |store: Store| async move {
    let asker = demo_actor(&store, "buyer@cirrus.example").await;
    let approver = second_cirrus_buyer(&store).await;
    approvals::set_threshold(&store, &asker, "EUR", "100", now()).await.unwrap();
    let (ids, view) = cart_of_two(&store, &asker).await;
    let f = order_form(&view);
    let ends: Vec<i64> = {
        let mut v = Vec::new();
        for id in &ids {
            v.push(term_end(&store, *id).await);
        }
        v
    };
    let key = f.key.as_str().to_string();
    let orders = format!("SELECT COUNT(*) FROM orders WHERE checkout_key = '{key}'");

    // Held: nothing ordered, charged or renewed; the cart is as it was; the other buyer is
    // mailed, the asker is not.
    let number = held(place(&store, &asker, &f).await.unwrap());
    assert!(number.starts_with("APR-"), "{number}");
    assert_eq!(held(place(&store, &asker, &f).await.unwrap()), number, "a double submit is the same request");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM approval_requests").await, 1);
    assert_eq!(scalar(&store, &orders).await, 0);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM gateway_charges").await, 0);
    for (id, end) in ids.iter().zip(&ends) {
        assert_eq!(term_end(&store, *id).await, *end);
    }
    assert_eq!(checkout::cart(&store, &asker, &rates(), now()).await.unwrap().orders[0].lines.len(), 2);
    let asked = mails(&store, "buyer2@cirrus.example", MailKind::ApprovalRequested).await;
    assert_eq!(asked.len(), 1);
    assert!(asked[0].contains(&number) && asked[0].contains("Jonas Weber"), "{}", asked[0]);
    assert!(asked[0].contains(&format!("{BASE_URL}/billing/approvals/{number}")));
    assert!(mails(&store, "buyer@cirrus.example", MailKind::ApprovalRequested).await.is_empty());
    let audited =
        format!("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.requested' AND detail LIKE '{number}%'");
    assert_eq!(scalar(&store, &audited).await, 2, "one entry per subscription");

    // The asker cannot approve their own order; an admin cannot either.
    assert_eq!(
        approve(&store, &asker, &number).await.unwrap_err(),
        AppError::Conflict(Problem::ApprovalRefused(DecisionRefusal::OwnRequest))
    );
    let admin = demo_actor(&store, "admin@cirrus.example").await;
    assert_eq!(approve(&store, &admin, &number).await.unwrap_err(), AppError::Forbidden);
    let d = approvals::approval(&store, &approver, &number).await.unwrap();
    assert!(d.can_decide && !d.can_withdraw);
    assert_eq!(d.lines.len(), 2);
    assert_eq!(d.po_number, "PO-APPROVE-1");

    // 20 approvals at once: one order, one charge, one approval mail; every answer the order.
    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, approver, number) = (store.clone(), approver.clone(), number.clone());
        clicks.spawn(async move { approve(&store, &approver, &number).await });
    }
    let mut answers = std::collections::BTreeSet::new();
    while let Some(answer) = clicks.join_next().await {
        answers.insert(common::order(answer.unwrap().unwrap()));
    }
    assert_eq!(answers.len(), 1, "{answers:?}");
    let order = answers.into_iter().next().unwrap();
    assert_eq!(scalar(&store, &orders).await, 1);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'checkout:%'").await, 1);
    for (id, end) in ids.iter().zip(&ends) {
        assert!(term_end(&store, *id).await > *end, "subscription {id} renewed");
    }
    let placed = checkout::order(&store, &asker, &order, now()).await.unwrap();
    assert_eq!(placed.summary.total, d.summary.total);
    assert_eq!(placed.po_number, "PO-APPROVE-1");
    let after = approvals::approval(&store, &asker, &number).await.unwrap();
    assert_eq!(after.summary.status, ApprovalStatus::Approved);
    assert_eq!(after.summary.order_number, Some(order.clone()));
    assert_eq!(after.decided_by.as_deref(), Some("Mia Braun"));
    let told = mails(&store, "buyer@cirrus.example", MailKind::ApprovalDecided).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("approved"), "{}", told[0]);
    assert_eq!(mails(&store, "buyer@cirrus.example", MailKind::OrderConfirmation).await.len(), 1);
    // The asker's form, submitted again, answers with the order.
    assert_eq!(place(&store, &asker, &f).await.unwrap(), Placed::Order(order));
});

both!(at_the_threshold_an_order_is_placed_at_once, |store: Store| async move {
    let asker = demo_actor(&store, "buyer@cirrus.example").await;
    second_cirrus_buyer(&store).await;
    let (_, view) = cart_of_two(&store, &asker).await;
    let total = view.orders[0].total;
    approvals::set_threshold(&store, &asker, "EUR", &total.to_decimal().to_string(), now()).await.unwrap();
    let view = checkout::cart(&store, &asker, &rates(), now()).await.unwrap();
    let placed = place(&store, &asker, &order_form(&view)).await.unwrap();
    assert!(matches!(placed, Placed::Order(_)), "{placed:?}");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM approval_requests").await, 0);
});

both!(a_rejected_request_orders_nothing_and_tells_the_asker_why, |store: Store| async move {
    let asker = demo_actor(&store, "buyer@cirrus.example").await;
    let other = second_cirrus_buyer(&store).await;
    approvals::set_threshold(&store, &asker, "EUR", "100", now()).await.unwrap();
    let (_, view) = cart_of_two(&store, &asker).await;
    let number = held(place(&store, &asker, &order_form(&view)).await.unwrap());
    let long = "x".repeat(501);
    let before = table_counts(&store).await;
    assert_eq!(
        approvals::reject(&store, &other, &number, &long, now(), BASE_URL).await.unwrap_err(),
        AppError::validation("note", Problem::TooLong { max: 500 })
    );
    assert_eq!(
        approvals::reject(&store, &asker, &number, "", now(), BASE_URL).await.unwrap_err(),
        AppError::Conflict(Problem::ApprovalRefused(DecisionRefusal::OwnRequest))
    );
    assert_eq!(
        approvals::withdraw(&store, &other, &number, now()).await.unwrap_err(),
        AppError::Conflict(Problem::ApprovalRefused(DecisionRefusal::NotYours))
    );
    assert_eq!(table_counts(&store).await, before, "refusals change nothing");
    approvals::reject(&store, &other, &number, "Wait for the Q3 budget", now(), BASE_URL).await.unwrap();
    approvals::reject(&store, &other, &number, "Wait for the Q3 budget", now(), BASE_URL).await.unwrap();
    assert_eq!(status(&store, &asker, &number).await, ApprovalStatus::Rejected);
    assert_eq!(
        approve(&store, &other, &number).await.unwrap_err(),
        AppError::Conflict(Problem::ApprovalRefused(DecisionRefusal::NotPending(ApprovalStatus::Rejected)))
    );
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE checkout_key IS NOT NULL").await, 0);
    let told = mails(&store, "buyer@cirrus.example", MailKind::ApprovalDecided).await;
    assert_eq!(told.len(), 1, "a double click mails once");
    assert!(told[0].contains("rejected") && told[0].contains("Wait for the Q3 budget"), "{}", told[0]);
    let d = approvals::approval(&store, &asker, &number).await.unwrap();
    assert_eq!(d.note, "Wait for the Q3 budget");
    assert!(!d.can_decide && !d.can_withdraw);
});

both!(the_asker_can_withdraw_a_pending_request, |store: Store| async move {
    let asker = demo_actor(&store, "buyer@cirrus.example").await;
    let other = second_cirrus_buyer(&store).await;
    approvals::set_threshold(&store, &asker, "EUR", "100", now()).await.unwrap();
    let (_, view) = cart_of_two(&store, &asker).await;
    let number = held(place(&store, &asker, &order_form(&view)).await.unwrap());
    assert!(approvals::approval(&store, &asker, &number).await.unwrap().can_withdraw);
    approvals::withdraw(&store, &asker, &number, now()).await.unwrap();
    assert_eq!(status(&store, &asker, &number).await, ApprovalStatus::Withdrawn);
    assert_eq!(
        approve(&store, &other, &number).await.unwrap_err(),
        AppError::Conflict(Problem::ApprovalRefused(DecisionRefusal::NotPending(ApprovalStatus::Withdrawn)))
    );
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE checkout_key IS NOT NULL").await, 0);
});

both!(a_request_whose_order_changed_is_closed_as_outdated_when_approved, |store: Store| async move {
    // The asker took a renewal out of the cart after asking: the held order no longer matches
    // what would be placed, so approving it places nothing and closes it.
    let asker = demo_actor(&store, "buyer@cirrus.example").await;
    let other = second_cirrus_buyer(&store).await;
    approvals::set_threshold(&store, &asker, "EUR", "100", now()).await.unwrap();
    let (ids, view) = cart_of_two(&store, &asker).await;
    let number = held(place(&store, &asker, &order_form(&view)).await.unwrap());
    checkout::remove_from_cart(&store, &asker, &BulkSelection::from_ids(vec![ids[1]]).unwrap()).await.unwrap();
    assert_eq!(approve(&store, &other, &number).await.unwrap_err(), AppError::Conflict(Problem::ApprovalOutdated));
    assert_eq!(status(&store, &asker, &number).await, ApprovalStatus::Outdated);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM orders WHERE checkout_key IS NOT NULL").await, 0);
    let told = mails(&store, "buyer@cirrus.example", MailKind::ApprovalDecided).await;
    assert_eq!(told.len(), 1);
    assert!(told[0].contains("could not be placed"), "{}", told[0]);
});

both!(a_quote_held_for_approval_stays_active_until_approved_then_is_bought, |store: Store| async move {
    // Aurora's partner quote (R-QUOTE-7) above the threshold: holding it accepts nothing; the
    // other buyer's approval buys it at its prices and accepts it with its order.
    let asker = demo_actor(&store, "buyer@aurora.example").await;
    let approver = demo_actor(&store, "buyer2@aurora.example").await;
    let number = format!("Q-{}-0002", now().format("%Y"));
    let q = quotes::quote(&store, &asker, &number, &rates(), now()).await.unwrap();
    let QuoteAcceptance::Open(c) = &q.acceptance else { panic!("not open: {:?}", q.acceptance) };
    approvals::set_threshold(&store, &asker, "EUR", "1", now()).await.unwrap();
    let method: PaymentMethodId = c.methods.iter().find(|m| m.refused.is_none()).unwrap().id;
    let f = QuoteForm {
        number: number.clone(),
        payment_method: method,
        po_number: String::new(),
        key: IdempotencyKey::parse(&c.checkout_key).unwrap(),
    };
    let gateway = SimulatedGateway::new(store.clone());
    let request = held(checkout::place_quote(&store, &gateway, &asker, &f, &rates(), now(), BASE_URL).await.unwrap());
    let still = quotes::quote(&store, &asker, &number, &rates(), now()).await.unwrap();
    assert_eq!(still.summary.status, QuoteStatus::Active, "holding accepts nothing");
    let d = approvals::approval(&store, &approver, &request).await.unwrap();
    assert_eq!(d.quote_number.as_deref(), Some(number.as_str()));
    assert_eq!(d.summary.total, q.summary.total);
    let order = common::order(approve(&store, &approver, &request).await.unwrap());
    let bought = quotes::quote(&store, &asker, &number, &rates(), now()).await.unwrap();
    assert_eq!(bought.summary.status, QuoteStatus::Accepted);
    assert_eq!(bought.order_number, Some(order.clone()));
    let placed = checkout::order(&store, &asker, &order, now()).await.unwrap();
    assert_eq!(placed.summary.total, q.summary.total);
});
