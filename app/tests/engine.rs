//! The engine's jobs on a test clock: renewals, payments, lifecycle and reminders, each story
//! run once on SQLite and once on PostgreSQL.

use app::domain::ids::{PaymentId, SubscriptionId};
use app::domain::locale::Locale;
use app::domain::status::Status;
use app::domain::term::Term;
use app::domain::time::{local_date, start_of_day, term_end};
use app::server::services::engine as jobs;
use app::server::store::Store;
use app::server::store::records::PaymentStatus;
use app::server::testing::{engine, execute, scalar};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use app::domain::mail_routing::MailKind;

mod common;
use common::{BASE_URL, now};

/// The first Aurora subscription (soonest end) matching a condition on `s` and its payment
/// method `pm`.
async fn pick(store: &Store, condition: &str) -> SubscriptionId {
    SubscriptionId(
        scalar(
            store,
            &format!(
                "SELECT s.id FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
             WHERE s.org_id = 1 AND {condition} ORDER BY s.term_end_at, s.id LIMIT 1"
            ),
        )
        .await,
    )
}

struct Facts {
    status: Status,
    term_end: DateTime<Utc>,
    tz: Tz,
}

async fn facts(store: &Store, id: SubscriptionId) -> Facts {
    let mut tx = store.begin_read().await.unwrap();
    let sub = tx.subscription(id).await.unwrap().unwrap();
    Facts { status: sub.status, term_end: sub.term_end, tz: sub.time_zone }
}

/// Local midnight `n` days after the local date of `at`, plus `plus`.
fn day(at: DateTime<Utc>, tz: Tz, n: i64) -> DateTime<Utc> {
    start_of_day(local_date(at, tz) + Duration::days(n), tz)
}

async fn status_after_pass(store: &Store, id: SubscriptionId, at: DateTime<Utc>) -> Status {
    engine(store, BASE_URL).run_pass(at).await.unwrap();
    facts(store, id).await.status
}

both!(an_automatic_renewal_charges_exactly_once_even_when_two_processes_run_the_job_twice, |store: Store| async move {
    // R-REN-3, R-MAIL-2: renewed on the renewal date, charged once, one order confirmed.
    let id =
        pick(&store, "s.auto_renew = TRUE AND s.status = 'active' AND pm.kind = 'card' AND s.term = 'annual'").await;
    let before = facts(&store, id).await;
    let at = before.term_end + Duration::minutes(5);
    let (one, two) = (engine(&store, BASE_URL), engine(&store, BASE_URL));
    let (a, b) = tokio::join!(one.run_pass(at), two.run_pass(at));
    a.unwrap();
    b.unwrap();
    engine(&store, BASE_URL).run_pass(at).await.unwrap();
    assert_eq!(
        scalar(&store, &format!("SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'renewal:{id}:%'"))
            .await,
        1
    );
    assert_eq!(
        scalar(&store, &format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id} AND status = 'succeeded'"))
            .await,
        1
    );
    assert_eq!(scalar(&store, &format!("SELECT COUNT(*) FROM orders WHERE number LIKE 'ORD-{id}-%'")).await, 1);
    let after = facts(&store, id).await;
    assert_eq!(after.status, Status::Active);
    // The renewal date does not move: the new term starts where the old one ended (R-REN-2).
    assert_eq!(after.term_end, term_end(local_date(before.term_end, before.tz), Term::Annual, before.tz));
    // The charge is the order's total: its subtotal plus tax.
    let number = format!("ORD-{id}-{}", local_date(before.term_end, before.tz).format("%Y%m%d"));
    let charged = scalar(&store, &format!("SELECT amount_minor FROM payments WHERE subscription_id = {id}")).await;
    let total = scalar(&store, &format!("SELECT total_minor FROM orders WHERE number = '{number}'")).await;
    let parts =
        scalar(&store, &format!("SELECT subtotal_minor + tax_minor FROM orders WHERE number = '{number}'")).await;
    assert_eq!((charged, total), (parts, parts));
    // One confirmation for this renewal, to each buyer, naming the order number (R-MAIL-2).
    for buyer in ["buyer@aurora.example", "buyer2@aurora.example"] {
        let mut tx = store.begin_read().await.unwrap();
        let mails: Vec<_> = tx
            .outbox_for(buyer, MailKind::OrderConfirmation)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.contains(&number))
            .collect();
        assert_eq!(mails.len(), 1, "{buyer}: one confirmation for this renewal");
        assert_eq!(mails[0].subject, format!("Order confirmation {number}"));
        assert!(mails[0].body_text.contains(&format!("Your order number is {number}.")), "{}", mails[0].body_text);
    }
});

