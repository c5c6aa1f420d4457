//! Payment methods through the services, as buyers use them: a card tokenised and kept only as
//! brand, last four and expiry (R-PAY-5), edited without touching the customer details
//! (R-EXT-5), removed only once no automatic renewal relies on it (R-PAY-6), and the method of
//! one or many subscriptions changed all or nothing (R-BULK-5, R-PAY-4, R-EXT-3). Each story
//! once on SQLite and once on PostgreSQL.

use app::contract::dto::PreviewOutcome;
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::auto_renew::Ineligible;
use app::domain::card::CardProblem;
use app::domain::ids::{PaymentMethodId, SubscriptionId};
use app::domain::money::UsdRates;
use app::domain::payment::MethodChangeRefusal;
use app::domain::selection::{BulkSelection, SelectionError};
use app::server::gateway::SimulatedGateway;
use app::server::services::payment_methods::{self, CardEdit, CardForm};
use app::server::services::{auto_renew, payment_methods::LISTED_PER_METHOD};
use app::server::store::Store;
use app::server::testing::{demo_actor, execute, scalar, table_counts, text};

mod common;
use common::now;

const CSN: &str = "5150001001";

fn rates() -> UsdRates {
    UsdRates::default()
}

fn edit(holder: &str, address: &str, month: &str, year: &str) -> CardEdit {
    CardEdit { holder: holder.into(), billing_address: address.into(), exp_month: month.into(), exp_year: year.into() }
}

fn card(number: &str) -> CardForm {
    CardForm {
        csn: CSN.into(),
        holder: "Aino Virtanen".into(),
        number: number.into(),
        exp_month: "03".into(),
        exp_year: "2029".into(),
        billing_address: "Mannerheimintie 12\n00100 Helsinki".into(),
    }
}

/// The method of `kind` on file for Aurora's Finnish customer number.
async fn method_of(store: &Store, kind: &str) -> PaymentMethodId {
    PaymentMethodId(
        scalar(
            store,
            &format!(
                "SELECT MIN(pm.id) FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id \
                 WHERE ca.csn = '{CSN}' AND pm.kind = '{kind}' AND pm.removed_at IS NULL"
            ),
        )
        .await,
    )
}

/// Aurora's Finnish subscriptions that are not canceled, paying with `method`, by id.
async fn users_of(store: &Store, method: PaymentMethodId, auto_renew: Option<bool>) -> Vec<SubscriptionId> {
    let filter = match auto_renew {
        Some(on) => format!(" AND auto_renew = {}", if on { "TRUE" } else { "FALSE" }),
        None => String::new(),
    };
    let wanted = format!("WHERE payment_method_id = {method} AND status <> 'canceled'{filter}");
    let sql = match store {
        Store::Sqlite(_) => {
            format!(
                "SELECT COALESCE(GROUP_CONCAT(id, ','), '') FROM (SELECT id FROM subscriptions {wanted} ORDER BY id)"
            )
        }
        Store::Postgres(_) => {
            format!("SELECT COALESCE(STRING_AGG(id::text, ',' ORDER BY id), '') FROM subscriptions {wanted}")
        }
    };
    let list = text(store, &sql).await;
    list.split(',').filter(|s| !s.is_empty()).map(|s| SubscriptionId(s.parse().unwrap())).collect()
}

