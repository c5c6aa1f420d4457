//! Store and service stories, each run once on SQLite and once on PostgreSQL.

use app::contract::dto::{PreviewOutcome, SubscriptionQuery};
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::authz::Actor;
use app::domain::auto_renew::Ineligible;
use app::domain::email::EmailAddress;
use app::domain::ids::{IdempotencyKey, OrgId, SubscriptionId};
use app::domain::locale::Locale;
use app::domain::money::Currency;
use app::domain::password::{NewPassword, WeakPassword};
use app::domain::selection::BulkSelection;
use app::domain::status::Status;
use app::domain::term::Term;
use app::domain::throttle::{self, Failures};
use app::server::auth;
use app::server::seed;
use app::server::services::engine::apply_lifecycle;
use app::server::services::{auto_renew, subscriptions};
use app::server::store::Store;
use app::server::store::records::{AuditObject, NewSession, Subscription};
use app::server::testing::{demo_actor, table_counts};
use chrono::{DateTime, Utc};

use app::domain::mail_routing::MailKind;

mod common;
use common::{BASE_URL, now};

fn query() -> SubscriptionQuery {
    SubscriptionQuery::default()
}

/// An instant this many seconds after the Unix epoch.
/// Every subscription `q`'s filters select in `org`, in the list's order, read in one go
/// through the export's unpaged query (its page left aside).
async fn whole_list(store: &Store, org: OrgId, q: &SubscriptionQuery) -> Vec<Subscription> {
    let filter = subscriptions::parse_query(org, q).unwrap();
    let (to, mut from) = tokio::sync::mpsc::channel(1_000);
    let mut tx = store.begin_read().await.unwrap();
    tx.send_subscriptions(&filter, &to).await.unwrap();
    drop((tx, to));
    let mut rows = Vec::new();
    while let Some(row) = from.recv().await {
        rows.push(row.unwrap());
    }
    rows
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

/// "Forgot password", then the outbox worker's turn: the request becomes a link and a mail.
async fn ask_reset(store: &Store, who: &EmailAddress, lang: Locale, at: DateTime<Utc>) {
    auth::request_password_reset(store, who, lang, at).await.unwrap();
    auth::issue_reset_links(store, BASE_URL).await.unwrap();
}

/// The token of the reset link in a mail's plain part.
fn reset_token(body: &str) -> String {
    body.split("token=").nth(1).and_then(|rest| rest.split_whitespace().next()).expect("a reset link").to_string()
}

fn password(text: &str) -> NewPassword {
    NewPassword::parse(text.into()).unwrap()
}

fn session<'a>(token_hash: &'a str, who: &Actor, from: i64, until: i64) -> NewSession<'a> {
    NewSession { token_hash, user_id: who.user_id, org_id: who.org_id, created_at: at(from), expires_at: at(until) }
}

/// Ids of all the buyer's subscriptions matching a query, page after page.
async fn ids(store: &Store, buyer: &Actor, mut q: SubscriptionQuery) -> Vec<SubscriptionId> {
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

async fn outcome_counts(store: &Store, ids: &[SubscriptionId]) -> (usize, usize) {
    let mut tx = store.begin_read().await.unwrap();
    let mut audits = 0;
    for id in ids {
        audits += tx.audit_for(AuditObject::Subscription(*id)).await.unwrap().len();
    }
    let mails = tx.outbox_for("buyer@aurora.example", MailKind::AutoRenewChanged).await.unwrap().len();
    (audits, mails)
}

both!(demo_data_covers_every_state_currency_and_payment_kind, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let all = subscriptions::list(&store, &buyer, &query()).await.unwrap();
    assert!(all.total >= 250, "{} subscriptions", all.total);
    assert!(all.csns.len() >= 3);
    assert_eq!(all.currencies, vec![Currency::Eur, Currency::Sek, Currency::Usd]);
    for status in Status::ALL {
        let q = SubscriptionQuery { status: Some(status.code().into()), ..query() };
        let page = subscriptions::list(&store, &buyer, &q).await.unwrap();
        assert!(page.total > 0, "no {status:?} subscription in the demo");
        assert!(page.rows.iter().all(|r| r.status == status));
    }
    // Loading again changes nothing.
    assert!(!seed::load_if_empty(&store, now()).await.unwrap());
});