both!(
    a_declined_renewal_expires_at_once_and_is_suspended_from_day_16_and_canceled_on_day_46,
    |store: Store| async move {
        // R-LIFE-5 with the declining test card (R-PAY-7).
        let id = pick(&store, "s.auto_renew = TRUE AND s.status = 'active' AND pm.kind = 'card' AND s.term = 'annual'")
            .await;
        execute(&store, &format!("UPDATE payment_methods SET gateway_token = 'sim_card_4000000000000002' WHERE id = (SELECT payment_method_id FROM subscriptions WHERE id = {id})")).await;
        let f = facts(&store, id).await;
        let renewal = f.term_end;
        assert_eq!(status_after_pass(&store, id, renewal + Duration::minutes(1)).await, Status::Expired);
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id} AND status = 'failed'")
            )
            .await,
            1
        );
        // The buyers are told the payment failed, once each, with a link to the subscription.
        // (Other demo renewals on the declining card fail in the same passes: their mails name
        // their own subscriptions.)
        let failed_mails = |store: Store| async move {
            let mut tx = store.begin_read().await.unwrap();
            let mut all = Vec::new();
            for buyer in ["buyer@aurora.example", "buyer2@aurora.example", "buyer@borealis.example"] {
                all.extend(tx.outbox_for(buyer, app::domain::mail_routing::MailKind::PaymentFailed).await.unwrap());
            }
            all.retain(|m| m.body_text.contains(&format!("(subscription {id})")));
            all
        };
        let mails = failed_mails(store.clone()).await;
        assert!(!mails.is_empty(), "the buyers are mailed");
        for m in &mails {
            assert!(m.subject.starts_with("The renewal payment for "), "{}", m.subject);
            assert!(m.body_text.contains(&format!("/billing/subscriptions/{id}")), "{}", m.body_text);
        }
        assert_eq!(status_after_pass(&store, id, day(renewal, f.tz, 15) - Duration::seconds(1)).await, Status::Expired);
        assert_eq!(status_after_pass(&store, id, day(renewal, f.tz, 15)).await, Status::Suspended);
        assert_eq!(
            status_after_pass(&store, id, day(renewal, f.tz, 45) - Duration::seconds(1)).await,
            Status::Suspended
        );
        assert_eq!(status_after_pass(&store, id, day(renewal, f.tz, 45)).await, Status::Canceled);
        assert_eq!(failed_mails(store.clone()).await.len(), mails.len(), "mailed once, not on every pass");
        // Still one charge attempt: the job never retried the declined key.
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'renewal:{id}:%'")
            )
            .await,
            1
        );
    }
);

