//! Store and service stories, each run once on SQLite and once on PostgreSQL.

use app::api::dto::{PreviewOutcome, SubscriptionQuery};
use app::api::error::AppError;
use app::domain::authz::Actor;
use app::domain::selection::BulkSelection;
use app::domain::status::Status;
use app::server::auth;
use app::server::seed;
use app::server::services::{auto_renew, lifecycle, subscriptions};
use app::server::store::Store;
use app::server::testing::demo_actor;
use chrono::{DateTime, Utc};

mod common;
use common::{BASE_URL, now};

fn query() -> SubscriptionQuery {
    SubscriptionQuery::default()
}

/// Ids of all the buyer's subscriptions matching a query, page after page.
async fn ids(store: &Store, buyer: &Actor, mut q: SubscriptionQuery) -> Vec<i64> {
    q.per_page = Some(200);
    let mut all = Vec::new();
    for page in 1.. {
        q.page = Some(page);
        let rows = subscriptions::list(store, buyer, &q).await.unwrap().rows;
        if rows.is_empty() {
            break;
        }
        all.extend(rows.iter().map(|r| r.id));
    }
    all
}

async fn outcome_counts(store: &Store, ids: &[i64]) -> (usize, usize) {
    let mut tx = store.begin_read().await.unwrap();
    let mut audits = 0;
    for id in ids {
        audits += tx.audit_for("subscription", *id).await.unwrap().len();
    }
    let mails = tx.outbox_for("buyer@aurora.example", "auto_renew_changed").await.unwrap().len();
    (audits, mails)
}

both!(demo_data_covers_every_state_currency_and_payment_kind, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let all = subscriptions::list(&store, &buyer, &query()).await.unwrap();
    assert!(all.total >= 250, "{} subscriptions", all.total);
    assert!(all.csns.len() >= 3);
    assert_eq!(all.currencies, vec!["EUR", "SEK", "USD"]);
    for status in Status::ALL {
        let q = SubscriptionQuery { status: Some(status.code().into()), ..query() };
        let page = subscriptions::list(&store, &buyer, &q).await.unwrap();
        assert!(page.total > 0, "no {status:?} subscription in the demo");
        assert!(page.rows.iter().all(|r| r.status == status));
    }
    // Loading again changes nothing.
    assert!(!seed::load_if_empty(&store, now()).await.unwrap());
});

both!(the_list_filters_searches_sorts_and_pages, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let q = SubscriptionQuery {
        currency: Some("SEK".into()),
        auto_renew: Some("on".into()),
        term: Some("annual".into()),
        ..query()
    };
    let page = subscriptions::list(&store, &buyer, &q).await.unwrap();
    assert!(page.total > 0);
    assert!(page.rows.iter().all(|r| r.currency == "SEK" && r.auto_renew && r.term_label == "1 year"));

    let first = subscriptions::list(&store, &buyer, &query()).await.unwrap();
    let second = subscriptions::list(&store, &buyer, &SubscriptionQuery { page: Some(2), ..query() }).await.unwrap();
    assert_eq!(first.rows.len(), 25);
    assert!(first.rows.iter().all(|a| second.rows.iter().all(|b| a.id != b.id)), "pages overlap");

    let by_seats = subscriptions::list(
        &store,
        &buyer,
        &SubscriptionQuery { sort: Some("seats".into()), dir: Some("desc".into()), ..query() },
    )
    .await
    .unwrap();
    assert!(by_seats.rows.windows(2).all(|w| w[0].seats >= w[1].seats));

    let target = &first.rows[3];
    let found = subscriptions::list(&store, &buyer, &SubscriptionQuery { q: Some(target.id.to_string()), ..query() })
        .await
        .unwrap();
    assert!(found.rows.iter().any(|r| r.id == target.id));
    let by_name =
        subscriptions::list(&store, &buyer, &SubscriptionQuery { q: Some("vectora".into()), ..query() }).await.unwrap();
    assert!(by_name.total > 0 && by_name.rows.iter().all(|r| r.product_name == "Vectora CAD"));
    let wildcard =
        subscriptions::list(&store, &buyer, &SubscriptionQuery { q: Some("%".into()), ..query() }).await.unwrap();
    assert_eq!(wildcard.total, 0, "a % is searched for literally");

    let bad =
        subscriptions::list(&store, &buyer, &SubscriptionQuery { status: Some("paused".into()), ..query() }).await;
    assert!(matches!(bad, Err(AppError::Validation { .. })));
});

