//! The Billing and orders overview through its service (issue 14, R-EXT-7): what falls due in
//! the next 90 days, the spending of the last 5 months and this month split into due, payment
//! error and paid, and the renewal calendar. Each story once on SQLite and once on PostgreSQL.

use app::contract::dto::{DueKind, OverviewPage};
use app::contract::error::AppError;
use app::domain::money::{Currency, UsdRates};
use app::domain::overview::{HORIZON_DAYS, SpendingState};
use app::server::services::overview;
use app::server::store::Store;
use app::server::testing::{demo_actor, execute, scalar};
use chrono::{Datelike, Duration};

mod common;
use common::now;

async fn page(store: &Store, who: &str) -> Result<OverviewPage, AppError> {
    let actor = demo_actor(store, who).await;
    overview::page(store, &actor, &UsdRates::default(), now()).await
}

both!(the_overview_lists_what_falls_due_in_the_next_90_days, |store: Store| async move {
    // R-EXT-7: payments and expirations due in the next 90 days, soonest first.
    let p = page(&store, "buyer@aurora.example").await.unwrap();
    let today = now().date_naive();
    assert_eq!(p.today, today);
    assert_eq!(p.horizon_end, today + Duration::days(HORIZON_DAYS));
    assert!(p.due.windows(2).all(|w| w[0].day <= w[1].day), "soonest first");
    assert!(p.due.iter().all(|d| d.day <= p.horizon_end), "nothing beyond 90 days");
    let invoices: Vec<_> = p.due.iter().filter(|d| matches!(d.kind, DueKind::Invoice { .. })).collect();
    let subscriptions = p.due.len() - invoices.len();
    assert!(subscriptions > 0 && !invoices.is_empty(), "{:?}", p.due);
    for d in &p.due {
        match &d.kind {
            // Overdue invoices are listed too, marked, before today.
            DueKind::Invoice { overdue, .. } => {
                assert_eq!(*overdue, d.day < today);
                assert!(d.amount.is_some_and(|m| m.minor() > 0));
            }
            DueKind::Renewal { .. } => assert!(d.day >= today && d.amount.is_some()),
            DueKind::Expiry { .. } => assert!(d.day >= today && d.amount.is_none()),
        }
    }
    // Every open invoice due by the horizon's end is there (the demo has fewer than 100).
    let until = (now() + Duration::days(HORIZON_DAYS + 1)).timestamp();
    let org = "(SELECT id FROM organisations WHERE name = 'Aurora Design Group')";
    let open = scalar(
        &store,
        &format!(
            "SELECT COUNT(*) FROM invoices WHERE org_id = {org} AND status IN ('open', 'pending') AND due_at < {until}"
        ),
    )
    .await;
    assert!(
        (invoices.len() as i64 - open).abs() <= 1,
        "{} listed, {open} open (one may fall on the 91st day)",
        invoices.len()
    );

    // Billing is for buyers (R-ROLE-5, R-ROLE-6).
    for who in ["admin@aurora.example", "payer1@aurora.example"] {
        assert_eq!(page(&store, who).await.unwrap_err(), AppError::Forbidden, "{who}");
    }
});

both!(spending_is_split_into_paid_payment_error_and_due, |store: Store| async move {
    // R-EXT-7: the last 5 months and this one; a failed payment turns what is unpaid of its
    // purchase from due into payment error, and the month's total does not change.
    let before = page(&store, "buyer@aurora.example").await.unwrap();
    let eur = before.spending.iter().find(|c| c.currency == Currency::Eur).expect("euro spending");
    assert_eq!(eur.months.len(), 6);
    assert_eq!(eur.months[5].month, now().date_naive().with_day(1).unwrap());
    assert_eq!(eur.layout.bars.len(), 6);
    for (bar, month) in eur.layout.bars.iter().zip(&eur.months) {
        assert_eq!(bar.month, month.month);
        for s in &bar.segments {
            assert_eq!(s.amount, month.amount(s.state));
        }
    }

    // An open euro invoice of an order of the last months: a payment of it fails.
    let since = (now() - Duration::days(150)).timestamp();
    let invoice = scalar(
        &store,
        &format!(
            "SELECT MIN(i.id) FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.status = 'open' \
             AND i.currency = 'EUR' AND i.paid_minor = 0 AND o.created_at >= {since} AND NOT EXISTS \
             (SELECT 1 FROM payments p WHERE p.status = 'failed' AND (p.order_id = o.id OR p.invoice_id = i.id))"
        ),
    )
    .await;
    let created = scalar(
        &store,
        &format!("SELECT o.created_at FROM orders o JOIN invoices i ON i.order_id = o.id WHERE i.id = {invoice}"),
    )
    .await;
    let month = chrono::DateTime::from_timestamp(created, 0).unwrap().date_naive().with_day(1).unwrap();
    execute(
        &store,
        &format!(
            "INSERT INTO payments (org_id, invoice_id, currency, amount_minor, status, idempotency_key, due_at, created_at) \
             SELECT org_id, id, currency, total_minor, 'failed', 'overview-story', {0}, {0} FROM invoices WHERE id = {invoice}",
            now().timestamp()
        ),
    )
    .await;
    let after = page(&store, "buyer@aurora.example").await.unwrap();
    let of = |p: &OverviewPage| {
        let c = p.spending.iter().find(|c| c.currency == Currency::Eur).unwrap();
        c.months.iter().find(|m| m.month == month).cloned().unwrap()
    };
    let (b, a) = (of(&before), of(&after));
    let moved = a.payment_error.minor() - b.payment_error.minor();
    assert!(moved > 0, "{b:?} -> {a:?}");
    assert_eq!(b.due.minor() - a.due.minor(), moved);
    assert_eq!(a.paid, b.paid);
    assert_eq!(a.total().unwrap(), b.total().unwrap());
    assert!(
        after.spending.iter().any(|c| c
            .layout
            .bars
            .iter()
            .any(|bar| bar.segments.iter().any(|s| s.state == SpendingState::PaymentError)))
    );
});

both!(the_renewal_calendar_counts_what_renews_in_each_of_the_next_12_months, |store: Store| async move {
    let p = page(&store, "buyer2@aurora.example").await.unwrap();
    assert_eq!(p.calendar.len(), 12);
    assert_eq!(p.calendar[0].month, now().date_naive().with_day(1).unwrap());
    assert!(p.calendar.windows(2).all(|w| w[0].month < w[1].month));
    let counted: u32 = p.calendar.iter().flat_map(|m| &m.totals).map(|t| t.subscriptions).sum();
    // Active subscriptions with auto-renew on, renewing within the 12 months.
    let end = (now().date_naive().with_day(1).unwrap() + chrono::Months::new(12)).and_hms_opt(0, 0, 0).unwrap();
    let renewing = scalar(
        &store,
        &format!(
            "SELECT COUNT(*) FROM subscriptions s JOIN organisations o ON o.id = s.org_id \
             WHERE o.name = 'Aurora Design Group' AND s.status = 'active' AND s.auto_renew = (1 = 1) \
             AND s.term_end_at >= {} AND s.term_end_at < {}",
            now().timestamp() - 86_400,
            end.and_utc().timestamp() + 86_400
        ),
    )
    .await;
    assert!(counted > 0);
    assert!((i64::from(counted) - renewing).abs() <= 4, "{counted} counted, about {renewing} renewing");
});