both!(
    a_renewal_paid_by_invoice_is_due_in_30_days_and_the_lifecycle_counts_from_the_due_date,
    |store: Store| async move {
        // R-REN-5, R-LIFE-5 decision, R-MAIL-4, R-ROLE-6: Net 30, every payer gets the invoice.
        let id =
            pick(&store, "s.auto_renew = TRUE AND s.status = 'active' AND pm.kind = 'invoice' AND s.term <> 'monthly'")
                .await;
        let f = facts(&store, id).await;
        assert_eq!(status_after_pass(&store, id, f.term_end + Duration::minutes(1)).await, Status::Active);
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM invoices WHERE number LIKE 'INV-{id}-%' AND status = 'open'")
            )
            .await,
            1
        );
        assert_eq!(
            scalar(&store, &format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id}")).await,
            0,
            "an invoice is not charged"
        );
        let due_at = scalar(&store, &format!("SELECT due_at FROM invoices WHERE number LIKE 'INV-{id}-%'")).await;
        // Late from the start of the 31st local day after the renewal date.
        assert_eq!(due_at, day(f.term_end, f.tz, 31).timestamp());
        let invoice_mails = |to: &'static str| {
            let store = store.clone();
            async move {
                let sql = format!(
                    "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invoice' AND to_address = '{to}' \
                     AND subject LIKE '%INV-{id}-%'"
                );
                scalar(&store, &sql).await
            }
        };
        assert_eq!(invoice_mails("payer1@aurora.example").await, 1);
        assert_eq!(invoice_mails("payer2@aurora.example").await, 1);
        assert_eq!(invoice_mails("buyer@aurora.example").await, 0, "payers get invoices, not buyers");
        let late = DateTime::from_timestamp(due_at, 0).unwrap();
        assert_eq!(status_after_pass(&store, id, late - Duration::seconds(1)).await, Status::Active);
        assert_eq!(status_after_pass(&store, id, late).await, Status::Expired);
        assert_eq!(status_after_pass(&store, id, day(late, f.tz, 15)).await, Status::Suspended);
        assert_eq!(status_after_pass(&store, id, day(late, f.tz, 45)).await, Status::Canceled);
    }
);

both!(
    a_timed_out_charge_is_left_unknown_and_settled_by_the_next_run_without_charging_again,
    |store: Store| async move {
        // R-PAY-7: never charge twice.
        let id = pick(&store, "s.auto_renew = TRUE AND s.status = 'active' AND pm.kind = 'card'").await;
        execute(&store, &format!("UPDATE payment_methods SET gateway_token = 'sim_card_4000000000000119' WHERE id = (SELECT payment_method_id FROM subscriptions WHERE id = {id})")).await;
        let f = facts(&store, id).await;
        let at = f.term_end + Duration::minutes(1);
        let gw = engine(&store, BASE_URL);
        jobs::renew_due(&store, gw.gateway.as_ref(), &gw.rates, at, BASE_URL).await.unwrap();
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id} AND status = 'unknown'")
            )
            .await,
            1
        );
        assert_eq!(
            jobs::settle_open(&store, gw.gateway.as_ref(), at + Duration::minutes(1), BASE_URL).await.unwrap(),
            1
        );
        assert_eq!(
            jobs::settle_open(&store, gw.gateway.as_ref(), at + Duration::minutes(2), BASE_URL).await.unwrap(),
            0
        );
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id} AND status = 'succeeded'")
            )
            .await,
            1
        );
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'renewal:{id}:%'")
            )
            .await,
            1
        );
        assert_eq!(facts(&store, id).await.status, Status::Active);
    }
);

both!(paying_a_late_renewal_reactivates_the_subscription, |store: Store| async move {
    // R-LIFE-3: paying reactivates; the state moves back only through a payment.
    let id =
        pick(&store, "s.auto_renew = TRUE AND s.status = 'active' AND pm.kind = 'card' AND s.term = 'annual'").await;
    execute(&store, &format!("UPDATE payment_methods SET gateway_token = 'sim_card_4000000000009995' WHERE id = (SELECT payment_method_id FROM subscriptions WHERE id = {id})")).await;
    let f = facts(&store, id).await;
    assert_eq!(status_after_pass(&store, id, day(f.term_end, f.tz, 20)).await, Status::Suspended);
    // The customer pays: a new successful payment for the same renewal, settled.
    let pm = scalar(&store, &format!("SELECT payment_method_id FROM subscriptions WHERE id = {id}")).await;
    execute(&store, &format!("UPDATE payment_methods SET gateway_token = 'sim_card_4242424242424242' WHERE id = {pm}"))
        .await;
    execute(
        &store,
        &format!(
            "INSERT INTO payments (org_id, subscription_id, payment_method_id, currency, amount_minor, status, idempotency_key, due_at, created_at) \
             SELECT org_id, subscription_id, payment_method_id, currency, amount_minor, 'pending', 'retry:{id}', due_at, created_at FROM payments WHERE subscription_id = {id}"
        ),
    )
    .await;
    assert_eq!(status_after_pass(&store, id, day(f.term_end, f.tz, 21)).await, Status::Active);
});