both!(a_card_goes_to_the_gateway_once_and_only_its_brand_last_four_and_expiry_are_kept, |store: Store| async move {
    // R-PAY-5: the number is checked, tokenised and never kept; a second click adds nothing.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let gateway = SimulatedGateway::new(store.clone());
    let before = table_counts(&store).await;
    for (number, field, problem) in [
        ("4242 4242 4242 4241", "number", CardProblem::NumberCheck),
        ("4242", "number", CardProblem::NumberLength),
        ("", "number", CardProblem::NumberMissing),
    ] {
        let r = payment_methods::add_card(&store, &gateway, &buyer, &card(number), now()).await;
        assert!(
            matches!(&r, Err(AppError::Validation { field: Some(f), problem: Problem::Card(p) }) if f == field && *p == problem),
            "{number}: {r:?}"
        );
    }
    let expired = CardForm { exp_month: "10".into(), exp_year: "2026".into(), ..card("4242424242424242") };
    let r = payment_methods::add_card(&store, &gateway, &buyer, &expired, now()).await;
    assert!(
        matches!(&r, Err(AppError::Validation { field: Some(f), problem: Problem::Card(CardProblem::Expired) }) if f == "expiry"),
        "{r:?}"
    );
    let nameless = CardForm { holder: " ".into(), ..card("4242424242424242") };
    let r = payment_methods::add_card(&store, &gateway, &buyer, &nameless, now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::Card(CardProblem::HolderMissing), .. })));
    let foreign = CardForm { csn: "5150002001".into(), ..card("4242424242424242") };
    assert_eq!(payment_methods::add_card(&store, &gateway, &buyer, &foreign, now()).await, Err(AppError::NotFound));
    for who in ["admin@aurora.example", "payer1@aurora.example"] {
        let actor = demo_actor(&store, who).await;
        let r = payment_methods::add_card(&store, &gateway, &actor, &card("4242424242424242"), now()).await;
        assert_eq!(r, Err(AppError::Forbidden), "{who}");
    }
    assert_eq!(table_counts(&store).await, before, "nothing was stored");

    let id = payment_methods::add_card(&store, &gateway, &buyer, &card("4242-4242-4242-4242"), now()).await.unwrap();
    let row = text(
        &store,
        &format!(
            "SELECT kind || '|' || label || '|' || card_brand || '|' || card_last4 || '|' || card_exp_month || '/' || \
             card_exp_year || '|' || billing_name FROM payment_methods WHERE id = {id}"
        ),
    )
    .await;
    assert_eq!(row, "card|Visa •••• 4242|Visa|4242|3/2029|Aino Virtanen");
    let token = text(&store, &format!("SELECT gateway_token FROM payment_methods WHERE id = {id}")).await;
    assert!(token.starts_with("sim_card_") && token.ends_with("_4242"), "{token}");
    let everywhere = scalar(
        &store,
        "SELECT (SELECT COUNT(*) FROM payment_methods WHERE label LIKE '%42424242%' OR gateway_token LIKE '%42424242%' \
         OR billing_address LIKE '%42424242%') + (SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%42424242%') \
         + (SELECT COUNT(*) FROM mail_outbox WHERE body_text LIKE '%42424242%')",
    )
    .await;
    assert_eq!(everywhere, 0, "the number is nowhere");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment_method.added'").await, 1);

    // The same card again (a double click) answers with the one on file.
    let again = payment_methods::add_card(&store, &gateway, &buyer, &card("4242424242424242"), now()).await.unwrap();
    assert_eq!(again, id);
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment_method.added'").await, 1);

    // The page lists it under its customer number, with nothing paying with it yet.
    let page = payment_methods::page(&store, &buyer, now()).await.unwrap();
    let fi = page.customers.iter().find(|c| c.csn == CSN).unwrap();
    let m = fi.methods.iter().find(|m| m.id == id).unwrap();
    assert_eq!(
        m.card.as_ref().map(|c| (c.last4.as_str(), c.exp_month, c.exp_year, c.expired)),
        Some(("4242", 3, 2029, false))
    );
    assert_eq!(m.subscription_count, 0);
    assert_eq!(page.listed_per_method, LISTED_PER_METHOD);
});