both!(every_order_pages_the_whole_list_exactly_once_in_order, |store: Store| async move {
    // Pages past the middle are read from the end in the reverse order (store::subscriptions):
    // page after page, every sort key and direction, with and without a filter, must give the
    // rows in the same order as the whole list read in one go (the export's unpaged query).
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    for sort in [None, Some("date"), Some("product"), Some("id"), Some("csn"), Some("seats"), Some("status")] {
        for dir in ["asc", "desc"] {
            for currency in [None, Some("EUR")] {
                let q = SubscriptionQuery {
                    sort: sort.map(Into::into),
                    dir: Some(dir.into()),
                    currency: currency.map(Into::into),
                    ..query()
                };
                let whole: Vec<_> = whole_list(&store, buyer.org_id, &q).await.into_iter().map(|s| s.id).collect();
                assert!(whole.len() > 50, "{sort:?} {dir}");
                let mut paged = Vec::new();
                for page in 1..=(whole.len() as i64 + 24) / 25 {
                    let q = SubscriptionQuery { page: Some(page), ..q.clone() };
                    let list = subscriptions::list(&store, &buyer, &q).await.unwrap();
                    assert_eq!(list.total, whole.len() as i64);
                    paged.extend(list.rows.into_iter().map(|r| r.id));
                }
                assert_eq!(paged, whole, "{sort:?} {dir} {currency:?}");
            }
        }
    }
});

both!(
    the_search_finds_exactly_the_rows_whose_product_id_contract_or_customer_number_hold_it,
    |store: Store| async move {
        // The store looks up the matching products and customer numbers first and searches ids only
        // for terms of digits (store::subscriptions, `SearchMatches`): what it finds must be exactly
        // what the whole list, searched here in Rust, holds.
        let buyer = demo_actor(&store, "buyer@aurora.example").await;
        let all = whole_list(&store, buyer.org_id, &query()).await;
        let sample = &all[all.len() / 2];
        let contract_piece = sample.contract_number[2..sample.contract_number.len() - 1].to_string();
        let csn_piece = sample.csn[1..].to_string();
        let id_digits = sample.id.to_string();
        let id_piece = id_digits[id_digits.len() - 2..].to_string();
        for term in ["cad", "VECTORA", &contract_piece, &csn_piece, &id_digits, &id_piece, "zzzz", "%", "_"] {
            let lower = term.to_lowercase();
            let mut expected: Vec<_> = all
                .iter()
                .filter(|s| {
                    s.product_name.to_lowercase().contains(&lower)
                        || s.id.to_string().contains(&lower)
                        || s.contract_number.to_lowercase().contains(&lower)
                        || s.csn.to_lowercase().contains(&lower)
                })
                .map(|s| s.id)
                .collect();
            let q = SubscriptionQuery { q: Some(term.into()), ..query() };
            let mut found: Vec<_> = whole_list(&store, buyer.org_id, &q).await.into_iter().map(|s| s.id).collect();
            expected.sort();
            found.sort();
            assert_eq!(found, expected, "search {term:?}");
            let page = subscriptions::list(&store, &buyer, &q).await.unwrap();
            assert_eq!(page.total, expected.len() as i64, "search {term:?}");
        }
        assert!(all.iter().any(|s| s.contract_number.contains(&contract_piece)));
    }
);

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
    assert!(page.rows.iter().all(|r| r.currency == Currency::Sek && r.shown.auto_renew && r.term == Term::Annual));

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
    assert_eq!(
        subscriptions::detail(&store, &aurora, foreign, &Default::default(), now()).await.unwrap_err(),
        AppError::NotFound
    );
    let selection = BulkSelection::from_ids(vec![foreign]).unwrap();
    assert_eq!(auto_renew::preview(&store, &aurora, &selection, false, now()).await.unwrap_err(), AppError::NotFound);
    let key = IdempotencyKey::new();
    assert_eq!(
        auto_renew::change(&store, &aurora, &selection, false, &key, now(), BASE_URL).await.unwrap_err(),
        AppError::NotFound
    );
    let after = subscriptions::detail(&store, &borealis, foreign, &Default::default(), now()).await.unwrap();
    assert_eq!(after.summary.shown, theirs.rows[0].shown);
});