both!(reminders_go_out_45_30_and_4_days_before_once_each, |store: Store| async move {
    // R-EXT-8, R-MAIL-6
    let id = pick(
        &store,
        "s.auto_renew = TRUE AND s.status = 'active' AND s.term = 'annual' AND s.term_end_at > 1769900000",
    )
    .await;
    let f = facts(&store, id).await;
    let count = || {
        let store = store.clone();
        async move { scalar(&store, &format!("SELECT COUNT(*) FROM reminders_sent WHERE subscription_id = {id}")).await }
    };
    let rates = Default::default();
    for (days, expected) in [(46, 0), (45, 1), (44, 1), (30, 2), (5, 2), (4, 3), (1, 3)] {
        let at = day(f.term_end, f.tz, -days) + Duration::hours(9);
        jobs::send_reminders(&store, &rates, at, BASE_URL).await.unwrap();
        jobs::send_reminders(&store, &rates, at, BASE_URL).await.unwrap();
        assert_eq!(count().await, expected, "{days} days before");
    }
    // Each names the renewal date and the price (R-MAIL-6).
    let date = Locale::En.date_long(local_date(f.term_end, f.tz));
    let mut tx = store.begin_read().await.unwrap();
    let mails: Vec<_> = tx
        .outbox_for("buyer@aurora.example", MailKind::RenewalReminder)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.body_text.contains(&format!("Subscription {id} (")))
        .collect();
    assert_eq!(mails.len(), 3);
    for m in &mails {
        assert!(m.body_text.contains(&format!("renews automatically on {date} for ")), "{}", m.body_text);
        // The price with its currency, as English writes it: €1,234.56, SEK 1,234.56, US$1,234.56.
        let priced = ["for €", "for SEK\u{a0}", "for US$"].iter().any(|p| m.body_text.contains(p));
        assert!(priced, "{}", m.body_text);
    }
});

both!(an_unrenewed_monthly_subscription_is_canceled_30_days_after_its_end, |store: Store| async move {
    // R-LIFE-2, R-LIFE-3: monthly terms are suspended for 15 days.
    let id = pick(&store, "s.auto_renew = FALSE AND s.status = 'active' AND s.term = 'monthly'").await;
    let f = facts(&store, id).await;
    let at = |d: i64| day(f.term_end, f.tz, d);
    let status = |t: DateTime<Utc>| {
        let store = store.clone();
        async move {
            jobs::apply_lifecycle(&store, t).await.unwrap();
            facts(&store, id).await.status
        }
    };
    assert_eq!(status(f.term_end - Duration::seconds(1)).await, Status::Active);
    assert_eq!(status(f.term_end).await, Status::Expired);
    assert_eq!(status(at(15) - Duration::seconds(1)).await, Status::Expired);
    assert_eq!(status(at(15)).await, Status::Suspended);
    assert_eq!(status(at(30) - Duration::seconds(1)).await, Status::Suspended);
    assert_eq!(status(at(30)).await, Status::Canceled);
});

both!(a_bank_transfer_stays_pending_until_24_to_48_hours_have_passed, |store: Store| async move {
    // R-PAY-7: bank transfers take 24-48 hours to register; settling before that changes nothing.
    let id = pick(&store, "pm.kind = 'bank_transfer'").await;
    execute(
        &store,
        &format!(
            "INSERT INTO payments (org_id, subscription_id, payment_method_id, currency, amount_minor, status, idempotency_key, due_at, created_at) \
             SELECT org_id, id, payment_method_id, currency, 100000, 'pending', 'transfer:{id}', {t}, {t} FROM subscriptions WHERE id = {id}",
            t = now().timestamp()
        ),
    )
    .await;
    let payment =
        PaymentId(scalar(&store, &format!("SELECT id FROM payments WHERE idempotency_key = 'transfer:{id}'")).await);
    let gw = engine(&store, BASE_URL);
    let settle = |at: DateTime<Utc>| {
        let (store, gw) = (store.clone(), gw.clone());
        async move { jobs::settle(&store, gw.gateway.as_ref(), payment, at, BASE_URL).await.unwrap() }
    };
    assert_eq!(settle(now()).await, Some(PaymentStatus::Pending));
    assert_eq!(settle(now() + Duration::hours(24) - Duration::seconds(1)).await, Some(PaymentStatus::Pending));
    assert_eq!(settle(now() + Duration::hours(48)).await, Some(PaymentStatus::Succeeded));
    assert_eq!(settle(now() + Duration::hours(49)).await, None, "settled once");
    assert_eq!(
        scalar(&store, &format!("SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key = 'transfer:{id}'")).await,
        1
    );
});