both!(editing_a_card_changes_its_billing_address_and_expiry_never_the_customer_details, |store: Store| async move {
    // R-EXT-5, R-PAY-5
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let card_id = method_of(&store, "card").await;
    let customer = "SELECT company_name || '|' || address_line1 || '|' || postal_code || '|' || city || '|' || country \
                    FROM customer_accounts WHERE csn = '5150001001'";
    let details = text(&store, customer).await;
    let r = payment_methods::edit_card(&store, &buyer, card_id, &edit("A. Virtanen", "", "13", "2030"), now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::Card(CardProblem::ExpiryInvalid), .. })));
    let paypal = method_of(&store, "paypal").await;
    let r = payment_methods::edit_card(&store, &buyer, paypal, &edit("A. Virtanen", "", "1", "2030"), now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::NotListed, .. })), "{r:?}");
    let foreign = PaymentMethodId(
        scalar(
            &store,
            "SELECT MIN(pm.id) FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id \
         WHERE ca.csn = '5150002001'",
        )
        .await,
    );
    let r = payment_methods::edit_card(&store, &buyer, foreign, &edit("X", "", "1", "2030"), now()).await;
    assert_eq!(r, Err(AppError::NotFound));
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment_method.edited'").await, 0);

    let new = edit("A. Virtanen", "Kaivokatu 8\n00100 Helsinki", "11", "31");
    payment_methods::edit_card(&store, &buyer, card_id, &new, now()).await.unwrap();
    let row = text(
        &store,
        &format!(
            "SELECT billing_name || '|' || billing_address || '|' || card_exp_month || '/' || card_exp_year \
             FROM payment_methods WHERE id = {card_id}"
        ),
    )
    .await;
    assert_eq!(row, "A. Virtanen|Kaivokatu 8\n00100 Helsinki|11/2031");
    assert_eq!(text(&store, customer).await, details, "the customer details stay as they were");
    assert_eq!(scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment_method.edited'").await, 1);
});