both!(admins_see_subscriptions_without_billing_and_cannot_change_them, |store: Store| async move {
    // R-ROLE-5, R-REN-1
    let admin = demo_actor(&store, "admin@aurora.example").await;
    let page = subscriptions::list(&store, &admin, &query()).await.unwrap();
    assert!(page.rows.iter().all(|r| r.payment_method.is_none()));
    let detail = subscriptions::detail(&store, &admin, page.rows[0].id, &Default::default(), now()).await.unwrap();
    assert!(detail.billing.is_none());
    assert_eq!(detail.auto_renew_change, app::contract::dto::ChangeAvailability::NotAllowed);
    let selection = BulkSelection::from_ids(vec![page.rows[0].id]).unwrap();
    let key = IdempotencyKey::new();
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
    let on = ids(
        &store,
        &buyer,
        SubscriptionQuery { auto_renew: Some("on".into()), status: Some("active".into()), ..query() },
    )
    .await;
    assert!(on.len() >= 100, "{} subscriptions with auto-renew on", on.len());
    let hundred = BulkSelection::from_ids(on[..100].to_vec()).unwrap();
    let preview = auto_renew::preview(&store, &buyer, &hundred, false, now()).await.unwrap();
    assert_eq!(preview.changes(), 100);
    assert!(preview.items.iter().all(|i| !i.resulting.auto_renew && i.current.auto_renew));

    let key = IdempotencyKey::parse(&preview.idempotency_key).unwrap();
    let outcome = auto_renew::change(&store, &buyer, &hundred, false, &key, now(), BASE_URL).await.unwrap();
    assert_eq!(outcome.changed.len(), 100);
    let off = ids(&store, &buyer, SubscriptionQuery { auto_renew: Some("off".into()), ..query() }).await;
    assert!(hundred.ids().iter().all(|id| off.contains(id)));
    let (audits, mails) = outcome_counts(&store, hundred.ids()).await;
    assert_eq!(audits, 100);
    assert_eq!(mails, 1, "one confirmation per buyer for the whole change");
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.outbox_for("buyer2@aurora.example", MailKind::AutoRenewChanged).await.unwrap().len(),
        1,
        "every buyer is told"
    );
    assert!(
        tx.outbox_for("admin@aurora.example", MailKind::AutoRenewChanged).await.unwrap().is_empty(),
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

    // R-SUB-4: usable until the former renewal date, which became its expiry date, and nothing
    // is charged or ordered on it.
    let id = hundred.ids()[0];
    let end = subscription_end(&store, id).await;
    let jobs = app::server::testing::engine(&store, BASE_URL);
    let before = end - chrono::Duration::seconds(1);
    jobs.run_pass(before).await.unwrap();
    assert_eq!(
        subscriptions::detail(&store, &buyer, id, &Default::default(), before).await.unwrap().summary.status,
        Status::Active
    );
    let after = end + chrono::Duration::minutes(5);
    jobs.run_pass(after).await.unwrap();
    assert_eq!(
        subscriptions::detail(&store, &buyer, id, &Default::default(), after).await.unwrap().summary.status,
        Status::Expired
    );
    let count = |sql: String| {
        let store = store.clone();
        async move { app::server::testing::scalar(&store, &sql).await }
    };
    assert_eq!(
        count(format!("SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE 'renewal:{id}:%'")).await,
        0
    );
    assert_eq!(count(format!("SELECT COUNT(*) FROM orders WHERE number LIKE 'ORD-{id}-%'")).await, 0);
});