/// Makes the card of `id`'s payment method one the simulated gateway declines (test number 0002).
async fn decline_the_card_of(store: &Store, id: SubscriptionId) {
    let sql = format!(
        "UPDATE payment_methods SET gateway_token = 'tok_4000000000000002' \
         WHERE id = (SELECT payment_method_id FROM subscriptions WHERE id = {id})"
    );
    execute(store, &sql).await;
}

/// Turns auto-renew on for one subscription as its buyer would, through the service.
async fn turn_on(store: &Store, id: SubscriptionId, at: DateTime<Utc>) -> app::contract::dto::AutoRenewOutcome {
    use app::domain::ids::IdempotencyKey;
    use app::domain::selection::BulkSelection;
    let buyer = app::server::testing::demo_actor(store, "buyer@aurora.example").await;
    let selection = BulkSelection::parse(&id.to_string()).unwrap();
    let preview = app::server::services::auto_renew::preview(store, &buyer, &selection, true, at).await.unwrap();
    assert_eq!(preview.items[0].outcome, app::contract::dto::PreviewOutcome::RenewsNow);
    app::server::services::auto_renew::change(store, &buyer, &selection, true, &IdempotencyKey::new(), at, BASE_URL)
        .await
        .unwrap()
}

both!(turning_auto_renew_on_after_the_term_ended_renews_late_from_the_old_end_date, |store: Store| async move {
    // R-SUB-4, R-REN-2, R-LIFE-3: ten days after its renewal date an unrenewed annual
    // subscription is Expired; turning auto-renew on renews it at once, from its old end date
    // (the renewal date does not move), charges it once and makes it Active.
    let id =
        pick(&store, "s.auto_renew = FALSE AND s.status = 'active' AND pm.kind = 'card' AND s.term = 'annual'").await;
    let before = facts(&store, id).await;
    let at = day(before.term_end, before.tz, 10);
    assert_eq!(status_after_pass(&store, id, at).await, Status::Expired);
    let outcome = turn_on(&store, id, at).await;
    assert_eq!(outcome.renewed_now, vec![id]);
    engine(&store, BASE_URL).run_pass(at).await.unwrap();
    let after = facts(&store, id).await;
    assert_eq!(after.status, Status::Active);
    let renewal_day = local_date(before.term_end, before.tz);
    assert_eq!(after.term_end, term_end(renewal_day, Term::Annual, before.tz), "one year from the old end");
    let paid = format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id} AND status = 'succeeded'");
    assert_eq!(scalar(&store, &paid).await, 1);
    // The buyer's confirmation says what happened, in the words the review page used.
    let mut tx = store.begin_read().await.unwrap();
    let mails = tx.outbox_for("buyer@aurora.example", MailKind::AutoRenewChanged).await.unwrap();
    let expected = app::words::renews_now(app::i18n::Locale::en, renewal_day, true);
    assert!(mails.last().unwrap().body_text.contains(&expected), "{}", mails.last().unwrap().body_text);
    drop(tx);
    // Another pass changes nothing: renewed once.
    engine(&store, BASE_URL).run_pass(at + Duration::hours(1)).await.unwrap();
    assert_eq!(scalar(&store, &paid).await, 1);
});