both!(organisations_never_see_each_others_subscriptions, |store: Store| async move {
    let aurora = demo_actor(&store, "buyer@aurora.example").await;
    let borealis = demo_actor(&store, "buyer@borealis.example").await;
    let theirs = subscriptions::list(&store, &borealis, &query()).await.unwrap();
    assert_eq!(theirs.total, seed::BOREALIS_SUBSCRIPTIONS as i64);
    let foreign = theirs.rows[0].id;
    assert_eq!(subscriptions::detail(&store, &aurora, foreign, now()).await.unwrap_err(), AppError::NotFound);
    let selection = BulkSelection::from_ids(vec![foreign]).unwrap();
    assert_eq!(auto_renew::preview(&store, &aurora, &selection, false, now()).await.unwrap_err(), AppError::NotFound);
    let key = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        auto_renew::change(&store, &aurora, &selection, false, &key, now(), BASE_URL).await.unwrap_err(),
        AppError::NotFound
    );
    let after = subscriptions::detail(&store, &borealis, foreign, now()).await.unwrap();
    assert_eq!(after.summary.auto_renew, theirs.rows[0].auto_renew);
});

both!(admins_see_subscriptions_without_billing_and_cannot_change_them, |store: Store| async move {
    // R-ROLE-5, R-REN-1
    let admin = demo_actor(&store, "admin@aurora.example").await;
    let page = subscriptions::list(&store, &admin, &query()).await.unwrap();
    assert!(page.rows.iter().all(|r| r.payment_method.is_none()));
    let detail = subscriptions::detail(&store, &admin, page.rows[0].id, now()).await.unwrap();
    assert!(detail.billing.is_none());
    assert_eq!(detail.auto_renew_change, app::api::dto::ChangeAvailability::NotAllowed);
    let selection = BulkSelection::from_ids(vec![page.rows[0].id]).unwrap();
    let key = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        auto_renew::change(&store, &admin, &selection, false, &key, now(), BASE_URL).await.unwrap_err(),
        AppError::Forbidden
    );
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    assert_eq!(subscriptions::list(&store, &payer, &query()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(
        auto_renew::change(&store, &payer, &selection, false, &key, now(), BASE_URL).await.unwrap_err(),
        AppError::Forbidden
    );
});

both!(turning_auto_renew_off_for_100_is_one_audited_change_with_one_mail_per_buyer, |store: Store| async move {
    // R-BULK-1, R-EXT-1, R-SUB-4
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let on: Vec<i64> = ids(
        &store,
        &buyer,
        SubscriptionQuery { auto_renew: Some("on".into()), status: Some("active".into()), ..query() },
    )
    .await;
    assert!(on.len() >= 100, "{} subscriptions with auto-renew on", on.len());
    let hundred = BulkSelection::from_ids(on[..100].to_vec()).unwrap();
    let preview = auto_renew::preview(&store, &buyer, &hundred, false, now()).await.unwrap();
    assert_eq!(preview.changes(), 100);
    assert!(preview.items.iter().all(|i| i.resulting.starts_with("Expires on")));

    let key = preview.idempotency_key.clone();
    let outcome = auto_renew::change(&store, &buyer, &hundred, false, &key, now(), BASE_URL).await.unwrap();
    assert_eq!(outcome.changed.len(), 100);
    let off = ids(&store, &buyer, SubscriptionQuery { auto_renew: Some("off".into()), ..query() }).await;
    assert!(hundred.ids().iter().all(|id| off.contains(id)));
    let (audits, mails) = outcome_counts(&store, hundred.ids()).await;
    assert_eq!(audits, 100);
    assert_eq!(mails, 1, "one confirmation per buyer for the whole change");
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.outbox_for("buyer2@aurora.example", "auto_renew_changed").await.unwrap().len(),
        1,
        "every buyer is told"
    );
    assert!(
        tx.outbox_for("admin@aurora.example", "auto_renew_changed").await.unwrap().is_empty(),
        "admins get no billing mail (R-MAIL-3)"
    );
    drop(tx);

    // A double submit has the effect of one.
    let again = auto_renew::change(&store, &buyer, &hundred, false, &key, now(), BASE_URL).await.unwrap();
    assert_eq!(again, outcome);
    assert_eq!(outcome_counts(&store, hundred.ids()).await, (100, 1));
    // The same key for another change is refused.
    let other = BulkSelection::from_ids(on[..99].to_vec()).unwrap();
    assert!(matches!(
        auto_renew::change(&store, &buyer, &other, true, &key, now(), BASE_URL).await,
        Err(AppError::Conflict(_))
    ));
});