async fn subscription_end(store: &Store, id: SubscriptionId) -> DateTime<Utc> {
    let mut tx = store.begin_read().await.unwrap();
    tx.subscription(id).await.unwrap().unwrap().term_end
}

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
    assert_eq!(preview.items[3].outcome, PreviewOutcome::Ineligible(Ineligible::Canceled));

    let key = IdempotencyKey::parse(&preview.idempotency_key).unwrap();
    let err = auto_renew::change(&store, &buyer, &selection, true, &key, now(), BASE_URL).await.unwrap_err();
    match err {
        AppError::Validation { field, problem: Problem::AutoRenewRefused { on, refused } } => {
            assert_eq!(field.as_deref(), Some("ids"));
            assert!(on);
            assert_eq!(refused.len(), 1, "{refused:?}");
            assert_eq!((refused[0].id, &refused[0].reason), (canceled, &Ineligible::Canceled));
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
    let key = IdempotencyKey::new();
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
    tx.insert_session(&session(&hash, &buyer, 1_000, 2_000)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.session(&auth::hash_token(&token), at(1_500)).await.unwrap().map(|s| s.user_id), Some(buyer.user_id));
    assert!(tx.session(&auth::hash_token(&token), at(2_000)).await.unwrap().is_none(), "expired");
    drop(tx);
    let mut tx = store.begin_write().await.unwrap();
    tx.delete_session(&hash).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    assert!(tx.session(&hash, at(1_500)).await.unwrap().is_none());
    drop(tx);
    // Housekeeping removes what has expired and nothing else.
    let (_, live) = auth::new_token();
    let mut tx = store.begin_write().await.unwrap();
    tx.insert_session(&session(&live, &buyer, 1_000, 9_000)).await.unwrap();
    let expired = auth::new_token().1;
    tx.insert_session(&session(&expired, &buyer, 1_000, 2_000)).await.unwrap();
    tx.record_login_failure("someone@aurora.example", "10.0.0.9", at(1_000)).await.unwrap();
    tx.record_login_failure("someone@aurora.example", "10.0.0.9", at(3_000)).await.unwrap();
    assert_eq!(tx.delete_expired_sessions(at(2_500)).await.unwrap(), 1);
    assert_eq!(tx.delete_login_failures_before(at(2_000)).await.unwrap(), 1);
    let one = Failures { count: 1, last_at: Some(3_000) };
    assert_eq!(tx.login_failures_since("someone@aurora.example", "10.0.0.9", at(0)).await.unwrap(), (one, one));
    assert!(tx.session(&live, at(2_500)).await.unwrap().is_some());
});

both!(
    sign_in_answers_unknown_and_wrong_alike_and_slows_down_after_five_failures_without_locking,
    |store: Store| async move {
        let t = 1_800_000_000;
        let wrong =
            auth::sign_in(&store, &email("buyer@aurora.example"), "Wrong-password-1".into(), "10.0.0.1", None, at(t))
                .await
                .unwrap_err();
        let unknown =
            auth::sign_in(&store, &email("nobody@aurora.example"), "Wrong-password-1".into(), "10.0.0.2", None, at(t))
                .await
                .unwrap_err();
        assert_eq!(wrong, unknown);
        assert_eq!(wrong, AppError::form(Problem::BadCredentials));
        let ok =
            auth::sign_in(&store, &email("Buyer@Aurora.example"), seed::DEMO_PASSWORD.into(), "10.0.0.1", None, at(t))
                .await
                .unwrap();
        // A new session id at every sign-in; the previous one ends.
        let again = auth::sign_in(
            &store,
            &email("buyer@aurora.example"),
            seed::DEMO_PASSWORD.into(),
            "10.0.0.1",
            Some(&ok.token),
            at(t),
        )
        .await
        .unwrap();
        assert_ne!(ok.token, again.token);
        let mut tx = store.begin_read().await.unwrap();
        assert!(tx.session(&auth::hash_token(&ok.token), at(t)).await.unwrap().is_none());
        drop(tx);

        // Five wrong passwords cost nothing; the next attempt, even with the right password and from
        // another address, must wait 2 seconds from the last failure, and is then let through: no
        // lock-out that anyone could repeat.
        let admin = email("admin@aurora.example");
        for _ in 0..throttle::FREE_PER_ACCOUNT {
            auth::sign_in(&store, &admin, "Wrong-password-1".into(), "10.0.0.3", None, at(t)).await.unwrap_err();
        }
        let early = auth::sign_in(&store, &admin, seed::DEMO_PASSWORD.into(), "10.0.0.4", None, at(t + 1)).await;
        assert_eq!(early.unwrap_err(), AppError::TooManyRequests(Problem::TooManyFailures { seconds: 1 }));
        auth::sign_in(&store, &admin, seed::DEMO_PASSWORD.into(), "10.0.0.4", None, at(t + 2)).await.unwrap();
        // Unknown accounts slow down the same way, so the wait reveals nothing.
        let ghost = email("ghost@aurora.example");
        for _ in 0..throttle::FREE_PER_ACCOUNT {
            auth::sign_in(&store, &ghost, "Wrong-password-1".into(), "10.0.0.5", None, at(t)).await.unwrap_err();
        }
        let refused = auth::sign_in(&store, &ghost, "Wrong-password-1".into(), "10.0.0.6", None, at(t + 1)).await;
        assert_eq!(refused.unwrap_err(), AppError::TooManyRequests(Problem::TooManyFailures { seconds: 1 }));
        // A guesser who waits each time out sees the wait double, up to a minute and no further; the
        // attempts refused in between are not counted.
        let mut clock = t + 2;
        let mut waits = Vec::new();
        for _ in 0..8 {
            auth::sign_in(&store, &ghost, "Wrong-password-1".into(), "10.0.0.6", None, at(clock)).await.unwrap_err();
            let Err(AppError::TooManyRequests(Problem::TooManyFailures { seconds })) =
                auth::sign_in(&store, &ghost, "Wrong-password-1".into(), "10.0.0.6", None, at(clock)).await
            else {
                panic!("an attempt at once after a failure must wait");
            };
            waits.push(seconds);
            clock += seconds;
        }
        assert_eq!(waits, [4, 8, 16, 32, 60, 60, 60, 60]);
    }
);