both!(a_late_renewal_whose_card_is_declined_goes_back_on_its_lifecycle, |store: Store| async move {
    // R-SUB-4, R-LIFE-1, R-LIFE-3: the decline leaves the subscription where its lifecycle has
    // it (Expired, counted from the old end date), owing the renewal.
    let id =
        pick(&store, "s.auto_renew = FALSE AND s.status = 'active' AND pm.kind = 'card' AND s.term = 'annual'").await;
    decline_the_card_of(&store, id).await;
    let before = facts(&store, id).await;
    let at = day(before.term_end, before.tz, 20);
    assert_eq!(status_after_pass(&store, id, at).await, Status::Suspended);
    turn_on(&store, id, at).await;
    engine(&store, BASE_URL).run_pass(at).await.unwrap();
    assert_eq!(facts(&store, id).await.status, Status::Suspended);
    let failed = format!("SELECT COUNT(*) FROM payments WHERE subscription_id = {id} AND status = 'failed'");
    assert_eq!(scalar(&store, &failed).await, 1);
    let owing = format!("SELECT COUNT(*) FROM subscriptions WHERE id = {id} AND unpaid_since IS NOT NULL");
    assert_eq!(scalar(&store, &owing).await, 1);
});

both!(an_auto_renewing_subscription_over_the_card_limit_is_told_why_it_will_expire, |store: Store| async move {
    // R-PAY-2, R-EXT-8: a card may not pay a renewal over 25,000 USD before tax. Such a
    // subscription will not renew, so its buyers get an expiry notice, and the notice says why
    // and what to do (not "auto-renew is off": it is on), with the expiry date and the last day
    // to renew (R-REN-2).
    let id = pick(
        &store,
        "s.auto_renew = TRUE AND s.status = 'active' AND s.term = 'annual' AND pm.kind = 'card' \
         AND s.term_end_at > 1769900000",
    )
    .await;
    execute(&store, &format!("UPDATE subscriptions SET seats = 5000 WHERE id = {id}")).await;
    let f = facts(&store, id).await;
    let at = day(f.term_end, f.tz, -45) + Duration::hours(9);
    jobs::send_reminders(&store, &Default::default(), at, BASE_URL).await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let notices = tx.outbox_for("buyer@aurora.example", MailKind::ExpiryNotice).await.unwrap();
    let notice = notices.iter().find(|m| m.body_text.contains(&format!("Subscription {id} ("))).expect("a notice");
    let expiry = Locale::En.date_long(local_date(f.term_end, f.tz) - Duration::days(1));
    let last = Locale::En.date_long(local_date(f.term_end, f.tz) + Duration::days(44));
    assert!(notice.body_text.contains("has auto-renew on but cannot renew automatically"), "{}", notice.body_text);
    assert!(notice.body_text.contains("over 25,000 USD"), "{}", notice.body_text);
    assert!(notice.body_text.contains(&format!("it expires on {expiry}")), "{}", notice.body_text);
    assert!(notice.body_text.contains(&format!("renew it until {last}")), "{}", notice.body_text);
    assert!(!notice.body_text.contains("auto-renew is off"), "{}", notice.body_text);
});

both!(a_declined_automatic_renewal_shows_the_day_it_expired_not_a_renewal_next_year, |store: Store| async move {
    // R-LIFE-1, R-SUB-2: the card is declined on the renewal date; the subscription is on its
    // lifecycle, and what it shows is the day its last paid term expired, with auto-renew still on.
    let id =
        pick(&store, "s.auto_renew = TRUE AND s.status = 'active' AND pm.kind = 'card' AND s.term = 'annual'").await;
    decline_the_card_of(&store, id).await;
    let before = facts(&store, id).await;
    let at = before.term_end + Duration::hours(1);
    assert_eq!(status_after_pass(&store, id, at).await, Status::Expired);
    let buyer = app::server::testing::demo_actor(&store, "buyer@aurora.example").await;
    let detail =
        app::server::services::subscriptions::detail(&store, &buyer, id, &Default::default(), at).await.unwrap();
    let expired_on = local_date(before.term_end, before.tz) - Duration::days(1);
    assert_eq!(detail.summary.shown, app::contract::dto::ShownDate { auto_renew: false, date: expired_on });
    assert!(detail.summary.auto_renew, "auto-renew itself stays on");
    assert!(detail.payment_due.is_some_and(|due| due.late));
});