both!(one_ineligible_subscription_stops_the_whole_change, |store: Store| async move {
    // R-LIFE-4: canceled subscriptions cannot change; the rest does not change either.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let canceled = ids(&store, &buyer, SubscriptionQuery { status: Some("canceled".into()), ..query() }).await[0];
    let active_off = ids(
        &store,
        &buyer,
        SubscriptionQuery { status: Some("active".into()), auto_renew: Some("off".into()), ..query() },
    )
    .await;
    let mut chosen = active_off[..3].to_vec();
    chosen.push(canceled);
    let selection = BulkSelection::from_ids(chosen.clone()).unwrap();
    let preview = auto_renew::preview(&store, &buyer, &selection, true, now()).await.unwrap();
    assert_eq!(preview.ineligible(), 1);
    assert!(matches!(&preview.items[3].outcome, PreviewOutcome::Ineligible(m) if m.contains("Canceled")));

    let err = auto_renew::change(&store, &buyer, &selection, true, &preview.idempotency_key, now(), BASE_URL)
        .await
        .unwrap_err();
    match err {
        AppError::Validation { message, .. } => {
            assert!(message.starts_with("Nothing was changed: 1 of the selected"), "{message}");
            assert!(message.contains(&canceled.to_string()));
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    let still_off = ids(&store, &buyer, SubscriptionQuery { auto_renew: Some("off".into()), ..query() }).await;
    assert!(chosen.iter().all(|id| still_off.contains(id)), "nothing changed");
    assert_eq!(outcome_counts(&store, &chosen).await, (0, 0));
});

both!(concurrent_submits_with_one_key_change_once, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let on = ids(&store, &buyer, SubscriptionQuery { auto_renew: Some("on".into()), ..query() }).await;
    let selection = BulkSelection::from_ids(on[..20].to_vec()).unwrap();
    let key = uuid::Uuid::new_v4().to_string();
    let (a, b) = tokio::join!(
        auto_renew::change(&store, &buyer, &selection, false, &key, now(), BASE_URL),
        auto_renew::change(&store, &buyer, &selection, false, &key, now(), BASE_URL),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_eq!(a.changed.len(), 20);
    assert_eq!(outcome_counts(&store, selection.ids()).await, (20, 1));
});

both!(sessions_end_at_sign_out_and_expiry, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let (token, hash) = auth::new_token();
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_session(&hash, buyer.user_id, buyer.org_id, 1_000, 2_000).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.session(&auth::hash_token(&token), 1_500).await.unwrap().map(|s| s.user_id), Some(buyer.user_id));
    assert!(tx.session(&auth::hash_token(&token), 2_000).await.unwrap().is_none(), "expired");
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    tx.delete_session(&hash).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    assert!(tx.session(&hash, 1_500).await.unwrap().is_none());
    drop(tx);
    // Housekeeping removes what has expired and nothing else.
    let (_, live) = auth::new_token();
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_session(&live, buyer.user_id, buyer.org_id, 1_000, 9_000).await.unwrap();
    tx.insert_session(&auth::new_token().1, buyer.user_id, buyer.org_id, 1_000, 2_000).await.unwrap();
    tx.record_login_failure("someone@aurora.example", "10.0.0.9", 1_000).await.unwrap();
    tx.record_login_failure("someone@aurora.example", "10.0.0.9", 3_000).await.unwrap();
    assert_eq!(tx.delete_expired_sessions(2_500).await.unwrap(), 1);
    assert_eq!(tx.delete_login_failures_before(2_000).await.unwrap(), 1);
    assert_eq!(tx.login_failures_since("someone@aurora.example", "10.0.0.9", 0).await.unwrap(), (1, 1));
    assert!(tx.session(&live, 2_500).await.unwrap().is_some());
});