both!(unrenewed_subscriptions_move_through_the_lifecycle_on_the_exact_days, |store: Store| async move {
    // R-LIFE-1, R-LIFE-2, R-LIFE-3
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    assert_eq!(apply_lifecycle(&store, now()).await.unwrap(), 0, "the demo data is current");
    let q = SubscriptionQuery {
        status: Some("active".into()),
        auto_renew: Some("off".into()),
        term: Some("annual".into()),
        ..query()
    };
    let id = ids(&store, &buyer, q).await[0];
    let mut tx = store.begin_read().await.unwrap();
    let sub = tx.subscription(id).await.unwrap().unwrap();
    drop(tx);
    let (tz, end) = (sub.time_zone, sub.term_end);
    let day = |n: i64| {
        app::domain::time::start_of_day(app::domain::time::local_date(end, tz) + chrono::Duration::days(n), tz)
    };
    let status_at = |at: DateTime<Utc>| {
        let store = store.clone();
        let buyer = buyer.clone();
        async move {
            apply_lifecycle(&store, at).await.unwrap();
            subscriptions::detail(&store, &buyer, id, &Default::default(), at).await.unwrap().summary.status
        }
    };
    assert_eq!(status_at(end - chrono::Duration::seconds(1)).await, Status::Active);
    assert_eq!(status_at(end).await, Status::Expired);
    assert_eq!(status_at(day(15) - chrono::Duration::seconds(1)).await, Status::Expired);
    assert_eq!(status_at(day(15)).await, Status::Suspended);
    assert_eq!(status_at(day(45) - chrono::Duration::seconds(1)).await, Status::Suspended);
    assert_eq!(status_at(day(45)).await, Status::Canceled);
    // Running again changes nothing, and each step was audited once.
    assert_eq!(apply_lifecycle(&store, day(45)).await.unwrap(), 0);
    let mut tx = store.begin_read().await.unwrap();
    let steps: Vec<String> =
        tx.audit_for(AuditObject::Subscription(id)).await.unwrap().into_iter().map(|l| l.action).collect();
    assert_eq!(steps, vec!["status.canceled", "status.suspended", "status.expired"]);
});

both!(parallel_wrong_passwords_cannot_slip_past_the_limit, |store: Store| async move {
    let t = 1_800_000_000;
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..12 {
        let store = store.clone();
        attempts.spawn(async move {
            auth::sign_in(
                &store,
                &email("admin2@aurora.example"),
                "Wrong-password-1".into(),
                &format!("10.1.0.{i}"),
                None,
                at(t),
            )
            .await
        });
    }
    let results = attempts.join_all().await;
    let wrong = results.iter().filter(|r| matches!(r, Err(AppError::Validation { .. }))).count();
    let locked = results.iter().filter(|r| matches!(r, Err(AppError::TooManyRequests(_)))).count();
    assert_eq!(wrong + locked, 12);
    // Each attempt is counted in a serialised transaction before its password is checked: exactly
    // the allowed number of guesses is checked, the rest are refused.
    let max = throttle::FREE_PER_ACCOUNT as usize;
    assert_eq!((wrong, locked), (max, 12 - max), "{wrong} guesses were checked");
});