both!(a_method_is_removed_only_after_its_automatic_renewals_are_switched, |store: Store| async move {
    // R-PAY-6: while a subscription renewing automatically pays with it, the method stays and
    // the subscriptions are named; switched, it goes, and those without auto-renew are left
    // without a method (turning auto-renew on then asks for one).
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let card_id = method_of(&store, "card").await;
    // Direct debit: some of them renew over 25,000 USD, which card and PayPal cannot pay (R-PAY-2).
    let debit = method_of(&store, "direct_debit").await;
    let renewing = users_of(&store, card_id, Some(true)).await;
    let manual = users_of(&store, card_id, Some(false)).await;
    assert!(!renewing.is_empty(), "the demo has automatic renewals on the card");
    assert!(!manual.is_empty(), "and subscriptions with auto-renew off");
    let r = payment_methods::remove(&store, &buyer, card_id, now()).await;
    match &r {
        Err(AppError::Validation { problem: Problem::MethodInUse { subscriptions }, .. }) => {
            assert_eq!(subscriptions.iter().map(|u| u.id).collect::<Vec<_>>(), renewing);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        scalar(&store, &format!("SELECT COUNT(*) FROM payment_methods WHERE id = {card_id} AND removed_at IS NULL"))
            .await,
        1
    );

    let changed = payment_methods::change(
        &store,
        &buyer,
        &BulkSelection::from_ids(renewing.clone()).unwrap(),
        debit,
        &rates(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(changed, renewing.len());
    assert_eq!(
        users_of(&store, debit, Some(true)).await.iter().filter(|id| renewing.contains(id)).count(),
        renewing.len()
    );
    payment_methods::remove(&store, &buyer, card_id, now()).await.unwrap();
    assert_eq!(
        scalar(
            &store,
            &format!("SELECT COUNT(*) FROM payment_methods WHERE id = {card_id} AND removed_at IS NOT NULL")
        )
        .await,
        1
    );
    assert_eq!(
        scalar(&store, &format!("SELECT COUNT(*) FROM subscriptions WHERE payment_method_id = {card_id}")).await,
        0
    );
    let page = payment_methods::page(&store, &buyer, now()).await.unwrap();
    let fi = page.customers.iter().find(|c| c.csn == CSN).unwrap();
    assert!(fi.methods.iter().all(|m| m.id != card_id), "no longer on file");
    let without: Vec<_> = fi.without_method.iter().map(|u| u.id).collect();
    for id in &manual {
        assert!(without.contains(id), "{id} has no method now");
    }
    // Removing it again: it is not on file.
    assert_eq!(payment_methods::remove(&store, &buyer, card_id, now()).await, Err(AppError::NotFound));
    // An active one of them (its auto-renew window open): turning auto-renew on asks for a method.
    let listed = manual.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let active = scalar(
        &store,
        &format!("SELECT COALESCE(MIN(id), 0) FROM subscriptions WHERE status = 'active' AND id IN ({listed})"),
    )
    .await;
    assert!(active > 0, "the demo has an active card subscription with auto-renew off");
    let one = BulkSelection::from_ids(vec![SubscriptionId(active)]).unwrap();
    let p = auto_renew::preview(&store, &buyer, &one, true, now()).await.unwrap();
    assert_eq!(p.items[0].outcome, PreviewOutcome::Ineligible(Ineligible::NoPaymentMethod));
});

both!(the_method_of_many_subscriptions_changes_all_or_nothing, |store: Store| async move {
    // R-BULK-5, R-EXT-3, R-PAY-4: one customer number at a time; a bank transfer cannot back
    // automatic renewal; pay by invoice only for an invoice account and before the renewal
    // period; 101 are refused. Nothing changes when any one cannot.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let card_id = method_of(&store, "card").await;
    let transfer = method_of(&store, "bank_transfer").await;
    let invoice = method_of(&store, "invoice").await;
    let renewing = users_of(&store, card_id, Some(true)).await;
    let sel = BulkSelection::from_ids(renewing.clone()).unwrap();
    let audit = "SELECT COUNT(*) FROM audit_log WHERE action = 'payment_method.switched'";

    let r = payment_methods::change(&store, &buyer, &sel, transfer, &rates(), now()).await;
    match &r {
        Err(AppError::Validation { problem: Problem::MethodChangeRefused { refused }, .. }) => {
            assert_eq!(refused.len(), renewing.len());
            assert!(refused.iter().all(|x| x.reason == MethodChangeRefusal::ManualWithAutoRenew));
        }
        other => panic!("{other:?}"),
    }
    // Pay by invoice (R-PAY-4): the Finnish customer number pays some subscriptions by invoice
    // already; one whose renewal period (90 days) has begun chooses it at checkout instead, one
    // renewing later switches here.
    let in_window = |inside: bool| {
        format!(
            "SELECT MIN(id) FROM subscriptions WHERE payment_method_id = {card_id} AND auto_renew = TRUE \
             AND status = 'active' AND term_end_at {} {}",
            if inside { "<" } else { ">" },
            (now() + chrono::Duration::days(if inside { 60 } else { 120 })).timestamp()
        )
    };
    let soon = BulkSelection::from_ids(vec![SubscriptionId(scalar(&store, &in_window(true)).await)]).unwrap();
    let r = payment_methods::change(&store, &buyer, &soon, invoice, &rates(), now()).await;
    match &r {
        Err(AppError::Validation { problem: Problem::MethodChangeRefused { refused }, .. }) => {
            assert!(matches!(refused[0].reason, MethodChangeRefusal::InvoiceAtCheckout { .. }), "{refused:?}");
        }
        other => panic!("{other:?}"),
    }
    let later = BulkSelection::from_ids(vec![SubscriptionId(scalar(&store, &in_window(false)).await)]).unwrap();
    assert_eq!(payment_methods::change(&store, &buyer, &later, invoice, &rates(), now()).await, Ok(1));
    // Without another subscription paying by invoice, it is not self-service.
    let all_to_card =
        format!("UPDATE subscriptions SET payment_method_id = {card_id} WHERE payment_method_id = {invoice}");
    execute(&store, &all_to_card).await;
    let r = payment_methods::change(&store, &buyer, &later, invoice, &rates(), now()).await;
    match &r {
        Err(AppError::Validation { problem: Problem::MethodChangeRefused { refused }, .. }) => {
            assert_eq!(refused[0].reason, MethodChangeRefusal::InvoiceNotAvailable);
        }
        other => panic!("{other:?}"),
    }
    let renewing = users_of(&store, card_id, Some(true)).await;
    let sel = BulkSelection::from_ids(renewing[..renewing.len().min(100)].to_vec()).unwrap();
    let renewing = sel.ids().to_vec();
    let audits = scalar(&store, audit).await;

    // Another customer number in the selection.
    let foreign = scalar(&store, "SELECT MIN(s.id) FROM subscriptions s JOIN customer_accounts ca ON ca.id = s.customer_account_id WHERE ca.csn = '5150001002'").await;
    let mixed = BulkSelection::from_ids(vec![renewing[0], SubscriptionId(foreign)]).unwrap();
    let r = payment_methods::change(&store, &buyer, &mixed, card_id, &rates(), now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::MixedCustomers, .. })), "{r:?}");
    // A method of another customer number.
    let swedish = PaymentMethodId(scalar(&store, "SELECT MIN(pm.id) FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id WHERE ca.csn = '5150001002' AND pm.kind = 'paypal'").await);
    let r = payment_methods::change(&store, &buyer, &sel, swedish, &rates(), now()).await;
    match &r {
        Err(AppError::Validation { problem: Problem::MethodChangeRefused { refused }, .. }) => {
            assert!(refused.iter().all(|x| x.reason == MethodChangeRefusal::OtherCustomer));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(users_of(&store, card_id, Some(true)).await, renewing, "nothing switched");
    assert_eq!(scalar(&store, audit).await, audits);
    assert_eq!(
        BulkSelection::parse(&(1..=101).map(|i| i.to_string()).collect::<Vec<_>>().join(",")),
        Err(SelectionError::TooMany(101))
    );

    // Switched with auto-renew off, a bank transfer is fine; one audit entry per subscription.
    execute(&store, &format!("UPDATE subscriptions SET auto_renew = FALSE WHERE id IN ({})", sel.to_param())).await;
    let changed = payment_methods::change(&store, &buyer, &sel, transfer, &rates(), now()).await.unwrap();
    assert_eq!(changed, renewing.len());
    assert_eq!(scalar(&store, audit).await, audits + renewing.len() as i64);
    // Again: nothing to change.
    assert_eq!(payment_methods::change(&store, &buyer, &sel, transfer, &rates(), now()).await.unwrap(), 0);
    let admin = demo_actor(&store, "admin@aurora.example").await;
    assert_eq!(payment_methods::change(&store, &admin, &sel, card_id, &rates(), now()).await, Err(AppError::Forbidden));
});

both!(a_renewal_over_the_online_limit_cannot_switch_to_card_or_paypal, |store: Store| async move {
    // R-PAY-2: Cirrus's two large renewals (over 25,000 USD before tax) pay by direct debit or
    // invoice, never by card or PayPal; the preview says so beside each method.
    let buyer = demo_actor(&store, "buyer@cirrus.example").await;
    let method = |kind: &str| {
        format!(
            "SELECT MIN(pm.id) FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id \
             WHERE ca.csn = '5150003001' AND pm.kind = '{kind}'"
        )
    };
    let paypal = PaymentMethodId(scalar(&store, &method("paypal")).await);
    let debit = PaymentMethodId(scalar(&store, &method("direct_debit")).await);
    let large = scalar(
        &store,
        "SELECT MIN(s.id) FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
         WHERE pm.label = 'Visa •••• 4242' AND s.seats = 10 AND s.status = 'active'",
    )
    .await;
    let sel = BulkSelection::from_ids(vec![SubscriptionId(large)]).unwrap();
    let preview = payment_methods::change_preview(&store, &buyer, &sel, &rates(), now()).await.unwrap();
    let refused = |id: PaymentMethodId| preview.choices.iter().find(|c| c.id == id).unwrap().refused.clone();
    let reasons: Vec<MethodChangeRefusal> = refused(paypal).iter().map(|r| r.reason).collect();
    assert_eq!(reasons, vec![MethodChangeRefusal::OverOnlineLimit]);
    assert!(refused(debit).is_empty());
    let r = payment_methods::change(&store, &buyer, &sel, paypal, &rates(), now()).await;
    assert!(matches!(r, Err(AppError::Validation { problem: Problem::MethodChangeRefused { .. }, .. })), "{r:?}");
    assert_eq!(payment_methods::change(&store, &buyer, &sel, debit, &rates(), now()).await, Ok(1));
});