both!(sign_in_answers_unknown_and_wrong_alike_and_locks_after_five_failures, |store: Store| async move {
    let t = 1_800_000_000;
    let wrong = auth::sign_in(&store, "buyer@aurora.example", "Wrong-password-1".into(), "10.0.0.1", None, t)
        .await
        .unwrap_err();
    let unknown = auth::sign_in(&store, "nobody@aurora.example", "Wrong-password-1".into(), "10.0.0.2", None, t)
        .await
        .unwrap_err();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.to_string(), auth::BAD_CREDENTIALS);
    let ok =
        auth::sign_in(&store, "Buyer@Aurora.example", seed::DEMO_PASSWORD.into(), "10.0.0.1", None, t).await.unwrap();
    // A new session id at every sign-in; the previous one ends.
    let again =
        auth::sign_in(&store, "buyer@aurora.example", seed::DEMO_PASSWORD.into(), "10.0.0.1", Some(&ok.token), t)
            .await
            .unwrap();
    assert_ne!(ok.token, again.token);
    let mut tx = store.begin_read().await.unwrap();
    assert!(tx.session(&auth::hash_token(&ok.token), t).await.unwrap().is_none());
    drop(tx);

    for _ in 0..auth::MAX_FAILURES_PER_ACCOUNT {
        auth::sign_in(&store, "admin@aurora.example", "Wrong-password-1".into(), "10.0.0.3", None, t)
            .await
            .unwrap_err();
    }
    let locked = auth::sign_in(&store, "admin@aurora.example", seed::DEMO_PASSWORD.into(), "10.0.0.4", None, t + 60)
        .await
        .unwrap_err();
    assert_eq!(locked, AppError::TooManyRequests(auth::TOO_MANY_FAILURES.into()));
    // Unknown accounts lock the same way, so the lock reveals nothing.
    for _ in 0..auth::MAX_FAILURES_PER_ACCOUNT {
        auth::sign_in(&store, "ghost@aurora.example", "Wrong-password-1".into(), "10.0.0.5", None, t)
            .await
            .unwrap_err();
    }
    let ghost = auth::sign_in(&store, "ghost@aurora.example", "Wrong-password-1".into(), "10.0.0.6", None, t + 60)
        .await
        .unwrap_err();
    assert_eq!(ghost, locked);
    // After the window the account can sign in again.
    auth::sign_in(
        &store,
        "admin@aurora.example",
        seed::DEMO_PASSWORD.into(),
        "10.0.0.4",
        None,
        t + auth::FAILURE_WINDOW_SECONDS + 1,
    )
    .await
    .unwrap();
});

both!(unrenewed_subscriptions_move_through_the_lifecycle_on_the_exact_days, |store: Store| async move {
    // R-LIFE-1, R-LIFE-2, R-LIFE-3
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    assert_eq!(lifecycle::apply(&store, now()).await.unwrap(), 0, "the demo data is current");
    let q = SubscriptionQuery {
        status: Some("active".into()),
        auto_renew: Some("off".into()),
        term: Some("annual".into()),
        ..query()
    };
    let id = ids(&store, &buyer, q).await[0];
    let mut tx = store.begin_read().await.unwrap();
    let row = tx.subscription(id).await.unwrap().unwrap();
    drop(tx);
    let tz: chrono_tz::Tz = row.time_zone.parse().unwrap();
    let end = DateTime::from_timestamp(row.term_end_at, 0).unwrap();
    let day = |n: i64| {
        app::domain::time::start_of_day(app::domain::time::local_date(end, tz) + chrono::Duration::days(n), tz)
    };
    let status_at = |at: DateTime<Utc>| {
        let store = store.clone();
        let buyer = buyer.clone();
        async move {
            lifecycle::apply(&store, at).await.unwrap();
            subscriptions::detail(&store, &buyer, id, at).await.unwrap().summary.status
        }
    };
    assert_eq!(status_at(end - chrono::Duration::seconds(1)).await, Status::Active);
    assert_eq!(status_at(end).await, Status::Expired);
    assert_eq!(status_at(day(15) - chrono::Duration::seconds(1)).await, Status::Expired);
    assert_eq!(status_at(day(15)).await, Status::Suspended);
    assert_eq!(status_at(day(45) - chrono::Duration::seconds(1)).await, Status::Suspended);
    assert_eq!(status_at(day(45)).await, Status::Canceled);
    // Running again changes nothing, and each step was audited once.
    assert_eq!(lifecycle::apply(&store, day(45)).await.unwrap(), 0);
    let mut tx = store.begin_read().await.unwrap();
    let steps: Vec<String> = tx.audit_for("subscription", id).await.unwrap().into_iter().map(|(a, _, _)| a).collect();
    assert_eq!(steps, vec!["status.canceled", "status.suspended", "status.expired"]);
});