both!(a_password_reset_link_works_once_for_30_minutes_and_ends_every_session, |store: Store| async move {
    // R-AUTH-2, R-AUTH-1
    let t = 1_800_000_000;
    let signed_in =
        auth::sign_in(&store, &email("payer2@aurora.example"), seed::DEMO_PASSWORD.into(), "10.2.0.1", None, at(t))
            .await
            .unwrap();
    ask_reset(&store, &email("payer2@aurora.example"), Locale::En, at(t)).await;
    // Unknown accounts get the same (empty) answer and no mail.
    ask_reset(&store, &email("nobody@aurora.example"), Locale::En, at(t)).await;
    let mut tx = store.begin_read().await.unwrap();
    let mails = tx.outbox_for("payer2@aurora.example", MailKind::PasswordReset).await.unwrap();
    assert!(tx.outbox_for("nobody@aurora.example", MailKind::PasswordReset).await.unwrap().is_empty());
    drop(tx);
    assert_eq!(mails.len(), 1);
    let token = reset_token(&mails[0].body_text);

    // R-AUTH-1: a weak password never reaches the service.
    assert_eq!(NewPassword::parse("abcdefgh".into()).unwrap_err(), WeakPassword::NoDigit);
    let expired = AppError::validation("token", Problem::ResetLinkInvalid);
    let late = auth::reset_password(&store, &token, password("New-password-7"), at(t + auth::RESET_SECONDS)).await;
    assert_eq!(late.unwrap_err(), expired, "expired after 30 minutes");

    // A fresh link, used in time, works once.
    ask_reset(&store, &email("payer2@aurora.example"), Locale::En, at(t + 100)).await;
    let mut tx = store.begin_read().await.unwrap();
    let mails = tx.outbox_for("payer2@aurora.example", MailKind::PasswordReset).await.unwrap();
    drop(tx);
    let token = reset_token(&mails[1].body_text);
    // Used at its last valid second; then never again.
    let last_second = at(t + 100 + auth::RESET_SECONDS - 1);
    auth::reset_password(&store, &token, password("New-password-7"), last_second).await.unwrap();
    let again = auth::reset_password(&store, &token, password("Other-password-8"), last_second).await;
    assert_eq!(again.unwrap_err(), expired, "single use");
    let mut tx = store.begin_read().await.unwrap();
    assert!(tx.session(&auth::hash_token(&signed_in.token), at(t + 2000)).await.unwrap().is_none(), "sessions ended");
    drop(tx);
    assert!(
        auth::sign_in(
            &store,
            &email("payer2@aurora.example"),
            seed::DEMO_PASSWORD.into(),
            "10.2.0.2",
            None,
            at(t + 2000)
        )
        .await
        .is_err()
    );
    auth::sign_in(&store, &email("payer2@aurora.example"), "New-password-7".into(), "10.2.0.2", None, at(t + 2000))
        .await
        .unwrap();

    // A fourth request within the window sends nothing more.
    for i in 0..3 {
        ask_reset(&store, &email("payer2@aurora.example"), Locale::En, at(t + 400 + i)).await;
    }
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.outbox_for("payer2@aurora.example", MailKind::PasswordReset).await.unwrap().len(), 3);
});

both!(a_reset_request_does_the_same_writes_for_known_and_unknown_addresses, |store: Store| async move {
    // R-AUTH-2: the answer and the work are the same whether or not the account exists; only
    // the worker, later and out of the request's sight, tells them apart.
    let t = 1_800_000_000;
    let mut writes = Vec::new();
    for who in ["admin2@aurora.example", "nobody@aurora.example"] {
        let before = table_counts(&store).await;
        auth::request_password_reset(&store, &email(who), Locale::En, at(t)).await.unwrap();
        let after = table_counts(&store).await;
        let changed: Vec<(String, i64)> =
            after.iter().filter(|(t, n)| before[*t] != **n).map(|(t, n)| (t.clone(), n - before[t])).collect();
        writes.push(changed);
    }
    assert_eq!(writes[0], writes[1]);
    assert_eq!(writes[0], [("login_failures".to_string(), 1), ("password_reset_requests".to_string(), 1)]);
    // The worker mails the known address and nobody else, and empties the queue.
    assert_eq!(auth::issue_reset_links(&store, BASE_URL).await.unwrap(), 2);
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(tx.outbox_for("admin2@aurora.example", MailKind::PasswordReset).await.unwrap().len(), 1);
    assert!(tx.outbox_for("nobody@aurora.example", MailKind::PasswordReset).await.unwrap().is_empty());
    drop(tx);
    assert_eq!(table_counts(&store).await["password_reset_requests"], 0);
    assert_eq!(auth::issue_reset_links(&store, BASE_URL).await.unwrap(), 0);
});

