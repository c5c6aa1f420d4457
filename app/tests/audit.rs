//! The audit trail through its service (issue 14): every change recorded, newest first, filtered
//! by subscription, user and kind; admins who are not buyers see user management only
//! (R-ROLE-5); exported as CSV with formulas neutralised. Each story on SQLite and PostgreSQL.

use app::contract::dto::AuditQuery;
use app::contract::error::AppError;
use app::contract::problem::Problem;
use app::domain::audit::AuditKind;
use app::domain::authz::Role;
use app::domain::email::EmailAddress;
use app::domain::locale::Locale;
use app::domain::selection::BulkSelection;
use app::server::services::{audit, auto_renew, users};
use app::server::store::Store;
use app::server::testing::{demo_actor, execute, scalar};

mod common;
use common::{BASE_URL, now};

fn query(pairs: &[(&str, &str)]) -> AuditQuery {
    let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string());
    AuditQuery { subscription: get("subscription"), user: get("user"), kind: get("kind"), page: get("page") }
}

both!(changes_are_recorded_and_filtered_by_subscription_user_and_kind, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer2@aurora.example").await;
    let before = audit::page(&store, &buyer, &query(&[])).await.unwrap().total;
    let sub = scalar(
        &store,
        "SELECT MIN(s.id) FROM subscriptions s JOIN organisations o ON o.id = s.org_id \
         WHERE o.name = 'Aurora Design Group' AND s.status = 'active' AND s.auto_renew = (1 = 1)",
    )
    .await;
    let selection = BulkSelection::parse(&sub.to_string()).unwrap();
    let key = app::domain::ids::IdempotencyKey::new();
    auto_renew::change(&store, &buyer, &selection, false, &key, now(), BASE_URL).await.unwrap();

    let all = audit::page(&store, &buyer, &query(&[])).await.unwrap();
    assert_eq!(all.total, before + 1);
    let newest = &all.rows[0];
    assert_eq!(newest.action, "auto_renew.off");
    assert_eq!(newest.kind, Some(AuditKind::AutoRenew));
    assert_eq!(newest.actor.as_ref().map(|a| a.email.as_str()), Some("buyer2@aurora.example"));
    assert_eq!((newest.object_type.as_str(), newest.object_id), ("subscription", sub));
    assert!(all.rows.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert_eq!(all.rows.len() as i64, all.total.min(audit::PER_PAGE));
    // Every entry the demo and this story recorded is of a kind the trail knows.
    assert!(all.rows.iter().all(|r| r.kind.is_some()), "{:?}", all.rows.iter().find(|r| r.kind.is_none()));

    let one = audit::page(&store, &buyer, &query(&[("subscription", &sub.to_string())])).await.unwrap();
    assert!(one.total >= 1 && one.rows.iter().all(|r| r.object_type == "subscription" && r.object_id == sub));
    let lina = buyer.user_id.0.to_string();
    let hers = audit::page(&store, &buyer, &query(&[("user", &lina)])).await.unwrap();
    assert!(hers.rows.iter().all(|r| r.actor.as_ref().is_some_and(|a| a.email == "buyer2@aurora.example")
        || (r.object_type == "user" && r.object_id == buyer.user_id.0)));
    assert!(hers.total >= 1);
    let kind = audit::page(&store, &buyer, &query(&[("kind", "auto_renew")])).await.unwrap();
    assert!(kind.rows.iter().all(|r| r.kind == Some(AuditKind::AutoRenew)));

    // Bad filters are refused with their field, not a 500.
    for (field, value) in [("subscription", "abc"), ("user", "x"), ("kind", "nonsense"), ("page", "zero")] {
        let r = audit::page(&store, &buyer, &query(&[(field, value)])).await;
        assert_eq!(r.unwrap_err(), AppError::validation(field, Problem::NotListed), "{field}");
    }
    let r = audit::page(&store, &buyer, &query(&[("page", "0")])).await;
    assert_eq!(r.unwrap_err(), AppError::validation("page", Problem::PageFromOne));
});

both!(admins_see_user_management_only_and_payers_nothing, |store: Store| async move {
    // R-ROLE-5: admins who are not buyers have limited visibility of billing.
    let admin = demo_actor(&store, "admin2@aurora.example").await;
    let primary = demo_actor(&store, "admin@aurora.example").await;
    users::invite(&store, &primary, &EmailAddress::parse("audited@example.com").unwrap(), Role::User, BASE_URL, now())
        .await
        .unwrap();
    let page = audit::page(&store, &admin, &query(&[])).await.unwrap();
    assert!(page.total >= 1);
    assert!(page.rows.iter().all(|r| r.kind.is_some_and(AuditKind::is_user_management)), "{:?}", page.rows);
    assert_eq!(page.kinds, AuditKind::visible(false));
    let r = audit::page(&store, &admin, &query(&[("kind", "auto_renew")])).await;
    assert_eq!(r.unwrap_err(), AppError::validation("kind", Problem::NotListed));
    let payer = demo_actor(&store, "payer1@aurora.example").await;
    assert_eq!(audit::page(&store, &payer, &query(&[])).await.unwrap_err(), AppError::Forbidden);
    // Another organisation's entries never show.
    let borealis = demo_actor(&store, "buyer@borealis.example").await;
    let theirs = audit::page(&store, &borealis, &query(&[("kind", "invitation")])).await.unwrap();
    assert!(theirs.rows.iter().all(|r| !r.detail.contains("audited@example.com")));
});

both!(the_csv_export_holds_every_selected_entry_with_formulas_neutralised, |store: Store| async move {
    let buyer = demo_actor(&store, "buyer@aurora.example").await;
    execute(
        &store,
        &format!(
            "INSERT INTO audit_log (org_id, actor_user_id, action, object_type, object_id, detail, at) \
             SELECT org_id, id, 'profile.changed', 'user', id, '=HYPERLINK(\"http://x\")', {} FROM (SELECT m.org_id, u.id \
             FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = 'buyer@aurora.example' LIMIT 1) t",
            now().timestamp()
        ),
    )
    .await;
    let total = audit::page(&store, &buyer, &query(&[])).await.unwrap().total;
    let mut chunks = audit::csv(&store, &buyer, &query(&[]), Locale::Fi).await.unwrap();
    let mut bytes = Vec::new();
    while let Some(chunk) = chunks.recv().await {
        bytes.extend(chunk.unwrap());
    }
    let text = String::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("Milloin"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as i64, total);
    let injected = rows.iter().find(|r| r.get(5).is_some_and(|d| d.contains("HYPERLINK"))).unwrap();
    assert_eq!(injected.get(5), Some("'=HYPERLINK(\"http://x\")"));
    assert_eq!(injected.get(2), Some("Profiili"));
});