both!(parallel_wrong_passwords_cannot_slip_past_the_limit, |store: Store| async move {
    let t = 1_800_000_000;
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..12 {
        let store = store.clone();
        attempts.spawn(async move {
            auth::sign_in(&store, "admin2@aurora.example", "Wrong-password-1".into(), &format!("10.1.0.{i}"), None, t)
                .await
        });
    }
    let results = attempts.join_all().await;
    let wrong = results.iter().filter(|r| matches!(r, Err(AppError::Validation { .. }))).count();
    let locked = results.iter().filter(|r| matches!(r, Err(AppError::TooManyRequests(_)))).count();
    assert_eq!(wrong + locked, 12);
    assert!(wrong <= auth::MAX_FAILURES_PER_ACCOUNT as usize, "{wrong} guesses were checked");
});

both!(a_password_reset_link_works_once_for_30_minutes_and_ends_every_session, |store: Store| async move {
    // R-AUTH-2, R-AUTH-1
    let t = 1_800_000_000;
    let signed_in =
        auth::sign_in(&store, "payer2@aurora.example", seed::DEMO_PASSWORD.into(), "10.2.0.1", None, t).await.unwrap();
    auth::request_password_reset(&store, "payer2@aurora.example", t, BASE_URL).await.unwrap();
    // Unknown accounts get the same (empty) answer and no mail.
    auth::request_password_reset(&store, "nobody@aurora.example", t, BASE_URL).await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let mails = tx.outbox_for("payer2@aurora.example", "password_reset").await.unwrap();
    assert!(tx.outbox_for("nobody@aurora.example", "password_reset").await.unwrap().is_empty());
    drop(tx);
    assert_eq!(mails.len(), 1);
    let token = mails[0].2.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();

    let weak = auth::reset_password(&store, &token, "abcdefgh".into(), t + 60).await.unwrap_err();
    assert!(
        matches!(weak, AppError::Validation { ref message, .. } if message == "Use at least one digit."),
        "{weak:?}"
    );
    let late =
        auth::reset_password(&store, &token, "New-password-7".into(), t + auth::RESET_SECONDS).await.unwrap_err();
    assert!(matches!(late, AppError::Validation { .. }), "expired after 30 minutes");

    // A fresh link, used in time, works once.
    auth::request_password_reset(&store, "payer2@aurora.example", t + 100, BASE_URL).await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let mails = tx.outbox_for("payer2@aurora.example", "password_reset").await.unwrap();
    drop(tx);
    let token = mails[1].2.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    auth::reset_password(&store, &token, "New-password-7".into(), t + 200).await.unwrap();
    assert!(auth::reset_password(&store, &token, "Other-password-8".into(), t + 201).await.is_err(), "single use");
    let mut tx = store.begin_read().await.unwrap();
    assert!(tx.session(&auth::hash_token(&signed_in.token), t + 300).await.unwrap().is_none(), "sessions ended");
    drop(tx);
    assert!(
        auth::sign_in(&store, "payer2@aurora.example", seed::DEMO_PASSWORD.into(), "10.2.0.2", None, t + 300)
            .await
            .is_err()
    );
    auth::sign_in(&store, "payer2@aurora.example", "New-password-7".into(), "10.2.0.2", None, t + 300).await.unwrap();

    // A fourth request within the window sends nothing more.
    for i in 0..3 {
        auth::request_password_reset(&store, "payer2@aurora.example", t + 400 + i, BASE_URL).await.unwrap();
    }
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.outbox_for("payer2@aurora.example", "password_reset").await.unwrap().len(), 3);
});