both!(a_users_chosen_language_answers_their_requests_in_any_browser, |store: Store| async move {
    use app::server::language;
    let t = 1_800_000_000;
    let signed_in =
        auth::sign_in(&store, &email("buyer2@aurora.example"), seed::DEMO_PASSWORD.into(), "10.3.0.1", None, at(t))
            .await
            .unwrap();
    let headers = |cookie: String, accept: &str| {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::COOKIE, cookie.parse().unwrap());
        h.insert(http::header::ACCEPT_LANGUAGE, accept.parse().unwrap());
        h
    };
    let session = format!("portal_session={}", signed_in.token);
    // No choice yet: the browser's language.
    assert_eq!(language::decide(&store, &headers(session.clone(), "fr-FR"), false, at(t)).await.unwrap(), Locale::Fr);
    let buyer = demo_actor(&store, "buyer2@aurora.example").await;
    app::server::services::account::set_language(&store, &buyer, Locale::Sv).await.unwrap();
    // The choice wins over the browser and over the switcher's cookie of another browser.
    let elsewhere = headers(format!("{session}; portal_lang=de"), "fr-FR");
    assert_eq!(language::decide(&store, &elsewhere, false, at(t)).await.unwrap(), Locale::Sv);
    // An ended session is anonymous: its user's choice no longer applies.
    let late = at(t + auth::SESSION_SECONDS + 1);
    assert_eq!(language::decide(&store, &elsewhere, false, late).await.unwrap(), Locale::De);
});

both!(mail_goes_out_in_each_recipients_language, |store: Store| async move {
    // Each buyer gets the auto-renew confirmation in their own language; one who chose none gets
    // the organisation's default; a reset mail is in the language of the page it was asked from.
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let buyer2 = demo_actor(&store, "buyer2@aurora.example").await;
    app::server::services::account::set_language(&store, &buyer2, Locale::Sv).await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert_eq!(tx.org_language(buyer.org_id).await.unwrap(), Locale::En, "English unless the organisation says");
    tx.set_org_language(buyer.org_id, Locale::Fi).await.unwrap();
    tx.commit().await.unwrap();

    let on = ids(
        &store,
        &buyer,
        SubscriptionQuery { auto_renew: Some("on".into()), status: Some("active".into()), ..query() },
    )
    .await;
    let two = BulkSelection::from_ids(on[..2].to_vec()).unwrap();
    let key = IdempotencyKey::new();
    auto_renew::change(&store, &buyer, &two, false, &key, now(), BASE_URL).await.unwrap();
    let mut tx = store.begin_read().await.unwrap();
    let swedish = tx.outbox_for("buyer2@aurora.example", MailKind::AutoRenewChanged).await.unwrap();
    assert_eq!(swedish.len(), 1);
    assert_eq!(swedish[0].subject, "Automatisk förnyelse inaktiverad för 2 prenumerationer");
    assert!(swedish[0].body_text.contains("Förfaller den"), "{}", swedish[0].body_text);
    let finnish = tx.outbox_for("buyer@aurora.example", MailKind::AutoRenewChanged).await.unwrap();
    assert_eq!(finnish[0].subject, "Automaattinen uusiminen poistettu käytöstä 2 tilaukselta");
    drop(tx);

    let t = 1_800_000_000;
    ask_reset(&store, &email("admin@aurora.example"), Locale::Sv, at(t)).await;
    let mut tx = store.begin_read().await.unwrap();
    let reset = tx.outbox_for("admin@aurora.example", MailKind::PasswordReset).await.unwrap();
    assert_eq!(reset[0].subject, "Återställ ditt lösenord för Fakturering och beställningar");
    assert!(reset[0].body_text.contains("Välj ett nytt lösenord"), "{}", reset[0].body_text);
});

both!(a_reset_ends_the_lock_out_voids_other_links_and_made_up_tokens_cost_no_hash, |store: Store| async move {
    // R-AUTH-2
    let t = 1_800_000_000;
    let who = "buyer2@aurora.example";
    for i in 0..2 {
        ask_reset(&store, &email(who), Locale::En, at(t + i)).await;
    }
    let mut tx = store.begin_read().await.unwrap();
    let mails = tx.outbox_for(who, MailKind::PasswordReset).await.unwrap();
    drop(tx);
    let token = |i: usize| reset_token(&mails[i].body_text);
    // Slowed down by five wrong passwords: the next attempt must wait.
    for _ in 0..throttle::FREE_PER_ACCOUNT {
        auth::sign_in(&store, &email(who), "Wrong-password-1".into(), "10.4.0.1", None, at(t + 10)).await.unwrap_err();
    }
    let waits = auth::sign_in(&store, &email(who), seed::DEMO_PASSWORD.into(), "10.4.0.1", None, at(t + 11)).await;
    assert_eq!(waits.unwrap_err(), AppError::TooManyRequests(Problem::TooManyFailures { seconds: 1 }));

    auth::reset_password(&store, &token(1), password("Brand-new-pass-3"), at(t + 11)).await.unwrap();
    // The other link no longer works, and the wait is over at once: the failures are forgotten.
    let other = auth::reset_password(&store, &token(0), password("Another-pass-4"), at(t + 11)).await;
    assert_eq!(other.unwrap_err(), AppError::validation("token", Problem::ResetLinkInvalid));
    auth::sign_in(&store, &email(who), "Brand-new-pass-3".into(), "10.4.0.1", None, at(t + 11)).await.unwrap();

    // 64 made-up tokens at once: each is refused after a lookup, before any password hashing
    // (which would be refused as busy past a few per core).
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..64 {
        let store = store.clone();
        attempts.spawn(async move {
            auth::reset_password(&store, &format!("made-up-{i}"), password("Guess-work-55"), at(t + 60)).await
        });
    }
    let results = attempts.join_all().await;
    assert!(
        results.iter().all(|r| r.as_ref().unwrap_err() == &AppError::validation("token", Problem::ResetLinkInvalid)),
        "{results:?}"
    );
});

both!(the_embedded_database_backs_up_to_a_consistent_copy_while_running, |store: Store| async move {
    let target = std::env::temp_dir().join(format!("portal-backup-{}.sqlite3", uuid::Uuid::new_v4()));
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    let total = subscriptions::list(&store, &buyer, &query()).await.unwrap().total;
    match store {
        Store::Sqlite(_) => {
            store.backup_to(&target).await.unwrap();
            let copy = Store::connect(&format!("sqlite://{}", target.display())).await.unwrap();
            assert_eq!(subscriptions::list(&copy, &buyer, &query()).await.unwrap().total, total);
            // Never over an existing file.
            assert!(store.backup_to(&target).await.unwrap_err().contains("exists"));
            drop(copy);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
            }
        }
        Store::Postgres(_) => {
            assert!(store.backup_to(&target).await.unwrap_err().contains("pg_dump"));
            assert!(!target.exists());
        }
    }
});

both!(the_stored_demo_clock_stops_at_twenty_years_whoever_moves_it, |store: Store| async move {
    // The command line (`server advance-clock`) and the page share this check, made against the
    // stored offset under the write lock: no path moves the clock past the cap.
    use app::domain::time::{MAX_AHEAD_DAYS, StepError};
    use app::server::clock::{advance_stored_offset, stored_offset};
    let day = chrono::Duration::days(1);
    assert_eq!(advance_stored_offset(&store, day * 7000).await.unwrap(), Ok(7000 * 86_400));
    let too_far = advance_stored_offset(&store, day * (MAX_AHEAD_DAYS as i32 - 7000 + 1)).await.unwrap();
    assert_eq!(too_far, Err(StepError::TooFarAhead));
    assert_eq!(stored_offset(&store).await.unwrap(), 7000 * 86_400, "nothing moved");
    let to_the_cap = advance_stored_offset(&store, day * (MAX_AHEAD_DAYS as i32 - 7000)).await.unwrap();
    assert_eq!(to_the_cap, Ok(MAX_AHEAD_DAYS * 86_400));
    let overflow = advance_stored_offset(&store, day * 1_000_000).await.unwrap();
    assert_eq!(overflow, Err(StepError::TooFarAhead));
});
